/**
 * The port suite every `RecordStore` adapter must pass: the semantics the sync engine relies on (seq order, atomic
 * transactions, per-account serialization, the mutation log, compaction and the horizon).
 */
import { assert, describe, it } from "@effect/vitest"
import type { App } from "@custos/core/domain/App"
import { AccountId, DeviceId, MutationId, RecordId } from "@custos/core/domain/Ids"
import type { Applied } from "@custos/core/domain/Mutation"
import { type RecordWrite, Seq, Version } from "@custos/core/domain/Record"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { Effect, Layer, Option } from "effect"

const alice = AccountId.make("acc_alice")
const bob = AccountId.make("acc_bob")

const rec = (app: App, id: string, version: number, extra: Partial<RecordWrite> = {}): RecordWrite => ({
  accountId: alice,
  app,
  id: RecordId.make(id),
  version: Version.make(version),
  state: "active",
  body: JSON.stringify({ id, version }),
  changedAt: 1_000,
  changedBy: DeviceId.make("phone"),
  size: 20,
  ...extra
})

const appliedOutcome = (id: string, seq: number): Applied => ({
  _tag: "applied",
  mutationId: MutationId.make(`m-${id}`),
  recordId: RecordId.make(id),
  version: Version.make(1),
  seq: Seq.make(seq),
  state: "active"
})

