/**
 * What both blob stores share: turning a requested `BlobRange` into absolute bytes [start, end) of a blob of a
 * given size, or `BlobRangeInvalid`, the same way everywhere.
 */
import { type BlobRange, BlobRangeInvalid } from "@custos/core/ports/BlobStore"
import { Effect } from "effect"

/** [start, end) within a blob of `size` bytes: `end` defaults to and is clamped at `size`, `start` to 0. */
export const resolveRange = (blobId: string, size: number, range: BlobRange | undefined) => {
  const start = range?.start ?? 0
  const requestedEnd = range?.end ?? size
  const valid = Number.isSafeInteger(start) && Number.isSafeInteger(requestedEnd) && start >= 0 &&
    start <= requestedEnd && start <= size
  return valid
    ? Effect.succeed({ start, end: Math.min(requestedEnd, size) })
    : Effect.fail(new BlobRangeInvalid({ blobId, start, end: requestedEnd, size }))
}
