/**
 * The port suite every `DeletedContentStore` adapter must pass (conformance has none for this port yet):
 * fingerprints are remembered per account, remembering twice is harmless, forgetting one leaves the others, and
 * deleting an account's fingerprints counts them.
 */
import { AccountId } from "@custos/core/domain/Ids"
import { DeletedContentStore } from "@custos/core/ports/DeletedContentStore"
import { assert, describe, it } from "@effect/vitest"
import { Effect, type Layer } from "effect"

const alice = AccountId.make("acc_alice")
const bob = AccountId.make("acc_bob")
const fingerprint = (n: number) => n.toString(16).padStart(64, "0")

export const deletedContentStoreSuite = <E>(name: string, layer: Layer.Layer<DeletedContentStore, E>) =>
  describe(`DeletedContentStore port suite on ${name}`, () => {
    const run = <A, Err>(effect: Effect.Effect<A, Err, DeletedContentStore>) => Effect.provide(effect, layer)

    it.effect("a remembered fingerprint is deleted for its account only; remembering it again is harmless", () =>
      run(Effect.gen(function*() {
        const store = yield* DeletedContentStore
        assert.isFalse(yield* store.isDeleted(alice, fingerprint(1)))
        yield* store.remember(alice, fingerprint(1), 1_000)
        yield* store.remember(alice, fingerprint(1), 2 ** 45)
        assert.isTrue(yield* store.isDeleted(alice, fingerprint(1)))
        assert.isFalse(yield* store.isDeleted(bob, fingerprint(1)))
        assert.isFalse(yield* store.isDeleted(alice, fingerprint(2)))
      })))

    it.effect("forgetting one fingerprint leaves the others; forgetting an unknown one changes nothing", () =>
      run(Effect.gen(function*() {
        const store = yield* DeletedContentStore
        yield* store.remember(alice, fingerprint(1), 1_000)
        yield* store.remember(alice, fingerprint(2), 1_000)
        yield* store.forget(alice, fingerprint(1))
        yield* store.forget(alice, fingerprint(3))
        yield* store.forget(bob, fingerprint(2))
        assert.isFalse(yield* store.isDeleted(alice, fingerprint(1)))
        assert.isTrue(yield* store.isDeleted(alice, fingerprint(2)))
      })))

    it.effect("deleting an account's fingerprints counts them and leaves other accounts'", () =>
      run(Effect.gen(function*() {
        const store = yield* DeletedContentStore
        for (const n of [1, 2, 3]) yield* store.remember(alice, fingerprint(n), 1_000)
        yield* store.remember(bob, fingerprint(1), 1_000)
        assert.strictEqual(yield* store.deleteAccount(alice), 3)
        assert.strictEqual(yield* store.deleteAccount(alice), 0)
        assert.isFalse(yield* store.isDeleted(alice, fingerprint(2)))
        assert.isTrue(yield* store.isDeleted(bob, fingerprint(1)))
      })))
  })
