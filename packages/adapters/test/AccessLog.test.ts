/**
 * The access log on core over the memory stores (§4.1.5, DESIGN.md "Encryption at rest", last bullet): who is
 * logged is the device whose request it was (or Custos itself for a job); an opening that cannot be logged does not
 * happen; a batch is one entry; and any change made to the stored chain behind the service's back is found by
 * `verify`.
 */
import { assert, describe, it } from "@effect/vitest"
import { layerEphemeralKeys } from "@custos/adapters/keys/EphemeralKeys"
import { AccessLogTamper, layerAccessLogStoreMemoryWithTamper } from "@custos/adapters/memory/AccessLogStoreMemory"
import { layerMemoryStores } from "@custos/adapters/memory/MemoryStores"
import { samples } from "@custos/conformance/Samples"
import { makeInProcessDevice } from "@custos/core/client/InProcessDevice"
import type { AccessEntry } from "@custos/core/domain/AccessLog"
import { type AccountId, DeviceId, MutationId, RecordId } from "@custos/core/domain/Ids"
import type { Mutation } from "@custos/core/domain/Mutation"
import { AccessLogStore } from "@custos/core/ports/AccessLogStore"
import { Crypto } from "@custos/core/ports/Crypto"
import { StoreError } from "@custos/core/ports/StoreError"
import { AccessLog } from "@custos/core/services/AccessLog"
import { AccountService } from "@custos/core/services/AccountService"
import { layerCoreServices } from "@custos/core/services/CoreServices"
import { SyncEngine } from "@custos/core/services/SyncEngine"
import { SyncSettingsService } from "@custos/core/services/SyncSettingsService"
import { TrashService } from "@custos/core/services/TrashService"
import { Effect, Layer } from "effect"

const phone = DeviceId.make("phone")
const laptop = DeviceId.make("laptop")

const Custos = layerCoreServices.pipe(
  Layer.provideMerge(Layer.mergeAll(layerMemoryStores, layerEphemeralKeys, layerAccessLogStoreMemoryWithTamper))
)

let counter = 0
const put = (app: "notes" | "gallery", id: string, n: number): Mutation => ({
  mutationId: MutationId.make(`m-${++counter}`),
  recordId: RecordId.make(id),
  op: "put",
  baseVersion: 0,
  payload: samples[app](n)
})
const del = (id: string): Mutation => ({
  mutationId: MutationId.make(`m-${++counter}`),
  recordId: RecordId.make(id),
  op: "delete",
  baseVersion: 1
})

const newAccount = (apps: Record<string, boolean>) =>
  Effect.gen(function*() {
    const account = yield* (yield* AccountService).create({ region: "DE" })
    yield* (yield* SyncSettingsService).update(account.id, { apps })
    return account.id
  })

const entriesOf = (account: AccountId) =>
  Effect.map(Effect.flatMap(AccessLog, (log) => log.list(account, { limit: 1000 })), (page) => page.entries)

/** An account whose notes two devices synced: its log has a few entries. */
const syncedAccount = Effect.gen(function*() {
  const account = yield* newAccount({ notes: true })
  const phoneClient = yield* makeInProcessDevice(account, phone)
  const laptopClient = yield* makeInProcessDevice(account, laptop)
  yield* phoneClient.put("notes", RecordId.make("n1"), samples.notes(1))
  yield* phoneClient.put("notes", RecordId.make("n2"), samples.notes(2))
  yield* phoneClient.sync("notes", { trigger: "user", network: "wifi" })
  yield* laptopClient.sync("notes", { trigger: "user", network: "wifi" })
  yield* laptopClient.put("notes", RecordId.make("n3"), samples.notes(3))
  yield* laptopClient.sync("notes", { trigger: "user", network: "wifi" })
  yield* phoneClient.sync("notes", { trigger: "user", network: "wifi" })
  return account
})

