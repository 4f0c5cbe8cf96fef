/**
 * Handlers of the settings group.
 */
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { CurrentSession } from "@custos/core/protocol/Security"
import { SyncSettingsService } from "@custos/core/services/SyncSettingsService"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { asSessionDevice } from "./Accessors.js"
import { observe } from "./Observe.js"

export const SettingsLive = HttpApiBuilder.group(CustosApi, "settings", (handlers) =>
  Effect.gen(function*() {
    const settings = yield* SyncSettingsService
    return handlers
      .handle("get", () => CurrentSession.pipe(Effect.flatMap((s) => settings.get(s.accountId)), observe))
      .handle("update", ({ payload }) =>
        CurrentSession.pipe(Effect.flatMap((s) => settings.update(s.accountId, payload)), observe))
      .pipe(asSessionDevice)
  }))
