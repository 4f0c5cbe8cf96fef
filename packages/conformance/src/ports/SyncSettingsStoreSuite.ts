/**
 * The port suite every `SyncSettingsStore` adapter must pass.
 */
import { assert, describe, it } from "@effect/vitest"
import { AccountId } from "@custos/core/domain/Ids"
import { defaultSyncSettings, type SyncSettings } from "@custos/core/domain/SyncSettings"
import { SyncSettingsStore } from "@custos/core/ports/SyncSettingsStore"
import { Effect, type Layer, Option } from "effect"

const alice = AccountId.make("acc_alice")
const bob = AccountId.make("acc_bob")

export const syncSettingsStoreSuite = <E>(name: string, layer: Layer.Layer<SyncSettingsStore, E>) =>
  describe(`SyncSettingsStore port suite on ${name}`, () => {
    const run = <A, Err>(effect: Effect.Effect<A, Err, SyncSettingsStore>) => Effect.provide(effect, layer)

    it.effect("settings are absent until first set, then read back per account", () =>
      run(Effect.gen(function*() {
        const store = yield* SyncSettingsStore
        assert.isTrue(Option.isNone(yield* store.get(alice)))
        const next: SyncSettings = {
          ...defaultSyncSettings,
          enabled: ["gallery", "wifi"],
          wifiOnly: true,
          galleryFolders: ["Camera", "Screenshots"],
          homeScreenBackup: { every: "daily", hour: 22 }
        }
        yield* store.modify(alice, () => Effect.succeed(next))
        assert.deepStrictEqual(Option.getOrThrow(yield* store.get(alice)), next)
        assert.isTrue(Option.isNone(yield* store.get(bob)))
      })))

    it.effect("a failed modify changes nothing", () =>
      run(Effect.gen(function*() {
        const store = yield* SyncSettingsStore
        yield* store.modify(alice, () => Effect.succeed({ ...defaultSyncSettings, wifiOnly: true }))
        const error = yield* Effect.flip(store.modify(alice, () => Effect.fail("refused" as const)))
        assert.strictEqual(error, "refused")
        assert.isTrue(Option.getOrThrow(yield* store.get(alice)).wifiOnly)
      })))

    it.effect("concurrent modifies of one account all land, one after the other", () =>
      run(Effect.gen(function*() {
        const store = yield* SyncSettingsStore
        const addFolder = (i: number) =>
          store.modify(alice, (current) => {
            const settings = Option.getOrElse(current, () => ({ ...defaultSyncSettings, galleryFolders: [] }))
            return Effect.yieldNow().pipe(
              Effect.as({ ...settings, galleryFolders: [...settings.galleryFolders, `folder-${i}`] })
            )
          })
        yield* Effect.all(Array.from({ length: 20 }, (_, i) => addFolder(i)), { concurrency: "unbounded" })
        assert.strictEqual(Option.getOrThrow(yield* store.get(alice)).galleryFolders.length, 20)
      })))
  })
