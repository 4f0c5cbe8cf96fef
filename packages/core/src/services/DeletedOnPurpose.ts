/**
 * Gallery content deleted on purpose stays deleted: when a photo or video goes to the trash (or is purged by a
 * deletion request) its keyed fingerprint is remembered, and an upload of the same content as a new item is
 * answered `deleted-on-purpose` until the person restores the item or re-adds the content explicitly.
 *
 * Fingerprinting opens the item's content, so it is an opening like any other: written to the access log with the
 * purpose `gallery-fingerprint` (§4.1.5). A push opens all the items it deletes at once (`contentOf`), in one entry.
 */
import { Context, Effect, Layer, Redacted } from "effect"
import type { AccountId } from "../domain/Ids.js"
import type { GalleryItem } from "../domain/Payloads.js"
import type { StoredRecord } from "../domain/Record.js"
import { encodeUtf8 } from "../domain/Sealed.js"
import { Crypto } from "../ports/Crypto.js"
import { DeletedContentStore } from "../ports/DeletedContentStore.js"
import { StoreError } from "../ports/StoreError.js"
import { Keyring } from "./Keyring.js"
import { RecordSealing, type SealingFailed } from "./RecordSealing.js"

const fingerprintSalt = encodeUtf8("custos/gallery-fingerprint/v1")

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")

/** The content digests of gallery records opened ahead of their deletion, by account, id and version. */
export type KnownContent = ReadonlyMap<string, string>

const contentKey = (record: StoredRecord) => `${record.accountId}\u0000${record.id}\u0000${record.version}`

const isGalleryContent = (record: StoredRecord) => record.app === "gallery" && record.body !== undefined

export class DeletedOnPurpose extends Context.Tag("@custos/core/DeletedOnPurpose")<DeletedOnPurpose, {
  /** Opens the gallery records among `records` together, in one logged opening, for `remember` to use. */
  readonly contentOf: (records: ReadonlyArray<StoredRecord>) => Effect.Effect<KnownContent, SealingFailed | StoreError>
  /**
   * Remembers the content of a gallery record being deleted; other apps are left alone. The record is opened unless
   * `known` holds its content already.
   */
  readonly remember: (record: StoredRecord, known?: KnownContent) => Effect.Effect<void, SealingFailed | StoreError>
  /** Forgets the content of a gallery record coming back (a restore). */
  readonly forgetRecord: (record: StoredRecord) => Effect.Effect<void, SealingFailed | StoreError>
  readonly isDeleted: (accountId: AccountId, sha256: string) => Effect.Effect<boolean, StoreError>
  /** The person re-adds the content explicitly. */
  readonly forget: (accountId: AccountId, sha256: string) => Effect.Effect<void, StoreError>
}>() {
  static readonly layer = Layer.effect(
    DeletedOnPurpose,
    Effect.gen(function*() {
      const store = yield* DeletedContentStore
      const keyring = yield* Keyring
      const crypto = yield* Crypto
      const sealing = yield* RecordSealing

      // The fingerprint key comes from the account's first key version, which lives as long as the account, so
      // fingerprints survive key rotation; deleting the account destroys it and them with it.
      const fingerprint = (accountId: AccountId, sha256: string) =>
        Effect.gen(function*() {
          const key = yield* keyring.recordKey(accountId, fingerprintSalt, 1, "aes-256-gcm")
          return hex(yield* crypto.hmacSha256({ key: Redacted.value(key), data: encodeUtf8(sha256) }))
        }).pipe(Effect.mapError((cause) => new StoreError({ operation: "DeletedOnPurpose.fingerprint", cause })))

      const contentOf = (records: ReadonlyArray<StoredRecord>) => {
        const gallery = records.filter(isGalleryContent)
        return Effect.map(
          sealing.openAll(gallery, "gallery-fingerprint"),
          (payloads): KnownContent =>
            new Map(gallery.map((r, i) => [contentKey(r), (payloads[i] as GalleryItem).sha256]))
        )
      }

      const digestOf = (record: StoredRecord, known?: KnownContent) =>
        !isGalleryContent(record)
          ? Effect.succeed(undefined)
          : known?.has(contentKey(record))
          ? Effect.succeed(known.get(contentKey(record)))
          : Effect.map(contentOf([record]), (content) => content.get(contentKey(record)))

      const isDeleted = (accountId: AccountId, sha256: string) =>
        Effect.flatMap(fingerprint(accountId, sha256), (fp) => store.isDeleted(accountId, fp))
      const forget = (accountId: AccountId, sha256: string) =>
        Effect.flatMap(fingerprint(accountId, sha256), (fp) => store.forget(accountId, fp))

      return {
        contentOf,
        remember: (record, known) =>
          Effect.gen(function*() {
            const sha256 = yield* digestOf(record, known)
            if (sha256 === undefined) return
            const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
            yield* store.remember(record.accountId, yield* fingerprint(record.accountId, sha256), now)
          }),
        forgetRecord: (record) =>
          Effect.gen(function*() {
            const sha256 = yield* digestOf(record)
            if (sha256 !== undefined) yield* forget(record.accountId, sha256)
          }),
        isDeleted,
        forget
      }
    })
  )
}
