/**
 * The port suite every `AccessLogStore` adapter must pass (§4.1.5, DESIGN.md "Encryption at rest": the access log).
 * Entries are built with the real chain (`chainEntry`) and every log is verified at the end, so a store that loses,
 * reorders or alters an entry fails here.
 */
import { assert, describe, it } from "@effect/vitest"
import { type AccessDraft, type AccessEntry, chainEntry, verifyChain } from "@custos/core/domain/AccessLog"
import { AccountId, RecordId } from "@custos/core/domain/Ids"
import { AccessLogStore } from "@custos/core/ports/AccessLogStore"
import { StoreError } from "@custos/core/ports/StoreError"
import { Effect, type Layer, Option } from "effect"
import { createHash } from "node:crypto"

const sha256 = (data: Uint8Array) => Effect.sync(() => new Uint8Array(createHash("sha256").update(data).digest()))

const alice = AccountId.make("acc_alice")
const bob = AccountId.make("acc_bob")

const draft = (accountId: AccountId, n: number, ids = [`r${n}`]): AccessDraft => ({
  accountId,
  at: 1_700_000_000_000 + n,
  actor: { kind: n % 3 === 0 ? "job" : "device", id: n % 3 === 0 ? "core" : "phone" },
  purpose: n % 2 === 0 ? "trash-list" : "sync-pull",
  app: n % 5 === 0 ? "membership" : "notes",
  recordIds: ids.map((id) => RecordId.make(id))
})

