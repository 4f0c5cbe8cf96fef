/**
 * Tests of the data inventory (§4.1.2) and the per-app policy (§4.1.3, §4.1.4; DESIGN.md "Per-app policy"). The
 * expected values are spelled out here from the whitepaper and DESIGN.md, not read back from the constants, so a
 * changed constant fails a test.
 */
import { assert, describe, it } from "@effect/vitest"
import { FastCheck, Schema } from "effect"
import { type App, Apps } from "../src/domain/App.js"
import {
  type DataCategory,
  dataType,
  DataTypeEntry,
  type DataTypeId,
  DataTypes,
  type DeleteBehaviour,
  type DisableBehaviour,
  EEA,
  Inventory,
  isAvailableIn,
  type PayloadKind,
  Policies,
  policyOf,
  sealedDataTypes
} from "../src/domain/Inventory.js"

/** §4.1.2: the 14 types and their categories, in the whitepaper's order. */
const expectedCategories: ReadonlyArray<readonly [DataTypeId, DataCategory]> = [
  ["account-id", "identifiers"],
  ["purchase-history", "purchases"],
  ["contacts", "contacts"],
  ["browsing-history", "browsing-history"],
  ["text-messages", "user-content"],
  ["photos-videos", "user-content"],
  ["call-history", "user-content"],
  ["notes", "user-content"],
  ["recordings", "user-content"],
  ["frequent-phrases", "user-content"],
  ["calendar-events", "other-data"],
  ["home-screen-settings", "other-data"],
  ["wifi-settings", "other-data"],
  ["bluetooth", "other-data"]
]

/** The 27 EU states plus Iceland, Liechtenstein and Norway. */
const expectedEEA = [
  "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
  "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"
]

const browserCountries = new Set(["IN", "RU", ...expectedEEA])

/** A row of DESIGN.md "Per-app policy": data type, kind (§4.1.3(1)), payload, delete, sync disabled, everywhere. */
type ExpectedPolicy = readonly [
  dataType: DataTypeId,
  kind: "app" | "system-setting",
  payload: PayloadKind,
  onDelete: DeleteBehaviour,
  onSyncDisabled: DisableBehaviour,
  everywhere: boolean
]

const expectedPolicies: { readonly [A in App]: ExpectedPolicy } = {
  gallery: ["photos-videos", "app", "metadata-and-blob", "trash", "keep", true],
  messages: ["text-messages", "app", "structured", "trash", "keep", true],
  contacts: ["contacts", "app", "structured", "trash", "keep", true],
  "call-history": ["call-history", "app", "structured", "trash", "keep", true],
  notes: ["notes", "app", "structured", "trash", "keep", true],
  recordings: ["recordings", "app", "metadata-and-blob", "trash", "keep", true],
  calendar: ["calendar-events", "app", "structured", "trash", "keep", true],
  browser: ["browsing-history", "app", "structured", "permanent", "keep", false],
  wifi: ["wifi-settings", "system-setting", "structured", "permanent", "purge", true],
  bluetooth: ["bluetooth", "system-setting", "structured", "permanent", "keep", true],
  "frequent-phrases": ["frequent-phrases", "system-setting", "structured", "permanent", "purge", true],
  "home-screen": ["home-screen-settings", "system-setting", "backup-snapshot", "backup-delete", "keep", true]
}

const sorted = (xs: Iterable<string>): Array<string> => [...xs].sort()

