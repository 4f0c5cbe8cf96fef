/**
 * Checks of the ACCESS-* requirements (§4.1.5, DESIGN.md "Encryption at rest", last bullet): what the account reads
 * about the openings of its content, through the driver only. The suite verifies the chain itself, as an account
 * would, from the documented encoding (`verifyChain` with its own SHA-256), and then asks the target's verdict.
 */
import { assert } from "../Assert.js"
import { type AccessEntry, genesisHash, verifyChain } from "@custos/core/domain/AccessLog"
import type { AccountId } from "@custos/core/domain/Ids"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { type Check, check } from "../Check.js"
import { Driver } from "../Driver.js"
import {
  accountWith,
  del,
  freshMutationId,
  phone,
  pullAll,
  pushOne,
  put,
  sample,
  tablet
} from "../internal/scenario.js"

/** SHA-256 of the suite's own, not the target's. */
const sha256 = (data: Uint8Array) => Effect.sync(() => new Uint8Array(createHash("sha256").update(data).digest()))

const sorted = (ids: ReadonlyArray<string>) => [...ids].sort()

/** The entries the account's log gained while `effect` ran, with the time window it ran in. */
const logged = <A, E, R>(account: AccountId, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const driver = yield* Driver
    const before = (yield* driver.accessLog(account)).length
    const from = yield* driver.now
    const result = yield* effect
    const to = yield* driver.now
    const entries = (yield* driver.accessLog(account)).slice(before)
    for (const e of entries) assert.isTrue(e.at >= from && e.at <= to, `entry ${e.index} is timed when it happened`)
    return { result, entries }
  })

const onlyEntry = (entries: ReadonlyArray<AccessEntry>, what: string): AccessEntry => {
  assert.strictEqual(entries.length, 1, `${what} is one entry`)
  return entries[0]!
}

const recordPurchase = (account: AccountId) =>
  Effect.gen(function*() {
    const driver = yield* Driver
    const now = yield* driver.now
    const plan = (yield* driver.plans).find((p) => p.trashDays > 30)!
    return yield* driver.recordPurchase({
      account,
      id: freshMutationId("order"),
      planId: plan.id,
      validFrom: now,
      validUntil: now + 86_400_000,
      details: { amountMinor: 499, currency: "EUR", channel: "voucher" }
    })
  })

