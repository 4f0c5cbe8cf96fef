/**
 * A check is one test of one requirement. `registerChecks` turns checks into vitest tests named after their
 * requirement ("SYNC-008 ..."); a check whose target lacks a capability is registered as skipped, with the reason
 * in its name, never as passed.
 */
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type KnownRequirementId, requirementById } from "./Catalogue.js"
import type { Driver } from "./Driver.js"
import type { Target } from "./Target.js"

export interface Check {
  readonly requirement: KnownRequirementId
  /** What this check shows, when a requirement has several; the requirement's statement otherwise. */
  readonly title?: string | undefined
  readonly run: Effect.Effect<void, unknown, Driver>
}

export const check = (
  requirement: KnownRequirementId,
  title: string | undefined,
  run: Effect.Effect<void, unknown, Driver>
): Check => ({ requirement, title, run })

export const testName = (c: Check) => {
  const r = requirementById(c.requirement)
  return `${r.id} [${r.level}] ${c.title ?? r.statement}`
}

export const registerChecks = (target: Target, suite: string, checks: ReadonlyArray<Check>) =>
  describe(`${suite} on ${target.name}`, () => {
    for (const c of checks) {
      const missing = requirementById(c.requirement).capabilities.filter((cap) => !target.capabilities.has(cap))
      if (missing.length > 0) {
        it.skip(`${testName(c)} (not tested: the target does not offer ${missing.join(", ")})`, () => {})
      } else {
        it.effect(testName(c), () => c.run.pipe(Effect.provide(target.layer)), 30_000)
      }
    }
  })
