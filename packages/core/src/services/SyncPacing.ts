/**
 * Background-sync pacing (§4.1.3(3): a membership buys more frequent sync). Every sync answer says when the
 * device may next sync in the background; a background request earlier than that is refused with `SyncTooSoon`
 * carrying the time to retry. A sync that was let in stays open for a short window, so its pull pages and retries
 * pass; a sync the person asks for is never held back.
 */
import { Context, Duration, Effect, Layer, Option } from "effect"
import type { Device } from "../domain/Device.js"
import { SyncTooSoon } from "../domain/Errors.js"
import type { AccountId, DeviceId } from "../domain/Ids.js"
import { DeviceStore } from "../ports/DeviceStore.js"
import type { StoreError } from "../ports/StoreError.js"
import { MembershipService } from "./MembershipService.js"

export type SyncTrigger = "background" | "user"

/** How long the requests of one sync are let through after its first. */
export const syncWindow = Duration.minutes(2)

export class SyncPacing extends Context.Tag("@custos/core/SyncPacing")<SyncPacing, {
  /**
   * Admits a sync request of a device and returns when the device may next sync in the background. Unknown
   * devices are registered on their first request.
   */
  readonly admit: (
    accountId: AccountId,
    deviceId: DeviceId,
    trigger: SyncTrigger
  ) => Effect.Effect<number, SyncTooSoon | StoreError>
}>() {
  static readonly layer = Layer.effect(
    SyncPacing,
    Effect.gen(function*() {
      const devices = yield* DeviceStore
      const membership = yield* MembershipService
      const admit = (accountId: AccountId, deviceId: DeviceId, trigger: SyncTrigger) =>
        Effect.gen(function*() {
          const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
          const known = yield* devices.get(accountId, deviceId)
          if (Option.isSome(known) && now < known.value.syncWindowEndsAt) {
            return known.value.nextBackgroundSyncAt
          }
          if (trigger === "background" && Option.isSome(known) && now < known.value.nextBackgroundSyncAt) {
            return yield* new SyncTooSoon({ retryAt: known.value.nextBackgroundSyncAt })
          }
          const interval = yield* membership.syncInterval(accountId)
          const device: Device = {
            accountId,
            id: deviceId,
            name: Option.match(known, { onNone: () => deviceId, onSome: (d) => d.name }),
            registeredAt: Option.match(known, { onNone: () => now, onSome: (d) => d.registeredAt }),
            lastSeenAt: now,
            nextBackgroundSyncAt: now + Duration.toMillis(interval),
            syncWindowEndsAt: now + Duration.toMillis(syncWindow)
          }
          yield* devices.put(device)
          return device.nextBackgroundSyncAt
        })
      return { admit }
    })
  )
}
