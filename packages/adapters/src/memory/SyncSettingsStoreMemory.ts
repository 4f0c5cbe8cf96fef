/**
 * The reference `SyncSettingsStore`, in memory: one lock per store keeps `modify` atomic.
 */
import type { AccountId } from "@custos/core/domain/Ids"
import type { SyncSettings } from "@custos/core/domain/SyncSettings"
import { SyncSettingsStore } from "@custos/core/ports/SyncSettingsStore"
import { Effect, Layer, Option } from "effect"

export const makeSyncSettingsStoreMemory = Effect.sync(() => {
  const settings = new Map<AccountId, SyncSettings>()
  const lock = Effect.unsafeMakeSemaphore(1)
  return SyncSettingsStore.of({
    get: (accountId) => Effect.sync(() => Option.fromNullable(settings.get(accountId))),
    modify: (accountId, f) =>
      lock.withPermits(1)(
        Effect.suspend(() => f(Option.fromNullable(settings.get(accountId)))).pipe(
          Effect.tap((next) => Effect.sync(() => void settings.set(accountId, next)))
        )
      ),
    delete: (accountId) => lock.withPermits(1)(Effect.sync(() => void settings.delete(accountId)))
  })
})

export const layerSyncSettingsStoreMemory = Layer.effect(SyncSettingsStore, makeSyncSettingsStoreMemory)
