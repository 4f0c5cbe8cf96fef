import { assert, describe, it } from "@effect/vitest"
import { Catalogue, renderCatalogue } from "@custos/conformance/Catalogue"
import { Requirement } from "@custos/conformance/Requirement"
import { allSuites } from "@custos/conformance/Suites"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

describe("requirement catalogue", () => {
  it("every requirement is well formed and its id is unique", () => {
    const ids = Catalogue.map((r) => r.id)
    assert.strictEqual(new Set(ids).size, ids.length)
    for (const r of Catalogue) {
      Schema.decodeUnknownSync(Requirement)(r)
      assert.match(r.section, /^(§4\.1\.\d(\(\d\))?|ours)$/, r.id)
      assert.isAbove(r.statement.length, 20, r.id)
    }
  })

  it("every testable requirement has at least one check, and every check names a known requirement", () => {
    const checks = allSuites({ runs: 1, maxOps: 1 }).flatMap((s) => s.checks)
    const checked = new Set(checks.map((c) => c.requirement))
    const unchecked = Catalogue.filter((r) => r.untestable === undefined && !checked.has(r.id as never)).map((r) => r.id)
    assert.deepStrictEqual(unchecked, [])
    const checkedUntestable = Catalogue.filter((r) => r.untestable !== undefined && checked.has(r.id as never))
    assert.deepStrictEqual(checkedUntestable.map((r) => r.id), [], "a requirement with checks is not untestable")
  })

  it("REQUIREMENTS.md is generated from the catalogue and up to date (run `pnpm requirements`)", () => {
    const committed = readFileSync(fileURLToPath(new URL("../REQUIREMENTS.md", import.meta.url)), "utf8")
    assert.strictEqual(committed, renderCatalogue())
  })
})
