/**
 * A `SyncTransport` that calls the sync engine in the same process, as one device of one account: for embedding
 * core in a device app with a local cloud, and for tests and benchmarks that run many devices against one engine.
 * Its calls run as the device (`Accessor`), so what they open is logged as that device's (§4.1.5). Where blobs are
 * kept (a `BlobService` in context), a push has the blobs its records name checked as the server has them checked.
 */
import { Effect, Layer, Option } from "effect"
import type { AccountId, DeviceId } from "../domain/Ids.js"
import { Accessor } from "../services/AccessLog.js"
import { BlobService } from "../services/BlobService.js"
import { SyncEngine } from "../services/SyncEngine.js"
import { SyncSettingsService } from "../services/SyncSettingsService.js"
import { SyncTransport } from "./SyncTransport.js"

export const makeInProcessTransport = (accountId: AccountId, deviceId: DeviceId) =>
  Effect.gen(function*() {
    const engine = yield* SyncEngine
    const settings = yield* SyncSettingsService
    const blobs = yield* Effect.serviceOption(BlobService)
    const asDevice = Effect.provideService(Accessor, { kind: "device", id: deviceId })
    return SyncTransport.of({
      push: (app, mutations, options) =>
        asDevice(engine.push(accountId, deviceId, app, mutations, {
          ...options,
          checkBlobs: Option.isSome(blobs) ? (stated) => blobs.value.checkRefs(accountId, app, stated) : undefined
        })),
      pull: (app, request) => asDevice(engine.pull(accountId, deviceId, app, request)),
      settings: asDevice(settings.get(accountId))
    })
  })

export const layerInProcessTransport = (accountId: AccountId, deviceId: DeviceId) =>
  Layer.effect(SyncTransport, makeInProcessTransport(accountId, deviceId))
