/**
 * Sync settings (§4.1.3(1), §4.1.4(2)): which apps sync, Wi-Fi only, gallery folders, the home-screen backup
 * schedule. Turning off Wi-Fi or frequent-phrase sync purges their cloud data at once.
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { App } from "../domain/App.js"
import { SyncSettings, SyncSettingsPatch } from "../domain/SyncSettings.js"
import { Authentication } from "./Security.js"
import * as Wire from "./WireErrors.js"

export const SettingsChange = Schema.Struct({
  settings: SyncSettings,
  /** Apps this change turned off. */
  turnedOff: Schema.Array(App),
  /** Apps whose cloud data this change purged for good because their sync is off. */
  purged: Schema.Array(App)
}).annotations({ identifier: "SettingsChange" })

export class SettingsApi extends HttpApiGroup.make("settings")
  .add(
    HttpApiEndpoint.get("get", "/settings")
      .addSuccess(SyncSettings)
      .annotate(OpenApi.Summary, "The account's sync settings")
  )
  .add(
    HttpApiEndpoint.patch("update", "/settings")
      .setPayload(SyncSettingsPatch.annotations({ parseOptions: { onExcessProperty: "error" } }))
      .addSuccess(SettingsChange)
      .addError(Wire.InvalidSettings, { status: 400 })
      .addError(Wire.AppUnavailableInRegion, { status: 403 })
      .annotate(OpenApi.Summary, "Change sync settings; nothing changes if any part is refused")
  )
  .middleware(Authentication)
  .addError(Wire.AccountNotFound, { status: 404 })
  .addError(Wire.StoreError, { status: 503 })
  .annotate(OpenApi.Title, "Sync settings")
{}