describe("Inventory", () => {
  describe("data types (§4.1.2)", () => {
    it("INV-001 lists exactly 14 data types with unique ids", () => {
      assert.strictEqual(Inventory.length, 14)
      assert.strictEqual(new Set(Inventory.map((e) => e.id)).size, 14)
      assert.deepStrictEqual(Inventory.map((e) => e.id), expectedCategories.map(([id]) => id))
      assert.deepStrictEqual(Inventory.map((e) => e.id), [...DataTypes])
    })

    it("INV-001 gives every type the category of the whitepaper's table", () => {
      for (const [id, category] of expectedCategories) {
        assert.strictEqual(dataType(id).category, category, id)
      }
    })

    it("INV-001 fills every field of every type", () => {
      for (const e of Inventory) {
        assert.isAbove(e.name.trim().length, 0, `${e.id}: name`)
        assert.strictEqual(e.identification, "identified", `${e.id}: identification`)
        assert.strictEqual(e.purpose, "app-functionality", `${e.id}: purpose`)
        assert.strictEqual(e.retention, "until-user-deletes", `${e.id}: retention`)
        assert.strictEqual(e.section, "§4.1.2", `${e.id}: section`)
        for (const field of ["category", "inTransit", "atRest", "heldBy"] as const) {
          assert.isDefined(e[field], `${e.id}: ${field}`)
        }
      }
    })

    it("INV-001 every entry decodes as a DataTypeEntry and stays the same", () => {
      const decode = Schema.decodeUnknownSync(DataTypeEntry, { onExcessProperty: "error" })
      for (const e of Inventory) {
        assert.deepStrictEqual(decode(e), e, e.id)
      }
    })

    it("INV-001 dataType finds each entry by its id", () => {
      for (const id of DataTypes) {
        assert.strictEqual(dataType(id).id, id)
      }
    })
  })

  describe("protection (§4.1.2)", () => {
    it("INV-002 seals every type except the account id with AES-128 at rest", () => {
      for (const e of Inventory) {
        assert.strictEqual(e.atRest, e.id === "account-id" ? "plain" : "aes-128", e.id)
      }
      assert.strictEqual(dataType("account-id").atRest, "plain")
    })

    it("INV-002 sends every type over HTTPS", () => {
      for (const e of Inventory) {
        assert.strictEqual(e.inTransit, "https", e.id)
      }
    })

    it("INV-002 sealedDataTypes is exactly the 13 AES-128 types", () => {
      assert.strictEqual(sealedDataTypes.length, 13)
      assert.strictEqual(new Set(sealedDataTypes).size, 13)
      assert.notInclude(sealedDataTypes, "account-id")
      assert.deepStrictEqual(sorted(sealedDataTypes), sorted(DataTypes.filter((id) => id !== "account-id")))
    })
  })

  describe("apps and holders (§4.1.3)", () => {
    it("INV-003 every one of the 12 apps has a policy keyed by its own name", () => {
      assert.strictEqual(Apps.length, 12)
      assert.deepStrictEqual(sorted(Object.keys(Policies)), sorted(Apps))
      for (const app of Apps) {
        assert.strictEqual(Policies[app].app, app)
        assert.strictEqual(policyOf(app), Policies[app])
      }
    })

    it("INV-003 every data type a policy names is in the inventory and held by that app", () => {
      const ids = new Set<string>(Inventory.map((e) => e.id))
      for (const app of Apps) {
        const { dataTypes } = Policies[app]
        assert.isAbove(dataTypes.length, 0, app)
        for (const id of dataTypes) {
          assert.isTrue(ids.has(id), `${app}: ${id} is not in the inventory`)
          assert.deepStrictEqual(dataType(id).heldBy, { kind: "app", app }, `${app}: ${id}`)
        }
      }
    })

    it("INV-003 every inventory type is reachable through an app's policy, the account or the membership", () => {
      for (const e of Inventory) {
        const holder = e.heldBy
        if (holder.kind === "app") {
          assert.include(Policies[holder.app].dataTypes, e.id, `${e.id}: held by ${holder.app}, which does not list it`)
        } else {
          assert.isTrue(holder.kind === "account" || holder.kind === "membership", e.id)
        }
      }
      assert.deepStrictEqual(dataType("account-id").heldBy, { kind: "account" })
      assert.deepStrictEqual(dataType("purchase-history").heldBy, { kind: "membership" })
    })

    it("INV-003 no data type is listed by two apps", () => {
      const listed = Apps.flatMap((app) => Policies[app].dataTypes)
      assert.strictEqual(new Set(listed).size, listed.length)
      const appData = DataTypes.filter((id) => id !== "account-id" && id !== "purchase-history")
      assert.deepStrictEqual(sorted(listed), sorted(appData))
    })
  })

  describe("per-app policy (DESIGN.md)", () => {
    for (const app of Apps) {
      it(`INV-003 ${app} matches the per-app policy table`, () => {
        const [id, kind, payload, onDelete, onSyncDisabled, everywhere] = expectedPolicies[app]
        const actual = Policies[app]
        assert.deepStrictEqual(actual.dataTypes, [id])
        assert.strictEqual(actual.kind, kind)
        assert.strictEqual(actual.payload, payload)
        assert.strictEqual(actual.onDelete, onDelete)
        assert.strictEqual(actual.onSyncDisabled, onSyncDisabled)
        assert.strictEqual(actual.availability.kind === "everywhere", everywhere)
        assert.isAbove(actual.label.length, 0)
        assert.isAbove(actual.sections.length, 0)
      })
    }

    it("INV-003 the whitepaper's trash apps (§4.1.3(2), §4.1.4(3)) move deleted data to the trash", () => {
      const trashApps: ReadonlyArray<App> = [
        "gallery",
        "notes",
        "messages",
        "contacts",
        "recordings",
        "call-history",
        "calendar"
      ]
      assert.deepStrictEqual(sorted(Apps.filter((app) => Policies[app].onDelete === "trash")), sorted(trashApps))
    })

    it("INV-003 Wi-Fi and frequent phrases are purged when sync is turned off (§4.1.4(3)), nothing else is", () => {
      assert.deepStrictEqual(sorted(Apps.filter((app) => Policies[app].onSyncDisabled === "purge")), [
        "frequent-phrases",
        "wifi"
      ])
    })

    it("INV-003 the browser is offered only in India, Russia and the EEA", () => {
      const rule = Policies.browser.availability
      assert.strictEqual(rule.kind, "only")
      if (rule.kind === "only") {
        assert.strictEqual(rule.countries.length, 32)
        assert.deepStrictEqual(sorted(rule.countries), sorted(browserCountries))
        assert.isAbove(rule.regions.length, 0)
      }
    })
  })

  describe("isAvailableIn", () => {
    it("INV-003 the EEA has 30 unique codes, without Switzerland or the United Kingdom", () => {
      assert.strictEqual(EEA.length, 30)
      assert.strictEqual(new Set(EEA).size, 30)
      assert.deepStrictEqual(sorted(EEA), sorted(expectedEEA))
      assert.notInclude(EEA, "CH")
      assert.notInclude(EEA, "GB")
    })

    it("INV-003 the browser is available in IN, RU and EEA countries, whatever the case", () => {
      for (const region of ["IN", "RU", "DE", "NO", "IS", "LI", "de", "in", "No"]) {
        assert.isTrue(isAvailableIn("browser", region), region)
      }
    })

    it("INV-003 the browser is not available outside IN, RU and the EEA", () => {
      for (const region of ["US", "CH", "GB", "CN", "BR", "", "XX", "DEU"]) {
        assert.isFalse(isAvailableIn("browser", region), region)
      }
    })

    const regionCode = FastCheck.stringMatching(/^[A-Za-z]{2}$/)

    it.prop(
      "INV-003 the browser is available exactly in the listed countries",
      [regionCode],
      ([region]) => {
        assert.strictEqual(isAvailableIn("browser", region), browserCountries.has(region.toUpperCase()))
      },
      { fastCheck: { numRuns: 100 } }
    )

    it.prop(
      "INV-003 every other app is available everywhere",
      [FastCheck.constantFrom(...Apps.filter((app) => app !== "browser")), regionCode],
      ([app, region]) => {
        assert.isTrue(isAvailableIn(app, region))
      },
      { fastCheck: { numRuns: 100 } }
    )

    it("INV-003 every other app is available in the countries the browser is not", () => {
      for (const app of Apps.filter((app) => app !== "browser")) {
        for (const region of ["US", "CH", "GB", "CN", "BR", "DE", "IN"]) {
          assert.isTrue(isAvailableIn(app, region), `${app} in ${region}`)
        }
      }
    })
  })
})
