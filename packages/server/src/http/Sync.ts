/**
 * Handlers of the sync group: the device is the one the session belongs to. Before a push reaches the engine, the
 * blobs its records name are checked against what the account uploaded (the size and SHA-256 stated), so a record
 * can neither understate a blob's size, which is what quota use counts, nor misstate its digest. A payload that
 * does not decode is left to the engine, which rejects that mutation with its reason.
 */
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { CurrentSession } from "@custos/core/protocol/Security"
import type { App } from "@custos/core/domain/App"
import type { AccountId } from "@custos/core/domain/Ids"
import { policyOf } from "@custos/core/domain/Inventory"
import type { Mutation } from "@custos/core/domain/Mutation"
import { blobRefsOf, decodePayload } from "@custos/core/domain/Payloads"
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
    /**
     * The blobs the puts of a batch name, checked against the account's uploads. Only apps whose payloads can carry
     * blobs are decoded here (the engine decodes every payload again); a payload that does not decode is left to it.
     */
    const checkBlobRefs = (accountId: AccountId, app: App, mutations: ReadonlyArray<Mutation>) =>
      policyOf(app).payload === "structured" ? Effect.void : Effect.forEach(
        mutations.filter((mutation) => mutation.op === "put"),
        (mutation) =>
          decodePayload(app, mutation.payload).pipe(
            Effect.map((decoded) => [{ recordId: mutation.recordId, refs: blobRefsOf(app, decoded) }]),
            Effect.catchTag("InvalidPayload", () => Effect.succeed([]))
          )
      ).pipe(Effect.flatMap((stated) => blobs.checkRefs(accountId, app, stated.flat())))
    return handlers
      .handle("push", ({ path, payload, urlParams }) =>
        CurrentSession.pipe(
          Effect.tap((s) => checkBlobRefs(s.accountId, path.app, payload.mutations)),
          Effect.flatMap((s) =>
            engine.push(s.accountId, s.deviceId, path.app, payload.mutations, { trigger: urlParams.trigger })
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