export const accessLogStoreSuite = <E>(name: string, layer: Layer.Layer<AccessLogStore, E>) =>
  describe(`AccessLogStore port suite on ${name}`, () => {
    const run = <A, Err>(effect: Effect.Effect<A, Err, AccessLogStore>) => Effect.provide(effect, layer)

    /** Appends the next entry of `accountId` the way the access log does. */
    const append = (accountId: AccountId, n: number, ids?: Array<string>) =>
      Effect.flatMap(AccessLogStore, (store) =>
        store.append(accountId, (last) => chainEntry(draft(accountId, n, ids), last, sha256)))

    const all = (accountId: AccountId) =>
      Effect.flatMap(AccessLogStore, (store) => store.list(accountId, { limit: 10_000 }))

    const verifies = (accountId: AccountId, entries: number) =>
      Effect.gen(function*() {
        const verdict = yield* verifyChain(yield* all(accountId), sha256, { accountId })
        assert.isTrue(verdict.ok, `${accountId}: ${verdict.detail}`)
        assert.strictEqual(verdict.entries, entries)
      })

    it.effect("an empty log lists nothing; each append sees the newest entry and gets the next index", () =>
      run(Effect.gen(function*() {
        const store = yield* AccessLogStore
        assert.deepStrictEqual(yield* store.list(alice, { limit: 10 }), [])
        const seen: Array<Option.Option<{ index: number; hash: string }>> = []
        const written: Array<AccessEntry> = []
        for (let n = 1; n <= 3; n++) {
          written.push(yield* store.append(alice, (last) => {
            seen.push(last)
            return chainEntry(draft(alice, n), last, sha256)
          }))
        }
        assert.deepStrictEqual(written.map((e) => e.index), [1, 2, 3])
        assert.deepStrictEqual(seen, [
          Option.none(),
          Option.some({ index: 1, hash: written[0]!.hash }),
          Option.some({ index: 2, hash: written[1]!.hash })
        ])
        yield* verifies(alice, 3)
      })))

    it.effect("entries read back exactly as built, oldest first, in pages after an index", () =>
      run(Effect.gen(function*() {
        const store = yield* AccessLogStore
        const written: Array<AccessEntry> = []
        for (let n = 1; n <= 7; n++) {
          written.push(yield* append(alice, n, n === 4 ? [] : n === 5 ? ["p-1", "p-2", "a:b.c_d-e"] : undefined))
        }
        assert.deepStrictEqual(yield* all(alice), written)
        assert.deepStrictEqual(yield* store.list(alice, { limit: 3 }), written.slice(0, 3))
        assert.deepStrictEqual(yield* store.list(alice, { after: 3, limit: 3 }), written.slice(3, 6))
        assert.deepStrictEqual(yield* store.list(alice, { after: 6, limit: 3 }), written.slice(6))
        assert.deepStrictEqual(yield* store.list(alice, { after: 7, limit: 3 }), [])
        const many = Array.from({ length: 1000 }, (_, i) => `id-${i}`)
        const big = yield* append(alice, 8, many)
        assert.deepStrictEqual((yield* store.list(alice, { after: 7, limit: 1 }))[0], big, "a 1000-record batch")
        yield* verifies(alice, 8)
      })))

    it.effect("a failed build stores nothing, and the chain goes on from where it was", () =>
      run(Effect.gen(function*() {
        const store = yield* AccessLogStore
        yield* append(alice, 1)
        const error = yield* Effect.flip(store.append(alice, () => Effect.fail("refused" as const)))
        assert.strictEqual(error, "refused")
        assert.strictEqual((yield* all(alice)).length, 1)
        assert.strictEqual((yield* append(alice, 2)).index, 2)
        yield* verifies(alice, 2)
      })))

    it.effect("an entry that does not continue the account's chain is refused with StoreError, and nothing is stored", () =>
      run(Effect.gen(function*() {
        const store = yield* AccessLogStore
        const first = yield* append(alice, 1)
        const skip = yield* Effect.flip(store.append(alice, () => Effect.succeed({ ...first, index: 3 })))
        assert.instanceOf(skip, StoreError)
        const repeat = yield* Effect.flip(store.append(alice, () => Effect.succeed(first)))
        assert.instanceOf(repeat, StoreError)
        const foreign = yield* Effect.flip(store.append(alice, (last) =>
          chainEntry(draft(bob, 2), last, sha256)
        ))
        assert.instanceOf(foreign, StoreError)
        assert.deepStrictEqual(yield* all(alice), [first])
        assert.deepStrictEqual(yield* all(bob), [])
      })))

    it.effect("concurrent appends of one account are serialized: no index or link is shared", () =>
      run(Effect.gen(function*() {
        const store = yield* AccessLogStore
        yield* Effect.all(
          Array.from({ length: 20 }, (_, i) =>
            store.append(alice, (last) =>
              Effect.yieldNow().pipe(Effect.zipRight(chainEntry(draft(alice, i + 1), last, sha256))))),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual((yield* all(alice)).map((e) => e.index), Array.from({ length: 20 }, (_, i) => i + 1))
        yield* verifies(alice, 20)
      })))

    it.effect("every account has its own log and chain", () =>
      run(Effect.gen(function*() {
        yield* append(alice, 1)
        yield* append(alice, 2)
        const bobs = yield* append(bob, 1)
        assert.strictEqual(bobs.index, 1)
        assert.deepStrictEqual(yield* all(bob), [bobs])
        assert.isTrue((yield* all(alice)).every((e) => e.accountId === alice))
        yield* verifies(alice, 2)
        yield* verifies(bob, 1)
      })))

    it.effect("deleting an account removes its whole log and no other; a new log starts again at 1", () =>
      run(Effect.gen(function*() {
        const store = yield* AccessLogStore
        yield* append(alice, 1)
        yield* append(alice, 2)
        yield* append(bob, 1)
        assert.strictEqual(yield* store.deleteAccount(alice), 2)
        assert.deepStrictEqual(yield* all(alice), [])
        assert.strictEqual((yield* all(bob)).length, 1)
        assert.strictEqual(yield* store.deleteAccount(alice), 0, "deleting again changes nothing")
        assert.strictEqual((yield* append(alice, 3)).index, 1)
        yield* verifies(alice, 1)
      })))
  })
