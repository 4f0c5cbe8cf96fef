/**
 * The access log over HTTP (§4.1.5): what a signed-in device opens is logged as that device, and the account reads
 * and verifies its own log through the protocol, never another account's.
 */
import { MutationId, RecordId } from "@custos/core/domain/Ids"
import { AccessLog } from "@custos/core/services/AccessLog"
import { assert, describe, it } from "@effect/vitest"
import { HttpClientRequest } from "@effect/platform"
import { Effect, Redacted } from "effect"
import { client, layerTestServer, purchasePlus, raw, signUp } from "./support.js"

const put = (id: string, title: string) => ({
  mutationId: MutationId.make(`m-${id}-${Math.random().toString(36).slice(2)}`),
  recordId: RecordId.make(id),
  op: "put" as const,
  baseVersion: 0,
  payload: { kind: "note", title, body: "Milk", private: false }
})

describe("access log over HTTP", () => {
  it.effect("a pull and a purchase listing are logged as the session's device", () =>
    Effect.gen(function*() {
      const { loginName, password, grant, api } = yield* signUp()
      yield* api.settings.update({ payload: { apps: { notes: true } } })
      yield* api.sync.push({ path: { app: "notes" }, urlParams: {}, payload: { mutations: [put("n1", "A"), put("n2", "B")] } })
      const laptop = yield* (yield* client()).accounts.signIn({
        payload: { loginName, password: Redacted.make(password), deviceName: "Laptop" }
      })
      const laptopApi = yield* client(laptop.token)
      const page = yield* laptopApi.sync.changes({ path: { app: "notes" }, urlParams: {} })
      assert.strictEqual(page.changes.length, 2)

      const log = yield* AccessLog
      const { entries } = yield* log.list(grant.accountId)
      assert.strictEqual(entries.length, 1)
      assert.deepStrictEqual(entries[0]!.actor, { kind: "device", id: laptop.deviceId }, "the device that pulled")
      assert.strictEqual(entries[0]!.purpose, "sync-pull")
      assert.deepStrictEqual([...entries[0]!.recordIds].sort(), ["n1", "n2"])

      yield* purchasePlus(grant.accountId)
      yield* api.membership.purchases()
      const after = (yield* log.list(grant.accountId)).entries
      assert.strictEqual(after.length, 2)
      assert.deepStrictEqual(after[1]!.actor, { kind: "device", id: grant.deviceId })
      assert.strictEqual(after[1]!.purpose, "purchase-list")
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("the account reads its log in pages and verifies it, also against a head it kept", () =>
    Effect.gen(function*() {
      const { grant, api } = yield* signUp()
      yield* api.settings.update({ payload: { apps: { notes: true } } })
      yield* api.sync.push({ path: { app: "notes" }, urlParams: {}, payload: { mutations: [put("n1", "A")] } })
      assert.deepStrictEqual(yield* api.privacy.accessLog({ urlParams: {} }), { entries: [] })
      assert.deepStrictEqual(yield* api.privacy.verifyAccessLog({ urlParams: {} }), { ok: true, entries: 0 })

      for (let i = 0; i < 3; i++) yield* api.sync.changes({ path: { app: "notes" }, urlParams: {} })
      const first = yield* api.privacy.accessLog({ urlParams: { limit: 2 } })
      assert.deepStrictEqual(first.entries.map((e) => e.index), [1, 2])
      assert.strictEqual(first.next, 2)
      const second = yield* api.privacy.accessLog({ urlParams: { after: first.next, limit: 2 } })
      assert.deepStrictEqual(second.entries.map((e) => e.index), [3])
      assert.isUndefined(second.next)
      for (const e of [...first.entries, ...second.entries]) {
        assert.strictEqual(e.accountId, grant.accountId)
        assert.deepStrictEqual(e.actor, { kind: "device", id: grant.deviceId })
        assert.deepStrictEqual<ReadonlyArray<string>>(e.recordIds, ["n1"])
      }

      const verdict = yield* api.privacy.verifyAccessLog({ urlParams: {} })
      assert.isTrue(verdict.ok)
      assert.strictEqual(verdict.entries, 3)
      assert.deepStrictEqual(verdict.head, { index: 3, hash: second.entries[0]!.hash })
      const anchored = yield* api.privacy.verifyAccessLog({
        urlParams: { anchorIndex: verdict.head!.index, anchorHash: verdict.head!.hash }
      })
      assert.isTrue(anchored.ok)
      const foreignHead = yield* api.privacy.verifyAccessLog({
        urlParams: { anchorIndex: 2, anchorHash: "f".repeat(64) }
      })
      assert.deepStrictEqual([foreignHead.ok, foreignHead.reason, foreignHead.brokenAt], [false, "rewritten", 2])
      const ahead = yield* api.privacy.verifyAccessLog({ urlParams: { anchorIndex: 9, anchorHash: "f".repeat(64) } })
      assert.deepStrictEqual([ahead.ok, ahead.reason], [false, "truncated"])
      const half = yield* (yield* raw).execute(
        HttpClientRequest.get("/v1/privacy/access-log/verify?anchorIndex=2").pipe(HttpClientRequest.bearerToken(grant.token))
      )
      assert.strictEqual(half.status, 400, "an anchor comes with its hash")
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("another account never sees the first account's log, and a request without a session gets 401", () =>
    Effect.gen(function*() {
      const alice = yield* signUp()
      const bob = yield* signUp()
      yield* alice.api.settings.update({ payload: { apps: { notes: true } } })
      yield* alice.api.sync.push({ path: { app: "notes" }, urlParams: {}, payload: { mutations: [put("a1", "A")] } })
      yield* alice.api.sync.changes({ path: { app: "notes" }, urlParams: {} })
      assert.strictEqual((yield* alice.api.privacy.accessLog({ urlParams: {} })).entries.length, 1)

      assert.deepStrictEqual(yield* bob.api.privacy.accessLog({ urlParams: {} }), { entries: [] })
      assert.deepStrictEqual(yield* bob.api.privacy.accessLog({ urlParams: { after: 0, limit: 1000 } }), { entries: [] })
      assert.deepStrictEqual(yield* bob.api.privacy.verifyAccessLog({ urlParams: {} }), { ok: true, entries: 0 })

      yield* bob.api.settings.update({ payload: { apps: { notes: true } } })
      yield* bob.api.sync.push({ path: { app: "notes" }, urlParams: {}, payload: { mutations: [put("b1", "B")] } })
      yield* bob.api.sync.changes({ path: { app: "notes" }, urlParams: {} })
      const bobs = (yield* bob.api.privacy.accessLog({ urlParams: {} })).entries
      assert.deepStrictEqual<unknown>(bobs.map((e) => [e.accountId, e.index, e.recordIds]), [[bob.grant.accountId, 1, ["b1"]]])
      const alices = (yield* alice.api.privacy.accessLog({ urlParams: {} })).entries
      assert.deepStrictEqual<unknown>(alices.map((e) => [e.accountId, e.recordIds]), [[alice.grant.accountId, ["a1"]]])

      const anonymous = yield* client()
      const refused = yield* anonymous.privacy.accessLog({ urlParams: {} }).pipe(Effect.flip)
      assert.strictEqual(refused._tag, "Unauthorized")
    }).pipe(Effect.provide(layerTestServer())))
})