describe("access log service", () => {
  it.effect("each pull is logged as the device that pulled, with the records it was sent", () =>
    Effect.gen(function*() {
      const account = yield* syncedAccount
      const entries = yield* entriesOf(account)
      assert.deepStrictEqual(
        entries.map((e) => [e.actor.kind, e.actor.id, e.purpose, e.app, [...e.recordIds].sort().join(",")]),
        [
          ["device", "phone", "sync-pull", "notes", "n1,n2"],
          ["device", "laptop", "sync-pull", "notes", "n1,n2"],
          ["device", "laptop", "sync-pull", "notes", "n3"],
          ["device", "phone", "sync-pull", "notes", "n3"]
        ]
      )
      const verdict = yield* (yield* AccessLog).verify(account)
      assert.deepStrictEqual(verdict, { ok: true, entries: 4, head: { index: 4, hash: entries[3]!.hash } })
    }).pipe(Effect.provide(Custos)))

  it.effect("a call no edge has claimed is logged as Custos itself, a job", () =>
    Effect.gen(function*() {
      const account = yield* newAccount({ notes: true })
      const engine = yield* SyncEngine
      yield* engine.push(account, phone, "notes", [put("notes", "n1", 1)])
      yield* engine.pull(account, phone, "notes")
      const [entry] = yield* entriesOf(account)
      assert.deepStrictEqual(entry?.actor, { kind: "job", id: "core" })
    }).pipe(Effect.provide(Custos)))

  it.effect("the log is read in pages, oldest first", () =>
    Effect.gen(function*() {
      const account = yield* syncedAccount
      const log = yield* AccessLog
      const first = yield* log.list(account, { limit: 3 })
      assert.deepStrictEqual(first.entries.map((e) => e.index), [1, 2, 3])
      assert.strictEqual(first.next, 3)
      const second = yield* log.list(account, { after: first.next, limit: 3 })
      assert.deepStrictEqual(second.entries.map((e) => e.index), [4])
      assert.isUndefined(second.next)
    }).pipe(Effect.provide(Custos)))

  it.effect("the gallery items one push deletes are opened together, in one entry; a restore is one more", () =>
    Effect.gen(function*() {
      const account = yield* newAccount({ gallery: true })
      const engine = yield* SyncEngine
      const ids = ["g1", "g2", "g3", "g4", "g5"]
      yield* engine.push(account, phone, "gallery", ids.map((id, i) => put("gallery", id, i + 1)))
      assert.deepStrictEqual(yield* entriesOf(account), [], "uploading opens nothing")
      const deleted = yield* engine.push(account, phone, "gallery", ids.map(del))
      assert.isTrue(deleted.outcomes.every((o) => o._tag === "applied"))
      const [fingerprints, ...rest] = yield* entriesOf(account)
      assert.deepStrictEqual(rest, [])
      assert.strictEqual(fingerprints?.purpose, "gallery-fingerprint")
      assert.deepStrictEqual([...fingerprints!.recordIds], ids)

      yield* (yield* TrashService).restore(account, "gallery", RecordId.make("g2"))
      const after = (yield* entriesOf(account)).slice(1)
      assert.deepStrictEqual(after.map((e) => [e.purpose, [...e.recordIds]]), [["trash-restore", ["g2"]]])
      // The restore forgot g2's fingerprint: the same content is accepted as new again.
      const again = yield* engine.push(account, phone, "gallery", [put("gallery", "g2-copy", 2)])
      assert.strictEqual(again.outcomes[0]?._tag, "applied")
    }).pipe(Effect.provide(Custos)))

  it.effect("no opening without its entry: when the log cannot be written, nothing is decrypted", () => {
    let opened = 0
    const countingCrypto = Layer.effect(
      Crypto,
      Effect.map(Crypto, (inner) =>
        Crypto.of({ ...inner, open: (input) => Effect.zipRight(Effect.sync(() => opened++), inner.open(input)) }))
    ).pipe(Layer.provide(layerEphemeralKeys))
    const failingLog = Layer.succeed(AccessLogStore, AccessLogStore.of({
      append: () => Effect.fail(new StoreError({ operation: "AccessLogStore.append", cause: new Error("disk full") })),
      list: () => Effect.succeed([]),
      deleteAccount: () => Effect.succeed(0)
    }))
    return Effect.gen(function*() {
      const account = yield* newAccount({ notes: true })
      const engine = yield* SyncEngine
      yield* engine.push(account, phone, "notes", [put("notes", "n1", 1)])
      opened = 0
      const error = yield* Effect.flip(engine.pull(account, phone, "notes"))
      assert.instanceOf(error, StoreError)
      assert.strictEqual(opened, 0, "no content was decrypted")
    }).pipe(Effect.provide(layerCoreServices.pipe(
      Layer.provideMerge(Layer.mergeAll(layerMemoryStores, layerEphemeralKeys, countingCrypto, failingLog))
    )))
  })
})

describe("access log verification finds changes made behind its back", () => {
  /** Runs `tamper` on the stored chain of a synced account and returns what `verify` says. */
  const verifyAfter = (tamper: (entries: ReadonlyArray<AccessEntry>) => ReadonlyArray<AccessEntry>) =>
    Effect.gen(function*() {
      const account = yield* syncedAccount
      const log = yield* AccessLog
      assert.isTrue((yield* log.verify(account)).ok, "untouched, it verifies")
      yield* (yield* AccessLogTamper).rewrite(account, tamper)
      return yield* log.verify(account)
    }).pipe(Effect.provide(Custos))

  it.effect("an entry edited in place", () =>
    Effect.gen(function*() {
      const verdict = yield* verifyAfter((entries) =>
        entries.map((e) => e.index === 2 ? { ...e, recordIds: [RecordId.make("n1")] } : e)
      )
      assert.deepStrictEqual([verdict.ok, verdict.brokenAt, verdict.reason], [false, 2, "changed"])
      assert.isString(verdict.detail)
    }))

  it.effect("an entry that hides who opened: the actor rewritten as a job", () =>
    Effect.gen(function*() {
      const verdict = yield* verifyAfter((entries) =>
        entries.map((e) => e.index === 3 ? { ...e, actor: { kind: "job", id: "core" } } : e)
      )
      assert.deepStrictEqual([verdict.ok, verdict.brokenAt, verdict.reason], [false, 3, "changed"])
    }))

  it.effect("an entry removed", () =>
    Effect.gen(function*() {
      const verdict = yield* verifyAfter((entries) => entries.filter((e) => e.index !== 2))
      assert.deepStrictEqual([verdict.ok, verdict.brokenAt, verdict.reason], [false, 2, "removed"])
    }))

  it.effect("entries reordered", () =>
    Effect.gen(function*() {
      const verdict = yield* verifyAfter((entries) => [entries[0]!, entries[2]!, entries[1]!, ...entries.slice(3)])
      assert.deepStrictEqual([verdict.ok, verdict.brokenAt, verdict.reason], [false, 2, "reordered"])
    }))

  it.effect("the newest entries cut off: found against the head the account kept", () =>
    Effect.gen(function*() {
      const account = yield* syncedAccount
      const log = yield* AccessLog
      const kept = (yield* log.verify(account)).head
      yield* (yield* AccessLogTamper).rewrite(account, (entries) => entries.slice(0, 2))
      assert.isTrue((yield* log.verify(account)).ok, "a bare chain cannot tell")
      const verdict = yield* log.verify(account, { anchor: kept })
      assert.deepStrictEqual([verdict.ok, verdict.brokenAt, verdict.reason], [false, 3, "truncated"])
    }).pipe(Effect.provide(Custos)))
})
