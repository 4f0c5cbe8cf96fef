/**
 * Checks of ISO-001 (one account never reaches another's data) and COPY-001 (a person gets everything synced back),
 * through the driver only.
 */
import { Apps } from "@custos/core/domain/App"
import { Effect } from "effect"
import { assert } from "../Assert.js"
import { type Check, check } from "../Check.js"
import { Driver } from "../Driver.js"
import { accountWith, del, phone, pullAll, pushOne, put, sample } from "../internal/scenario.js"

const codeOf = (error: unknown) => (error as { readonly code?: string }).code

export const IsolationChecks: ReadonlyArray<Check> = [
  check("ISO-001", "another account's pulls, trash and backups never show the account's records", Effect.gen(function*() {
    const driver = yield* Driver
    const owner = yield* accountWith(["contacts", "notes", "home-screen"])
    const other = yield* accountWith(["contacts", "notes", "home-screen"])
    yield* pushOne(owner, "contacts", put("c1", sample("contacts", 1)))
    yield* pushOne(owner, "notes", put("n1", sample("notes", 1)))
    yield* pushOne(owner, "notes", del("n1", { baseVersion: 1 }))
    yield* pushOne(owner, "home-screen", put("b1", sample("home-screen", 1)), phone)
    for (const app of ["contacts", "notes", "home-screen"] as const) {
      assert.deepStrictEqual((yield* pullAll(other, app)).changes, [], `${app}: nothing of the owner's in the feed`)
    }
    assert.deepStrictEqual(yield* driver.trash(other), [], "nothing of the owner's in the trash")
    assert.deepStrictEqual((yield* driver.backups(other)).flatMap((d) => d.backups), [], "nor in the backups")
    assert.strictEqual((yield* driver.membership(other)).usage.records, 0, "nor counted in the usage")
  })),

  check("ISO-001", "the same record id in two accounts is two records, and one account's deletions leave the other's", Effect.gen(function*() {
    const driver = yield* Driver
    const owner = yield* accountWith(["contacts", "notes"])
    const other = yield* accountWith(["contacts", "notes"])
    yield* pushOne(owner, "contacts", put("same", sample("contacts", 1)))
    yield* pushOne(owner, "notes", put("n1", sample("notes", 1)))
    yield* pushOne(owner, "notes", del("n1", { baseVersion: 1 }))
    const theirs = yield* pushOne(other, "contacts", put("same", sample("contacts", 2)))
    assert.strictEqual(theirs._tag, "applied", "a record of the same id is new in the other account")
    assert.strictEqual(codeOf(yield* Effect.flip(driver.restore(other, "notes", "n1"))), "record-not-found")
    yield* driver.deleteDataType(other, "contacts")
    yield* driver.emptyTrash(other)
    const mine = (yield* pullAll(owner, "contacts")).changes
    assert.deepStrictEqual(mine.map((c) => [c.id, c.version, c.state, c.payload]), [["same", 1, "active", sample("contacts", 1)]])
    assert.deepStrictEqual((yield* driver.trash(owner)).map((i) => i.record.id), ["n1"], "the owner's trash is untouched")
  })),

  check("COPY-001", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    // Every app, browser history only where the target serves a region that offers it.
    const apps = Apps.filter((app) => app !== "browser" || driver.capabilities.has("region-browser"))
    const account = yield* accountWith(apps)
    yield* driver.updateSettings(account, { galleryFolders: ["Camera"] })
    for (const app of apps) {
      for (const n of [1, 2]) {
        const outcome = yield* pushOne(account, app, put(`${app}-${n}`, sample(app, n)))
        assert.strictEqual(outcome._tag, "applied", `${app} ${n} is stored`)
      }
    }
    for (const app of apps) {
      const { changes } = yield* pullAll(account, app)
      assert.deepStrictEqual(
        changes.map((c) => [c.id, c.state, c.payload]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        [1, 2].map((n) => [`${app}-${n}`, "active", sample(app, n)]),
        `${app}: everything comes back as it was sent`
      )
    }
  }))
]
