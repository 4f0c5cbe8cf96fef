/**
 * The time-driven jobs: the trash sweeper (purges what ran past its retention receipt), tombstone compaction, and
 * collection of blobs no record references once they are a day old (an upload whose record is pushed later is kept).
 * `serve` runs them every few minutes; `custos sweep` runs them once. Both are idempotent and safe to run from
 * several instances at once.
 */
import { BlobService } from "@custos/core/services/BlobService"
import { TombstoneCompaction } from "@custos/core/services/TombstoneCompaction"
import { TrashSweeper } from "@custos/core/services/TrashSweeper"
import { Duration, Effect, Schedule } from "effect"

/** How old an unreferenced blob must be before it is collected. */
export const blobGraceMs = 24 * 60 * 60 * 1000

export const runJobsOnce = Effect.gen(function*() {
  const sweeper = yield* TrashSweeper
  const compaction = yield* TombstoneCompaction
  const blobs = yield* BlobService
  const sweep = yield* sweeper.sweep()
  const compacted = yield* compaction.compactAll
  const collected = yield* blobs.collectGarbage(blobGraceMs)
  return {
    purged: sweep.purged,
    extended: sweep.extended,
    tombstonesRemoved: compacted.tombstonesRemoved,
    blobsCollected: collected.deleted
  }
})

/** Runs the jobs now and then every `every`; a failed run is logged and the next one runs on time. */
export const runJobsForever = (every: Duration.DurationInput) =>
  runJobsOnce.pipe(
    Effect.tap((report) => Effect.logInfo("Background jobs ran").pipe(Effect.annotateLogs(report))),
    Effect.catchAllCause((cause) => Effect.logError("Background jobs failed; they run again later", cause)),
    Effect.repeat(Schedule.spaced(Duration.decode(every))),
    Effect.asVoid
  )
