/**
 * The shape of a conformance requirement: one promise of the whitepaper (or one of our own decisions that makes a
 * promise checkable), with an id that tests and reports name.
 */
import { Schema } from "effect"

export const Capability = Schema.Literal(
  /** The target lets the suite move its clock forward and run its time-driven jobs. */
  "clock-control",
  /** The target lets the suite inspect what its storage holds (to check encryption and purges). */
  "storage-probe",
  /** The target lets the suite record purchases as an operator would. */
  "admin-purchases",
  /** The target serves accounts in the EEA, India or Russia, where browser sync is offered. */
  "region-browser",
  /** The target keeps the files that records name (a photo, a video, a recording): it takes uploads and serves them. */
  "blobs"
)
export type Capability = typeof Capability.Type

export const Level = Schema.Literal("MUST", "SHOULD", "MAY")
export type Level = typeof Level.Type

export const RequirementId = Schema.String.pipe(Schema.pattern(/^[A-Z]+-\d{3}$/))
export type RequirementId = typeof RequirementId.Type

export const Requirement = Schema.Struct({
  id: RequirementId,
  level: Level,
  /** Where the promise comes from, e.g. `§4.1.3(2)`; `ours` marks a decision of DESIGN.md that serves it. */
  section: Schema.String,
  /** The promise in one line, in our words. */
  statement: Schema.String,
  /** What a target must offer for the requirement to be tested; without it the result is "not tested". */
  capabilities: Schema.Array(Capability),
  /** Set when the promise cannot be checked from outside, with the reason. */
  untestable: Schema.optional(Schema.String)
})
export type Requirement = typeof Requirement.Type

export const requirement = <const Id extends string>(
  id: Id,
  level: Level,
  section: string,
  statement: string,
  options: { readonly capabilities?: ReadonlyArray<Capability>; readonly untestable?: string } = {}
): Requirement & { readonly id: Id } => ({
  id,
  level,
  section,
  statement,
  capabilities: options.capabilities ?? [],
  ...(options.untestable !== undefined ? { untestable: options.untestable } : {})
})
