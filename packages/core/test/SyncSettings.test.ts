/**
 * Tests of the sync settings rules (§4.1.3(1), §4.1.4(2)): a new account syncs nothing, a patch changes only what it
 * names, applying it is idempotent and canonical, and malformed patches are refused naming the field at fault.
 */
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Effect, FastCheck, Schema } from "effect"
import { type App, Apps } from "../src/domain/App.js"
import {
  applyPatch,
  BackupSchedule,
  defaultSyncSettings,
  isEnabled,
  SyncSettings,
  SyncSettingsPatch,
  turnedOff
} from "../src/domain/SyncSettings.js"
import { firstIssue } from "../src/internal/parseErrors.js"

const settingsArb = Arbitrary.make(SyncSettings)

const patchArb: FastCheck.Arbitrary<SyncSettingsPatch> = FastCheck.record({
  apps: FastCheck.dictionary(FastCheck.constantFrom(...Apps), FastCheck.boolean(), { maxKeys: 12 }),
  wifiOnly: FastCheck.boolean(),
  galleryFolders: FastCheck.array(FastCheck.constantFrom("Camera", "Screenshots", "WhatsApp", "Downloads"), {
    maxLength: 8
  }),
  homeScreenBackup: Arbitrary.make(BackupSchedule)
}, { requiredKeys: [] })

/** Settings as a store holds them: the default with any patch applied. */
const storedArb = patchArb.map((p) => applyPatch(defaultSyncSettings, p))

const allApps = (on: boolean): { readonly [A in App]: boolean } =>
  Object.fromEntries(Apps.map((app) => [app, on])) as { readonly [A in App]: boolean }

/** Decodes a patch the way `SyncSettingsService` does and hands back the first problem, failing if it decoded. */
const refusal = (input: unknown) =>
  Effect.flip(Schema.decodeUnknown(SyncSettingsPatch)(input, { onExcessProperty: "error" })).pipe(
    Effect.map(firstIssue)
  )

const decodePatch = (input: unknown) => Schema.decodeUnknown(SyncSettingsPatch)(input, { onExcessProperty: "error" })

const isCanonical = (enabled: ReadonlyArray<App>): boolean =>
  enabled.every((app, i) => i === 0 || Apps.indexOf(enabled[i - 1]!) < Apps.indexOf(app))

