/**
 * The README's storage example, run: Custos over a SQLite file keeps an account, its settings and a synced note
 * across a restart, and a device that signs in afterwards gets the note.
 */
import { layerNodeCrypto } from "@custos/adapters/crypto/NodeCrypto"
import { layerKeyFile } from "@custos/adapters/keys/KeyFile"
import { layerMemoryStores } from "@custos/adapters/memory/MemoryStores"
import { layerSqlite } from "@custos/adapters/sql/SqliteLive"
import { layerSqlStores } from "@custos/adapters/sql/SqlStores"
import { makeInProcessDevice } from "@custos/core/client/InProcessDevice"
import { DeviceId, RecordId } from "@custos/core/domain/Ids"
import { AccountService } from "@custos/core/services/AccountService"
import { layerCoreServices } from "@custos/core/services/CoreServices"
import { SyncSettingsService } from "@custos/core/services/SyncSettingsService"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const note = { kind: "note", title: "Groceries", body: "Milk", private: false }

describe("Custos embedded over a SQLite file", () => {
  it.effect("keeps what was synced across a restart", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "custos-embed-"))),
        (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
      )
      const Storage = layerSqlStores.pipe(Layer.provide(layerSqlite({ filename: join(dir, "data", "custos.db") })))
      const Keys = layerKeyFile({ path: join(dir, "keys", "master.key"), create: "if-missing" }).pipe(
        Layer.provideMerge(layerNodeCrypto)
      )
      const Custos = layerCoreServices.pipe(Layer.provide(Layer.mergeAll(layerMemoryStores, Storage, Keys)))

      const accountId = yield* Effect.gen(function*() {
        const accounts = yield* AccountService
        const settings = yield* SyncSettingsService
        const account = yield* accounts.create({ region: "DE" })
        yield* settings.update(account.id, { apps: { notes: true }, wifiOnly: true })
        const phone = yield* makeInProcessDevice(account.id, DeviceId.make("phone"))
        yield* phone.put("notes", RecordId.make("note-1"), note)
        yield* phone.sync("notes", { trigger: "user", network: "wifi" })
        return account.id
      }).pipe(Effect.provide(Custos))

      // A new process: the same file, nothing kept in memory.
      const after = yield* Effect.gen(function*() {
        const accounts = yield* AccountService
        const settings = yield* SyncSettingsService
        const laptop = yield* makeInProcessDevice(accountId, DeviceId.make("laptop"))
        yield* laptop.sync("notes", { trigger: "user", network: "wifi" })
        return {
          region: (yield* accounts.get(accountId)).region,
          settings: yield* settings.get(accountId),
          notes: yield* laptop.records("notes")
        }
      }).pipe(Effect.provide(Custos))

      assert.strictEqual(after.region, "DE")
      assert.deepStrictEqual(after.settings.enabled, ["notes"])
      assert.isTrue(after.settings.wifiOnly)
      assert.deepStrictEqual(after.notes.map((n) => [n.id, n.payload]), [["note-1", note]])
    }).pipe(Effect.scoped))
})
