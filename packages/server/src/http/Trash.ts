/**
 * Handlers of the trash group.
 */
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { CurrentSession } from "@custos/core/protocol/Security"
import { TrashService } from "@custos/core/services/TrashService"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { asSessionDevice } from "./Accessors.js"
import { observe } from "./Observe.js"

export const TrashLive = HttpApiBuilder.group(CustosApi, "trash", (handlers) =>
  Effect.gen(function*() {
    const trash = yield* TrashService
    return handlers
      .handle("list", ({ urlParams }) => CurrentSession.pipe(Effect.flatMap((s) => trash.list(s.accountId, urlParams)), observe))
      .handle("restore", ({ path }) =>
        CurrentSession.pipe(Effect.flatMap((s) => trash.restore(s.accountId, path.app, path.id)), observe))
      .handle("purge", ({ path }) =>
        CurrentSession.pipe(Effect.flatMap((s) => trash.purge(s.accountId, path.app, path.id)), observe))
      .handle("empty", ({ urlParams }) =>
        CurrentSession.pipe(
          Effect.flatMap((s) => trash.empty(s.accountId, { app: urlParams.app })),
          Effect.map((purged) => ({ purged })),
          observe
        ))
      .pipe(asSessionDevice)
  }))