describe("SyncSettings", () => {
  describe("defaultSyncSettings", () => {
    it("turns no app on: sync is opt-in", () => {
      assert.deepStrictEqual(defaultSyncSettings.enabled, [])
      for (const app of Apps) {
        assert.isFalse(isEnabled(defaultSyncSettings, app), app)
      }
    })

    it("selects the Camera folder, syncs on any network and backs up weekly", () => {
      assert.deepStrictEqual(defaultSyncSettings.galleryFolders, ["Camera"])
      assert.isFalse(defaultSyncSettings.wifiOnly)
      assert.strictEqual(defaultSyncSettings.homeScreenBackup.every, "weekly")
      assert.deepStrictEqual(defaultSyncSettings.homeScreenBackup, { every: "weekly", hour: 3 })
    })

    it("is valid settings", () => {
      assert.deepStrictEqual(Schema.decodeUnknownSync(SyncSettings)(defaultSyncSettings), defaultSyncSettings)
    })
  })

  describe("applyPatch", () => {
    it("turns apps on and off", () => {
      const on = applyPatch(defaultSyncSettings, { apps: { notes: true, contacts: true } })
      assert.deepStrictEqual(on.enabled, ["contacts", "notes"])
      assert.isTrue(isEnabled(on, "notes"))
      assert.isFalse(isEnabled(on, "gallery"))
      const off = applyPatch(on, { apps: { notes: false } })
      assert.deepStrictEqual(off.enabled, ["contacts"])
      assert.isFalse(isEnabled(off, "notes"))
    })

    it("turns every app on and off with a full map", () => {
      const on = applyPatch(defaultSyncSettings, { apps: allApps(true) })
      assert.deepStrictEqual(on.enabled, [...Apps])
      assert.deepStrictEqual(applyPatch(on, { apps: allApps(false) }).enabled, [])
    })

    it("keeps the canonical app order whatever the order of the patch", () => {
      const settings = applyPatch(defaultSyncSettings, { apps: { "home-screen": true, browser: true, gallery: true } })
      assert.deepStrictEqual(settings.enabled, ["gallery", "browser", "home-screen"])
      const unordered: SyncSettings = { ...defaultSyncSettings, enabled: ["wifi", "notes", "notes", "gallery"] }
      assert.deepStrictEqual(applyPatch(unordered, {}).enabled, ["gallery", "notes", "wifi"])
    })

    it("leaves the fields a patch does not name", () => {
      const before: SyncSettings = {
        enabled: ["messages"],
        wifiOnly: true,
        galleryFolders: ["Camera", "Screenshots"],
        homeScreenBackup: { every: "daily", hour: 22 }
      }
      assert.deepStrictEqual(applyPatch(before, {}), before)
      assert.deepStrictEqual(applyPatch(before, { wifiOnly: false }), { ...before, wifiOnly: false })
      const withNotes: SyncSettings = { ...before, enabled: ["messages", "notes"] }
      assert.deepStrictEqual(applyPatch(before, { apps: { notes: true } }), withNotes)
      assert.deepStrictEqual(applyPatch(before, { galleryFolders: [] }), { ...before, galleryFolders: [] })
      const backup = { every: "manual", hour: 0 } as const
      assert.deepStrictEqual(applyPatch(before, { homeScreenBackup: backup }), { ...before, homeScreenBackup: backup })
    })

    it("de-duplicates gallery folders, keeping the first occurrence's order", () => {
      const galleryFolders = ["Screenshots", "Camera", "Screenshots", "Camera"]
      const after = applyPatch(defaultSyncSettings, { galleryFolders })
      assert.deepStrictEqual(after.galleryFolders, ["Screenshots", "Camera"])
    })

    it.prop(
      "gives canonical, duplicate-free settings that change only the named fields",
      [settingsArb, patchArb],
      ([before, patch]) => {
        const after = applyPatch(before, patch)
        assert.isTrue(isCanonical(after.enabled), after.enabled.join())
        for (const app of Apps) {
          const named = patch.apps?.[app]
          assert.strictEqual(isEnabled(after, app), named ?? isEnabled(before, app), app)
        }
        assert.strictEqual(after.wifiOnly, patch.wifiOnly ?? before.wifiOnly)
        assert.deepStrictEqual(after.homeScreenBackup, patch.homeScreenBackup ?? before.homeScreenBackup)
        if (patch.galleryFolders === undefined) {
          assert.deepStrictEqual(after.galleryFolders, before.galleryFolders)
        } else {
          assert.strictEqual(new Set(after.galleryFolders).size, after.galleryFolders.length)
          assert.deepStrictEqual(new Set(after.galleryFolders), new Set(patch.galleryFolders))
        }
        assert.isTrue(Schema.is(SyncSettings)(after))
      },
      { fastCheck: { numRuns: 100 } }
    )

    it.prop(
      "is idempotent: applying a patch twice equals applying it once",
      [settingsArb, patchArb],
      ([settings, patch]) => {
        const once = applyPatch(settings, patch)
        assert.deepStrictEqual(applyPatch(once, patch), once)
      },
      { fastCheck: { numRuns: 100 } }
    )
  })

  describe("turnedOff", () => {
    it("lists the apps that were on and are now off, in canonical order", () => {
      const apps = { wifi: true, gallery: true, notes: true, calendar: true }
      const before = applyPatch(defaultSyncSettings, { apps })
      const after = applyPatch(before, { apps: { wifi: false, notes: false, browser: true, gallery: true } })
      assert.deepStrictEqual(turnedOff(before, after), ["notes", "wifi"])
      assert.deepStrictEqual(turnedOff(after, before), ["browser"])
      assert.deepStrictEqual(turnedOff(before, before), [])
    })

    it.prop(
      "lists exactly the apps on before and off after",
      [storedArb, patchArb],
      ([before, patch]) => {
        const after = applyPatch(before, patch)
        const expected = Apps.filter((app) => isEnabled(before, app) && !isEnabled(after, app))
        assert.deepStrictEqual(turnedOff(before, after), expected)
      },
      { fastCheck: { numRuns: 100 } }
    )
  })

  describe("SyncSettingsPatch decoding", () => {
    it.effect("accepts a full patch", () =>
      Effect.gen(function*() {
        const input = {
          apps: { ...allApps(false), notes: true },
          wifiOnly: true,
          galleryFolders: ["Camera"],
          homeScreenBackup: { every: "monthly", hour: 23 }
        } as const
        assert.deepStrictEqual(yield* decodePatch(input), input)
        assert.deepStrictEqual(yield* decodePatch({}), {})
      }))

    it.effect("accepts a patch that names only some apps", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* decodePatch({ apps: { notes: true } }), { apps: { notes: true } })
      }))

    it.effect("refuses an unknown app", () =>
      Effect.gen(function*() {
        const issue = yield* refusal({ apps: { ...allApps(true), nope: true } })
        assert.strictEqual(issue.field, "apps.nope")
        assert.strictEqual((yield* refusal({ apps: { notes: true, nope: true } })).field, "apps.nope")
      }))

    it.effect("refuses a backup hour of 24, naming the hour", () =>
      Effect.gen(function*() {
        const issue = yield* refusal({ homeScreenBackup: { every: "daily", hour: 24 } })
        assert.strictEqual(issue.field, "homeScreenBackup.hour")
        assert.strictEqual(issue.reason, "the backup hour must be between 0 and 23")
      }))

    it.effect("refuses a negative or fractional backup hour and an unknown schedule", () =>
      Effect.gen(function*() {
        const schedules = [{ every: "daily", hour: -1 }, { every: "daily", hour: 3.5 }, { every: "hourly", hour: 3 }]
        for (const homeScreenBackup of schedules) {
          const issue = yield* refusal({ homeScreenBackup })
          assert.include(issue.field, "homeScreenBackup.", JSON.stringify(homeScreenBackup))
        }
      }))

    it.effect("refuses an empty folder name, naming the folder", () =>
      Effect.gen(function*() {
        const issue = yield* refusal({ galleryFolders: ["Camera", ""] })
        assert.strictEqual(issue.field, "galleryFolders[1]")
        assert.strictEqual(issue.reason, "a folder name must not be empty")
      }))

    it.effect("refuses an unknown field when excess properties are errors", () =>
      Effect.gen(function*() {
        const issue = yield* refusal({ wifiOnly: true, spam: 1 })
        assert.strictEqual(issue.field, "spam")
      }))
  })
})
