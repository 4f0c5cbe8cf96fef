/**
 * Handlers of the privacy group. The access log is the signed-in account's own. Deleting the account also removes its sign-in credentials and sessions, after
 * everything else of it is gone; repeating a deletion that failed half-way finishes it.
 */
import { Inventory, Policies } from "@custos/core/domain/Inventory"
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { CurrentSession } from "@custos/core/protocol/Security"
import { AccessLog } from "@custos/core/services/AccessLog"
import { PrivacyService } from "@custos/core/services/PrivacyService"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Auth } from "../auth/Auth.js"
import { asSessionDevice } from "./Accessors.js"
import { observe } from "./Observe.js"

export const PrivacyLive = HttpApiBuilder.group(CustosApi, "privacy", (handlers) =>
  Effect.gen(function*() {
    const privacy = yield* PrivacyService
    const auth = yield* Auth
    const accessLog = yield* AccessLog
    return handlers
      .handle("inventory", () => Effect.succeed(Inventory))
      .handle("policies", () => Effect.succeed(Object.values(Policies)))
      .handle("deleteDataType", ({ path }) =>
        CurrentSession.pipe(Effect.flatMap((s) => privacy.deleteDataType(s.accountId, path.dataType)), observe))
      .handle("accessLog", ({ urlParams }) =>
        CurrentSession.pipe(Effect.flatMap((s) => accessLog.list(s.accountId, urlParams)), observe))
      .handle("verifyAccessLog", ({ urlParams }) =>
        CurrentSession.pipe(
          Effect.flatMap((s) =>
            accessLog.verify(s.accountId, {
              anchor: urlParams.anchorIndex !== undefined && urlParams.anchorHash !== undefined
                ? { index: urlParams.anchorIndex, hash: urlParams.anchorHash }
                : undefined
            })
          ),
          observe
        ))
      .handle("deleteAccount", () =>
        Effect.gen(function*() {
          const session = yield* CurrentSession
          const deletion = yield* privacy.deleteAccount(session.accountId)
          const sessions = yield* auth.forget(session.accountId)
          return { ...deletion, sessions }
        }).pipe(observe))
      .pipe(asSessionDevice)
  }))
