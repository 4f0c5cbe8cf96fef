/**
 * Handlers of the backups group.
 */
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { CurrentSession } from "@custos/core/protocol/Security"
import { BackupService } from "@custos/core/services/BackupService"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { asSessionDevice } from "./Accessors.js"
import { observe } from "./Observe.js"

export const BackupsLive = HttpApiBuilder.group(CustosApi, "backups", (handlers) =>
  Effect.gen(function*() {
    const backups = yield* BackupService
    return handlers
      .handle("list", () => CurrentSession.pipe(Effect.flatMap((s) => backups.list(s.accountId)), observe))
      .handle("delete", ({ path }) =>
        CurrentSession.pipe(Effect.flatMap((s) => backups.delete(s.accountId, path.id)), observe))
      .pipe(asSessionDevice)
  }))
