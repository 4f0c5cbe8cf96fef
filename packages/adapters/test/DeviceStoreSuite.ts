/**
 * The port suite every `DeviceStore` adapter must pass (conformance has none for this port yet): `put` creates or
 * replaces, devices are kept per account and listed in id order, removing one or all says what went.
 */
import type { Device } from "@custos/core/domain/Device"
import { AccountId, DeviceId } from "@custos/core/domain/Ids"
import { DeviceStore } from "@custos/core/ports/DeviceStore"
import { assert, describe, it } from "@effect/vitest"
import { Effect, type Layer, Option } from "effect"

const alice = AccountId.make("acc_alice")
const bob = AccountId.make("acc_bob")

const device = (id: string, extra: Partial<Device> = {}): Device => ({
  accountId: alice,
  id: DeviceId.make(id),
  name: `Device ${id}`,
  registeredAt: 1_000,
  lastSeenAt: 2_000,
  nextBackgroundSyncAt: 3_000,
  syncWindowEndsAt: 4_000,
  ...extra
})

export const deviceStoreSuite = <E>(name: string, layer: Layer.Layer<DeviceStore, E>) =>
  describe(`DeviceStore port suite on ${name}`, () => {
    const run = <A, Err>(effect: Effect.Effect<A, Err, DeviceStore>) => Effect.provide(effect, layer)

    it.effect("a device is read back as it was put; a missing one is none", () =>
      run(Effect.gen(function*() {
        const store = yield* DeviceStore
        const phone = device("phone", { name: "Ana's phone ☎", nextBackgroundSyncAt: 2 ** 50 + 7 })
        yield* store.put(phone)
        assert.deepStrictEqual(Option.getOrThrow(yield* store.get(alice, DeviceId.make("phone"))), phone)
        assert.isTrue(Option.isNone(yield* store.get(alice, DeviceId.make("tablet"))))
        assert.isTrue(Option.isNone(yield* store.get(bob, DeviceId.make("phone"))))
      })))

    it.effect("putting a device again replaces what is stored of it", () =>
      run(Effect.gen(function*() {
        const store = yield* DeviceStore
        yield* store.put(device("phone"))
        const later = device("phone", { name: "Renamed", lastSeenAt: 9_000, nextBackgroundSyncAt: 9_500 })
        yield* store.put(later)
        assert.deepStrictEqual(Option.getOrThrow(yield* store.get(alice, DeviceId.make("phone"))), later)
        assert.strictEqual((yield* store.list(alice)).length, 1)
      })))

    it.effect("an account's devices are listed in id order, byte by byte, and no other account's", () =>
      run(Effect.gen(function*() {
        const store = yield* DeviceStore
        for (const id of ["tv", "Phone", "laptop", "a.b", "a_b", "A-1"]) yield* store.put(device(id))
        yield* store.put({ ...device("bobs"), accountId: bob })
        const ids = (yield* store.list(alice)).map((d) => d.id)
        assert.deepStrictEqual(ids, ["A-1", "Phone", "a.b", "a_b", "laptop", "tv"])
        assert.deepStrictEqual((yield* store.list(bob)).map((d) => d.id), ["bobs"])
        assert.deepStrictEqual(yield* store.list(AccountId.make("acc_nobody")), [])
      })))

    it.effect("concurrent puts of different devices all land", () =>
      run(Effect.gen(function*() {
        const store = yield* DeviceStore
        yield* Effect.all(Array.from({ length: 20 }, (_, i) => store.put(device(`d${String(i).padStart(2, "0")}`))), {
          concurrency: "unbounded"
        })
        assert.strictEqual((yield* store.list(alice)).length, 20)
      })))

    it.effect("remove says whether the device was there; removeAll counts one account's devices", () =>
      run(Effect.gen(function*() {
        const store = yield* DeviceStore
        yield* store.put(device("phone"))
        yield* store.put(device("tablet"))
        yield* store.put(device("laptop"))
        yield* store.put({ ...device("phone"), accountId: bob })
        assert.isTrue(yield* store.remove(alice, DeviceId.make("phone")))
        assert.isFalse(yield* store.remove(alice, DeviceId.make("phone")))
        assert.strictEqual(yield* store.removeAll(alice), 2)
        assert.strictEqual(yield* store.removeAll(alice), 0)
        assert.deepStrictEqual(yield* store.list(alice), [])
        assert.isTrue(Option.isSome(yield* store.get(bob, DeviceId.make("phone"))))
      })))
  })
