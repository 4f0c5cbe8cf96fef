/**
 * Where record content is sealed and opened (DESIGN.md "Encryption at rest"): every payload of an AES-typed data
 * type (§4.1.2: all of them but the account id) is sealed with the account's keys before a store sees it, bound
 * to its account, app, record and field, and opened only here. Stores keep the envelope text and the plain
 * columns sync needs; nothing else in core touches a record body.
 */
import { Context, Effect, Layer, Schema } from "effect"
import type { App } from "../domain/App.js"
import type { AccountId, RecordId } from "../domain/Ids.js"
import type { RecordView } from "../domain/Mutation.js"
import type { StoredRecord } from "../domain/Record.js"
import { Keyring } from "./Keyring.js"

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
  /** Opens a stored body back into the encoded payload. */
  readonly open: (record: StoredRecord) => Effect.Effect<unknown, SealingFailed>
  /** The record as a device sees it: plain columns, and the payload opened unless it is a tombstone. */
  readonly view: (record: StoredRecord) => Effect.Effect<RecordView, SealingFailed>
}>() {
  static readonly layer = Layer.effect(
    RecordSealing,
    Effect.gen(function*() {
      const keyring = yield* Keyring

      const seal = (
        ids: { readonly accountId: AccountId; readonly app: App; readonly recordId: RecordId },
        encoded: unknown
      ) =>
        keyring.sealField({ ...ids, field: payloadField, plaintext: JSON.stringify(encoded) }).pipe(
          Effect.mapError((cause) => new SealingFailed({ operation: "seal", app: ids.app, recordId: ids.recordId, cause }))
        )

      const open = (record: StoredRecord) =>
        Effect.gen(function*() {
          const text = yield* keyring.openFieldText({
            accountId: record.accountId,
            app: record.app,
            recordId: record.id,
            field: payloadField,
            sealed: record.body!
          })
          return JSON.parse(text) as unknown
        }).pipe(
          Effect.mapError((cause) => new SealingFailed({ operation: "open", app: record.app, recordId: record.id, cause }))
        )

      const view = (record: StoredRecord) =>
        Effect.gen(function*() {
          const payload = record.body === undefined ? undefined : yield* open(record)
          return {
            id: record.id,
            version: record.version,
            seq: record.seq,
            state: record.state,
            changedAt: record.changedAt,
            ...(payload !== undefined ? { payload } : {}),
            ...(record.trashedAt !== undefined ? { trashedAt: record.trashedAt } : {}),
            ...(record.deleteBy !== undefined ? { deleteBy: record.deleteBy } : {})
          } satisfies RecordView
        })

      return { seal, open, view }
    })
  )
}
