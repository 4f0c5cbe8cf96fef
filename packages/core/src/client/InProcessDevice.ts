/**
 * A device sync client wired straight to the sync engine of the current context: the shortest way to run devices
 * against an embedded Custos (demos, tests, load benchmarks).
 */
import { Effect } from "effect"
import type { AccountId, DeviceId } from "../domain/Ids.js"
import { type DeviceClientOptions, makeDeviceSyncClient } from "./DeviceSyncClient.js"
import { makeInProcessTransport } from "./InProcessTransport.js"
import { SyncTransport } from "./SyncTransport.js"

export const makeInProcessDevice = (
  accountId: AccountId,
  deviceId: DeviceId,
  options: Partial<DeviceClientOptions> = {}
) =>
  makeDeviceSyncClient({ mutationIdPrefix: deviceId, ...options }).pipe(
    Effect.provideServiceEffect(SyncTransport, makeInProcessTransport(accountId, deviceId))
  )
