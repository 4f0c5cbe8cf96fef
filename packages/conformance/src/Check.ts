/**
 * A check is one test of one requirement, an Effect over the `Driver` port. The standalone runner (`Runner.ts`)
 * runs checks without any test framework; `Vitest.ts` registers them as vitest tests named after their requirement.
 * A check whose target lacks a capability is reported as not tested, with the reason, never as passed.
 */
import type { Effect } from "effect"
import { type KnownRequirementId, requirementById } from "./Catalogue.js"
import type { Driver } from "./Driver.js"
import type { Capability } from "./Requirement.js"

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

/** The capabilities the check's requirement needs and the target does not offer. */
export const missingCapabilities = (c: Check, offered: ReadonlySet<Capability>): ReadonlyArray<Capability> =>
  requirementById(c.requirement).capabilities.filter((cap) => !offered.has(cap))