export const AccessChecks: ReadonlyArray<Check> = [
  check(
    "ACCESS-001",
    "a pull is logged as one entry per page, naming the device, the app, every record sent, the purpose and the time",
    Effect.gen(function*() {
      const driver = yield* Driver
      const account = yield* accountWith(["notes"])
      const notes = Array.from({ length: 250 }, (_, i) => put(`n${i}`, sample("notes", i), { baseVersion: 0 }))
      const pushed = yield* driver.push(account, phone, "notes", notes)
      assert.isTrue(pushed.outcomes.every((o) => o._tag === "applied"))
      assert.deepStrictEqual(yield* driver.accessLog(account), [], "writing content is not reading it")

      const { entries, result } = yield* logged(account, Effect.gen(function*() {
        const first = yield* driver.pull(account, "notes", { limit: 200 }, tablet)
        const second = yield* driver.pull(account, "notes", { cursor: first.cursor, limit: 200 }, tablet)
        return [first, second]
      }))
      assert.strictEqual(entries.length, 2, "two pages, two entries")
      result.forEach((page, i) => {
        const entry = entries[i]!
        assert.deepStrictEqual(entry.actor, { kind: "device", id: tablet }, "who: the device that pulled")
        assert.strictEqual(entry.app, "notes")
        assert.strictEqual(entry.purpose, "sync-pull")
        assert.strictEqual(entry.accountId, account)
        const sent = page.changes.map((c) => c.id)
        assert.deepStrictEqual(sorted(entry.recordIds), sorted(sent), "which: every record sent")
      })
      assert.strictEqual(entries[0]!.recordIds.length, 200)
      assert.strictEqual(entries[1]!.recordIds.length, 50)
    })
  ),

  check(
    "ACCESS-001",
    "trash, backup and purchase listings, a restore and the records sent back with conflicts are each logged",
    Effect.gen(function*() {
      const driver = yield* Driver
      const account = yield* accountWith(["notes", "home-screen"])
      yield* pushOne(account, "notes", put("kept", sample("notes", 1)))
      yield* pushOne(account, "notes", put("binned", sample("notes", 2)))
      yield* pushOne(account, "notes", del("binned", { baseVersion: 1 }))
      yield* pushOne(account, "home-screen", put("b1", sample("home-screen", 1)), phone)
      yield* pushOne(account, "home-screen", put("b2", sample("home-screen", 2)), tablet)
      const purchase = yield* recordPurchase(account)
      assert.deepStrictEqual(yield* driver.accessLog(account), [], "recording a purchase opens nothing")

      const trash = onlyEntry((yield* logged(account, driver.trash(account))).entries, "a trash listing")
      assert.deepStrictEqual([trash.purpose, trash.app, trash.recordIds], ["trash-list", "notes", ["binned"]])
      assert.strictEqual(trash.actor.kind, "device")

      const backups = onlyEntry((yield* logged(account, driver.backups(account))).entries, "a backup listing")
      assert.deepStrictEqual([backups.purpose, backups.app], ["backup-list", "home-screen"])
      assert.deepStrictEqual(sorted(backups.recordIds), ["b1", "b2"])

      const purchases = onlyEntry((yield* logged(account, driver.purchases(account))).entries, "a purchase listing")
      assert.deepStrictEqual([purchases.purpose, purchases.app, purchases.recordIds], [
        "purchase-list",
        "membership",
        [purchase.id]
      ])

      const restore = onlyEntry(
        (yield* logged(account, driver.restore(account, "notes", "binned"))).entries,
        "a restore"
      )
      assert.deepStrictEqual([restore.purpose, restore.app, restore.recordIds], ["trash-restore", "notes", ["binned"]])

      const { entries, result } = yield* logged(
        account,
        driver.push(account, phone, "notes", [put("kept", sample("notes", 3), { baseVersion: 0 })])
      )
      assert.strictEqual(result.outcomes[0]!._tag, "conflict")
      const conflict = onlyEntry(entries, "a conflict")
      assert.deepStrictEqual([conflict.purpose, conflict.app, conflict.recordIds], ["sync-conflict", "notes", ["kept"]])
      assert.deepStrictEqual(conflict.actor, { kind: "device", id: phone }, "who: the device that pushed")
    })
  ),

  check(
    "ACCESS-001",
    "what carries no content is never logged as a read: tombstones, empty pages and listings, purges, settings",
    Effect.gen(function*() {
      const driver = yield* Driver
      const account = yield* accountWith(["wifi", "notes", "home-screen"])
      yield* pushOne(account, "wifi", put("w1", sample("wifi", 1)))
      yield* pushOne(account, "wifi", del("w1", { baseVersion: 1 }))
      yield* pushOne(account, "notes", put("n1", sample("notes", 1)))
      yield* pushOne(account, "notes", del("n1", { baseVersion: 1 }))
      yield* driver.purge(account, "notes", "n1")
      const wifi = yield* pullAll(account, "wifi")
      assert.isTrue(wifi.changes.length === 1 && wifi.changes[0]!.payload === undefined, "only a tombstone was sent")
      const notes = yield* pullAll(account, "notes")
      assert.isTrue(notes.changes.every((c) => c.payload === undefined), "only a tombstone was sent")
      yield* pullAll(account, "bluetooth").pipe(Effect.ignore)
      assert.deepStrictEqual(yield* driver.trash(account), [])
      assert.deepStrictEqual(yield* driver.backups(account), [])
      assert.deepStrictEqual(yield* driver.purchases(account), [])
      yield* driver.settings(account)
      yield* driver.membership(account)
      assert.deepStrictEqual(yield* driver.accessLog(account), [], "nothing was opened, nothing is logged")
    })
  ),

  check("ACCESS-002", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["notes", "contacts"])
    yield* pushOne(account, "notes", put("n1", sample("notes", 1)))
    yield* pushOne(account, "contacts", put("c1", sample("contacts", 1)))
    yield* pushOne(account, "contacts", del("c1", { baseVersion: 1 }))
    yield* pullAll(account, "notes")
    yield* pullAll(account, "contacts")
    yield* driver.trash(account)
    yield* driver.restore(account, "contacts", "c1")

    const entries = yield* driver.accessLog(account)
    assert.strictEqual(entries.length, 4)
    entries.forEach((e, i) => {
      assert.strictEqual(e.index, i + 1, "indexes run 1, 2, 3, ...")
      assert.strictEqual(e.prevHash, i === 0 ? genesisHash : entries[i - 1]!.hash, "each entry follows the one before")
    })
    const own = yield* verifyChain(entries, sha256, { accountId: account })
    assert.deepStrictEqual(own, { ok: true, entries: 4, head: { index: 4, hash: entries[3]!.hash } },
      "the chain verifies with the account's own SHA-256")
    const target = yield* driver.verifyAccessLog(account)
    assert.isTrue(target.ok, "the target's verification agrees")
    assert.strictEqual(target.entries, 4)
    assert.deepStrictEqual(target.head, own.head)
  })),

  check("ACCESS-003", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const alice = yield* accountWith(["notes"])
    const bob = yield* accountWith(["notes"])
    assert.deepStrictEqual(yield* driver.accessLog(bob), [], "a new account's log is empty")
    assert.deepStrictEqual(yield* driver.verifyAccessLog(bob), { ok: true, entries: 0 })

    yield* pushOne(alice, "notes", put("alice-note", sample("notes", 1)))
    yield* pullAll(alice, "notes")
    yield* pullAll(alice, "notes", undefined, 1)
    assert.deepStrictEqual(yield* driver.accessLog(bob), [], "alice's reads are not in bob's log")

    yield* pushOne(bob, "notes", put("bob-note", sample("notes", 2)))
    yield* pullAll(bob, "notes")
    const bobs = yield* driver.accessLog(bob)
    assert.strictEqual(bobs.length, 1)
    assert.strictEqual(bobs[0]!.accountId, bob)
    assert.strictEqual(bobs[0]!.index, 1, "bob's chain starts on its own")
    assert.strictEqual(bobs[0]!.prevHash, genesisHash)
    assert.deepStrictEqual<ReadonlyArray<string>>(bobs[0]!.recordIds, ["bob-note"])
    const alices = yield* driver.accessLog(alice)
    assert.strictEqual(alices.length, 2)
    assert.isTrue(alices.every((e) => e.accountId === alice && e.recordIds.every((id) => id === "alice-note")))
    assert.isTrue((yield* driver.verifyAccessLog(alice)).ok)
    assert.isTrue((yield* driver.verifyAccessLog(bob)).ok)
  }))
]
