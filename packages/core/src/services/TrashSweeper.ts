/**
 * The sweeper: purges trashed records whose retention receipt has run out (§4.1.3(2): after the retention period
 * the data is deleted for good and cannot be restored). It works in bounded batches, re-checks each record inside
 * the account's lock (so it is idempotent, and two sweepers running at once never purge twice or purge something
 * restored a moment ago), and honours receipts extended by an upgrade that happened after they were due.
 */
import { Context, Effect, Layer, Option } from "effect"
import type { AccountId } from "../domain/Ids.js"
import { Version } from "../domain/Record.js"
import type { DueRecord } from "../ports/RecordStore.js"
import { RecordStore } from "../ports/RecordStore.js"
import type { StoreError } from "../ports/StoreError.js"
import { tombstoneOf } from "./internal/recordTransitions.js"
import { owedDeleteBy, withReceipt } from "./internal/receipts.js"
import { MembershipService } from "./MembershipService.js"

export interface SweepReport {
  readonly purged: number
  /** Receipts found due that an upgrade had extended: they were moved, not purged. */
  readonly extended: number
}

export class TrashSweeper extends Context.Tag("@custos/core/TrashSweeper")<TrashSweeper, {
  /** Sweeps until nothing is due, `batchSize` records at a time. */
  readonly sweep: (options?: { readonly batchSize?: number }) => Effect.Effect<SweepReport, StoreError>
}>() {
  static readonly layer = Layer.effect(
    TrashSweeper,
    Effect.gen(function*() {
      const records = yield* RecordStore
      const membership = yield* MembershipService

      const sweepAccount = (accountId: AccountId, due: ReadonlyArray<DueRecord>, now: number) =>
        records.transact(accountId, (tx) =>
          Effect.gen(function*() {
            let purged = 0
            let extended = 0
            for (const item of due) {
              const current = yield* tx.get(item.app, item.id)
              if (Option.isNone(current)) continue
              const record = current.value
              if (record.state !== "trashed" || record.deleteBy === undefined || record.deleteBy > now) continue
              const owed = owedDeleteBy(record, yield* membership.trashDaysOwed(accountId, record.trashedAt!))
              if (owed > now) {
                yield* tx.write(withReceipt(record, owed, now))
                extended++
              } else {
                yield* tx.write(tombstoneOf(record, { version: Version.make(record.version + 1), now }))
                purged++
              }
            }
            return { purged, extended }
          })
        )

      const sweep = (options: { readonly batchSize?: number } = {}) =>
        Effect.gen(function*() {
          const batchSize = Math.max(1, options.batchSize ?? 500)
          const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
          let purged = 0
          let extended = 0
          while (true) {
            const due = yield* records.dueForPurge(now, batchSize)
            const byAccount = new Map<AccountId, Array<DueRecord>>()
            for (const item of due) byAccount.set(item.accountId, [...(byAccount.get(item.accountId) ?? []), item])
            let progress = 0
            for (const [accountId, items] of byAccount) {
              const done = yield* sweepAccount(accountId, items, now)
              purged += done.purged
              extended += done.extended
              progress += done.purged + done.extended
            }
            // A short batch is the last; a batch in which another sweeper did all the work ends this one too.
            if (due.length < batchSize || progress === 0) return { purged, extended }
          }
        })

      return { sweep }
    })
  )
}
