/**
 * Where record content is sealed and opened (DESIGN.md "Encryption at rest"): every payload of an AES-typed data
 * type (§4.1.2: all of them but the account id) is sealed with the account's keys before a store sees it, bound
 * to its account, app, record and field, and opened only here. Stores keep the envelope text and the plain
 * columns sync needs; nothing else in core touches a record body.
 *
 * Opening always names its purpose, and a batch is written to the account's access log (§4.1.5) before any of it is
 * opened: one entry per app, naming every record with content. There is no way to open without it. A tombstone has
 * no content, so it is never opened and never logged.
 */
import { Context, Effect, Either, Layer, Schema } from "effect"
import type { AccessPurpose } from "../domain/AccessLog.js"
import type { App } from "../domain/App.js"
import type { AccountId, RecordId } from "../domain/Ids.js"
import type { RecordView } from "../domain/Mutation.js"
import type { StoredRecord } from "../domain/Record.js"
import { decodeUtf8 } from "../domain/Sealed.js"
import { DecryptionFailed } from "../ports/Crypto.js"
import type { StoreError } from "../ports/StoreError.js"
import { AccessLog } from "./AccessLog.js"
import { Keyring, type OpenFieldError } from "./Keyring.js"

/** The field name the whole payload is sealed under. */
const payloadField = "payload"

/**
 * Content could not be sealed or opened: the key store failed, a key is gone (the account was deleted), or stored
 * content does not authenticate (it was damaged or moved). Never the person's fault.
 */
export class SealingFailed extends Schema.TaggedError<SealingFailed>()("SealingFailed", {
  operation: Schema.Literal("seal", "open"),
  app: Schema.String,
  recordId: Schema.String,
  cause: Schema.Defect
}) {
  readonly code = "sealing-failure"
  override get message() {
    return this.operation === "seal"
      ? `The ${this.app} record ${this.recordId} could not be encrypted; nothing was stored`
      : `The ${this.app} record ${this.recordId} could not be decrypted; its stored content is unavailable`
  }
}

