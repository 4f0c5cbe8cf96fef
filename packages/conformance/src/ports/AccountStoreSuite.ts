/**
 * The port suite every `AccountStore` adapter must pass.
 */
import { assert, describe, it } from "@effect/vitest"
import { Region } from "@custos/core/domain/Account"
import { AccountId } from "@custos/core/domain/Ids"
import { AccountStore } from "@custos/core/ports/AccountStore"
import { Effect, type Layer, Option } from "effect"

const account = (id: string, region = "DE", createdAt = 1_000) => ({
  id: AccountId.make(id),
  region: Region.make(region),
  createdAt
})

export const accountStoreSuite = <E>(name: string, layer: Layer.Layer<AccountStore, E>) =>
  describe(`AccountStore port suite on ${name}`, () => {
    const run = <A, Err>(effect: Effect.Effect<A, Err, AccountStore>) => Effect.provide(effect, layer)

    it.effect("a created account can be read back as it was given", () =>
      run(Effect.gen(function*() {
        const store = yield* AccountStore
        yield* store.create(account("acc_1", "IN", 42))
        assert.deepStrictEqual(Option.getOrThrow(yield* store.get(AccountId.make("acc_1"))), account("acc_1", "IN", 42))
        assert.isTrue(Option.isNone(yield* store.get(AccountId.make("acc_missing"))))
      })))

    it.effect("creating an existing id fails with AccountExists and changes nothing", () =>
      run(Effect.gen(function*() {
        const store = yield* AccountStore
        yield* store.create(account("acc_1", "DE"))
        const error = yield* Effect.flip(store.create(account("acc_1", "US")))
        assert.strictEqual(error._tag, "AccountExists")
        assert.strictEqual(Option.getOrThrow(yield* store.get(AccountId.make("acc_1"))).region, "DE")
      })))

    it.effect("accounts are listed in id order, page by page", () =>
      run(Effect.gen(function*() {
        const store = yield* AccountStore
        for (const id of ["acc_c", "acc_a", "acc_e", "acc_b", "acc_d"]) yield* store.create(account(id))
        const first = yield* store.list({ limit: 2 })
        const second = yield* store.list({ afterId: first[1]!.id, limit: 2 })
        const third = yield* store.list({ afterId: second[1]!.id, limit: 2 })
        assert.deepStrictEqual([...first, ...second, ...third].map((a) => a.id), [
          "acc_a",
          "acc_b",
          "acc_c",
          "acc_d",
          "acc_e"
        ])
      })))
  })
