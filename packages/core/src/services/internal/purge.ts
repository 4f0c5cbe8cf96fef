/**
 * Purging every record of an app (or of the whole account) for good: what turning off Wi-Fi or frequent-phrase
 * sync does (§4.1.4(3)) and what a request to delete a data type does (§4.1.2, "per user's request"). Tombstones
 * stay so devices learn of it; everything else of the records is destroyed.
 */
import { Effect, Option } from "effect"
import type { App } from "../../domain/App.js"
import type { AccountId } from "../../domain/Ids.js"
import { type StoredRecord, Version } from "../../domain/Record.js"
import type { RecordStore, RecordTx } from "../../ports/RecordStore.js"
import { tombstoneOf } from "./recordTransitions.js"

export const purgeApp = <E = never>(
  records: RecordStore["Type"],
  accountId: AccountId,
  app: App,
  options: {
    /** Runs for each record before it is purged, inside the account's lock. */
    readonly beforePurge?: ((record: StoredRecord) => Effect.Effect<void, E>) | undefined
    readonly batchSize?: number | undefined
  } = {}
) =>
  Effect.gen(function*() {
    let purged = 0
    for (const state of ["active", "trashed"] as const) {
      while (true) {
        const batch = yield* records.list(accountId, { app, state, limit: options.batchSize ?? 200 })
        if (batch.length === 0) break
        const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
        purged += yield* records.transact(accountId, (tx) =>
          Effect.gen(function*() {
            let count = 0
            for (const listed of batch) {
              const current = yield* tx.get(app, listed.id)
              if (Option.isNone(current) || current.value.state === "purged") continue
              if (options.beforePurge !== undefined) yield* options.beforePurge(current.value)
              yield* tx.write(tombstoneOf(current.value, { version: Version.make(current.value.version + 1), now }))
              count++
            }
            return count
          })
        )
      }
    }
    return purged
  })

/**
 * Purges every record of the app inside a transaction the caller already holds (so it commits with the caller's
 * other writes). Pages by `seq`, which works whether the store's reads see the transaction's writes or not.
 */
export const purgeAppIn = (tx: RecordTx, records: RecordStore["Type"], app: App, batchSize = 200) =>
  Effect.gen(function*() {
    let purged = 0
    const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
    for (const state of ["active", "trashed"] as const) {
      let after = 0
      while (true) {
        const batch = yield* records.list(tx.accountId, { app, state, afterSeq: after, limit: batchSize })
        for (const listed of batch) {
          const current = yield* tx.get(app, listed.id)
          if (Option.isNone(current) || current.value.state === "purged") continue
          yield* tx.write(tombstoneOf(current.value, { version: Version.make(current.value.version + 1), now }))
          purged++
        }
        if (batch.length < batchSize) break
        after = batch[batch.length - 1]!.seq
      }
    }
    return purged
  })
