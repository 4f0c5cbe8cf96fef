/**
 * Rotating keys with the service running: pushes go on while an account key is rotated and its content re-sealed,
 * and while the master key is rotated; afterwards every record opens, holds its last edit, and is sealed under the
 * new account key version. Deleting the account leaves nothing that opens.
 */
import { assert, describe, it } from "@effect/vitest"
import { layerEphemeralKeys } from "@custos/adapters/keys/EphemeralKeys"
import { layerMemoryStores } from "@custos/adapters/memory/MemoryStores"
import { DeviceId, MutationId, RecordId } from "@custos/core/domain/Ids"
import type { Mutation } from "@custos/core/domain/Mutation"
import { envelopeFromText } from "@custos/core/domain/Sealed"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { AccountService } from "@custos/core/services/AccountService"
import { layerCoreServices } from "@custos/core/services/CoreServices"
import { Keyring } from "@custos/core/services/Keyring"
import { KeyRotation } from "@custos/core/services/KeyRotation"
import { PrivacyService } from "@custos/core/services/PrivacyService"
import { SyncEngine } from "@custos/core/services/SyncEngine"
import { SyncSettingsService } from "@custos/core/services/SyncSettingsService"
import { Effect, Either, Layer, Redacted } from "effect"
import { sealVersion1 } from "./sealedFormats.js"

const Custos = layerCoreServices.pipe(Layer.provideMerge(Layer.merge(layerMemoryStores, layerEphemeralKeys)))
const phone = DeviceId.make("phone")
const note = (title: string) => ({ kind: "note", title, body: "", private: false })

let counter = 0
const put = (id: string, title: string): Mutation => ({
  mutationId: MutationId.make(`m${++counter}`),
  recordId: RecordId.make(id),
  op: "put",
  payload: note(title)
})

const setup = Effect.gen(function*() {
  const account = yield* (yield* AccountService).create({ region: "DE" })
  yield* (yield* SyncSettingsService).update(account.id, { apps: { notes: true } })
  const engine = yield* SyncEngine
  for (let b = 0; b < 6; b++) {
    yield* engine.push(account.id, phone, "notes", Array.from({ length: 50 }, (_, i) => put(`n${b * 50 + i}`, "v1")))
  }
  return account.id
})

const pullAll = (accountId: Parameters<SyncEngine["Type"]["pull"]>[0]) =>
  Effect.gen(function*() {
    const engine = yield* SyncEngine
    const all = new Map<string, unknown>()
    let cursor: string | undefined
    while (true) {
      const page = yield* engine.pull(accountId, phone, "notes", { cursor, limit: 1000 })
      for (const c of page.changes) all.set(c.id, c.payload)
      cursor = page.cursor
      if (!page.hasMore) return all
    }
  })

describe("key rotation with the service running", () => {
  it.effect("an account key rotates and everything is re-sealed while edits keep coming; nothing is lost", () =>
    Effect.gen(function*() {
      const accountId = yield* setup
      const engine = yield* SyncEngine
      const edits = Effect.forEach(
        Array.from({ length: 30 }, (_, i) => i),
        (i) => engine.push(accountId, phone, "notes", [put(`n${i * 10}`, `v2-${i}`)]).pipe(Effect.zipLeft(Effect.yieldNow())),
        { discard: true }
      )
      const [report] = yield* Effect.all([(yield* KeyRotation).rotateAccount(accountId, { batchSize: 17 }), edits], {
        concurrency: 2
      })
      assert.strictEqual(report.keyVersion, 2)
      assert.isAbove(report.resealed, 0)
      const all = yield* pullAll(accountId)
      assert.strictEqual(all.size, 300, "every record is still there and opens")
      for (let i = 0; i < 30; i++) assert.deepStrictEqual(all.get(`n${i * 10}`), note(`v2-${i}`), "the last edit won")
      assert.deepStrictEqual(all.get("n1"), note("v1"))
      const stored = yield* (yield* RecordStore).list(accountId, { state: "active", limit: 1000 })
      const versions = new Set(stored.map((r) => Either.getOrThrow(envelopeFromText(r.body!)).keyVersion))
      assert.deepStrictEqual([...versions], [2], "all content is sealed under the new version")
      assert.strictEqual(stored.find((r) => r.id === "n1")!.version, 1, "re-sealing is not an edit")
      assert.strictEqual((yield* (yield* KeyRotation).resealAccount(accountId)).resealed, 0, "running again is a no-op")
    }).pipe(Effect.provide(Custos)))

  it.effect("re-sealing moves content sealed in envelope format 1 to format 2, under the same key version", () =>
    Effect.gen(function*() {
      const accountId = yield* setup
      const keyring = yield* Keyring
      const records = yield* RecordStore
      // Ten records rewritten as a store holding data from before format 2 has them: a key per value by HKDF.
      const { key, version } = yield* keyring.accountKey(accountId)
      const old = (yield* records.list(accountId, { state: "active", limit: 10 }))
      yield* records.transact(accountId, (tx) =>
        Effect.forEach(old, (record) => {
          const context = { accountId, app: "notes", recordId: record.id, field: "payload", keyVersion: version }
          const payload = JSON.stringify(note(`old ${record.id}`))
          const body = sealVersion1(Redacted.value(key), context, "aes-128-gcm", payload)
          const { seq: _seq, ...rest } = record
          return tx.write({ ...rest, body })
        }, { discard: true }))
      const report = yield* (yield* KeyRotation).resealAccount(accountId)
      assert.deepStrictEqual(report, { keyVersion: version, resealed: 10 })
      const stored = yield* records.list(accountId, { state: "active", limit: 1000 })
      const formats = new Set(stored.map((r) => Either.getOrThrow(envelopeFromText(r.body!)).version))
      assert.deepStrictEqual(formats, new Set([2]))
      const all = yield* pullAll(accountId)
      for (const record of old) assert.deepStrictEqual(all.get(record.id), note(`old ${record.id}`))
      assert.strictEqual((yield* (yield* KeyRotation).resealAccount(accountId)).resealed, 0)
    }).pipe(Effect.provide(Custos)))

  it.effect("the master key rotates while edits keep coming; every account key is re-wrapped and data opens", () =>
    Effect.gen(function*() {
      const accountId = yield* setup
      const engine = yield* SyncEngine
      const edits = Effect.forEach(Array.from({ length: 20 }, (_, i) => i), (i) =>
        engine.push(accountId, phone, "notes", [put(`n${i}`, `v3-${i}`)]), { discard: true })
      const [rotated] = yield* Effect.all([(yield* Keyring).rotateMasterKey, edits], { concurrency: 2 })
      assert.strictEqual(rotated.masterVersion, 2)
      const all = yield* pullAll(accountId)
      assert.strictEqual(all.size, 300)
      assert.deepStrictEqual(all.get("n19"), note("v3-19"))
    }).pipe(Effect.provide(Custos)))

  it.effect("after the account is deleted, nothing sealed under its keys opens", () =>
    Effect.gen(function*() {
      const accountId = yield* setup
      const stored = yield* (yield* RecordStore).list(accountId, { state: "active", limit: 5 })
      yield* (yield* PrivacyService).deleteAccount(accountId)
      const keyring = yield* Keyring
      for (const record of stored) {
        const opened = yield* Effect.either(keyring.openFieldText({
          accountId,
          app: "notes",
          recordId: record.id,
          field: "payload",
          sealed: record.body!
        }))
        assert.isTrue(Either.isLeft(opened), "a copy of the ciphertext (a backup, say) no longer opens")
      }
    }).pipe(Effect.provide(Custos)))
})