export class RecordSealing extends Context.Tag("@custos/core/RecordSealing")<RecordSealing, {
  /** Seals a payload in its encoded (JSON) form into the body a store keeps. */
  readonly seal: (
    ids: { readonly accountId: AccountId; readonly app: App; readonly recordId: RecordId },
    encoded: unknown
  ) => Effect.Effect<string, SealingFailed>
  /**
   * `seal` of every item, in order, as one operation: the account's key versions are asked once for the batch. When
   * the keys fail, nothing is returned, and the error names the first record of the failing account.
   */
  readonly sealAll: (
    items: ReadonlyArray<{
      readonly ids: { readonly accountId: AccountId; readonly app: App; readonly recordId: RecordId }
      readonly encoded: unknown
    }>
  ) => Effect.Effect<ReadonlyArray<string>, SealingFailed>
  /**
   * Opens the stored bodies of `records` back into their encoded payloads, in order (`undefined` for a tombstone),
   * after writing the opening to the access log for `purpose`.
   */
  readonly openAll: (
    records: ReadonlyArray<StoredRecord>,
    purpose: AccessPurpose
  ) => Effect.Effect<ReadonlyArray<unknown>, SealingFailed | StoreError>
  /** The records as a device sees them: plain columns, and the payload opened (and logged) unless a tombstone. */
  readonly viewAll: (
    records: ReadonlyArray<StoredRecord>,
    purpose: AccessPurpose
  ) => Effect.Effect<ReadonlyArray<RecordView>, SealingFailed | StoreError>
  /** `viewAll` of one record. */
  readonly view: (record: StoredRecord, purpose: AccessPurpose) => Effect.Effect<RecordView, SealingFailed | StoreError>
}>() {
  static readonly layer = Layer.effect(
    RecordSealing,
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const accessLog = yield* AccessLog

      const seal = (
        ids: { readonly accountId: AccountId; readonly app: App; readonly recordId: RecordId },
        encoded: unknown
      ) =>
        keyring.sealField({ ...ids, field: payloadField, plaintext: JSON.stringify(encoded) }).pipe(
          Effect.mapError((cause) => new SealingFailed({ operation: "seal", app: ids.app, recordId: ids.recordId, cause }))
        )

      const sealAll = (
        items: ReadonlyArray<{
          readonly ids: { readonly accountId: AccountId; readonly app: App; readonly recordId: RecordId }
          readonly encoded: unknown
        }>
      ) =>
        items.length === 0 ? Effect.succeed([]) : keyring.sealFields(
          items.map(({ encoded, ids }) => ({ ...ids, field: payloadField, plaintext: JSON.stringify(encoded) }))
        ).pipe(
          // What fails is the account's keys, not one value: the error names the batch's first record.
          Effect.mapError((cause) =>
            new SealingFailed({ operation: "seal", app: items[0]!.ids.app, recordId: items[0]!.ids.recordId, cause })
          )
        )

      /** The payload of one body `openFields` answered for, or why it is none. */
      const payloadOf = (
        record: StoredRecord,
        opened: Either.Either<Uint8Array, OpenFieldError>
      ): Either.Either<unknown, SealingFailed> => {
        const failed = (cause: unknown) =>
          Either.left(new SealingFailed({ operation: "open", app: record.app, recordId: record.id, cause }))
        if (Either.isLeft(opened)) return failed(opened.left)
        const text = decodeUtf8(opened.right)
        return text === undefined
          ? failed(new DecryptionFailed({ reason: "the value opened, but it is bytes, not text" }))
          : Either.right(JSON.parse(text) as unknown)
      }

      const openAll = (records: ReadonlyArray<StoredRecord>, purpose: AccessPurpose) =>
        Effect.gen(function*() {
          // One entry per account and app of the batch, naming the records that have content, in batch order.
          const batches = new Map<string, { accountId: AccountId; app: App; recordIds: Array<RecordId> }>()
          const withContent: Array<StoredRecord> = []
          for (const r of records) {
            if (r.body === undefined) continue
            withContent.push(r)
            const key = `${r.accountId}\u0000${r.app}`
            const batch = batches.get(key)
            if (batch === undefined) batches.set(key, { accountId: r.accountId, app: r.app, recordIds: [r.id] })
            else batch.recordIds.push(r.id)
          }
          for (const batch of batches.values()) yield* accessLog.write({ ...batch, purpose })
          // One operation for the whole batch: the key versions are asked once per account, not once per record.
          const opened = withContent.length === 0 ? [] : yield* keyring.openFields(
            withContent.map((r) => ({
              accountId: r.accountId,
              app: r.app,
              recordId: r.id,
              field: payloadField,
              sealed: r.body!
            }))
          )
          const payloads: Array<unknown> = []
          let next = 0
          for (const r of records) {
            if (r.body === undefined) {
              payloads.push(undefined)
              continue
            }
            // The first record that does not open fails the batch, as if they were opened one by one.
            const payload = payloadOf(r, opened[next++]!)
            if (Either.isLeft(payload)) return yield* payload.left
            payloads.push(payload.right)
          }
          return payloads
        })

      const viewAll = (records: ReadonlyArray<StoredRecord>, purpose: AccessPurpose) =>
        Effect.map(openAll(records, purpose), (payloads) => records.map((r, i) => viewOf(r, payloads[i])))

      return {
        seal,
        sealAll,
        openAll,
        viewAll,
        view: (record, purpose) => Effect.map(viewAll([record], purpose), (views) => views[0]!)
      }
    })
  )
}

/** The plain columns of a record as a device sees them, never its content: the answer for a tombstone. */
export const plainView = (record: StoredRecord): RecordView => viewOf(record, undefined)

/** The record as a device sees it, with its opened payload (none for a tombstone). */
const viewOf = (record: StoredRecord, payload: unknown): RecordView => {
  // Fields set one by one in a fixed order: every view of a page gets the same shape, and spreads of small objects
  // cost more than the fields they carry.
  const view: { -readonly [K in keyof RecordView]: RecordView[K] } = {
    id: record.id,
    version: record.version,
    seq: record.seq,
    state: record.state,
    changedAt: record.changedAt
  }
  if (payload !== undefined) view.payload = payload
  if (record.trashedAt !== undefined) view.trashedAt = record.trashedAt
  if (record.deleteBy !== undefined) view.deleteBy = record.deleteBy
  return view
}
