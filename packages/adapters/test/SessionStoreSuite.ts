/**
 * The port suite every `SessionStore` adapter must pass (conformance has none for this port yet): a session is
 * found by its token hash, listed oldest first within its account, touched and revoked only through its own
 * account, and revoked per device or all at once with a count.
 */
import { AccountId, DeviceId } from "@custos/core/domain/Ids"
import { type Session, SessionId, SessionStore } from "@custos/core/ports/SessionStore"
import { assert, describe, it } from "@effect/vitest"
import { Effect, type Layer, Option } from "effect"

const alice = AccountId.make("acc_alice")
const bob = AccountId.make("acc_bob")
const phone = DeviceId.make("phone")
const laptop = DeviceId.make("laptop")

const session = (id: string, extra: Partial<Session> = {}): Session => ({
  id: SessionId.make(id),
  accountId: alice,
  deviceId: phone,
  tokenHash: `hash-of-${id}`.padEnd(64, "0"),
  createdAt: 1_000,
  lastUsedAt: 1_000,
  ...extra
})

export const sessionStoreSuite = <E>(name: string, layer: Layer.Layer<SessionStore, E>) =>
  describe(`SessionStore port suite on ${name}`, () => {
    const run = <A, Err>(effect: Effect.Effect<A, Err, SessionStore>) => Effect.provide(effect, layer)

    it.effect("a session is found by its token hash, as it was created; an unknown hash finds none", () =>
      run(Effect.gen(function*() {
        const store = yield* SessionStore
        const s1 = session("s1", { createdAt: 2 ** 45, lastUsedAt: 2 ** 45 + 9 })
        yield* store.create(s1)
        assert.deepStrictEqual(Option.getOrThrow(yield* store.findByTokenHash(s1.tokenHash)), s1)
        assert.isTrue(Option.isNone(yield* store.findByTokenHash("f".repeat(64))))
      })))

    it.effect("an account's sessions are listed oldest first, and no other account's", () =>
      run(Effect.gen(function*() {
        const store = yield* SessionStore
        yield* store.create(session("s-late", { createdAt: 3_000 }))
        yield* store.create(session("s-b", { createdAt: 1_000 }))
        yield* store.create(session("s-a", { createdAt: 1_000 }))
        yield* store.create(session("s-bob", { accountId: bob, createdAt: 500 }))
        assert.deepStrictEqual((yield* store.list(alice)).map((s) => s.id), ["s-a", "s-b", "s-late"])
        assert.deepStrictEqual((yield* store.list(bob)).map((s) => s.id), ["s-bob"])
      })))

    it.effect("touch records a use through the session's own account only; a revoked session stays revoked", () =>
      run(Effect.gen(function*() {
        const store = yield* SessionStore
        const s1 = session("s1")
        yield* store.create(s1)
        yield* store.touch(alice, s1.id, 5_000)
        assert.strictEqual(Option.getOrThrow(yield* store.findByTokenHash(s1.tokenHash)).lastUsedAt, 5_000)
        yield* store.touch(bob, s1.id, 9_000)
        assert.strictEqual(Option.getOrThrow(yield* store.findByTokenHash(s1.tokenHash)).lastUsedAt, 5_000)
        assert.isTrue(yield* store.revoke(alice, s1.id))
        yield* store.touch(alice, s1.id, 6_000)
        assert.isTrue(Option.isNone(yield* store.findByTokenHash(s1.tokenHash)))
        assert.deepStrictEqual(yield* store.list(alice), [])
      })))

    it.effect("revoke works only through the session's own account and says whether it did", () =>
      run(Effect.gen(function*() {
        const store = yield* SessionStore
        const s1 = session("s1")
        yield* store.create(s1)
        assert.isFalse(yield* store.revoke(bob, s1.id))
        assert.isTrue(Option.isSome(yield* store.findByTokenHash(s1.tokenHash)))
        assert.isTrue(yield* store.revoke(alice, s1.id))
        assert.isFalse(yield* store.revoke(alice, s1.id))
        assert.isTrue(Option.isNone(yield* store.findByTokenHash(s1.tokenHash)))
      })))

    it.effect("revoking a device's or an account's sessions counts them and leaves the rest", () =>
      run(Effect.gen(function*() {
        const store = yield* SessionStore
        yield* store.create(session("p1"))
        yield* store.create(session("p2"))
        yield* store.create(session("l1", { deviceId: laptop }))
        yield* store.create(session("bob-phone", { accountId: bob }))
        assert.strictEqual(yield* store.revokeDevice(alice, phone), 2)
        assert.strictEqual(yield* store.revokeDevice(alice, phone), 0)
        assert.deepStrictEqual((yield* store.list(alice)).map((s) => s.id), ["l1"])
        assert.strictEqual(yield* store.revokeAll(alice), 1)
        assert.strictEqual(yield* store.revokeAll(alice), 0)
        assert.deepStrictEqual((yield* store.list(bob)).map((s) => s.id), ["bob-phone"])
      })))
  })
