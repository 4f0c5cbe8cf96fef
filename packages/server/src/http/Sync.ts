/**
 * Handlers of the sync group: the device is the one the session belongs to. The engine has the blobs a push's records
 * name checked against what the account uploaded (the size and SHA-256 stated) before it applies them, so a record
 * can neither understate a blob's size, which is what quota use counts, nor misstate its digest.
 */
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { CurrentSession } from "@custos/core/protocol/Security"
import { BlobService } from "@custos/core/services/BlobService"
import { SyncEngine } from "@custos/core/services/SyncEngine"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { asSessionDevice } from "./Accessors.js"
import { observe } from "./Observe.js"

export const SyncLive = HttpApiBuilder.group(CustosApi, "sync", (handlers) =>
  Effect.gen(function*() {
    const engine = yield* SyncEngine
    const blobs = yield* BlobService
    return handlers
      .handle("push", ({ path, payload, urlParams }) =>
        CurrentSession.pipe(
          Effect.flatMap((s) =>
            engine.push(s.accountId, s.deviceId, path.app, payload.mutations, {
              trigger: urlParams.trigger,
              checkBlobs: (stated) => blobs.checkRefs(s.accountId, path.app, stated)
            })
          ),
          observe
        ))
      .handle("changes", ({ path, urlParams }) =>
        CurrentSession.pipe(
          Effect.flatMap((s) =>
            engine.pull(s.accountId, s.deviceId, path.app, {
              cursor: urlParams.cursor,
              limit: urlParams.limit,
              trigger: urlParams.trigger
            })
          ),
          observe
        ))
      .pipe(asSessionDevice)
  }))
