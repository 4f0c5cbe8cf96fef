/**
 * The port suite every `MembershipStore` adapter must pass (conformance has none for this port yet): purchases come
 * back exactly as stored, sealed details untouched, oldest first; a purchase id is unique per account and a second
 * recording changes nothing; deleting removes one account's purchases and says how many.
 */
import { AccountId } from "@custos/core/domain/Ids"
import { PurchaseId, type StoredPurchase } from "@custos/core/domain/Membership"
import { PlanId } from "@custos/core/domain/Plan"
import { MembershipStore } from "@custos/core/ports/MembershipStore"
import { assert, describe, it } from "@effect/vitest"
import { Effect, type Layer } from "effect"

const alice = AccountId.make("acc_alice")
const bob = AccountId.make("acc_bob")

const purchase = (id: string, purchasedAt: number, extra: Partial<StoredPurchase> = {}): StoredPurchase => ({
  id: PurchaseId.make(id),
  accountId: alice,
  planId: PlanId.make("plus"),
  purchasedAt,
  validFrom: purchasedAt,
  validUntil: purchasedAt + 30 * 86_400_000,
  // What core hands over is envelope text; the store must keep it byte for byte.
  details: `v1.aes-128-gcm.1.${id}.c2VhbGVk+/=`,
  ...extra
})

export const membershipStoreSuite = <E>(name: string, layer: Layer.Layer<MembershipStore, E>) =>
  describe(`MembershipStore port suite on ${name}`, () => {
    const run = <A, Err>(effect: Effect.Effect<A, Err, MembershipStore>) => Effect.provide(effect, layer)

    it.effect("purchases are read back as they were given, oldest first, per account", () =>
      run(Effect.gen(function*() {
        const store = yield* MembershipStore
        assert.deepStrictEqual(yield* store.purchases(alice), [])
        const late = purchase("p-late", 3_000, { planId: PlanId.make("premium") })
        const early = purchase("p-early", 1_000)
        const middle = purchase("p-middle", 2_000)
        for (const p of [late, early, middle]) yield* store.addPurchase(p)
        yield* store.addPurchase({ ...purchase("p-bob", 500), accountId: bob })
        assert.deepStrictEqual(yield* store.purchases(alice), [early, middle, late])
        assert.deepStrictEqual((yield* store.purchases(bob)).map((p) => p.id), ["p-bob"])
      })))

    it.effect("times beyond 32 bits, up to the largest safe integer, come back exactly", () =>
      run(Effect.gen(function*() {
        const store = yield* MembershipStore
        const far = purchase("p-far", 2 ** 41 + 1, { validFrom: 2 ** 42 + 3, validUntil: Number.MAX_SAFE_INTEGER })
        yield* store.addPurchase(far)
        assert.deepStrictEqual(yield* store.purchases(alice), [far])
      })))

    it.effect("recording a purchase id again fails with PurchaseExists and changes nothing", () =>
      run(Effect.gen(function*() {
        const store = yield* MembershipStore
        const first = purchase("p-1", 1_000)
        yield* store.addPurchase(first)
        const error = yield* Effect.flip(store.addPurchase(purchase("p-1", 2_000, { planId: PlanId.make("premium") })))
        assert.strictEqual(error._tag, "PurchaseExists")
        assert.strictEqual(error.code, "purchase-exists")
        assert.deepStrictEqual(yield* store.purchases(alice), [first])
        // The same id is someone else's purchase on another account.
        yield* store.addPurchase({ ...purchase("p-1", 1_000), accountId: bob })
        assert.strictEqual((yield* store.purchases(bob)).length, 1)
      })))

    it.effect("concurrent recordings of one purchase id: exactly one lands", () =>
      run(Effect.gen(function*() {
        const store = yield* MembershipStore
        const results = yield* Effect.all(
          Array.from({ length: 8 }, (_, i) => Effect.either(store.addPurchase(purchase("p-retry", 1_000 + i)))),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter((r) => r._tag === "Right").length, 1)
        assert.isTrue(results.every((r) => r._tag === "Right" || r.left._tag === "PurchaseExists"))
        assert.strictEqual((yield* store.purchases(alice)).length, 1)
      })))

    it.effect("deleting removes one account's purchases and counts them; again, nothing is left", () =>
      run(Effect.gen(function*() {
        const store = yield* MembershipStore
        yield* store.addPurchase(purchase("p-1", 1_000))
        yield* store.addPurchase(purchase("p-2", 2_000))
        yield* store.addPurchase({ ...purchase("p-1", 1_000), accountId: bob })
        assert.strictEqual(yield* store.deletePurchases(alice), 2)
        assert.strictEqual(yield* store.deletePurchases(alice), 0)
        assert.deepStrictEqual(yield* store.purchases(alice), [])
        assert.strictEqual((yield* store.purchases(bob)).length, 1)
        // A deleted id can be recorded again.
        yield* store.addPurchase(purchase("p-1", 5_000))
        assert.deepStrictEqual((yield* store.purchases(alice)).map((p) => p.purchasedAt), [5_000])
      })))
  })
