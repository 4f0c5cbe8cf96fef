/**
 * The port suite every `CredentialStore` adapter must pass (conformance has none for this port yet): a login name
 * leads to exactly one credential, a taken name is refused without changing anything (also when several sign-ups
 * race for it), names compare exactly as given, and removing an account's credentials frees its names.
 */
import { AccountId } from "@custos/core/domain/Ids"
import { type Credential, CredentialStore, LoginNameTaken } from "@custos/core/ports/CredentialStore"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, type Layer, Option } from "effect"

const alice = AccountId.make("acc_alice")
const bob = AccountId.make("acc_bob")

const credential = (loginName: string, accountId = alice, extra: Partial<Credential> = {}): Credential => ({
  loginName,
  accountId,
  passwordHash: `scrypt$16384$8$1$c2FsdA$${loginName}`,
  createdAt: 1_000,
  ...extra
})

export const credentialStoreSuite = <E>(name: string, layer: Layer.Layer<CredentialStore, E>) =>
  describe(`CredentialStore port suite on ${name}`, () => {
    const run = <A, Err>(effect: Effect.Effect<A, Err, CredentialStore>) => Effect.provide(effect, layer)

    it.effect("a credential is found by its login name, as it was given", () =>
      run(Effect.gen(function*() {
        const store = yield* CredentialStore
        const ana = credential("ana@example.org", alice, { createdAt: 2 ** 45 + 1 })
        yield* store.create(ana)
        assert.deepStrictEqual(Option.getOrThrow(yield* store.findByLoginName("ana@example.org")), ana)
        assert.isTrue(Option.isNone(yield* store.findByLoginName("nobody@example.org")))
        // Names arrive in normal form; the store compares them exactly and normalizes nothing itself.
        assert.isTrue(Option.isNone(yield* store.findByLoginName("ANA@example.org")))
        assert.isTrue(Option.isNone(yield* store.findByLoginName("ana@example.org ")))
      })))

    it.effect("a taken login name fails with LoginNameTaken and changes nothing", () =>
      run(Effect.gen(function*() {
        const store = yield* CredentialStore
        const first = credential("ana")
        yield* store.create(first)
        const error = yield* Effect.flip(store.create(credential("ana", bob, { passwordHash: "scrypt$other" })))
        assert.instanceOf(error, LoginNameTaken)
        assert.strictEqual(error.code, "login-name-taken")
        assert.deepStrictEqual(Option.getOrThrow(yield* store.findByLoginName("ana")), first)
      })))

    it.effect("sign-ups racing for one login name: exactly one gets it", () =>
      run(Effect.gen(function*() {
        const store = yield* CredentialStore
        const accounts = Array.from({ length: 8 }, (_, i) => AccountId.make(`acc_${i}`))
        const signUp = (id: AccountId) => Effect.either(store.create(credential("popular", id)))
        const results = yield* Effect.all(accounts.map(signUp), { concurrency: "unbounded" })
        const winners = accounts.filter((_, i) => Either.isRight(results[i]!))
        assert.strictEqual(winners.length, 1)
        assert.isTrue(results.every((r) => Either.isRight(r) || r.left instanceof LoginNameTaken))
        assert.strictEqual(Option.getOrThrow(yield* store.findByLoginName("popular")).accountId, winners[0])
      })))

    it.effect("removing an account's credentials counts them and frees the names; others stay", () =>
      run(Effect.gen(function*() {
        const store = yield* CredentialStore
        yield* store.create(credential("ana"))
        yield* store.create(credential("ana-work"))
        yield* store.create(credential("bob", bob))
        assert.strictEqual(yield* store.removeAccount(alice), 2)
        assert.strictEqual(yield* store.removeAccount(alice), 0)
        assert.isTrue(Option.isNone(yield* store.findByLoginName("ana")))
        assert.isTrue(Option.isSome(yield* store.findByLoginName("bob")))
        yield* store.create(credential("ana", bob))
        assert.strictEqual(Option.getOrThrow(yield* store.findByLoginName("ana")).accountId, bob)
      })))
  })
