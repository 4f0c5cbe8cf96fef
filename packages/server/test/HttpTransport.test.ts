/**
 * The core device client over HTTP (`HttpTransport`): devices of one account sync through the in-process server and
 * converge; the server's refusals arrive as the classes the client handles (a background sync too soon is a skip),
 * and an answer the client cannot use (a revoked session) is a `TransportError`, with the change kept for later.
 */
import { makeDeviceSyncClient, type SyncReport } from "@custos/core/client/DeviceSyncClient"
import { makeHttpTransport } from "@custos/core/client/HttpTransport"
import { SyncTransport } from "@custos/core/client/SyncTransport"
import { RecordId } from "@custos/core/domain/Ids"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted, TestClock } from "effect"
import { client, layerTestServer, signUp } from "./support.js"

const device = (token: Redacted.Redacted<string> | string, prefix: string) =>
  makeDeviceSyncClient({ mutationIdPrefix: prefix, batchSize: 3, pageSize: 2 }).pipe(
    Effect.provideServiceEffect(SyncTransport, makeHttpTransport({ baseUrl: "", token }))
  )

const note = (title: string) => ({ kind: "note", title, body: "Milk", private: false })

const asMap = (records: ReadonlyArray<{ readonly id: string; readonly state: string; readonly payload?: unknown }>) =>
  Object.fromEntries(records.map((r) => [r.id, { state: r.state, payload: r.payload }]))

describe("the device client over HTTP", () => {
  it.effect("two devices of one account push and pull through the server and converge", () =>
    Effect.gen(function*() {
      const { api, grant, loginName, password } = yield* signUp()
      yield* api.settings.update({ payload: { apps: { notes: true } } })
      const second = yield* (yield* client()).accounts.signIn({
        payload: { loginName, password: Redacted.make(password), deviceName: "Tablet" }
      })
      const phone = yield* device(grant.token, "phone")
      const tablet = yield* device(second.token, "tablet")

      for (let i = 0; i < 7; i++) yield* phone.put("notes", RecordId.make(`n${i}`), note(`phone ${i}`))
      const pushed = yield* phone.sync("notes", { trigger: "user", network: "wifi" })
      assert.strictEqual(pushed.applied, 7, "three batches of at most three")

      yield* tablet.put("notes", RecordId.make("t1"), note("tablet"))
      yield* tablet.remove("notes", RecordId.make("n0"))
      const first = yield* tablet.sync("notes", { trigger: "user", network: "wifi" })
      assert.strictEqual(first.applied, 1, "the delete of a record the tablet has not seen yet is not sent")
      assert.strictEqual(first.pulled, 8, "pages of two up to the head")
      yield* tablet.remove("notes", RecordId.make("n0"))
      yield* tablet.sync("notes", { trigger: "user", network: "wifi" })
      yield* phone.sync("notes", { trigger: "user", network: "wifi" })

      const onPhone = asMap(yield* phone.records("notes"))
      const onTablet = asMap(yield* tablet.records("notes"))
      assert.deepStrictEqual(onPhone, onTablet)
      assert.strictEqual(onPhone["n0"]?.state, "trashed")
      assert.deepStrictEqual(onPhone["t1"]?.payload, note("tablet"))
      const cloud = yield* api.sync.changes({ path: { app: "notes" }, urlParams: { limit: 1000 } })
      assert.deepStrictEqual(
        asMap(cloud.changes.filter((c) => c.state !== "purged")),
        onPhone,
        "each replica is the cloud's state"
      )
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("a background sync the plan does not allow yet is skipped with the time to come back", () =>
    Effect.gen(function*() {
      const { api, grant } = yield* signUp()
      yield* api.settings.update({ payload: { apps: { notes: true } } })
      const phone = yield* device(grant.token, "phone")
      const done: SyncReport = yield* phone.sync("notes", { trigger: "background", network: "wifi" })
      assert.isUndefined(done.skipped)
      const next = yield* phone.nextSyncAt
      assert.isTrue(next._tag === "Some")

      // Past the short window that lets one sync's pages through, a fresh client does not know the time yet: the
      // server's 429 tells it.
      yield* TestClock.adjust("3 minutes")
      const fresh = yield* device(grant.token, "phone-again")
      yield* fresh.put("notes", RecordId.make("n1"), note("later"))
      const refused: SyncReport = yield* fresh.sync("notes", { trigger: "background", network: "wifi" })
      assert.strictEqual(refused.skipped, "too-early")
      assert.deepStrictEqual(yield* fresh.nextSyncAt, next)
      assert.strictEqual(yield* fresh.pendingCount("notes"), 1, "the change waits")
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("a revoked session is a lost answer: TransportError, and the change stays in the outbox", () =>
    Effect.gen(function*() {
      const { api, grant } = yield* signUp()
      yield* api.settings.update({ payload: { apps: { notes: true } } })
      const phone = yield* device(grant.token, "phone")
      yield* phone.put("notes", RecordId.make("n1"), note("kept"))
      yield* api.accounts.signOut()
      const failed = yield* phone.sync("notes", { trigger: "user", network: "wifi" }).pipe(Effect.flip)
      assert.strictEqual(failed._tag, "TransportError")
      assert.strictEqual(failed.code, "transport-failure")
      assert.include(failed.message, "unauthorized")
      assert.strictEqual(yield* phone.pendingCount("notes"), 1)
    }).pipe(Effect.provide(layerTestServer())))
})
