/**
 * Gallery content deleted on purpose stays deleted: when a photo or video goes to the trash (or is purged by a
 * deletion request) its keyed fingerprint is remembered, and an upload of the same content as a new item is
 * answered `deleted-on-purpose` until the person restores the item or re-adds the content explicitly.
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

export class DeletedOnPurpose extends Context.Tag("@custos/core/DeletedOnPurpose")<DeletedOnPurpose, {
  /** Remembers the content of a gallery record being deleted; other apps are left alone. */
  readonly remember: (record: StoredRecord) => Effect.Effect<void, SealingFailed | StoreError>
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

      const contentOf = (record: StoredRecord) =>
        record.app !== "gallery" || record.body === undefined
          ? Effect.succeed(undefined)
          : Effect.map(sealing.open(record), (payload) => (payload as GalleryItem).sha256)

      const isDeleted = (accountId: AccountId, sha256: string) =>
        Effect.flatMap(fingerprint(accountId, sha256), (fp) => store.isDeleted(accountId, fp))
      const forget = (accountId: AccountId, sha256: string) =>
        Effect.flatMap(fingerprint(accountId, sha256), (fp) => store.forget(accountId, fp))

      return {
        remember: (record) =>
          Effect.gen(function*() {
            const sha256 = yield* contentOf(record)
            if (sha256 === undefined) return
            const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
            yield* store.remember(record.accountId, yield* fingerprint(record.accountId, sha256), now)
          }),
        forgetRecord: (record) =>
          Effect.gen(function*() {
            const sha256 = yield* contentOf(record)
            if (sha256 !== undefined) yield* forget(record.accountId, sha256)
          }),
        isDeleted,
        forget
      }
    })
  )
}
