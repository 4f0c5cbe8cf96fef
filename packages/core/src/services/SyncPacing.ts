/**
 * How often a device may sync in the background. Every sync answer carries the earliest time of the next one;
 * the device client obeys it. The default is a fixed interval; membership plans provide their own.
 */
import { Context, Duration, Effect } from "effect"
import type { AccountId } from "../domain/Ids.js"
import type { StoreError } from "../ports/StoreError.js"

export const defaultSyncInterval = Duration.minutes(15)

export class SyncPacing extends Context.Reference<SyncPacing>()("@custos/core/SyncPacing", {
  defaultValue: () => ({
    intervalFor: (_accountId: AccountId): Effect.Effect<Duration.Duration, StoreError> =>
      Effect.succeed(defaultSyncInterval)
  })
}) {}

/** The epoch millisecond after which `accountId` may sync again in the background, counted from now. */
export const nextSyncAt = (accountId: AccountId) =>
  Effect.gen(function*() {
    const pacing = yield* SyncPacing
    const interval = yield* pacing.intervalFor(accountId)
    const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
    return now + Duration.toMillis(interval)
  })
