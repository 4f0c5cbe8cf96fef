/**
 * Tombstones tell devices that a record is gone; they cannot be kept for ever. Compaction removes tombstones (and
 * the memory of applied mutations) older than the retention, raising each account's horizon so that a device whose
 * cursor is older is told to resync instead of silently missing a deletion.
 */
import { Context, Duration, Effect, Layer } from "effect"
import type { AccountId } from "../domain/Ids.js"
import { AccountStore } from "../ports/AccountStore.js"
import { RecordStore } from "../ports/RecordStore.js"
import type { StoreError } from "../ports/StoreError.js"

/** How long a tombstone is kept (ours): long enough for a phone left in a drawer for a season. */
export const defaultTombstoneRetention = Duration.days(90)

export interface CompactionReport {
  readonly accounts: number
  readonly tombstonesRemoved: number
}

export class TombstoneCompaction extends Context.Tag("@custos/core/TombstoneCompaction")<TombstoneCompaction, {
  readonly compactAccount: (accountId: AccountId) => Effect.Effect<number, StoreError>
  /** Visits every account in pages; safe to run again or from several instances at once. */
  readonly compactAll: Effect.Effect<CompactionReport, StoreError>
}>() {
  static readonly layer = (retention: Duration.DurationInput = defaultTombstoneRetention) =>
    Layer.effect(
      TombstoneCompaction,
      Effect.gen(function*() {
        const accounts = yield* AccountStore
        const records = yield* RecordStore
        const compactAccount = (accountId: AccountId) =>
          Effect.gen(function*() {
            const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
            return yield* records.compact(accountId, now - Duration.toMillis(retention))
          })
        const compactAll = Effect.gen(function*() {
          let afterId: AccountId | undefined
          let visited = 0
          let removed = 0
          while (true) {
            const page = yield* accounts.list({ afterId, limit: 100 })
            for (const account of page) removed += yield* compactAccount(account.id)
            visited += page.length
            if (page.length < 100) return { accounts: visited, tombstonesRemoved: removed }
            afterId = page[page.length - 1]!.id
          }
        })
        return { compactAccount, compactAll }
      })
    )
}
