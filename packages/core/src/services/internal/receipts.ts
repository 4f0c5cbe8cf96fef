/**
 * Retention receipts (DESIGN.md "Trash and retention"): a record trashed at `trashedAt` is owed the most trash days
 * any plan gave the account while it waited, so an upgrade extends a receipt and nothing ever shortens one.
 */
import { Duration, Effect, Option } from "effect"
import type { AccountId } from "../../domain/Ids.js"
import { type StoredRecord, Version } from "../../domain/Record.js"
import type { RecordStore } from "../../ports/RecordStore.js"

/** The receipt a trashed record is owed now, given the trash days owed to it. */
export const owedDeleteBy = (record: StoredRecord, owedDays: number): number =>
  Math.max(record.deleteBy ?? 0, record.trashedAt! + Duration.toMillis(Duration.days(owedDays)))

/** A new version of the record with its receipt extended; devices see the new date through the feed. */
export const withReceipt = (record: StoredRecord, deleteBy: number, now: number) => {
  const { seq: _seq, ...rest } = record
  return { ...rest, version: Version.make(record.version + 1), changedAt: now, deleteBy }
}

/**
 * Extends the receipt of every trashed record of the account that is owed more than it holds, in bounded batches.
 * Returns how many receipts grew.
 */
export const extendReceipts = <E>(
  records: RecordStore["Type"],
  accountId: AccountId,
  owedDays: (trashedAt: number) => Effect.Effect<number, E>,
  batchSize = 200
) =>
  Effect.gen(function*() {
    let extended = 0
    let after = 0
    while (true) {
      const batch = yield* records.list(accountId, { state: "trashed", afterSeq: after, limit: batchSize })
      if (batch.length === 0) return extended
      const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      extended += yield* records.transact(accountId, (tx) =>
        Effect.gen(function*() {
          let count = 0
          for (const listed of batch) {
            const current = yield* tx.get(listed.app, listed.id)
            if (Option.isNone(current) || current.value.state !== "trashed") continue
            const owed = owedDeleteBy(current.value, yield* owedDays(current.value.trashedAt!))
            if (owed > (current.value.deleteBy ?? 0)) {
              yield* tx.write(withReceipt(current.value, owed, now))
              count++
            }
          }
          return count
        })
      )
      after = batch[batch.length - 1]!.seq
      if (batch.length < batchSize) return extended
    }
  })
