/**
 * Checks as vitest tests: `registerChecks` names each test after its requirement ("SYNC-008 ..."); a check whose
 * target lacks a capability is registered as skipped, with the reason in its name, never as passed.
 */
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type Check, missingCapabilities, testName } from "./Check.js"
import type { Target } from "./Target.js"

export const registerChecks = (target: Target, suite: string, checks: ReadonlyArray<Check>) =>
  describe(`${suite} on ${target.name}`, () => {
    for (const c of checks) {
      const missing = missingCapabilities(c, target.capabilities)
      if (missing.length > 0) {
        it.skip(`${testName(c)} (not tested: the target does not offer ${missing.join(", ")})`, () => {})
      } else {
        it.effect(testName(c), () => c.run.pipe(Effect.provide(target.layer)), 30_000)
      }
    }
  })
