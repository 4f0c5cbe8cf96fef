/**
 * Handlers of the privacy group. The access log is the signed-in account's own. Deleting the account also removes its sign-in credentials and sessions, after
 * everything else of it is gone; repeating a deletion that failed half-way finishes it. The export streams the
 * archive as it is made; a failure after the first byte can only break the response off, and the archive then
 * lacks its central directory, so no reader takes it for whole.
 */
import { Inventory, Policies } from "@custos/core/domain/Inventory"
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { CurrentSession } from "@custos/core/protocol/Security"
import { AccessLog } from "@custos/core/services/AccessLog"
import { ExportService } from "@custos/core/services/ExportService"
import { PrivacyService } from "@custos/core/services/PrivacyService"
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Effect, Stream } from "effect"
import { Auth } from "../auth/Auth.js"
import { asSessionDevice } from "./Accessors.js"
import { observe } from "./Observe.js"

export const PrivacyLive = HttpApiBuilder.group(CustosApi, "privacy", (handlers) =>
  Effect.gen(function*() {
    const privacy = yield* PrivacyService
    const auth = yield* Auth
    const accessLog = yield* AccessLog
    const exporter = yield* ExportService
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
      .handle("export", () =>
        CurrentSession.pipe(
          Effect.flatMap((s) => exporter.archive(s.accountId)),
          Effect.map((archive) =>
            HttpServerResponse.stream(
              archive.stream.pipe(Stream.tapError((error) => Effect.logError("An export broke off", error))),
              {
                status: 200,
                contentType: "application/zip",
                headers: {
                  "content-disposition": `attachment; filename="${archive.fileName}"`,
                  "cache-control": "no-store"
                }
              }
            )
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
