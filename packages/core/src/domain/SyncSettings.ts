/**
 * A person's sync choices (§4.1.3(1), §4.1.4(2)): which apps sync, whether only over Wi-Fi, which gallery folders,
 * and the home-screen backup schedule. Pure rules live here; `services/SyncSettingsService.ts` applies them.
 */
import { Schema } from "effect"
import { App, Apps } from "./App.js"

/**
 * A selected gallery folder. A folder a person selects anew also has no control characters, as a gallery item's
 * folder has none (`Payloads.ts`), so it could never match one; that rule is `isSelectableFolder`, checked on what a
 * change adds, so folders selected before it stay selected and the list can still be changed around them.
 */
export const GalleryFolder = Schema.String.pipe(
  Schema.minLength(1, { message: () => "a folder name must not be empty" }),
  Schema.maxLength(255, { message: () => "a folder name must be at most 255 characters" })
)

/** Whether a folder may be selected anew: it holds no control characters. */
export const isSelectableFolder = (folder: string): boolean => !/[\u0000-\u001f\u007f]/.test(folder)

export const BackupSchedule = Schema.Struct({
  /** How often the device takes a home-screen backup; `manual` only when the person asks. */
  every: Schema.Literal("manual", "daily", "weekly", "monthly"),
  /** The local hour of day the device aims for, 0 to 23. */
  hour: Schema.Int.pipe(Schema.between(0, 23, { message: () => "the backup hour must be between 0 and 23" }))
}).annotations({ identifier: "BackupSchedule" })
export type BackupSchedule = typeof BackupSchedule.Type

export const SyncSettings = Schema.Struct({
  /** The apps whose sync is on; every other app is off. */
  enabled: Schema.Array(App),
  /** Devices sync only on Wi-Fi when set; the device client obeys it (the server cannot see the network). */
  wifiOnly: Schema.Boolean,
  /** The gallery folders whose items sync (§4.1.4(2)); items of other folders are refused. */
  galleryFolders: Schema.Array(GalleryFolder).pipe(
    Schema.maxItems(1000, { message: () => "at most 1000 gallery folders can be selected" })
  ),
  homeScreenBackup: BackupSchedule
}).annotations({ identifier: "SyncSettings" })
export type SyncSettings = typeof SyncSettings.Type

/**
 * A new account syncs nothing until the person turns apps on (ours: the whitepaper leaves the default open, and
 * opting in is what a privacy promise needs). The camera folder is pre-selected so turning the gallery on does
 * what people expect; backups are weekly at 03:00.
 */
export const defaultSyncSettings: SyncSettings = {
  enabled: [],
  wifiOnly: false,
  galleryFolders: ["Camera"],
  homeScreenBackup: { every: "weekly", hour: 3 }
}

/** A partial update; only the fields present change. `apps` turns single apps on or off. */
export const SyncSettingsPatch = Schema.Struct({
  apps: Schema.optional(Schema.partial(Schema.Record({ key: App, value: Schema.Boolean }))),
  wifiOnly: Schema.optional(Schema.Boolean),
  galleryFolders: Schema.optional(SyncSettings.fields.galleryFolders),
  homeScreenBackup: Schema.optional(BackupSchedule)
}).annotations({ identifier: "SyncSettingsPatch" })
export type SyncSettingsPatch = typeof SyncSettingsPatch.Type

export const isEnabled = (settings: SyncSettings, app: App): boolean => settings.enabled.includes(app)

/** Applies a patch; the enabled list keeps the canonical app order so equal settings compare equal. */
export const applyPatch = (settings: SyncSettings, patch: SyncSettingsPatch): SyncSettings => {
  const enabled = new Set(settings.enabled)
  for (const [app, on] of Object.entries(patch.apps ?? {}) as Array<[App, boolean]>) {
    if (on) enabled.add(app)
    else enabled.delete(app)
  }
  return {
    enabled: Apps.filter((app) => enabled.has(app)),
    wifiOnly: patch.wifiOnly ?? settings.wifiOnly,
    galleryFolders: patch.galleryFolders ? [...new Set(patch.galleryFolders)] : settings.galleryFolders,
    homeScreenBackup: patch.homeScreenBackup ?? settings.homeScreenBackup
  }
}

/** The apps a patch turns off that were on, in canonical order. */
export const turnedOff = (before: SyncSettings, after: SyncSettings): ReadonlyArray<App> =>
  before.enabled.filter((app) => !after.enabled.includes(app))
