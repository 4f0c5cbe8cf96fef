/**
 * The time-driven jobs: the trash sweeper (purges what ran past its retention receipt) and tombstone compaction.
 * `serve` runs them every few minutes; `custos sweep` runs them once. Both are idempotent and safe to run from
 * several instances at once.
 */
import { TombstoneCompaction } from "@custos/core/services/TombstoneCompaction"
import { TrashSweeper } from "@custos/core/services/TrashSweeper"
import { Duration, Effect, Schedule } from "effect"

export const runJobsOnce = Effect.gen(function*() {
  const sweeper = yield* TrashSweeper
  const compaction = yield* TombstoneCompaction
  const sweep = yield* sweeper.sweep()
  const compacted = yield* compaction.compactAll
  return { purged: sweep.purged, extended: sweep.extended, tombstonesRemoved: compacted.tombstonesRemoved }
})

/** Runs the jobs now and then every `every`; a failed run is logged and the next one runs on time. */
export const runJobsForever = (every: Duration.DurationInput) =>
  runJobsOnce.pipe(
    Effect.tap((report) => Effect.logInfo("Background jobs ran").pipe(Effect.annotateLogs(report))),
    Effect.catchAllCause((cause) => Effect.logError("Background jobs failed; they run again later", cause)),
    Effect.repeat(Schedule.spaced(Duration.decode(every))),
    Effect.asVoid
  )
