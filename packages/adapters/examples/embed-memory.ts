/**
 * Custos embedded in a few lines: core services over the memory stores, one account, two devices syncing a note.
 * Run it with `pnpm start`; the README shows this code, and a test runs this file.
 */
import { layerEphemeralKeys } from "@custos/adapters/keys/EphemeralKeys"
import { layerMemoryStores } from "@custos/adapters/memory/MemoryStores"
import { makeInProcessDevice } from "@custos/core/client/InProcessDevice"
import { DeviceId, RecordId } from "@custos/core/domain/Ids"
import { AccountService } from "@custos/core/services/AccountService"
import { layerCoreServices } from "@custos/core/services/CoreServices"
import { SyncSettingsService } from "@custos/core/services/SyncSettingsService"
import { Console, Effect, Layer } from "effect"

// Core services over in-memory storage and a master key that lives as long as the process: swap these Layers
// for SQLite or PostgreSQL and a key file to keep data.
const Custos = layerCoreServices.pipe(Layer.provide(Layer.merge(layerMemoryStores, layerEphemeralKeys)))

export const program = Effect.gen(function*() {
  const accounts = yield* AccountService
  const settings = yield* SyncSettingsService
  const account = yield* accounts.create({ region: "DE" })
  yield* settings.update(account.id, { apps: { notes: true } })

  const phone = yield* makeInProcessDevice(account.id, DeviceId.make("phone"))
  const laptop = yield* makeInProcessDevice(account.id, DeviceId.make("laptop"))
  yield* phone.put("notes", RecordId.make("note-1"), { kind: "note", title: "Groceries", body: "Milk", private: false })
  yield* phone.sync("notes", { trigger: "user", network: "wifi" })
  yield* laptop.sync("notes", { trigger: "user", network: "wifi" })

  const notes = yield* laptop.records("notes")
  yield* Console.log(`The laptop has ${notes.length} note, synced from the phone:`, notes[0]?.payload)
  return notes
}).pipe(Effect.provide(Custos))

if (import.meta.url === `file://${process.argv[1]}`) Effect.runPromise(program)
