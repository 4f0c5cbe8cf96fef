/**
 * Checks of what deleting, turning sync off and a membership do: TRASH-*, RET-*, MEM-*, QUOTA-*, REGION-*, DEL-*.
 * Days pass on the target's clock (clock-control), never in real time.
 */
import { assert } from "../Assert.js"
import { makeDeviceSyncClient } from "@custos/core/client/DeviceSyncClient"
import { SyncTransport } from "@custos/core/client/SyncTransport"
import { Apps } from "@custos/core/domain/App"
import { DeviceId } from "@custos/core/domain/Ids"
import { Clock, Duration, Effect } from "effect"
import { type Check, check } from "../Check.js"
import { Driver } from "../Driver.js"
import { accountWith, del, freshMutationId, laptop, phone, pullAll, pushOne, put, sample, tablet } from "../internal/scenario.js"

const codeOf = (error: unknown) => (error as { readonly code?: string }).code
const day = Duration.toMillis(Duration.days(1))
const trashApps = ["gallery", "messages", "contacts", "call-history", "notes", "recordings", "calendar"] as const
const permanentApps = ["browser", "wifi", "bluetooth", "frequent-phrases"] as const

/** An account with `app` on and one record `id` in it, then deleted: the record waits in the trash. */
const trashed = (app: (typeof trashApps)[number], id: string, region = "DE") =>
  Effect.gen(function*() {
    const account = yield* accountWith([app], region)
    yield* pushOne(account, app, put(id, sample(app, 1)))
    yield* pushOne(account, app, del(id, { baseVersion: 1 }))
    return account
  })

/** Buys `planId` for the account from now for `days`. */
const buy = (account: string, planId: string, days: number) =>
  Effect.gen(function*() {
    const driver = yield* Driver
    const now = yield* driver.now
    return yield* driver.recordPurchase({
      account: account as never,
      id: freshMutationId("order"),
      planId,
      validFrom: now,
      validUntil: now + days * day,
      details: { amountMinor: 499, currency: "EUR", channel: "voucher" }
    })
  })

/** The id of a sold plan with `trashDays` days of trash. */
const planWithTrashDays = (trashDays: number) =>
  Effect.gen(function*() {
    const plans = yield* (yield* Driver).plans
    const plan = plans.find((p) => p.trashDays === trashDays)
    if (plan === undefined) return yield* Effect.dieMessage(`the target offers no plan with ${trashDays} trash days`)
    return plan.id
  })

const advanceDays = (days: number) => Effect.flatMap(Driver, (driver) => driver.advanceClock(Duration.days(days)))

const isRestorable = (account: string, app: (typeof trashApps)[number], id: string) =>
  Effect.gen(function*() {
    const items = yield* (yield* Driver).trash(account as never, app)
    return items.some((i) => i.record.id === id)
  })

