/**
 * The port suite every `AccountKeyStore` adapter must pass (conformance has none for this port yet), after the
 * memory reference (`AccountKeyStoreMemory.ts`): versions are insert-only and come back byte for byte, a re-wrap is
 * a compare-and-set on the master version, `list` pages every live key in (account, version) order, and `destroy`
 * removes every version and leaves a marker, so a destroyed account can never get keys again, even when a `put`
 * races the destruction (DESIGN.md "Encryption at rest", crypto-shredding).
 */
import { AccountId } from "@custos/core/domain/Ids"
import {
  AccountKeyStore,
  AccountKeysDestroyed,
  AccountKeyVersionExists,
  type StoredAccountKey
} from "@custos/core/ports/AccountKeyStore"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, type Layer, Option } from "effect"

/** A wrapped key: 12-byte nonce, 32-byte key, 16-byte tag; `fill` tells keys apart. */
const key = (accountId: string, version: number, masterVersion = 1, fill = version): StoredAccountKey => ({
  accountId: AccountId.make(accountId),
  version,
  wrapped: { masterVersion, sealed: new Uint8Array(60).fill(fill) }
})

const a = AccountId.make("a")

export const accountKeyStoreSuite = <E>(name: string, layer: Layer.Layer<AccountKeyStore, E>) =>
  describe(`AccountKeyStore port suite on ${name}`, () => {
    const run = <A, Err>(effect: Effect.Effect<A, Err, AccountKeyStore>) => Effect.provide(effect, layer)

    it.effect("versions are insert-only and listed ascending; a taken version fails and changes nothing", () =>
      run(Effect.gen(function*() {
        const store = yield* AccountKeyStore
        assert.deepStrictEqual(yield* store.versions(a), [])
        assert.isTrue(Option.isNone(yield* store.get(a, 1)))
        yield* store.put(key("a", 2))
        yield* store.put(key("a", 1))
        assert.deepStrictEqual(yield* store.versions(a), [1, 2])
        const again = yield* Effect.flip(store.put(key("a", 2, 1, 9)))
        assert.instanceOf(again, AccountKeyVersionExists)
        assert.strictEqual(again.code, "account-key-version-exists")
        assert.deepStrictEqual(Option.getOrThrow(yield* store.get(a, 2)), key("a", 2))
        assert.isTrue(Option.isNone(yield* store.get(a, 3)))
        assert.deepStrictEqual(yield* store.versions(AccountId.make("b")), [])
      })))

    it.effect("wrapped bytes come back exactly, every byte value, as a copy the caller may change", () =>
      run(Effect.gen(function*() {
        const store = yield* AccountKeyStore
        const every = Uint8Array.from({ length: 256 }, (_, i) => i)
        const original: StoredAccountKey = { accountId: a, version: 1, wrapped: { masterVersion: 7, sealed: every } }
        yield* store.put(original)
        every.fill(0xff)
        const got = Option.getOrThrow(yield* store.get(a, 1))
        assert.deepStrictEqual(got.wrapped.sealed, Uint8Array.from({ length: 256 }, (_, i) => i))
        assert.strictEqual(got.wrapped.sealed.constructor, Uint8Array)
        assert.strictEqual(got.wrapped.masterVersion, 7)
        got.wrapped.sealed.fill(0xee)
        const listed = yield* store.list({ limit: 10 })
        assert.deepStrictEqual(listed[0]!.wrapped.sealed, Uint8Array.from({ length: 256 }, (_, i) => i))
      })))

    it.effect("concurrent puts of one version: exactly one lands, the others are told it exists", () =>
      run(Effect.gen(function*() {
        const store = yield* AccountKeyStore
        const results = yield* Effect.all(
          Array.from({ length: 8 }, (_, i) => Effect.either(store.put(key("a", 1, 1, i + 1)))),
          { concurrency: "unbounded" }
        )
        const won = results.flatMap((r, i) => Either.isRight(r) ? [i + 1] : [])
        assert.strictEqual(won.length, 1)
        assert.isTrue(results.every((r) => Either.isRight(r) || r.left instanceof AccountKeyVersionExists))
        const stored = Option.getOrThrow(yield* store.get(a, 1))
        assert.deepStrictEqual(stored.wrapped.sealed, new Uint8Array(60).fill(won[0]!))
      })))

    it.effect("a re-wrap replaces a version only from the expected master version", () =>
      run(Effect.gen(function*() {
        const store = yield* AccountKeyStore
        yield* store.put(key("a", 1, 1))
        assert.isFalse(yield* store.rewrap(key("a", 1, 3, 7), 2))
        assert.isTrue(yield* store.rewrap(key("a", 1, 2, 7), 1))
        assert.isFalse(yield* store.rewrap(key("a", 1, 3, 8), 1))
        assert.isFalse(yield* store.rewrap(key("b", 1, 2), 1))
        assert.deepStrictEqual(Option.getOrThrow(yield* store.get(a, 1)), key("a", 1, 2, 7))
        assert.deepStrictEqual(yield* store.versions(AccountId.make("b")), [])
      })))

    it.effect("concurrent re-wraps from the same master version: exactly one wins", () =>
      run(Effect.gen(function*() {
        const store = yield* AccountKeyStore
        yield* store.put(key("a", 1, 1))
        const results = yield* Effect.all(
          Array.from({ length: 6 }, (_, i) => store.rewrap(key("a", 1, 2, 10 + i), 1)),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter(Boolean).length, 1)
        const winner = 10 + results.indexOf(true)
        assert.deepStrictEqual(Option.getOrThrow(yield* store.get(a, 1)), key("a", 1, 2, winner))
      })))

    it.effect("every live key is listed in (account, version) order, ids byte by byte, page by page", () =>
      run(Effect.gen(function*() {
        const store = yield* AccountKeyStore
        const puts: ReadonlyArray<readonly [string, number]> = [
          ["b", 1],
          ["a", 2],
          ["c", 1],
          ["a", 1],
          ["b", 2],
          ["B", 1],
          ["a_1", 1],
          ["a.1", 1],
          ["a", 10]
        ]
        for (const [account, version] of puts) {
          yield* store.put(key(account, version))
        }
        const seen: Array<string> = []
        let after: { accountId: AccountId; version: number } | undefined
        while (true) {
          const page = yield* store.list({ after, limit: 2 })
          seen.push(...page.map((k) => `${k.accountId}/${k.version}`))
          if (page.length < 2) break
          after = { accountId: page[1]!.accountId, version: page[1]!.version }
        }
        assert.deepStrictEqual(seen, ["B/1", "a/1", "a/2", "a/10", "a.1/1", "a_1/1", "b/1", "b/2", "c/1"])
        assert.deepStrictEqual(yield* store.list({ limit: 0 }), [])
        assert.deepStrictEqual(
          (yield* store.list({ after: { accountId: AccountId.make("a"), version: 99 }, limit: 1 })).map((k) =>
            k.accountId
          ),
          ["a.1"]
        )
      })))

    it.effect("destroy removes every version, leaves a marker, and the account refuses keys for good", () =>
      run(Effect.gen(function*() {
        const store = yield* AccountKeyStore
        yield* store.put(key("a", 1))
        yield* store.put(key("a", 2))
        yield* store.put(key("b", 1))
        assert.strictEqual(yield* store.destroy(a), 2)
        assert.strictEqual(yield* store.destroy(a), 0)
        assert.instanceOf(yield* Effect.flip(store.get(a, 1)), AccountKeysDestroyed)
        assert.instanceOf(yield* Effect.flip(store.versions(a)), AccountKeysDestroyed)
        const refused = yield* Effect.flip(store.put(key("a", 3)))
        assert.instanceOf(refused, AccountKeysDestroyed)
        assert.strictEqual(refused.code, "account-keys-destroyed")
        assert.instanceOf(yield* Effect.flip(store.put(key("a", 1))), AccountKeysDestroyed)
        assert.isFalse(yield* store.rewrap(key("a", 1, 2), 1))
        assert.deepStrictEqual((yield* store.list({ limit: 10 })).map((k) => k.accountId), ["b"])
        // An account destroyed before it ever had a key is just as closed.
        const never = AccountId.make("never-had-keys")
        assert.strictEqual(yield* store.destroy(never), 0)
        assert.instanceOf(yield* Effect.flip(store.versions(never)), AccountKeysDestroyed)
        assert.instanceOf(yield* Effect.flip(store.put(key("never-had-keys", 1))), AccountKeysDestroyed)
      })))

    it.effect("a put racing a destroy never leaves a key behind: it landed before and went, or it was refused", () =>
      run(Effect.gen(function*() {
        const store = yield* AccountKeyStore
        yield* store.put(key("a", 1))
        const put = (version: number) => Effect.either(store.put(key("a", version)))
        const [before, destroyed, after] = yield* Effect.all([
          Effect.all(Array.from({ length: 10 }, (_, i) => put(i + 2)), { concurrency: "unbounded" }),
          store.destroy(a),
          Effect.all(Array.from({ length: 10 }, (_, i) => put(i + 12)), { concurrency: "unbounded" })
        ], { concurrency: "unbounded" })
        const putResults = [...before, ...after]
        const landed = putResults.filter(Either.isRight).length
        assert.isTrue(putResults.every((r) => Either.isRight(r) || r.left instanceof AccountKeysDestroyed))
        // Every version that landed was destroyed with the first one.
        assert.strictEqual(destroyed, 1 + landed)
        assert.deepStrictEqual(yield* store.list({ limit: 100 }), [])
        assert.instanceOf(yield* Effect.flip(store.versions(a)), AccountKeysDestroyed)
      })))
  })
