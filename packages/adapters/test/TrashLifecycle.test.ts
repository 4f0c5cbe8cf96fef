/**
 * Trash behaviour that only shows under concurrency, tested on the reference memory stores: two sweepers at once,
 * and emptying the trash while something else is being trashed.
 */
import { assert, describe, it } from "@effect/vitest"
import { layerEphemeralKeys } from "@custos/adapters/keys/EphemeralKeys"
import { layerMemoryStores } from "@custos/adapters/memory/MemoryStores"
import { layerRecordStoreMemory } from "@custos/adapters/memory/RecordStoreMemory"
import { AccountId, RecordId } from "@custos/core/domain/Ids"
import { Version } from "@custos/core/domain/Record"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { AccountService } from "@custos/core/services/AccountService"
import { layerCoreServices } from "@custos/core/services/CoreServices"
import { TrashService } from "@custos/core/services/TrashService"
import { TrashSweeper } from "@custos/core/services/TrashSweeper"
import { Effect, Layer, TestClock } from "effect"

const alice = AccountId.make("acc_alice")
const thirtyDays = 30 * 24 * 60 * 60 * 1000

const trashedRecord = (id: string, deleteBy: number) => ({
  accountId: alice,
  app: "notes" as const,
  id: RecordId.make(id),
  version: Version.make(2),
  state: "trashed" as const,
  body: JSON.stringify({ kind: "note", title: id, body: "", private: false }),
  changedAt: 0,
  trashedAt: 0,
  deleteBy,
  size: 60
})

/** The memory RecordStore, yielding before every read and transaction so that concurrent sweepers interleave. */
const interleaving = Layer.effect(
  RecordStore,
  Effect.gen(function*() {
    const inner = yield* RecordStore
    return RecordStore.of({
      ...inner,
      dueForPurge: (before, limit) => Effect.zipRight(Effect.yieldNow(), inner.dueForPurge(before, limit)),
      transact: (accountId, work) => Effect.zipRight(Effect.yieldNow(), inner.transact(accountId, work))
    })
  })
).pipe(Layer.provide(layerRecordStoreMemory))

const Custos = layerCoreServices.pipe(
  Layer.provideMerge(Layer.mergeAll(layerMemoryStores, interleaving, layerEphemeralKeys))
)

describe("trash under concurrency", () => {
  it.effect("two sweepers running at once purge every due record exactly once", () =>
    Effect.gen(function*() {
      yield* (yield* AccountService).create({ region: "DE", id: alice })
      const records = yield* RecordStore
      const ids = Array.from({ length: 300 }, (_, i) => `n${i}`)
      yield* records.transact(alice, (tx) => Effect.forEach(ids, (id) => tx.write(trashedRecord(id, thirtyDays))))
      yield* records.transact(alice, (tx) => tx.write(trashedRecord("not-yet", 10 ** 12)))
      yield* TestClock.adjust(thirtyDays + 1)
      const sweeper = yield* TrashSweeper
      const [a, b] = yield* Effect.all([sweeper.sweep({ batchSize: 7 }), sweeper.sweep({ batchSize: 11 })], {
        concurrency: 2
      })
      assert.strictEqual(a.purged + b.purged, 300)
      assert.isAbove(a.purged, 0, "both sweepers did part of the work")
      assert.isAbove(b.purged, 0, "both sweepers did part of the work")
      const purged = yield* records.list(alice, { state: "purged", limit: 1000 })
      assert.strictEqual(purged.length, 300)
      assert.isTrue(purged.every((r) => r.version === 3 && r.body === undefined), "one purge each, content gone")
      assert.deepStrictEqual((yield* records.list(alice, { state: "trashed", limit: 10 })).map((r) => r.id), ["not-yet"])
      assert.deepStrictEqual(yield* sweeper.sweep(), { purged: 0, extended: 0 }, "sweeping again changes nothing")
    }).pipe(Effect.provide(Custos)))

  it.effect("emptying the trash leaves what was trashed after the request", () => {
    let hook: Effect.Effect<void> = Effect.void
    // A RecordStore that lets the test trash something right after `empty` has taken its snapshot.
    const hooked = Layer.effect(
      RecordStore,
      Effect.gen(function*() {
        const inner = yield* RecordStore
        return RecordStore.of({
          ...inner,
          head: (accountId) =>
            inner.head(accountId).pipe(Effect.tap(() => {
              const run = hook
              hook = Effect.void
              return run
            }))
        })
      })
    ).pipe(Layer.provide(layerRecordStoreMemory))
    const stores = Layer.mergeAll(layerMemoryStores, hooked, layerEphemeralKeys)
    return Effect.gen(function*() {
      yield* (yield* AccountService).create({ region: "DE", id: alice })
      const records = yield* RecordStore
      yield* records.transact(alice, (tx) => Effect.forEach(["a", "b"], (id) => tx.write(trashedRecord(id, 10 ** 12))))
      hook = records.transact(alice, (tx) => tx.write(trashedRecord("late", 10 ** 12))).pipe(Effect.asVoid, Effect.orDie)
      const purged = yield* (yield* TrashService).empty(alice)
      assert.strictEqual(purged, 2)
      assert.deepStrictEqual((yield* records.list(alice, { state: "trashed", limit: 10 })).map((r) => r.id), ["late"])
    }).pipe(Effect.provide(layerCoreServices.pipe(Layer.provideMerge(stores))))
  })
})