export const LifecycleChecks: ReadonlyArray<Check> = [
  check("TRASH-001", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(trashApps)
    for (const app of trashApps) {
      yield* pushOne(account, app, put(`${app}-1`, sample(app, 1)))
      const outcome = yield* pushOne(account, app, del(`${app}-1`, { baseVersion: 1 }))
      assert.strictEqual(outcome._tag === "applied" && outcome.state, "trashed", app)
      const items = yield* driver.trash(account, app)
      assert.deepStrictEqual(items.map((i) => [i.app, i.record.id, i.record.state]), [[app, `${app}-1`, "trashed"]])
      const { deleteBy, trashedAt } = items[0]!.record
      assert.isNumber(deleteBy)
      assert.isAtLeast(deleteBy! - trashedAt!, 30 * day, `${app} keeps at least 30 days`)
      assert.deepStrictEqual(items[0]!.record.payload, sample(app, 1), `${app} keeps the content in the trash`)
    }
    assert.strictEqual((yield* driver.trash(account)).length, trashApps.length, "the whole trash lists every app")
  })),

  check("TRASH-002", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* trashed("contacts", "c1")
    const { cursor } = yield* pullAll(account, "contacts")
    const restored = yield* driver.restore(account, "contacts", "c1")
    assert.strictEqual(restored.state, "active")
    assert.strictEqual(restored.version, 3)
    assert.isUndefined(restored.deleteBy)
    assert.deepStrictEqual(restored.payload, sample("contacts", 1))
    const { changes } = yield* pullAll(account, "contacts", cursor, undefined)
    assert.deepStrictEqual(changes.map((c) => [c.id, c.version, c.state]), [["c1", 3, "active"]], "devices see it")
    assert.deepStrictEqual(yield* driver.trash(account, "contacts"), [])
  })),

  check("TRASH-003", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* trashed("notes", "n1")
    const purged = yield* driver.purge(account, "notes", "n1")
    assert.strictEqual(purged.state, "purged")
    assert.isUndefined(purged.payload)
    assert.strictEqual(codeOf(yield* Effect.flip(driver.restore(account, "notes", "n1"))), "not-in-trash")
    const { changes } = yield* pullAll(account, "notes")
    assert.deepStrictEqual(changes.map((c) => [c.id, c.state, c.payload]), [["n1", "purged", undefined]])
    assert.deepStrictEqual(yield* driver.trash(account), [])
  })),

  check("TRASH-004", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["notes", "messages"])
    for (const id of ["a", "b"]) {
      yield* pushOne(account, "notes", put(id, sample("notes", 1)))
      yield* pushOne(account, "notes", del(id, { baseVersion: 1 }))
    }
    yield* pushOne(account, "messages", put("m", sample("messages", 1)))
    yield* pushOne(account, "messages", del("m", { baseVersion: 1 }))
    assert.strictEqual(yield* driver.emptyTrash(account, "notes"), 2)
    assert.deepStrictEqual((yield* driver.trash(account)).map((i) => i.record.id), ["m"], "other apps' trash stays")
    yield* pushOne(account, "notes", put("later", sample("notes", 2)))
    yield* pushOne(account, "notes", del("later", { baseVersion: 1 }))
    assert.strictEqual(yield* driver.emptyTrash(account), 2)
    assert.deepStrictEqual(yield* driver.trash(account), [])
  })),

  check("TRASH-005", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["notes"])
    yield* pushOne(account, "notes", put("live", sample("notes", 1)))
    for (const op of [driver.restore(account, "notes", "live"), driver.purge(account, "notes", "live")]) {
      assert.strictEqual(codeOf(yield* Effect.flip(op)), "not-in-trash")
    }
    for (const op of [driver.restore(account, "notes", "missing"), driver.purge(account, "notes", "missing")]) {
      assert.strictEqual(codeOf(yield* Effect.flip(op)), "record-not-found")
    }
    const other = yield* trashed("notes", "theirs")
    assert.strictEqual(codeOf(yield* Effect.flip(driver.purge(account, "notes", "theirs"))), "record-not-found")
    assert.strictEqual(codeOf(yield* Effect.flip(driver.restore(account, "notes", "theirs"))), "record-not-found")
    assert.strictEqual((yield* driver.trash(other)).length, 1, "another account's trash is untouched")
    const { changes } = yield* pullAll(account, "notes")
    assert.deepStrictEqual(changes.map((c) => [c.id, c.version, c.state]), [["live", 1, "active"]])
  })),

  check("TRASH-006", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(permanentApps)
    for (const app of permanentApps) {
      yield* pushOne(account, app, put("x", sample(app, 1)))
      const outcome = yield* pushOne(account, app, del("x", { baseVersion: 1 }))
      assert.strictEqual(outcome._tag === "applied" && outcome.state, "purged", app)
      assert.strictEqual(codeOf(yield* Effect.flip(driver.trash(account, app))), "no-trash", app)
      assert.strictEqual(codeOf(yield* Effect.flip(driver.restore(account, app, "x"))), "no-trash", app)
    }
    assert.deepStrictEqual(yield* driver.trash(account), [])
  })),

  check("RET-001", undefined, Effect.gen(function*() {
    const plan = yield* planWithTrashDays(90)
    const account = yield* accountWith(["notes"])
    yield* buy(account, plan, 365)
    for (const id of ["kept", "lost"]) {
      yield* pushOne(account, "notes", put(id, sample("notes", 1)))
      yield* pushOne(account, "notes", del(id, { baseVersion: 1 }))
    }
    yield* advanceDays(89)
    assert.isTrue(yield* isRestorable(account, "notes", "lost"), "still in the trash on day 89")
    assert.strictEqual((yield* (yield* Driver).restore(account, "notes", "kept")).state, "active")
    yield* advanceDays(2)
    assert.isFalse(yield* isRestorable(account, "notes", "lost"), "gone on day 91")
    const { changes } = yield* pullAll(account, "notes")
    assert.deepStrictEqual(changes.map((c) => [c.id, c.state]), [["kept", "active"], ["lost", "purged"]])
  })),

  check("RET-002", undefined, Effect.gen(function*() {
    const plan = yield* planWithTrashDays(90)
    const account = yield* accountWith(["notes"])
    yield* buy(account, plan, 10)
    yield* pushOne(account, "notes", put("n", sample("notes", 1)))
    yield* pushOne(account, "notes", del("n", { baseVersion: 1 }))
    const receipt = (yield* (yield* Driver).trash(account, "notes"))[0]!.record.deleteBy
    yield* advanceDays(11)
    assert.strictEqual((yield* (yield* Driver).membership(account)).plan.trashDays, 30, "lapsed to the free plan")
    yield* advanceDays(78)
    assert.isTrue(yield* isRestorable(account, "notes", "n"), "still restorable on day 89")
    assert.strictEqual((yield* (yield* Driver).trash(account, "notes"))[0]!.record.deleteBy, receipt)
    yield* advanceDays(2)
    assert.isFalse(yield* isRestorable(account, "notes", "n"))
  })),

  check("RET-003", undefined, Effect.gen(function*() {
    const plan = yield* planWithTrashDays(180)
    const account = yield* accountWith(["calendar"])
    yield* pushOne(account, "calendar", put("e", sample("calendar", 1)))
    yield* pushOne(account, "calendar", del("e", { baseVersion: 1 }))
    const before = (yield* (yield* Driver).trash(account, "calendar"))[0]!.record
    yield* advanceDays(20)
    yield* buy(account, plan, 365)
    const after = (yield* (yield* Driver).trash(account, "calendar"))[0]!.record
    assert.strictEqual(after.deleteBy, before.trashedAt! + 180 * day, "the receipt grew to the new plan's days")
    yield* advanceDays(100)
    assert.isTrue(yield* isRestorable(account, "calendar", "e"), "restorable on day 120")
    yield* advanceDays(61)
    assert.isFalse(yield* isRestorable(account, "calendar", "e"), "gone after day 180")
  })),

  check("RET-003", "an upgrade that starts later extends the receipts of what is in the trash when it starts", Effect.gen(function*() {
    const driver = yield* Driver
    const plan = yield* planWithTrashDays(180)
    const account = yield* trashed("notes", "n")
    const now = yield* driver.now
    yield* driver.recordPurchase({
      account,
      id: freshMutationId("order"),
      planId: plan,
      validFrom: now + 10 * day,
      validUntil: now + 400 * day,
      details: { amountMinor: 999, currency: "EUR", channel: "voucher" }
    })
    yield* advanceDays(35)
    assert.isTrue(yield* isRestorable(account, "notes", "n"), "kept past the free plan's 30 days")
    yield* advanceDays(150)
    assert.isFalse(yield* isRestorable(account, "notes", "n"), "gone after 180 days")
  })),

  check("RET-004", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* trashed("messages", "m")
    const first = (yield* driver.trash(account, "messages"))[0]!.record
    yield* advanceDays(20)
    const restored = yield* driver.restore(account, "messages", "m")
    yield* pushOne(account, "messages", del("m", { baseVersion: restored.version }))
    const second = (yield* driver.trash(account, "messages"))[0]!.record
    // A target on a running clock (over HTTP) lets the seconds the check takes pass too: within a minute of 20 days.
    const later = (a: number, b: number, what: string) => {
      assert.isAtLeast(b - a, 20 * day, what)
      assert.isBelow(b - a, 20 * day + 60_000, what)
    }
    later(first.trashedAt!, second.trashedAt!, "trashed again 20 days later")
    later(first.deleteBy!, second.deleteBy!, "a new receipt from the new trashing")
    yield* advanceDays(25)
    assert.isTrue(yield* isRestorable(account, "messages", "m"), "the old receipt no longer applies")
  })),

  check("RET-005", undefined, Effect.gen(function*() {
    const account = yield* trashed("recordings", "r")
    const record = (yield* (yield* Driver).trash(account, "recordings"))[0]!.record
    const days = (record.deleteBy! - record.trashedAt!) / day
    assert.isAtLeast(days, 30)
    assert.isAtMost(days, 180)
    yield* advanceDays(29)
    assert.isTrue(yield* isRestorable(account, "recordings", "r"))
    yield* advanceDays(days - 29 + 1)
    assert.isFalse(yield* isRestorable(account, "recordings", "r"))
  })),

  check("MEM-001", undefined, Effect.gen(function*() {
    const plans = yield* (yield* Driver).plans
    assert.isAtLeast(plans.length, 2, "there is something to buy")
    for (const plan of plans) {
      assert.isAtLeast(plan.trashDays, 30, plan.id)
      assert.isAtMost(plan.trashDays, 180, plan.id)
      assert.isAbove(plan.storageBytes, 0, plan.id)
      assert.isAbove(plan.syncIntervalMinutes, 0, plan.id)
    }
    const best = [...plans].sort((a, b) => b.storageBytes - a.storageBytes)[0]!
    const least = [...plans].sort((a, b) => a.storageBytes - b.storageBytes)[0]!
    assert.isAbove(best.trashDays, least.trashDays, "a larger plan keeps the trash longer")
    assert.isBelow(best.syncIntervalMinutes, least.syncIntervalMinutes, "and syncs more often")
  })),

  check("MEM-002", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith([])
    const plan = yield* planWithTrashDays(90)
    const first = yield* buy(account, plan, 30)
    const second = yield* buy(account, plan, 365)
    const listed = yield* driver.purchases(account)
    assert.deepStrictEqual(listed.map((p) => p.id), [first.id, second.id])
    assert.deepStrictEqual(listed[0]!.details, { amountMinor: 499, currency: "EUR", channel: "voucher" })
    const again = yield* Effect.flip(driver.recordPurchase({
      account,
      id: first.id,
      planId: plan,
      validFrom: first.validFrom,
      validUntil: first.validUntil,
      details: first.details
    }))
    assert.strictEqual(codeOf(again), "purchase-exists")
    const bad = yield* Effect.flip(buy(account, "no-such-plan", 30))
    assert.strictEqual(codeOf(bad), "invalid-purchase")
    assert.strictEqual((yield* driver.purchases(account)).length, 2, "refused purchases change nothing")
  })),

  check("MEM-003", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith([])
    const free = (yield* driver.membership(account)).plan
    const plan = yield* planWithTrashDays(180)
    const purchase = yield* buy(account, plan, 30)
    const during = yield* driver.membership(account)
    assert.strictEqual(during.plan.id, plan)
    assert.strictEqual(during.validUntil, purchase.validUntil)
    yield* advanceDays(31)
    assert.strictEqual((yield* driver.membership(account)).plan.id, free.id, "back to the free plan after it ends")
  })),

  check("MEM-004", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["notes"])
    const device = DeviceId.make("pacing-phone")
    const before = yield* driver.now
    const first = yield* driver.push(account, device, "notes", [put("n1", sample("notes", 1))], { trigger: "background" })
    const after = yield* driver.now
    const interval = (yield* driver.membership(account)).plan.syncIntervalMinutes * 60_000
    // On a target whose clock runs (over HTTP), the push happened somewhere between the two readings.
    assert.isAtLeast(first.nextSyncAt, before + interval)
    assert.isAtMost(first.nextSyncAt, after + interval)
    yield* driver.pull(account, "notes", { trigger: "background" }, device)
    yield* driver.advanceClock(Duration.minutes(3))
    const refused = yield* Effect.flip(driver.push(account, device, "notes", [put("n2", sample("notes", 2))], { trigger: "background" }))
    assert.strictEqual(codeOf(refused), "sync-too-soon")
    assert.strictEqual((refused as unknown as { retryAt: number }).retryAt, first.nextSyncAt)
    const asked = yield* driver.push(account, device, "notes", [put("n2", sample("notes", 2))], { trigger: "user" })
    assert.strictEqual(asked.outcomes[0]!._tag, "applied", "a sync the person asks for goes through")
  })),

  check("QUOTA-001", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["gallery", "notes"])
    const photo = { ...sample("gallery", 1), size: 3_000_000, blob: { id: "blob-1", size: 3_000_000, sha256: sample("gallery", 1).sha256 } }
    yield* pushOne(account, "gallery", put("p", photo))
    yield* pushOne(account, "notes", put("n", sample("notes", 1)))
    const withBoth = (yield* driver.membership(account)).usage
    assert.strictEqual(withBoth.records, 2)
    assert.isAtLeast(withBoth.bytes, 3_000_000, "the blob counts")
    yield* pushOne(account, "gallery", del("p", { baseVersion: 1 }))
    assert.deepStrictEqual((yield* driver.membership(account)).usage, withBoth, "the trash counts too")
    yield* driver.purge(account, "gallery", "p")
    const after = (yield* driver.membership(account)).usage
    assert.strictEqual(after.records, 1)
    assert.isBelow(after.bytes, 3_000_000, "a purge frees the space")
  })),

  check("QUOTA-002", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["gallery"])
    const quota = (yield* driver.membership(account)).plan.storageBytes
    const big = (n: number, size: number) => ({
      ...sample("gallery", n),
      size,
      blob: { id: `blob-${n}`, size, sha256: sample("gallery", n).sha256 }
    })
    assert.strictEqual((yield* pushOne(account, "gallery", put("a", big(1, quota - 1_000_000))))._tag, "applied")
    const refused = yield* pushOne(account, "gallery", put("b", big(2, 2_000_000)))
    assert.strictEqual(refused._tag === "rejected" && refused.code, "quota-exceeded")
    if (refused._tag === "rejected") assert.include(refused.reason, String(quota))
    assert.deepStrictEqual((yield* pullAll(account, "gallery")).changes.map((c) => c.id), ["a"])
  })),

  check("QUOTA-003", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["gallery"])
    const quota = (yield* driver.membership(account)).plan.storageBytes
    const item = (n: number, size: number) => ({
      ...sample("gallery", n),
      size,
      blob: { id: `blob-${n}`, size, sha256: sample("gallery", n).sha256 }
    })
    assert.strictEqual((yield* pushOne(account, "gallery", put("a", item(1, quota - 5_000))))._tag, "applied")
    assert.strictEqual((yield* pushOne(account, "gallery", put("b", item(2, 3_000))))._tag, "applied")
    const over = yield* pushOne(account, "gallery", put("c", item(3, 5_000)))
    assert.strictEqual(over._tag === "rejected" && over.code, "quota-exceeded", "the account is full")
    const full = (yield* driver.membership(account)).usage
    // Time passing shows that nothing is deleted later either, where the target lets the suite move its clock.
    if (driver.capabilities.has("clock-control")) yield* driver.advanceClock(Duration.days(7))
    assert.deepStrictEqual((yield* driver.membership(account)).usage, full, "nothing was deleted to make room")
    assert.strictEqual((yield* pushOne(account, "gallery", del("a", { baseVersion: 1 })))._tag, "applied")
    assert.strictEqual((yield* driver.purge(account, "gallery", "a")).state, "purged")
    assert.strictEqual((yield* pushOne(account, "gallery", put("c", item(3, 5_000))))._tag, "applied", "room again")
  })),

  check("REGION-002", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const others = Apps.filter((app) => app !== "browser")
    for (const region of ["US", "BR", "CN", "CH"]) {
      const account = yield* accountWith([], region)
      const settings = yield* driver.updateSettings(account, { apps: Object.fromEntries(others.map((a) => [a, true])) })
      assert.deepStrictEqual([...settings.enabled].sort(), [...others].sort(), region)
    }
  })),

  check("DEL-001", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["wifi", "frequent-phrases", "notes"])
    for (const app of ["wifi", "frequent-phrases"] as const) {
      yield* pushOne(account, app, put(`${app}-1`, sample(app, 1)))
      yield* pushOne(account, app, put(`${app}-2`, sample(app, 2)))
    }
    const cursor = (yield* pullAll(account, "wifi")).cursor
    yield* driver.updateSettings(account, { apps: { wifi: false, "frequent-phrases": false } })
    for (const app of ["wifi", "frequent-phrases"] as const) {
      const { changes } = yield* pullAll(account, app)
      assert.deepStrictEqual(changes.map((c) => [c.state, c.payload]), [["purged", undefined], ["purged", undefined]], app)
    }
    const seen = (yield* pullAll(account, "wifi", cursor)).changes
    assert.deepStrictEqual(seen.map((c) => c.state), ["purged", "purged"], "devices learn of it")
    yield* driver.updateSettings(account, { apps: { wifi: true } })
    assert.deepStrictEqual((yield* pullAll(account, "wifi")).changes.filter((c) => c.state !== "purged"), [],
      "turning it on again brings nothing back")
  })),

  check("DEL-002", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const kept = Apps.filter((a) => a !== "wifi" && a !== "frequent-phrases" && a !== "browser")
    const account = yield* accountWith(kept)
    for (const app of kept) yield* pushOne(account, app, put(`${app}-1`, sample(app, 1)))
    yield* driver.updateSettings(account, { apps: Object.fromEntries(kept.map((a) => [a, false])) })
    for (const app of kept) {
      assert.deepStrictEqual((yield* pullAll(account, app)).changes.map((c) => c.state), ["active"], app)
    }
  })),

  check("DEL-003", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["home-screen"])
    yield* pushOne(account, "home-screen", put("b1", sample("home-screen", 1)), phone)
    yield* pushOne(account, "home-screen", put("b2", sample("home-screen", 2)), phone)
    yield* pushOne(account, "home-screen", put("b3", sample("home-screen", 3)), tablet)
    const listed = yield* driver.backups(account)
    const byDevice = Object.fromEntries(listed.map((d) => [d.deviceId, d.backups.map((b) => b.id).sort()]))
    assert.deepStrictEqual(byDevice, { phone: ["b1", "b2"], tablet: ["b3"] })
    assert.deepStrictEqual(listed.flatMap((d) => d.backups).find((b) => b.id === "b3")?.payload, sample("home-screen", 3),
      "a backup is the whole snapshot")
    yield* driver.deleteBackup(account, "b1")
    const after = yield* driver.backups(account)
    assert.deepStrictEqual(after.flatMap((d) => d.backups.map((b) => b.id)).sort(), ["b2", "b3"])
    assert.strictEqual(codeOf(yield* Effect.flip(driver.deleteBackup(account, "b1"))), "record-not-found")
    assert.strictEqual(codeOf(yield* Effect.flip(driver.restore(account, "home-screen", "b1"))), "no-trash",
      "a deleted backup is gone for good")
  })),

  check("DEL-004", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["home-screen"])
    const client = yield* makeDeviceSyncClient({ mutationIdPrefix: freshMutationId("launcher") }).pipe(
      Effect.provideService(SyncTransport, yield* driver.transport(account, laptop))
    )
    // The schedule is the device's decision, on the device's clock: the suite's own, wherever the target's is.
    const now = yield* Clock.currentTimeMillis
    assert.isTrue(yield* client.homeScreenBackupDue(undefined), "the first backup is due at once")
    yield* driver.updateSettings(account, { homeScreenBackup: { every: "daily", hour: 3 } })
    assert.isFalse(yield* client.homeScreenBackupDue(now), "not again the same day")
    yield* driver.updateSettings(account, { homeScreenBackup: { every: "weekly", hour: 3 } })
    assert.isFalse(yield* client.homeScreenBackupDue(now - 2 * day))
    assert.isTrue(yield* client.homeScreenBackupDue(now - 8 * day))
    yield* driver.updateSettings(account, { homeScreenBackup: { every: "manual", hour: 3 } })
    assert.isFalse(yield* client.homeScreenBackupDue(now - 400 * day), "manual backups are never due")
  })),

  check("DEL-005", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["contacts", "notes"])
    yield* pushOne(account, "contacts", put("c1", sample("contacts", 1)))
    yield* pushOne(account, "contacts", put("c2", sample("contacts", 2)))
    yield* pushOne(account, "contacts", del("c2", { baseVersion: 1 }))
    yield* pushOne(account, "notes", put("n1", sample("notes", 1)))
    assert.strictEqual(yield* driver.deleteDataType(account, "contacts"), 2)
    const { changes } = yield* pullAll(account, "contacts")
    assert.deepStrictEqual(changes.map((c) => [c.state, c.payload]), [["purged", undefined], ["purged", undefined]])
    assert.deepStrictEqual(yield* driver.trash(account, "contacts"), [], "the trash went too")
    assert.deepStrictEqual((yield* pullAll(account, "notes")).changes.map((c) => c.state), ["active"], "only that type")
    assert.strictEqual(codeOf(yield* Effect.flip(driver.deleteDataType(account, "horoscopes"))), "unknown-data-type")
  })),

  check("DEL-006", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["notes", "wifi"])
    const neighbour = yield* accountWith(["notes"])
    yield* pushOne(account, "notes", put("n1", sample("notes", 1)))
    yield* pushOne(account, "wifi", put("w1", sample("wifi", 1)))
    yield* pushOne(neighbour, "notes", put("n1", sample("notes", 2)))
    yield* driver.deleteAccount(account)
    assert.strictEqual(codeOf(yield* Effect.flip(driver.settings(account))), "account-not-found")
    assert.strictEqual(codeOf(yield* Effect.flip(pullAll(account, "notes"))), "account-not-found")
    assert.strictEqual(codeOf(yield* Effect.flip(driver.membership(account))), "account-not-found")
    const pushed = yield* Effect.flip(driver.push(account, phone, "notes", [put("n2", sample("notes", 2))]))
    assert.strictEqual(codeOf(pushed), "account-not-found")
    assert.deepStrictEqual((yield* pullAll(neighbour, "notes")).changes.map((c) => c.payload), [sample("notes", 2)],
      "other accounts are untouched")
  })),

  check("GAL-002", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["gallery"])
    const photo = sample("gallery", 5)
    yield* pushOne(account, "gallery", put("IMG_1", photo))
    yield* pushOne(account, "gallery", del("IMG_1", { baseVersion: 1 }))
    const again = yield* pushOne(account, "gallery", put("IMG_1-copy", photo), tablet)
    assert.strictEqual(again._tag === "rejected" && again.code, "deleted-on-purpose", "refused while in the trash")
    yield* driver.purge(account, "gallery", "IMG_1")
    const afterPurge = yield* pushOne(account, "gallery", put("IMG_1-copy", photo), tablet)
    assert.strictEqual(afterPurge._tag === "rejected" && afterPurge.code, "deleted-on-purpose", "and after the purge")
    const other = yield* pushOne(account, "gallery", put("IMG_2", sample("gallery", 6)), tablet)
    assert.strictEqual(other._tag, "applied", "other photos are not affected")
    const readd = yield* pushOne(account, "gallery", { ...put("IMG_1-copy", photo), readd: true }, tablet)
    assert.strictEqual(readd._tag, "applied", "the person re-adds it explicitly")

    yield* pushOne(account, "gallery", del("IMG_2", { baseVersion: 1 }))
    yield* driver.restore(account, "gallery", "IMG_2")
    const afterRestore = yield* pushOne(account, "gallery", put("IMG_2-copy", sample("gallery", 6)), laptop)
    assert.strictEqual(afterRestore._tag, "applied", "a restore takes the mark away")
  })),

  check("DEL-007", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const policies = yield* driver.policies
    for (const policy of policies) {
      const account = yield* accountWith([policy.app], "DE")
      yield* pushOne(account, policy.app, put("a", sample(policy.app, 1)))
      yield* pushOne(account, policy.app, put("b", sample(policy.app, 2)))
      const deleted = yield* pushOne(account, policy.app, del("a", { baseVersion: 1 }))
      const expected = policy.onDelete === "trash" ? "trashed" : "purged"
      assert.strictEqual(deleted._tag === "applied" && deleted.state, expected, `${policy.app} on delete`)
      yield* driver.updateSettings(account, { apps: { [policy.app]: false } })
      const left = (yield* pullAll(account, policy.app)).changes.find((c) => c.id === "b")!
      assert.strictEqual(left.state, policy.onSyncDisabled === "purge" ? "purged" : "active", `${policy.app} when off`)
    }
  }))
]
