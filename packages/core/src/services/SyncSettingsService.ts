/**
 * Reading and changing a person's sync choices (§4.1.3(1): sync can be turned on or off per app at any time;
 * §4.1.4(2): Wi-Fi only, gallery folders, home-screen backup schedule). Turning on an app that is not offered in
 * the account's region is refused (§4.1.3(1) note).
 */
import { Context, Effect, Layer, Option, Schema } from "effect"
import { type App, Apps } from "../domain/App.js"
import type { AccountNotFound } from "../domain/Errors.js"
import { AppUnavailableInRegion, InvalidSettings } from "../domain/Errors.js"
import type { AccountId } from "../domain/Ids.js"
import { isAvailableIn, policyOf } from "../domain/Inventory.js"
import {
  applyPatch,
  defaultSyncSettings,
  isEnabled,
  isSelectableFolder,
  type SyncSettings,
  SyncSettingsPatch,
  turnedOff
} from "../domain/SyncSettings.js"
import { firstProblem } from "../internal/parseErrors.js"
import { RecordStore } from "../ports/RecordStore.js"
import { SyncSettingsStore } from "../ports/SyncSettingsStore.js"
import { purgeAppIn } from "./internal/purge.js"
import type { StoreError } from "../ports/StoreError.js"
import { AccountService } from "./AccountService.js"

export interface SettingsChange {
  readonly settings: SyncSettings
  /** Apps this change turned off. */
  readonly turnedOff: ReadonlyArray<App>
  /** Apps whose cloud data this change purged for good because their sync is off (§4.1.4(3)). */
  readonly purged: ReadonlyArray<App>
}

export class SyncSettingsService extends Context.Tag("@custos/core/SyncSettingsService")<SyncSettingsService, {
  readonly get: (accountId: AccountId) => Effect.Effect<SyncSettings, AccountNotFound | StoreError>
  /** Applies a patch given in its encoded (JSON) form; nothing changes if any part of it is refused. */
  readonly update: (
    accountId: AccountId,
    patch: unknown
  ) => Effect.Effect<SettingsChange, InvalidSettings | AppUnavailableInRegion | AccountNotFound | StoreError>
}>() {
  static readonly layer = Layer.effect(
    SyncSettingsService,
    Effect.gen(function*() {
      const accounts = yield* AccountService
      const store = yield* SyncSettingsStore
      const records = yield* RecordStore

      const get = (accountId: AccountId) =>
        accounts.get(accountId).pipe(
          Effect.zipRight(store.get(accountId)),
          Effect.map(Option.getOrElse(() => defaultSyncSettings))
        )

      const update = (accountId: AccountId, input: unknown) =>
        Effect.gen(function*() {
          const account = yield* accounts.get(accountId)
          const patch = yield* Schema.decodeUnknown(SyncSettingsPatch)(input, { onExcessProperty: "error" }).pipe(
            Effect.mapError((error) => new InvalidSettings({ reason: firstProblem(error) }))
          )
          // The change and the purge it calls for run under the account's write lock, the lock a push holds while
          // it reads the settings: a push either lands before (and is purged here) or sees the app off.
          return yield* records.transact(accountId, (tx) =>
            Effect.gen(function*() {
              let before = defaultSyncSettings
              const settings = yield* store.modify(accountId, (
                current
              ): Effect.Effect<SyncSettings, AppUnavailableInRegion | InvalidSettings> => {
                before = Option.getOrElse(current, () => defaultSyncSettings)
                const after = applyPatch(before, patch)
                const refused = after.enabled.find((app) =>
                  !before.enabled.includes(app) && !isAvailableIn(app, account.region)
                )
                if (refused !== undefined) {
                  return Effect.fail(new AppUnavailableInRegion({ app: refused, region: account.region }))
                }
                // Only folders this change adds: one selected before the rule stays, and the list can change around it.
                const at = (patch.galleryFolders ?? []).findIndex((folder) =>
                  !before.galleryFolders.includes(folder) && !isSelectableFolder(folder)
                )
                return at === -1
                  ? Effect.succeed(after)
                  : Effect.fail(
                    new InvalidSettings({ reason: `galleryFolders[${at}]: a folder name has no control characters` })
                  )
              })
              // Wi-Fi and frequent phrases leave the cloud for good when their sync is off (§4.1.4(3)). Every app of
              // that kind that is off is checked, not only the ones this change turned off, so a purge that an
              // earlier failure interrupted is finished by the next settings change.
              const purged: Array<App> = []
              for (const app of Apps) {
                if (policyOf(app).onSyncDisabled !== "purge" || isEnabled(settings, app)) continue
                if ((yield* purgeAppIn(tx, records, app)) > 0) purged.push(app)
              }
              return { settings, turnedOff: turnedOff(before, settings), purged }
            })
          )
        })

      return { get, update }
    })
  )
}
