/**
 * A `SyncTransport` that calls the sync engine in the same process, as one device of one account: for embedding
 * core in a device app with a local cloud, and for tests and benchmarks that run many devices against one engine.
 */
import { Effect, Layer } from "effect"
import type { AccountId, DeviceId } from "../domain/Ids.js"
import { SyncEngine } from "../services/SyncEngine.js"
import { SyncSettingsService } from "../services/SyncSettingsService.js"
import { SyncTransport } from "./SyncTransport.js"

export const makeInProcessTransport = (accountId: AccountId, deviceId: DeviceId) =>
  Effect.gen(function*() {
    const engine = yield* SyncEngine
    const settings = yield* SyncSettingsService
    return SyncTransport.of({
      push: (app, mutations, options) => engine.push(accountId, deviceId, app, mutations, options),
      pull: (app, request) => engine.pull(accountId, deviceId, app, request),
      settings: settings.get(accountId)
    })
  })

export const layerInProcessTransport = (accountId: AccountId, deviceId: DeviceId) =>
  Layer.effect(SyncTransport, makeInProcessTransport(accountId, deviceId))
