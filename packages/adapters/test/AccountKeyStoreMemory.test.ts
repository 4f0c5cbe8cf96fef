/**
 * Tests of the in-memory `AccountKeyStore`: versions are insert-only, a re-wrap replaces a version only from the
 * master version the caller expects, listing pages in (account, version) order, and `destroy` removes every
 * version and leaves the account refusing keys for good (DESIGN.md "Encryption at rest", crypto-shredding).
 */
import { makeAccountKeyStoreMemory } from "@custos/adapters/memory/AccountKeyStoreMemory"
import { AccountId } from "@custos/core/domain/Ids"
import {
  AccountKeysDestroyed,
  AccountKeyVersionExists,
  type StoredAccountKey
} from "@custos/core/ports/AccountKeyStore"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"

const key = (accountId: string, version: number, masterVersion = 1, fill = version): StoredAccountKey => ({
  accountId: AccountId.make(accountId),
  version,
  wrapped: { masterVersion, sealed: new Uint8Array(60).fill(fill) }
})

describe("AccountKeyStoreMemory", () => {
  it.effect("stores versions insert-only and lists them ascending", () =>
    Effect.gen(function*() {
      const store = yield* makeAccountKeyStoreMemory
      const a = AccountId.make("a")
      assert.deepStrictEqual(yield* store.versions(a), [])
      yield* store.put(key("a", 2))
      yield* store.put(key("a", 1))
      assert.deepStrictEqual(yield* store.versions(a), [1, 2])
      const again = yield* Effect.flip(store.put(key("a", 2, 1, 9)))
      assert.instanceOf(again, AccountKeyVersionExists)
      assert.strictEqual(again.code, "account-key-version-exists")
      const stored = Option.getOrThrow(yield* store.get(a, 2))
      assert.deepStrictEqual(stored.wrapped.sealed, new Uint8Array(60).fill(2))
      assert.isTrue(Option.isNone(yield* store.get(a, 3)))
    }))

  it.effect("hands out copies: changing returned bytes changes nothing stored", () =>
    Effect.gen(function*() {
      const store = yield* makeAccountKeyStoreMemory
      const original = key("a", 1)
      yield* store.put(original)
      original.wrapped.sealed.fill(0xff)
      const got = Option.getOrThrow(yield* store.get(AccountId.make("a"), 1))
      got.wrapped.sealed.fill(0xee)
      const stored = Option.getOrThrow(yield* store.get(AccountId.make("a"), 1))
      assert.deepStrictEqual(stored.wrapped.sealed, new Uint8Array(60).fill(1))
    }))

  it.effect("re-wraps only from the expected master version", () =>
    Effect.gen(function*() {
      const store = yield* makeAccountKeyStoreMemory
      yield* store.put(key("a", 1, 1))
      assert.isFalse(yield* store.rewrap(key("a", 1, 3, 7), 2))
      assert.isTrue(yield* store.rewrap(key("a", 1, 2, 7), 1))
      assert.isFalse(yield* store.rewrap(key("a", 1, 3, 8), 1))
      assert.isFalse(yield* store.rewrap(key("b", 1, 2), 1))
      assert.strictEqual(Option.getOrThrow(yield* store.get(AccountId.make("a"), 1)).wrapped.masterVersion, 2)
    }))

  it.effect("lists every live key in (account, version) order, page by page", () =>
    Effect.gen(function*() {
      const store = yield* makeAccountKeyStoreMemory
      for (const [account, version] of [["b", 1], ["a", 2], ["c", 1], ["a", 1], ["b", 2]] as const) {
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
      assert.deepStrictEqual(seen, ["a/1", "a/2", "b/1", "b/2", "c/1"])
    }))

  it.effect("destroy removes every version and the account refuses keys afterwards", () =>
    Effect.gen(function*() {
      const store = yield* makeAccountKeyStoreMemory
      const a = AccountId.make("a")
      yield* store.put(key("a", 1))
      yield* store.put(key("a", 2))
      yield* store.put(key("b", 1))
      assert.strictEqual(yield* store.destroy(a), 2)
      assert.strictEqual(yield* store.destroy(a), 0)
      assert.instanceOf(yield* Effect.flip(store.get(a, 1)), AccountKeysDestroyed)
      assert.instanceOf(yield* Effect.flip(store.versions(a)), AccountKeysDestroyed)
      assert.instanceOf(yield* Effect.flip(store.put(key("a", 3))), AccountKeysDestroyed)
      assert.isFalse(yield* store.rewrap(key("a", 1, 2), 1))
      assert.deepStrictEqual((yield* store.list({ limit: 10 })).map((k) => k.accountId), ["b"])
      const never = AccountId.make("never-had-keys")
      assert.strictEqual(yield* store.destroy(never), 0)
      assert.instanceOf(yield* Effect.flip(store.versions(never)), AccountKeysDestroyed)
    }))
})
