/**
 * Rotating an account's key with the service running (DESIGN.md "Encryption at rest": add, make primary, re-wrap,
 * then retire the old). The new version seals every new write at once; this job then re-seals what was sealed
 * under older versions (or in an older envelope format), in bounded batches, each inside the account's write lock, so
 * a concurrent edit is never overwritten with stale content and nothing is lost. A record's version does not change (devices see no edit);
 * its seq does, so a device re-fetches it once. Every opening is written to the access log as a key-rotation job.
 */
import { Context, Effect, Either, Layer, Option } from "effect"
import type { AccountNotFound } from "../domain/Errors.js"
import type { AccountId } from "../domain/Ids.js"
import type { StoredRecord } from "../domain/Record.js"
import { ENVELOPE_VERSION, envelopeFromText } from "../domain/Sealed.js"
import { RecordStore } from "../ports/RecordStore.js"
import { StoreError } from "../ports/StoreError.js"
import { AccountService } from "./AccountService.js"
import { Keyring } from "./Keyring.js"
import { RecordSealing, type SealingFailed } from "./RecordSealing.js"

export interface RotationReport {
  /** The key version that now seals everything. */
  readonly keyVersion: number
  /** Records re-sealed under it. */
  readonly resealed: number
}

export class KeyRotation extends Context.Tag("@custos/core/KeyRotation")<KeyRotation, {
  /** Makes a new account key version primary, then re-seals every record under it. */
  readonly rotateAccount: (
    accountId: AccountId,
    options?: { readonly batchSize?: number }
  ) => Effect.Effect<RotationReport, AccountNotFound | SealingFailed | StoreError>
  /** Re-seals what an interrupted rotation left under older versions; safe to run again. */
  readonly resealAccount: (
    accountId: AccountId,
    options?: { readonly batchSize?: number }
  ) => Effect.Effect<RotationReport, AccountNotFound | SealingFailed | StoreError>
}>() {
  static readonly layer = Layer.effect(
    KeyRotation,
    Effect.gen(function*() {
      const accounts = yield* AccountService
      const records = yield* RecordStore
      const keyring = yield* Keyring
      const sealing = yield* RecordSealing
      const keyFailure = (operation: string) => (cause: unknown) => new StoreError({ operation, cause })

      /**
       * Whether the record's content is sealed under an older key version than `primary`, or in an older envelope
       * format (which is re-sealed in the one written today). A tombstone or a body that does not parse is not.
       */
      const isStale = (record: StoredRecord, primary: number) => {
        if (record.body === undefined) return false
        const envelope = envelopeFromText(record.body)
        return Either.isRight(envelope) &&
          (envelope.right.keyVersion < primary || envelope.right.version < ENVELOPE_VERSION)
      }

      const reseal = (accountId: AccountId, options: { readonly batchSize?: number } = {}) =>
        Effect.gen(function*() {
          yield* accounts.get(accountId)
          const primary = (yield* keyring.accountKey(accountId).pipe(
            Effect.mapError(keyFailure("KeyRotation.accountKey"))
          )).version
          const batchSize = Math.max(1, options.batchSize ?? 200)
          let resealed = 0
          for (const state of ["active", "trashed"] as const) {
            let after = 0
            while (true) {
              const batch = yield* records.list(accountId, { state, afterSeq: after, limit: batchSize })
              const stale = batch.filter((r) => isStale(r, primary))
              if (stale.length > 0) {
                resealed += yield* records.transact(accountId, (tx) =>
                  Effect.gen(function*() {
                    // Re-read under the lock: what changed since the listing is re-sealed as it is now, or skipped.
                    const current: Array<StoredRecord> = []
                    for (const r of stale) {
                      const now = yield* tx.get(r.app, r.id)
                      if (Option.isSome(now) && now.value.state === state && isStale(now.value, primary)) {
                        current.push(now.value)
                      }
                    }
                    const payloads = yield* sealing.openAll(current, "key-rotation")
                    const bodies = yield* sealing.sealAll(current.map((record, i) => ({
                      ids: { accountId, app: record.app, recordId: record.id },
                      encoded: payloads[i]
                    })))
                    for (let i = 0; i < current.length; i++) {
                      const { seq: _seq, ...unchanged } = current[i]!
                      yield* tx.write({ ...unchanged, body: bodies[i]! })
                    }
                    return current.length
                  })
                )
              }
              if (batch.length < batchSize) break
              after = batch[batch.length - 1]!.seq
            }
          }
          return { keyVersion: primary, resealed }
        })

      return {
        rotateAccount: (accountId, options) =>
          Effect.gen(function*() {
            yield* accounts.get(accountId)
            yield* keyring.rotateAccountKey(accountId).pipe(Effect.mapError(keyFailure("KeyRotation.rotateAccountKey")))
            return yield* reseal(accountId, options)
          }),
        resealAccount: reseal
      }
    })
  )
}
