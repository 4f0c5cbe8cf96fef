/**
 * The access log over HTTP (§4.1.5): what a signed-in device opens is logged as that device, and the account reads
 * and verifies its own log through the protocol, never another account's.
 */
import { MutationId, RecordId } from "@custos/core/domain/Ids"
import { AccessLog } from "@custos/core/services/AccessLog"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { client, layerTestServer, operatorClient, signUp } from "./support.js"

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

      const operator = yield* operatorClient
      yield* operator.operator.recordPurchase({
        payload: {
          accountId: grant.accountId,
          id: "order-1",
          planId: "plus",
          validFrom: 0,
          validUntil: 86_400_000,
          details: { amountMinor: 499, currency: "EUR", channel: "voucher" }
        } as never
      })
      yield* api.membership.purchases()
      const after = (yield* log.list(grant.accountId)).entries
      assert.strictEqual(after.length, 2)
      assert.deepStrictEqual(after[1]!.actor, { kind: "device", id: grant.deviceId })
      assert.strictEqual(after[1]!.purpose, "purchase-list")
    }).pipe(Effect.provide(layerTestServer())))
})
