/**
 * Checks of the INV-* requirements: the inventory a target publishes, and the payloads each app accepts.
 */
import { assert } from "../Assert.js"
import { Apps } from "@custos/core/domain/App"
import { Duration, Effect } from "effect"
import { type Check, check } from "../Check.js"
import { Driver } from "../Driver.js"
import { accountWith, pullAll, pushOne, put, sample } from "../internal/scenario.js"

/** The 14 data types of §4.1.2, by our ids. */
const expectedTypes = [
  "account-id",
  "purchase-history",
  "contacts",
  "browsing-history",
  "text-messages",
  "photos-videos",
  "call-history",
  "notes",
  "recordings",
  "frequent-phrases",
  "calendar-events",
  "home-screen-settings",
  "wifi-settings",
  "bluetooth"
]

export const InventoryChecks: ReadonlyArray<Check> = [
  check("INV-001", undefined, Effect.gen(function*() {
    const inventory = yield* (yield* Driver).inventory
    assert.deepStrictEqual(inventory.map((e) => e.id).sort(), [...expectedTypes].sort())
    for (const e of inventory) {
      for (const field of ["name", "category", "identification", "purpose", "inTransit", "atRest", "retention"] as const) {
        assert.isNotEmpty(e[field], `${e.id}.${field}`)
      }
      assert.strictEqual(e.identification, "identified")
      assert.strictEqual(e.purpose, "app-functionality")
    }
  })),

  check("INV-002", undefined, Effect.gen(function*() {
    const inventory = yield* (yield* Driver).inventory
    for (const e of inventory) {
      assert.strictEqual(e.inTransit, "https", e.id)
      assert.strictEqual(e.atRest, e.id === "account-id" ? "plain" : "aes-128", e.id)
    }
  })),

  check("INV-003", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const inventory = yield* driver.inventory
    const policies = yield* driver.policies
    assert.deepStrictEqual(policies.map((p) => p.app).sort(), [...Apps].sort())
    const ids = new Set(inventory.map((e) => e.id))
    const reached = new Set<string>()
    for (const p of policies) {
      for (const t of p.dataTypes) {
        assert.isTrue(ids.has(t), `${p.app} holds ${t}, an inventory type`)
        reached.add(t)
      }
    }
    for (const e of inventory) {
      const held = e.heldBy.kind === "app" ? reached.has(e.id) : true
      assert.isTrue(held, `${e.id} is held by an app, the account or the membership`)
    }
  })),

  check("INV-004", "every app accepts a complete payload and returns it as sent", Effect.gen(function*() {
    const account = yield* accountWith(Apps)
    for (const app of Apps) {
      const payload = sample(app, 3)
      const outcome = yield* pushOne(account, app, put(`${app}-1`, payload))
      assert.strictEqual(outcome._tag, "applied", app)
      const { changes } = yield* pullAll(account, app)
      assert.deepStrictEqual(changes.map((c) => c.payload), [payload], app)
    }
  })),

  check("INV-004", "messages keep the SIM number and favourite mark; calls their direction, time and duration", Effect.gen(function*() {
    const account = yield* accountWith(["messages", "call-history", "notes", "wifi"])
    const message = { ...sample("messages", 1), favourite: true, simNumber: "+33 6 12 34 56 78" }
    const call = { ...sample("call-history", 2), direction: "outgoing", durationSeconds: 754 }
    const task = { kind: "task", title: "Private task", body: "", private: true, dueAt: "2025-02-01T08:00:00.000Z", done: false }
    const wifi = { ssid: "Cafe", security: "wpa3-sae", password: "a long passphrase", hidden: true, autoJoin: false }
    for (const [app, payload] of [["messages", message], ["call-history", call], ["notes", task], ["wifi", wifi]] as const) {
      assert.strictEqual((yield* pushOne(account, app, put("x", payload)))._tag, "applied", app)
      assert.deepStrictEqual((yield* pullAll(account, app)).changes[0]?.payload, payload, app)
    }
  })),

  check("INV-005", undefined, Effect.gen(function*() {
    const account = yield* accountWith(Apps)
    const invalid = [
      ["contacts", { name: { formatted: "Ada" }, emails: [{ label: "home", address: "not-an-email" }] }, "emails[0].address"],
      ["call-history", { ...sample("call-history", 3), direction: "missed", durationSeconds: 12 }, "durationSeconds"],
      ["calendar", { ...sample("calendar", 1), endsAt: "2024-01-01T00:00:00.000Z" }, "endsAt"],
      ["browser", { ...sample("browser", 1), url: "javascript:alert(1)" }, "url"],
      ["wifi", { ...sample("wifi", 1), password: "short" }, "password"],
      ["bluetooth", { ...sample("bluetooth", 1), address: "not-a-mac" }, "address"],
      ["notes", { ...sample("notes", 1), secretField: true }, "secretField"],
      ["messages", "just a string", undefined]
    ] as const
    for (const [app, payload, field] of invalid) {
      const outcome = yield* pushOne(account, app, put("bad", payload))
      assert.strictEqual(outcome._tag, "rejected", app)
      if (outcome._tag !== "rejected") continue
      assert.strictEqual(outcome.code, "invalid-payload", app)
      if (field !== undefined) assert.include(outcome.reason, field, app)
      assert.deepStrictEqual((yield* pullAll(account, app)).changes, [], `nothing of the ${app} payload is stored`)
    }
  })),

  check("INV-006", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["notes", "wifi", "contacts"])
    yield* pushOne(account, "notes", put("n1", sample("notes", 1)))
    yield* pushOne(account, "wifi", put("w1", sample("wifi", 1)))
    yield* pushOne(account, "contacts", put("c1", sample("contacts", 1)))
    yield* driver.advanceClock(Duration.days(3 * 365))
    for (const app of ["notes", "wifi", "contacts"] as const) {
      assert.strictEqual((yield* pullAll(account, app)).changes.length, 1, `${app} data is still there`)
    }
  }))
]
