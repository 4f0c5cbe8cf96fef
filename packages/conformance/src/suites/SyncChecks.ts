/**
 * Checks of the SYNC-* requirements, written against the `Driver` port so they run on any target.
 */
import { assert } from "../Assert.js"
import { makeDeviceSyncClient } from "@custos/core/client/DeviceSyncClient"
import { SyncTransport } from "@custos/core/client/SyncTransport"
import { DeviceId, RecordId } from "@custos/core/domain/Ids"
import { Duration, Effect, Queue } from "effect"
import { type Check, check } from "../Check.js"
import { Driver } from "../Driver.js"
import { accountWith, del, freshMutationId, phone, pullAll, pushOne, put, sample, tablet } from "../internal/scenario.js"

const codeOf = (error: unknown) => (error as { readonly code?: string }).code

export const SyncChecks: ReadonlyArray<Check> = [
  check("SYNC-001", "a new account syncs nothing, and each app can be turned on and off again at any time", Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith([])
    assert.deepStrictEqual((yield* driver.settings(account)).enabled, [])
    const on = yield* driver.updateSettings(account, { apps: { notes: true, contacts: true } })
    assert.deepStrictEqual([...on.enabled].sort(), ["contacts", "notes"])
    const off = yield* driver.updateSettings(account, { apps: { notes: false } })
    assert.deepStrictEqual(off.enabled, ["contacts"])
    const again = yield* driver.updateSettings(account, { apps: { notes: true } })
    assert.deepStrictEqual([...again.enabled].sort(), ["contacts", "notes"])
    assert.deepStrictEqual([...(yield* driver.settings(account)).enabled].sort(), ["contacts", "notes"])
  })),

  check("SYNC-002", undefined, Effect.gen(function*() {
    const account = yield* accountWith(["contacts"])
    const outcome = yield* pushOne(account, "notes", put("n1", sample("notes", 1)))
    assert.strictEqual(outcome._tag, "rejected")
    assert.strictEqual(outcome._tag === "rejected" && outcome.code, "app-disabled")
    assert.deepStrictEqual((yield* pullAll(account, "notes")).changes, [])
  })),

  check("SYNC-002", "turning an app off stops its pushes at once", Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["notes"])
    assert.strictEqual((yield* pushOne(account, "notes", put("n1", sample("notes", 1))))._tag, "applied")
    yield* driver.updateSettings(account, { apps: { notes: false } })
    const outcome = yield* pushOne(account, "notes", put("n2", sample("notes", 2)))
    assert.strictEqual(outcome._tag === "rejected" && outcome.code, "app-disabled")
    assert.deepStrictEqual((yield* pullAll(account, "notes")).changes.map((c) => c.id), ["n1"])
  })),

  check("SYNC-003", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["notes"])
    assert.isTrue((yield* driver.updateSettings(account, { wifiOnly: true })).wifiOnly)
    assert.isTrue((yield* driver.settings(account)).wifiOnly)
    const transport = yield* driver.transport(account, phone)
    const client = yield* makeDeviceSyncClient({ mutationIdPrefix: freshMutationId("phone") }).pipe(
      Effect.provideService(SyncTransport, transport)
    )
    yield* client.put("notes", RecordId.make("n1"), sample("notes", 1))
    const onCellular = yield* client.sync("notes", { trigger: "user", network: "cellular" })
    assert.strictEqual("skipped" in onCellular && onCellular.skipped, "wifi-only")
    assert.strictEqual(yield* client.pendingCount("notes"), 1)
    assert.deepStrictEqual((yield* pullAll(account, "notes")).changes, [])
    const onWifi = yield* client.sync("notes", { trigger: "user", network: "wifi" })
    assert.strictEqual(onWifi.applied, 1)
    assert.deepStrictEqual((yield* pullAll(account, "notes")).changes.map((c) => c.id), ["n1"])
  })),

  check("GAL-001", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["gallery"])
    yield* driver.updateSettings(account, { galleryFolders: ["Camera"] })
    const screenshot = { ...sample("gallery", 2), folder: "Screenshots" }
    const refused = yield* pushOne(account, "gallery", put("p2", screenshot))
    assert.strictEqual(refused._tag === "rejected" && refused.code, "folder-not-selected")
    assert.strictEqual((yield* pushOne(account, "gallery", put("p1", sample("gallery", 1))))._tag, "applied")
    yield* driver.updateSettings(account, { galleryFolders: ["Camera", "Screenshots"] })
    assert.strictEqual((yield* pushOne(account, "gallery", put("p2", screenshot)))._tag, "applied")
    assert.deepStrictEqual((yield* pullAll(account, "gallery")).changes.map((c) => c.id), ["p1", "p2"])
  })),

  check("SYNC-005", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["home-screen"])
    const updated = yield* driver.updateSettings(account, { homeScreenBackup: { every: "daily", hour: 22 } })
    assert.deepStrictEqual(updated.homeScreenBackup, { every: "daily", hour: 22 })
    const error = yield* Effect.flip(driver.updateSettings(account, { homeScreenBackup: { every: "daily", hour: 24 } }))
    assert.strictEqual(codeOf(error), "invalid-settings")
    assert.deepStrictEqual((yield* driver.settings(account)).homeScreenBackup, { every: "daily", hour: 22 })
  })),

  check("REGION-001", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    for (const region of ["IN", "RU", "DE", "NO", "IS"]) {
      const account = yield* accountWith([], region)
      assert.include((yield* driver.updateSettings(account, { apps: { browser: true } })).enabled, "browser", region)
    }
    for (const region of ["US", "CH", "GB", "BR"]) {
      const account = yield* accountWith([], region)
      const error = yield* Effect.flip(driver.updateSettings(account, { apps: { browser: true, notes: true } }))
      assert.strictEqual(codeOf(error), "app-unavailable-in-region", region)
      assert.deepStrictEqual((yield* driver.settings(account)).enabled, [], "nothing of a refused change applies")
    }
  })),

  check("SYNC-007", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["notes", "contacts"])
    yield* driver.push(account, phone, "notes", [put("a", sample("notes", 1)), put("b", sample("notes", 2))])
    yield* driver.push(account, phone, "contacts", [put("c", sample("contacts", 1))])
    yield* driver.push(account, tablet, "notes", [put("a", sample("notes", 3), { baseVersion: 1 }), put("d", sample("notes", 4))])
    const { changes, cursor } = yield* pullAll(account, "notes")
    assert.deepStrictEqual(changes.map((c) => [c.id, c.version]), [["b", 1], ["a", 2], ["d", 1]])
    const seqs = changes.map((c) => c.seq)
    assert.deepStrictEqual(seqs, [...seqs].sort((x, y) => x - y), "ascending seq")
    assert.strictEqual(new Set(seqs).size, seqs.length)
    assert.deepStrictEqual(changes.find((c) => c.id === "a")?.payload, sample("notes", 3))
    const paged = yield* pullAll(account, "notes", undefined, 1)
    assert.deepStrictEqual(paged.changes.map((c) => c.id), ["b", "a", "d"])
    assert.isAtLeast(paged.pages, 3)
    assert.deepStrictEqual((yield* pullAll(account, "notes", cursor)).changes, [])
    yield* driver.push(account, phone, "notes", [put("b", sample("notes", 5), { baseVersion: 1 })])
    assert.deepStrictEqual((yield* pullAll(account, "notes", cursor)).changes.map((c) => [c.id, c.version]), [["b", 2]])
  })),

  check("SYNC-007", "pulls that run while other devices' pushes commit miss no change", Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["notes"])
    const writers = [phone, tablet, DeviceId.make("watch"), DeviceId.make("car")]
    const rounds = 12
    const written = writers.flatMap((_, w) => Array.from({ length: rounds }, (_, i) => `w${w}-${i}`))
    // Four devices push one note after another; each time a push is answered, a reader pulls from the cursor it was
    // last given, while the other devices' pushes are still being written. One pull per push keeps the request rate
    // that of four syncing devices, within any server's rate limits.
    const answered = yield* Queue.unbounded<void>()
    const writing = Effect.forEach(
      writers,
      (device, w) =>
        Effect.forEach(
          Array.from({ length: rounds }, (_, i) => i),
          (i) =>
            driver.push(account, device, "notes", [put(`w${w}-${i}`, sample("notes", i))]).pipe(
              Effect.zipRight(Queue.offer(answered, undefined))
            ),
          { discard: true }
        ),
      { concurrency: "unbounded", discard: true }
    )
    const seen = new Set<string>()
    let cursor: string | undefined
    const pullOnce = Effect.gen(function*() {
      const page = yield* pullAll(account, "notes", cursor)
      for (const change of page.changes) seen.add(change.id)
      cursor = page.cursor
    })
    const reading = Effect.forEach(written, () => Effect.zipRight(Queue.take(answered), pullOnce), { discard: true })
    yield* Effect.all([writing, reading], { concurrency: "unbounded", discard: true })
    yield* pullOnce
    assert.deepStrictEqual(written.filter((id) => !seen.has(id)), [], "every change reached the reader that kept pulling")
  })),

  check("SYNC-008", undefined, Effect.gen(function*() {
    const account = yield* accountWith(["notes"])
    const mutation = put("n1", sample("notes", 1), { baseVersion: 0 })
    const first = yield* pushOne(account, "notes", mutation)
    const again = yield* pushOne(account, "notes", mutation, tablet)
    assert.strictEqual(first._tag, "applied")
    assert.strictEqual(again._tag, "duplicate")
    assert.deepStrictEqual(again._tag === "duplicate" ? again.first : again, first)
    const { changes } = yield* pullAll(account, "notes")
    assert.deepStrictEqual(changes.map((c) => [c.id, c.version]), [["n1", 1]])
    const reused = yield* pushOne(account, "notes", put("n2", sample("notes", 2), { mutationId: mutation.mutationId }))
    assert.strictEqual(reused._tag === "rejected" && reused.code, "invalid-mutation")
  })),

  check("SYNC-009", undefined, Effect.gen(function*() {
    const account = yield* accountWith(["notes"])
    yield* pushOne(account, "notes", put("n1", sample("notes", 1), { baseVersion: 0 }), phone)
    const fromTablet = yield* pushOne(account, "notes", put("n1", sample("notes", 2), { baseVersion: 1 }), tablet)
    assert.strictEqual(fromTablet._tag, "applied")
    const stale = yield* pushOne(account, "notes", put("n1", sample("notes", 3), { baseVersion: 1 }), phone)
    assert.strictEqual(stale._tag, "conflict")
    if (stale._tag === "conflict") {
      assert.strictEqual(stale.current?.version, 2)
      assert.deepStrictEqual(stale.current?.payload, sample("notes", 2))
    }
    const create = yield* pushOne(account, "notes", put("n1", sample("notes", 4), { baseVersion: 0 }), phone)
    assert.strictEqual(create._tag, "conflict", "base version 0 expects no record")
    const staleDelete = yield* pushOne(account, "notes", del("n1", { baseVersion: 1 }), phone)
    assert.strictEqual(staleDelete._tag, "conflict")
    const { changes } = yield* pullAll(account, "notes")
    assert.deepStrictEqual(changes.map((c) => [c.version, c.state, c.payload]), [[2, "active", sample("notes", 2)]])
  })),

  check("SYNC-010", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["contacts"])
    yield* pushOne(account, "contacts", put("taken", sample("contacts", 9)))
    const result = yield* driver.push(account, phone, "contacts", [
      put("c1", sample("contacts", 1)),
      put("c2", { name: { formatted: "" } }),
      put("taken", sample("contacts", 3), { baseVersion: 0 }),
      put("c4", sample("contacts", 4))
    ])
    assert.deepStrictEqual(result.outcomes.map((o) => o._tag), ["applied", "rejected", "conflict", "applied"])
    assert.deepStrictEqual(result.outcomes.map((o) => o.recordId), ["c1", "c2", "taken", "c4"])
    const { changes } = yield* pullAll(account, "contacts")
    assert.deepStrictEqual(changes.map((c) => c.id), ["taken", "c1", "c4"])
  })),

  check("SYNC-011", "a deletion in a trash app reaches other devices as trashed, with the payload kept", Effect.gen(function*() {
    const account = yield* accountWith(["notes"])
    yield* pushOne(account, "notes", put("n1", sample("notes", 1)))
    const { cursor } = yield* pullAll(account, "notes")
    const deleted = yield* pushOne(account, "notes", del("n1", { baseVersion: 1 }), tablet)
    assert.strictEqual(deleted._tag === "applied" && deleted.state, "trashed")
    const { changes } = yield* pullAll(account, "notes", cursor)
    assert.deepStrictEqual(changes.map((c) => [c.id, c.version, c.state]), [["n1", 2, "trashed"]])
    assert.deepStrictEqual(changes[0]!.payload, sample("notes", 1))
    assert.isNumber(changes[0]!.trashedAt)
  })),

  check("SYNC-011", "a deletion in an app without trash reaches other devices as a tombstone without payload", Effect.gen(function*() {
    const account = yield* accountWith(["bluetooth"])
    yield* pushOne(account, "bluetooth", put("b1", sample("bluetooth", 1)))
    const { cursor } = yield* pullAll(account, "bluetooth")
    const deleted = yield* pushOne(account, "bluetooth", del("b1", { baseVersion: 1 }), tablet)
    assert.strictEqual(deleted._tag === "applied" && deleted.state, "purged")
    const { changes } = yield* pullAll(account, "bluetooth", cursor)
    assert.deepStrictEqual(changes.map((c) => [c.id, c.version, c.state, c.payload]), [["b1", 2, "purged", undefined]])
  })),

  check("SYNC-012", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["bluetooth"])
    yield* pushOne(account, "bluetooth", put("b1", sample("bluetooth", 1)))
    yield* pushOne(account, "bluetooth", put("b2", sample("bluetooth", 2)))
    const old = (yield* pullAll(account, "bluetooth")).cursor
    yield* pushOne(account, "bluetooth", del("b1", { baseVersion: 1 }))
    const recent = (yield* pullAll(account, "bluetooth")).cursor
    yield* driver.advanceClock(Duration.days(400))
    const error = yield* Effect.flip(driver.pull(account, "bluetooth", { cursor: old }))
    assert.strictEqual(codeOf(error), "resync-required")
    assert.deepStrictEqual((yield* pullAll(account, "bluetooth", recent)).changes, [], "a cursor past the horizon still works")
    const fresh = yield* pullAll(account, "bluetooth")
    assert.deepStrictEqual(fresh.changes.map((c) => [c.id, c.state]), [["b2", "active"]])
  })),

  check("SYNC-012", "a device client told to resync rebuilds its replica and drops what was deleted meanwhile", Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["bluetooth"])
    const client = yield* makeDeviceSyncClient({ mutationIdPrefix: freshMutationId("drawer") }).pipe(
      Effect.provideService(SyncTransport, yield* driver.transport(account, tablet))
    )
    yield* pushOne(account, "bluetooth", put("b1", sample("bluetooth", 1)))
    yield* pushOne(account, "bluetooth", put("b2", sample("bluetooth", 2)))
    yield* client.sync("bluetooth", { trigger: "user", network: "wifi" })
    assert.deepStrictEqual((yield* client.records("bluetooth")).map((r) => r.id).sort(), ["b1", "b2"])
    yield* pushOne(account, "bluetooth", del("b1", { baseVersion: 1 }))
    yield* driver.advanceClock(Duration.days(400))
    const report = yield* client.sync("bluetooth", { trigger: "user", network: "wifi" })
    assert.isTrue(report.resynced)
    assert.deepStrictEqual((yield* client.records("bluetooth")).map((r) => r.id), ["b2"])
  })),

  check("SYNC-012", "a device whose first sync comes after tombstones were compacted completes its full pull", Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["bluetooth"])
    for (let i = 0; i < 4; i++) yield* pushOne(account, "bluetooth", put(`b${i}`, sample("bluetooth", i)))
    yield* pushOne(account, "bluetooth", del("b0", { baseVersion: 1 }))
    yield* driver.advanceClock(Duration.days(400))
    const fresh = yield* makeDeviceSyncClient({ mutationIdPrefix: freshMutationId("new"), pageSize: 1 }).pipe(
      Effect.provideService(SyncTransport, yield* driver.transport(account, DeviceId.make("new-phone")))
    )
    const report = yield* fresh.sync("bluetooth", { trigger: "user", network: "wifi" })
    assert.isFalse(report.resynced, "nothing was missed, so nothing restarts")
    assert.deepStrictEqual((yield* fresh.records("bluetooth")).map((r) => r.id).sort(), ["b1", "b2", "b3"])
  })),

  check("SYNC-008", "a device app that restarts with a fresh client never reuses its earlier mutation ids", Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["notes"])
    const clientOf = () =>
      Effect.flatMap(driver.transport(account, phone), (transport) =>
        makeDeviceSyncClient({ mutationIdPrefix: "phone" }).pipe(Effect.provideService(SyncTransport, transport)))
    const before = yield* clientOf()
    yield* before.put("notes", RecordId.make("n1"), sample("notes", 1))
    yield* before.sync("notes", { trigger: "user", network: "wifi" })
    const after = yield* clientOf()
    yield* after.sync("notes", { trigger: "user", network: "wifi" })
    yield* after.put("notes", RecordId.make("n1"), sample("notes", 2))
    const report = yield* after.sync("notes", { trigger: "user", network: "wifi" })
    assert.strictEqual(report.applied, 1, "the edit is a new change, not taken for a retry")
    assert.deepStrictEqual((yield* pullAll(account, "notes")).changes.map((c) => c.payload), [sample("notes", 2)])
  })),

  check("SYNC-013", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["notes", "contacts"])
    yield* pushOne(account, "notes", put("n1", sample("notes", 1)))
    const { cursor } = yield* pullAll(account, "notes")
    for (const bad of ["", "not-a-cursor", "c2.notes.-1.0", "c2.nope.1.0", `${cursor}.1`, "x".repeat(200)]) {
      assert.strictEqual(codeOf(yield* Effect.flip(driver.pull(account, "notes", { cursor: bad }))), "invalid-cursor", bad)
    }
    assert.strictEqual(codeOf(yield* Effect.flip(driver.pull(account, "contacts", { cursor }))), "invalid-cursor")
    const busy = yield* accountWith(["notes"])
    for (let i = 0; i < 5; i++) yield* pushOne(busy, "notes", put(`x${i}`, sample("notes", i)))
    const ahead = (yield* pullAll(busy, "notes")).cursor
    assert.strictEqual(codeOf(yield* Effect.flip(driver.pull(account, "notes", { cursor: ahead }))), "invalid-cursor",
      "a cursor ahead of the account's changes is refused, not answered with an empty page")
  })),

  check("SYNC-014", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["notes"])
    const before = Date.now()
    const result = yield* driver.push(account, phone, "notes", [put("n1", sample("notes", 1))])
    const page = yield* driver.pull(account, "notes", {})
    const clock = yield* Effect.clockWith((c) => c.currentTimeMillis)
    assert.isAbove(result.nextSyncAt, Math.min(clock, before))
    assert.isAbove(page.nextSyncAt, Math.min(clock, before))
    const client = yield* makeDeviceSyncClient({ mutationIdPrefix: freshMutationId("tablet") }).pipe(
      Effect.provideService(SyncTransport, yield* driver.transport(account, tablet))
    )
    assert.strictEqual((yield* client.sync("notes", { trigger: "user", network: "wifi" })).pulled, 1)
    yield* client.put("notes", RecordId.make("n2"), sample("notes", 2))
    const early = yield* client.sync("notes", { trigger: "background", network: "wifi" })
    assert.strictEqual("skipped" in early && early.skipped, "too-early")
    assert.strictEqual(yield* client.pendingCount("notes"), 1)
    const asked = yield* client.sync("notes", { trigger: "user", network: "wifi" })
    assert.strictEqual(asked.applied, 1, "a sync the person asks for is not held back")
  })),

  check("SYNC-016", undefined, Effect.gen(function*() {
    const account = yield* accountWith(["notes"])
    yield* pushOne(account, "notes", put("n1", sample("notes", 1)))
    yield* pushOne(account, "notes", del("n1", { baseVersion: 1 }))
    const blind = yield* pushOne(account, "notes", put("n1", sample("notes", 2)), tablet)
    assert.strictEqual(blind._tag, "conflict")
    assert.strictEqual(blind._tag === "conflict" && blind.current?.state, "trashed")
    const informed = yield* pushOne(account, "notes", put("n1", sample("notes", 3), { baseVersion: 2 }), tablet)
    assert.strictEqual(informed._tag, "conflict")
    const { changes } = yield* pullAll(account, "notes")
    assert.deepStrictEqual(changes.map((c) => [c.state, c.payload]), [["trashed", sample("notes", 1)]])
  }))
]