export const recordStoreSuite = <E>(name: string, layer: Layer.Layer<RecordStore, E>) =>
  describe(`RecordStore port suite on ${name}`, () => {
    const run = <A, Err>(effect: Effect.Effect<A, Err, RecordStore>) => Effect.provide(effect, layer)

    it.effect("writes take increasing seq numbers and move the head", () =>
      run(Effect.gen(function*() {
        const store = yield* RecordStore
        assert.strictEqual(yield* store.head(alice), 0)
        const [a, b] = yield* store.transact(alice, (tx) =>
          Effect.all([tx.write(rec("notes", "n1", 1)), tx.write(rec("notes", "n2", 1))]))
        const c = yield* store.transact(alice, (tx) => tx.write(rec("notes", "n1", 2)))
        assert.deepStrictEqual([a.seq, b.seq, c.seq], [1, 2, 3])
        assert.strictEqual(yield* store.head(alice), 3)
        const got = yield* store.get(alice, "notes", RecordId.make("n1"))
        assert.strictEqual(Option.getOrThrow(got).version, 2)
        assert.strictEqual(Option.getOrThrow(got).seq, 3)
      })))

    it.effect("accounts have their own sequence and never see each other's records", () =>
      run(Effect.gen(function*() {
        const store = yield* RecordStore
        yield* store.transact(alice, (tx) => tx.write(rec("notes", "n1", 1)))
        const forBob = yield* store.transact(bob, (tx) => tx.write({ ...rec("notes", "n1", 1), accountId: bob }))
        assert.strictEqual(forBob.seq, 1)
        assert.strictEqual(forBob.accountId, bob)
        assert.isTrue(Option.isNone(yield* store.get(bob, "notes", RecordId.make("missing"))))
        const bobs = yield* store.changes(bob, { app: "notes", afterSeq: 0, limit: 10 })
        assert.deepStrictEqual(bobs.map((r) => r.accountId), [bob])
      })))

    it.effect("a failed transaction leaves nothing behind: no record, no seq, no remembered mutation", () =>
      run(Effect.gen(function*() {
        const store = yield* RecordStore
        const result = yield* store.transact(alice, (tx) =>
          Effect.gen(function*() {
            yield* tx.write(rec("notes", "n1", 1))
            yield* tx.rememberMutation(
              { mutationId: MutationId.make("m-n1"), app: "notes", recordId: RecordId.make("n1"), op: "put", outcome: appliedOutcome("n1", 1) },
              1_000
            )
            return yield* Effect.fail("boom" as const)
          })).pipe(Effect.flip)
        assert.strictEqual(result, "boom")
        assert.strictEqual(yield* store.head(alice), 0)
        assert.isTrue(Option.isNone(yield* store.get(alice, "notes", RecordId.make("n1"))))
        const recalled = yield* store.transact(alice, (tx) => tx.recallMutation(MutationId.make("m-n1")))
        assert.isTrue(Option.isNone(recalled))
        const next = yield* store.transact(alice, (tx) => tx.write(rec("notes", "n2", 1)))
        assert.strictEqual(next.seq, 1)
      })))

    it.effect("reads inside a transaction see its own writes", () =>
      run(Effect.gen(function*() {
        const store = yield* RecordStore
        const seen = yield* store.transact(alice, (tx) =>
          Effect.gen(function*() {
            yield* tx.write(rec("notes", "n1", 1))
            yield* tx.write(rec("notes", "n1", 2))
            return yield* tx.get("notes", RecordId.make("n1"))
          }))
        assert.strictEqual(Option.getOrThrow(seen).version, 2)
        const page = yield* store.changes(alice, { app: "notes", afterSeq: 0, limit: 10 })
        assert.deepStrictEqual(page.map((r) => [r.id, r.version, r.seq]), [["n1", 2, 2]])
      })))

    it.effect("changes give the latest state of each record of the app after a seq, ascending, up to a limit", () =>
      run(Effect.gen(function*() {
        const store = yield* RecordStore
        for (const [app, id, v] of [
          ["notes", "a", 1],
          ["contacts", "c", 1],
          ["notes", "b", 1],
          ["notes", "a", 2],
          ["notes", "d", 1],
          ["notes", "b", 2]
        ] as const) {
          yield* store.transact(alice, (tx) => tx.write(rec(app, id, v)))
        }
        const all = yield* store.changes(alice, { app: "notes", afterSeq: 0, limit: 10 })
        assert.deepStrictEqual(all.map((r) => [r.id, r.version, r.seq]), [["a", 2, 4], ["d", 1, 5], ["b", 2, 6]])
        const page = yield* store.changes(alice, { app: "notes", afterSeq: 0, limit: 2 })
        assert.deepStrictEqual(page.map((r) => r.id), ["a", "d"])
        const after = yield* store.changes(alice, { app: "notes", afterSeq: 4, limit: 10 })
        assert.deepStrictEqual(after.map((r) => r.id), ["d", "b"])
        const contacts = yield* store.changes(alice, { app: "contacts", afterSeq: 0, limit: 10 })
        assert.deepStrictEqual(contacts.map((r) => r.id), ["c"])
      })))

    it.effect("transactions of one account run one at a time: concurrent read-modify-writes lose nothing", () =>
      run(Effect.gen(function*() {
        const store = yield* RecordStore
        const id = RecordId.make("counter")
        const increment = store.transact(alice, (tx) =>
          Effect.gen(function*() {
            const current = yield* tx.get("notes", id)
            const version = Option.match(current, { onNone: () => 1, onSome: (r) => r.version + 1 })
            yield* Effect.yieldNow()
            yield* tx.write(rec("notes", "counter", version))
          }))
        yield* Effect.all(Array.from({ length: 25 }, () => increment), { concurrency: "unbounded" })
        const final = Option.getOrThrow(yield* store.get(alice, "notes", id))
        assert.strictEqual(final.version, 25)
        assert.strictEqual(final.seq, 25)
        assert.strictEqual(yield* store.head(alice), 25)
      })))

    it.effect("remembered mutations are recalled by id", () =>
      run(Effect.gen(function*() {
        const store = yield* RecordStore
        const remembered = {
          mutationId: MutationId.make("m-n1"),
          app: "notes" as const,
          recordId: RecordId.make("n1"),
          op: "put" as const,
          outcome: appliedOutcome("n1", 1)
        }
        yield* store.transact(alice, (tx) =>
          tx.write(rec("notes", "n1", 1)).pipe(Effect.zipRight(tx.rememberMutation(remembered, 1_000))))
        const recalled = yield* store.transact(alice, (tx) => tx.recallMutation(MutationId.make("m-n1")))
        assert.deepStrictEqual(Option.getOrThrow(recalled), remembered)
        const elsewhere = yield* store.transact(bob, (tx) => tx.recallMutation(MutationId.make("m-n1")))
        assert.isTrue(Option.isNone(elsewhere))
      })))

    it.effect("getMany and recallMutations answer for many ids at once, own writes included, in the account", () =>
      run(Effect.gen(function*() {
        const store = yield* RecordStore
        const remembered = (id: string, seq: number) => ({
          mutationId: MutationId.make(`m-${id}`),
          app: "notes" as const,
          recordId: RecordId.make(id),
          op: "put" as const,
          outcome: appliedOutcome(id, seq)
        })
        yield* store.transact(alice, (tx) =>
          Effect.gen(function*() {
            yield* tx.write(rec("notes", "n1", 1))
            yield* tx.write(rec("notes", "n2", 1))
            yield* tx.write(rec("contacts", "c1", 1))
            yield* tx.rememberMutation(remembered("n1", 1), 1_000)
          }))
        yield* store.transact(bob, (tx) =>
          Effect.gen(function*() {
            yield* tx.write({ ...rec("notes", "n3", 1), accountId: bob })
            yield* tx.rememberMutation(remembered("n3", 1), 1_000)
          }))
        const ids = ["n1", "n2", "n3", "c1", "missing"].map((id) => RecordId.make(id))
        const mutationIds = ["m-n1", "m-n2", "m-n3", "m-none"].map((id) => MutationId.make(id))
        const inside = yield* store.transact(alice, (tx) =>
          Effect.gen(function*() {
            yield* tx.write(rec("notes", "n2", 2))
            yield* tx.rememberMutation(remembered("n2", 4), 1_000)
            return {
              records: yield* tx.getMany("notes", ids),
              mutations: yield* tx.recallMutations(mutationIds),
              none: yield* tx.getMany("notes", []),
              noMutations: yield* tx.recallMutations([])
            }
          }))
        assert.deepStrictEqual([...inside.records.keys()].sort(), ["n1", "n2"])
        assert.deepStrictEqual(inside.records.get(RecordId.make("n2"))!.version, 2)
        assert.deepStrictEqual(inside.records.get(RecordId.make("n1")), Option.getOrThrow(
          yield* store.get(alice, "notes", RecordId.make("n1"))
        ))
        assert.deepStrictEqual([...inside.mutations.keys()].sort(), ["m-n1", "m-n2"])
        assert.deepStrictEqual(inside.mutations.get(MutationId.make("m-n1")), remembered("n1", 1))
        assert.strictEqual(inside.none.size, 0)
        assert.strictEqual(inside.noMutations.size, 0)
        // What the transaction wrote committed as it read.
        const after = yield* store.transact(alice, (tx) => tx.getMany("notes", ids))
        assert.deepStrictEqual([...after.values()].map((r) => [r.id, r.version, r.seq]).sort(), [
          ["n1", 1, 1],
          ["n2", 2, 4]
        ])
      })))

    it.effect("getMany and recallMutations answer for a whole batch of 1,200 ids with duplicates", () =>
      run(Effect.gen(function*() {
        const store = yield* RecordStore
        const ids = Array.from({ length: 600 }, (_, i) => RecordId.make(`r${i}`))
        yield* store.transact(alice, (tx) =>
          Effect.forEach(ids.filter((_, i) => i % 3 === 0), (id) =>
            tx.write(rec("notes", id, 1)).pipe(Effect.zipRight(tx.rememberMutation({
              mutationId: MutationId.make(`m-${id}`),
              app: "notes",
              recordId: id,
              op: "put",
              outcome: appliedOutcome(id, 1)
            }, 1_000))), { discard: true }))
        const { mutations, records } = yield* store.transact(alice, (tx) =>
          Effect.all({
            records: tx.getMany("notes", [...ids, ...ids]),
            mutations: tx.recallMutations([...ids, ...ids].map((id) => MutationId.make(`m-${id}`)))
          }))
        assert.strictEqual(records.size, 200)
        assert.isTrue([...records.keys()].every((id) => Number(id.slice(1)) % 3 === 0))
        assert.strictEqual(mutations.size, 200)
        assert.isTrue([...mutations.values()].every((m) => records.has(m.recordId)))
      })))

    it.effect("records are listed by state and app in seq order, page by page", () =>
      run(Effect.gen(function*() {
        const store = yield* RecordStore
        yield* store.transact(alice, (tx) =>
          Effect.all([
            tx.write(rec("notes", "t1", 2, { state: "trashed", trashedAt: 500, deleteBy: 9_000 })),
            tx.write(rec("notes", "a1", 1)),
            tx.write(rec("contacts", "t2", 2, { state: "trashed", trashedAt: 600, deleteBy: 8_000 })),
            tx.write(rec("notes", "t3", 2, { state: "trashed", trashedAt: 700, deleteBy: 7_000 }))
          ]))
        const trashed = yield* store.list(alice, { state: "trashed", limit: 10 })
        assert.deepStrictEqual(trashed.map((r) => r.id), ["t1", "t2", "t3"])
        assert.deepStrictEqual(trashed.map((r) => r.deleteBy), [9_000, 8_000, 7_000])
        const notes = yield* store.list(alice, { app: "notes", state: "trashed", limit: 10 })
        assert.deepStrictEqual(notes.map((r) => r.id), ["t1", "t3"])
        const page = yield* store.list(alice, { state: "trashed", afterSeq: trashed[0]!.seq, limit: 1 })
        assert.deepStrictEqual(page.map((r) => r.id), ["t2"])
        assert.deepStrictEqual((yield* store.list(bob, { state: "trashed", limit: 10 })).length, 0)
      })))

    it.effect("records due for purge are found across accounts, oldest receipt first", () =>
      run(Effect.gen(function*() {
        const store = yield* RecordStore
        yield* store.transact(alice, (tx) =>
          Effect.all([
            tx.write(rec("notes", "late", 2, { state: "trashed", trashedAt: 1, deleteBy: 5_000 })),
            tx.write(rec("notes", "early", 2, { state: "trashed", trashedAt: 1, deleteBy: 1_000 })),
            tx.write(rec("notes", "live", 1))
          ]))
        yield* store.transact(bob, (tx) =>
          tx.write({ ...rec("gallery", "mid", 2, { state: "trashed", trashedAt: 1, deleteBy: 2_000 }), accountId: bob }))
        const due = yield* store.dueForPurge(5_000, 10)
        assert.deepStrictEqual(due.map((d) => [d.accountId, d.app, d.id]), [
          [alice, "notes", "early"],
          [bob, "gallery", "mid"],
          [alice, "notes", "late"]
        ])
        assert.deepStrictEqual((yield* store.dueForPurge(2_000, 10)).map((d) => d.id), ["early", "mid"])
        assert.deepStrictEqual((yield* store.dueForPurge(5_000, 1)).map((d) => d.id), ["early"])
      })))

    it.effect("referencing and referencedBlobs answer from active and trashed records of the account only", () =>
      run(Effect.gen(function*() {
        const store = yield* RecordStore
        yield* store.transact(alice, (tx) =>
          Effect.all([
            tx.write(rec("gallery", "g1", 1, { blobs: ["photo_1", "thumb.1"] })),
            tx.write(rec("gallery", "g2", 1, { state: "trashed", trashedAt: 1, deleteBy: 2, blobs: ["photo_1"] })),
            tx.write(rec("gallery", "g3", 2, { state: "purged", body: undefined, size: 0, blobs: ["photo_1"] })),
            // `_` matches any one character in SQL's LIKE, and LIKE ignores case in SQLite: neither may match.
            tx.write(rec("gallery", "g4", 1, { blobs: ["photoX1", "PHOTO_1", "photo_10"] })),
            tx.write(rec("recordings", "r1", 1, { blobs: ["photo_1"] }))
          ]))
        yield* store.transact(bob, (tx) => tx.write({ ...rec("gallery", "g1", 1, { blobs: ["photo_1"] }), accountId: bob }))
        const named = yield* store.referencing(alice, "photo_1")
        assert.deepStrictEqual(named.map((r) => [r.accountId, r.app, r.id]), [
          [alice, "gallery", "g1"],
          [alice, "gallery", "g2"],
          [alice, "recordings", "r1"]
        ])
        assert.deepStrictEqual((yield* store.referencing(alice, "thumb.1")).map((r) => r.id), ["g1"])
        assert.deepStrictEqual(yield* store.referencing(alice, "none"), [])
        assert.deepStrictEqual((yield* store.referencing(bob, "photo_1")).map((r) => r.accountId), [bob])
        // Every blob id named by an active or trashed record of the account, none of a tombstone or of another account.
        assert.deepStrictEqual(
          [...(yield* store.referencedBlobs(alice))].sort(),
          ["PHOTO_1", "photoX1", "photo_1", "photo_10", "thumb.1"]
        )
        yield* store.transact(alice, (tx) =>
          tx.write(rec("gallery", "g4", 2, { state: "purged", body: undefined, size: 0, blobs: ["gone"] })))
        assert.deepStrictEqual([...(yield* store.referencedBlobs(alice))].sort(), ["photo_1", "thumb.1"])
        assert.deepStrictEqual([...(yield* store.referencedBlobs(bob))], ["photo_1"])
        assert.deepStrictEqual([...(yield* store.referencedBlobs(AccountId.make("acc_nobody")))], [])
      })))

    it.effect("usage adds up active and trashed records, not tombstones", () =>
      run(Effect.gen(function*() {
        const store = yield* RecordStore
        yield* store.transact(alice, (tx) =>
          Effect.all([
            tx.write(rec("notes", "a", 1, { size: 100 })),
            tx.write(rec("notes", "t", 2, { state: "trashed", trashedAt: 1, deleteBy: 2, size: 50 })),
            tx.write(rec("notes", "p", 2, { state: "purged", body: undefined, size: 0 }))
          ]))
        assert.deepStrictEqual(yield* store.usage(alice), { records: 2, bytes: 150 })
        assert.deepStrictEqual(yield* store.usage(bob), { records: 0, bytes: 0 })
      })))

    it.effect("compaction removes old tombstones and mutations only, and raises the horizon", () =>
      run(Effect.gen(function*() {
        const store = yield* RecordStore
        yield* store.transact(alice, (tx) =>
          Effect.all([
            tx.write(rec("notes", "old-gone", 1, { state: "purged", body: undefined, changedAt: 100 })),
            tx.write(rec("notes", "old-live", 1, { changedAt: 100 })),
            tx.write(rec("notes", "new-gone", 1, { state: "purged", body: undefined, changedAt: 5_000 }))
          ]).pipe(Effect.zipRight(tx.rememberMutation(
            { mutationId: MutationId.make("m-old"), app: "notes", recordId: RecordId.make("old-live"), op: "put", outcome: appliedOutcome("old-live", 2) },
            100
          ))))
        assert.strictEqual(yield* store.horizon(alice), 0)
        const removed = yield* store.compact(alice, 1_000)
        assert.strictEqual(removed, 1)
        assert.strictEqual(yield* store.horizon(alice), 1)
        const left = yield* store.changes(alice, { app: "notes", afterSeq: 0, limit: 10 })
        assert.deepStrictEqual(left.map((r) => r.id), ["old-live", "new-gone"])
        const recalled = yield* store.transact(alice, (tx) => tx.recallMutation(MutationId.make("m-old")))
        assert.isTrue(Option.isNone(recalled))
        assert.strictEqual(yield* store.compact(alice, 1_000), 0)
        assert.strictEqual(yield* store.head(alice), 3)
      })))
  })
