/**
 * End to end through the derived typed client against the in-process server: sign up and in, settings, push and
 * pull, trash, membership, account deletion, and how refusals come back (status, `_tag`, `code`).
 */
import { AppDisabled } from "@custos/core/domain/Errors"
import { MutationId, RecordId } from "@custos/core/domain/Ids"
import { assert, describe, it } from "@effect/vitest"
import { HttpClientRequest } from "@effect/platform"
import { Effect, Redacted, TestClock } from "effect"
import { client, layerTestServer, operatorClient, raw, signUp } from "./support.js"

const note = (title: string) => ({ kind: "note", title, body: "Milk", private: false })

const put = (id: string, title: string, baseVersion = 0) => ({
  mutationId: MutationId.make(`m-${id}-${baseVersion}`),
  recordId: RecordId.make(id),
  op: "put" as const,
  baseVersion,
  payload: note(title)
})

describe("Custos over HTTP", () => {
  it.effect("signs up, signs in on a second device, and refuses wrong credentials alike", () =>
    Effect.gen(function*() {
      const { loginName, password, grant, api } = yield* signUp()
      assert.match(grant.accountId, /^acc_/)
      const anonymous = yield* client()
      const second = yield* anonymous.accounts.signIn({
        payload: { loginName: loginName.toUpperCase(), password: Redacted.make(password), deviceName: "Laptop" }
      })
      assert.strictEqual(second.accountId, grant.accountId)
      assert.notStrictEqual(second.deviceId, grant.deviceId)

      const wrong = yield* anonymous.accounts.signIn({
        payload: { loginName, password: Redacted.make("not the password"), deviceName: "Laptop" }
      }).pipe(Effect.flip)
      const unknown = yield* anonymous.accounts.signIn({
        payload: { loginName: "nobody@example.org", password: Redacted.make(password), deviceName: "Laptop" }
      }).pipe(Effect.flip)
      assert.strictEqual(wrong._tag, "InvalidCredentials")
      assert.strictEqual(unknown._tag, "InvalidCredentials")
      assert.strictEqual(wrong.message, unknown.message)

      const taken = yield* anonymous.accounts.signUp({
        payload: { loginName, password: Redacted.make(password), region: "DE", deviceName: "Phone" }
      }).pipe(Effect.flip)
      assert.strictEqual(taken._tag, "LoginNameTaken")

      const sessions = yield* api.accounts.listSessions()
      assert.strictEqual(sessions.length, 2)
      assert.deepStrictEqual(sessions.filter((s) => s.current).map((s) => s.id), [grant.sessionId])
      const devices = yield* api.accounts.listDevices()
      assert.deepStrictEqual(devices.map((d) => d.name).sort(), ["Laptop", "Phone"])

      // Removing the laptop revokes its session.
      yield* api.accounts.removeDevice({ path: { id: second.deviceId } })
      const laptop = yield* client(second.token)
      const revoked = yield* laptop.settings.get().pipe(Effect.flip)
      assert.strictEqual(revoked._tag, "Unauthorized")

      yield* api.accounts.signOut()
      const signedOut = yield* api.settings.get().pipe(Effect.flip)
      assert.strictEqual(signedOut._tag, "Unauthorized")
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("answers bad input with 400 and a missing token with 401, with code and message in the body", () =>
    Effect.gen(function*() {
      const http = yield* raw
      const unauthorized = yield* http.get("/v1/settings")
      assert.strictEqual(unauthorized.status, 401)
      const body = (yield* unauthorized.json) as Record<string, unknown>
      assert.strictEqual(body["_tag"], "Unauthorized")
      assert.strictEqual(body["code"], "unauthorized")
      assert.isString(body["message"])

      const badRegion = yield* http.execute(
        HttpClientRequest.post("/v1/accounts").pipe(HttpClientRequest.bodyUnsafeJson({
          loginName: "someone@example.org",
          password: "long enough password",
          region: "Germany",
          deviceName: "Phone"
        }))
      )
      assert.strictEqual(badRegion.status, 400)
      assert.strictEqual(((yield* badRegion.json) as Record<string, unknown>)["code"], "invalid-region")

      const shortPassword = yield* http.execute(
        HttpClientRequest.post("/v1/accounts").pipe(HttpClientRequest.bodyUnsafeJson({
          loginName: "someone@example.org",
          password: "short",
          region: "DE",
          deviceName: "Phone"
        }))
      )
      assert.strictEqual(shortPassword.status, 400)
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("changes settings, refuses browser sync outside its regions with 403", () =>
    Effect.gen(function*() {
      const { api, grant } = yield* signUp("US")
      const before = yield* api.settings.get()
      assert.deepStrictEqual(before.enabled, [])
      const change = yield* api.settings.update({ payload: { apps: { notes: true }, wifiOnly: true } })
      assert.deepStrictEqual(change.settings.enabled, ["notes"])
      assert.isTrue(change.settings.wifiOnly)

      const refused = yield* api.settings.update({ payload: { apps: { browser: true } } }).pipe(Effect.flip)
      assert.strictEqual(refused._tag, "AppUnavailableInRegion")
      assert.strictEqual(refused._tag === "AppUnavailableInRegion" && refused.code, "app-unavailable-in-region")
      const http = yield* raw
      const response = yield* http.execute(
        HttpClientRequest.patch("/v1/settings").pipe(
          HttpClientRequest.bearerToken(grant.token),
          HttpClientRequest.bodyUnsafeJson({ apps: { browser: true } })
        )
      )
      assert.strictEqual(response.status, 403)
      const unknownField = yield* http.execute(
        HttpClientRequest.patch("/v1/settings").pipe(
          HttpClientRequest.bearerToken(grant.token),
          HttpClientRequest.bodyUnsafeJson({ colour: "blue" })
        )
      )
      assert.strictEqual(unknownField.status, 400)
      const unknownBody = (yield* unknownField.json) as Record<string, unknown>
      assert.deepStrictEqual([unknownBody["_tag"], unknownBody["code"]], ["InvalidSettings", "invalid-settings"])
      const badHour = yield* http.execute(
        HttpClientRequest.patch("/v1/settings").pipe(
          HttpClientRequest.bearerToken(grant.token),
          HttpClientRequest.bodyUnsafeJson({ homeScreenBackup: { every: "daily", hour: 24 } })
        )
      )
      assert.strictEqual(badHour.status, 400)
      const badHourBody = (yield* badHour.json) as Record<string, unknown>
      assert.strictEqual(badHourBody["code"], "invalid-settings", "the error the endpoint declares, with a code")
      assert.include(badHourBody["message"] as string, "homeScreenBackup.hour")
      const badPush = yield* http.execute(
        HttpClientRequest.post("/v1/apps/notes/push").pipe(
          HttpClientRequest.bearerToken(grant.token),
          HttpClientRequest.bodyUnsafeJson({ nothing: true })
        )
      )
      assert.strictEqual(badPush.status, 400, "other endpoints keep their decode error")
      assert.strictEqual(((yield* badPush.json) as Record<string, unknown>)["_tag"], "HttpApiDecodeError")
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("pushes from one device and pulls on another; a disabled app is a rejected outcome, not an error", () =>
    Effect.gen(function*() {
      const { api, loginName, password } = yield* signUp()
      const disabled = yield* api.sync.push({ path: { app: "notes" }, urlParams: {}, payload: { mutations: [put("n1", "A")] } })
      const outcome = disabled.outcomes[0]!
      assert.strictEqual(outcome._tag, "rejected")
      assert.strictEqual(outcome._tag === "rejected" && outcome.code, new AppDisabled({ app: "notes" }).code)

      yield* api.settings.update({ payload: { apps: { notes: true } } })
      const pushed = yield* api.sync.push({ path: { app: "notes" }, urlParams: {}, payload: { mutations: [put("n1", "A")] } })
      assert.strictEqual(pushed.outcomes[0]!._tag, "applied")

      const laptop = yield* (yield* client()).accounts.signIn({
        payload: { loginName, password: Redacted.make(password), deviceName: "Laptop" }
      })
      const laptopApi = yield* client(laptop.token)
      const page = yield* laptopApi.sync.changes({ path: { app: "notes" }, urlParams: {} })
      assert.deepStrictEqual(page.changes.map((c) => [c.id, c.state, c.payload]), [["n1", "active", note("A")]])
      const next = yield* laptopApi.sync.changes({ path: { app: "notes" }, urlParams: { cursor: page.cursor } })
      assert.strictEqual(next.changes.length, 0)

      const invalid = yield* laptopApi.sync.changes({ path: { app: "notes" }, urlParams: { cursor: "nonsense" } })
        .pipe(Effect.flip)
      assert.strictEqual(invalid._tag, "InvalidCursor")
      const tooLarge = yield* api.sync.push({
        path: { app: "notes" },
        urlParams: {},
        payload: { mutations: Array.from({ length: 501 }, (_, i) => put(`x${i}`, "X")) }
      }).pipe(Effect.flip)
      assert.strictEqual(tooLarge._tag, "BatchTooLarge")
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("refuses a background sync before the plan allows with 429 and Retry-After", () =>
    Effect.gen(function*() {
      const { api, grant } = yield* signUp()
      yield* api.settings.update({ payload: { apps: { notes: true } } })
      yield* api.sync.changes({ path: { app: "notes" }, urlParams: { trigger: "background" } })
      // The sync window of the first sync lets its own follow-up requests through; wait past it.
      yield* TestClock.adjust("3 minutes")
      const refused = yield* api.sync.changes({ path: { app: "notes" }, urlParams: { trigger: "background" } })
        .pipe(Effect.flip)
      assert.strictEqual(refused._tag, "SyncTooSoon")
      const http = yield* raw
      const response = yield* http.execute(
        HttpClientRequest.get("/v1/apps/notes/changes?trigger=background").pipe(HttpClientRequest.bearerToken(grant.token))
      )
      assert.strictEqual(response.status, 429)
      const retryAfter = Number(response.headers["retry-after"])
      assert.isTrue(retryAfter > 0 && retryAfter <= 60 * 60, `Retry-After was ${response.headers["retry-after"]}`)
      // A sync the person asks for is not held back.
      yield* api.sync.changes({ path: { app: "notes" }, urlParams: { trigger: "user" } })
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("moves a deleted note to the trash, restores it, purges it, and empties the trash", () =>
    Effect.gen(function*() {
      const { api } = yield* signUp()
      yield* api.settings.update({ payload: { apps: { notes: true, wifi: true } } })
      yield* api.sync.push({ path: { app: "notes" }, urlParams: {}, payload: { mutations: [put("n1", "A"), put("n2", "B")] } })
      const del = (id: string, baseVersion: number) => ({
        mutationId: MutationId.make(`d-${id}-${baseVersion}`),
        recordId: RecordId.make(id),
        op: "delete" as const,
        baseVersion
      })
      yield* api.sync.push({ path: { app: "notes" }, urlParams: {}, payload: { mutations: [del("n1", 1), del("n2", 1)] } })
      const trash = yield* api.trash.list({ urlParams: { app: "notes" } })
      assert.deepStrictEqual(trash.items.map((i) => i.record.id).sort(), ["n1", "n2"])
      assert.isTrue(trash.items.every((i) => typeof i.record.deleteBy === "number"))

      const restored = yield* api.trash.restore({ path: { app: "notes", id: RecordId.make("n1") } })
      assert.strictEqual(restored.state, "active")
      const again = yield* api.trash.restore({ path: { app: "notes", id: RecordId.make("n1") } }).pipe(Effect.flip)
      assert.strictEqual(again._tag, "NotInTrash")
      const purged = yield* api.trash.purge({ path: { app: "notes", id: RecordId.make("n2") } })
      assert.strictEqual(purged.state, "purged")
      const missing = yield* api.trash.restore({ path: { app: "notes", id: RecordId.make("nope") } }).pipe(Effect.flip)
      assert.strictEqual(missing._tag, "RecordNotFound")
      const noTrash = yield* api.trash.list({ urlParams: { app: "wifi" } }).pipe(Effect.flip)
      assert.strictEqual(noTrash._tag, "NoTrash")

      yield* api.sync.push({ path: { app: "notes" }, urlParams: {}, payload: { mutations: [del("n1", restored.version)] } })
      const emptied = yield* api.trash.empty({ urlParams: {} })
      assert.strictEqual(emptied.purged, 1)
      assert.strictEqual((yield* api.trash.list({ urlParams: {} })).items.length, 0)
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("shows the membership; the operator records a purchase with its own token, never a session's", () =>
    Effect.gen(function*() {
      const { api, grant } = yield* signUp()
      const free = yield* api.membership.get()
      assert.strictEqual(free.plan.id, "free")
      assert.strictEqual(free.quotaBytes, free.plan.storageBytes)
      assert.deepStrictEqual(free.usage, { records: 0, bytes: 0 })
      const plans = yield* (yield* client()).membership.plans()
      assert.deepStrictEqual(plans.map((p) => p.id), ["free", "plus", "premium"])

      const purchase = {
        accountId: grant.accountId,
        id: "p-1",
        planId: "plus",
        validFrom: 0,
        validUntil: 365 * 24 * 3600 * 1000,
        details: { amountMinor: 999, currency: "EUR", channel: "voucher" }
      } as const
      const asSession = yield* (yield* client(grant.token)).operator.recordPurchase({ payload: purchase as never })
        .pipe(Effect.flip)
      assert.strictEqual(asSession._tag, "OperatorUnauthorized")
      const operator = yield* operatorClient
      yield* operator.operator.recordPurchase({ payload: purchase as never })
      const duplicate = yield* operator.operator.recordPurchase({ payload: purchase as never }).pipe(Effect.flip)
      assert.strictEqual(duplicate._tag, "PurchaseExists")

      const plus = yield* api.membership.get()
      assert.strictEqual(plus.plan.id, "plus")
      assert.strictEqual(plus.validUntil, purchase.validUntil)
      const purchases = yield* api.membership.purchases()
      assert.deepStrictEqual(purchases.map((p) => [p.id, p.details.amountMinor]), [["p-1", 999]])

      const listed = yield* operator.operator.accounts({ urlParams: {} })
      const mine = listed.accounts.find((a) => a.id === grant.accountId)
      assert.strictEqual(mine?.plan, "plus")
      assert.notProperty(mine, "payload")
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("deletes a data type and then the whole account: its tokens stop working and it cannot sign in", () =>
    Effect.gen(function*() {
      const { api, loginName, password } = yield* signUp()
      const inventory = yield* (yield* client()).privacy.inventory()
      assert.strictEqual(inventory.length, 14)
      yield* api.settings.update({ payload: { apps: { notes: true } } })
      yield* api.sync.push({ path: { app: "notes" }, urlParams: {}, payload: { mutations: [put("n1", "A")] } })
      const deletedNotes = yield* api.privacy.deleteDataType({ path: { dataType: "notes" } })
      assert.strictEqual(deletedNotes.removed, 1)
      const unknown = yield* api.privacy.deleteDataType({ path: { dataType: "horoscopes" } }).pipe(Effect.flip)
      assert.strictEqual(unknown._tag, "UnknownDataType")

      const deletion = yield* api.privacy.deleteAccount()
      assert.strictEqual(deletion.sessions, 1)
      const after = yield* api.settings.get().pipe(Effect.flip)
      assert.strictEqual(after._tag, "Unauthorized")
      const signIn = yield* (yield* client()).accounts.signIn({
        payload: { loginName, password: Redacted.make(password), deviceName: "Phone" }
      }).pipe(Effect.flip)
      assert.strictEqual(signIn._tag, "InvalidCredentials")
    }).pipe(Effect.provide(layerTestServer())))
})
