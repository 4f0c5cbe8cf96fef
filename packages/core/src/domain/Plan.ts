/**
 * Membership plans (§4.1.3(3)): what a plan buys is more storage, more frequent background sync and a longer
 * trash retention. Trash retention is bounded to 30..180 days (§4.1.3(2)); a catalogue outside the bounds is a
 * startup error, never a silent clamp.
 */
import { Either, Schema } from "effect"
import { firstProblem } from "../internal/parseErrors.js"

export const PlanId = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9-]{1,32}$/, { message: () => "a plan id is 1 to 32 lower-case letters, digits or -" }),
  Schema.brand("PlanId")
)
export type PlanId = typeof PlanId.Type

export const minTrashDays = 30
export const maxTrashDays = 180

export const Plan = Schema.Struct({
  id: PlanId,
  name: Schema.String.pipe(Schema.minLength(1)),
  /** Storage quota in bytes: active and trashed records and their blobs. */
  storageBytes: Schema.Int.pipe(Schema.positive({ message: () => "a plan's storage must be positive" })),
  /** The shortest time between two background syncs of a device, in minutes. */
  syncIntervalMinutes: Schema.Int.pipe(
    Schema.between(1, 24 * 60, { message: () => "a sync interval is between 1 minute and 1 day" })
  ),
  /** How long a deleted item waits in the trash. */
  trashDays: Schema.Int.pipe(
    Schema.between(minTrashDays, maxTrashDays, {
      message: () => `trash retention must be between ${minTrashDays} and ${maxTrashDays} days (§4.1.3(2))`
    })
  )
}).annotations({ identifier: "Plan" })
export type Plan = typeof Plan.Type

/** The plans on offer, lowest first; `free` applies whenever no membership is valid. */
export const PlanCatalogue = Schema.Struct({
  free: PlanId,
  plans: Schema.NonEmptyArray(Plan)
}).pipe(
  Schema.filter((catalogue) => {
    const ids = catalogue.plans.map((p) => p.id)
    if (new Set(ids).size !== ids.length) return { path: ["plans"], message: "plan ids must be unique" }
    if (!ids.includes(catalogue.free)) return { path: ["free"], message: `the free plan "${catalogue.free}" is not listed` }
    return true
  })
).annotations({ identifier: "PlanCatalogue" })
export type PlanCatalogue = typeof PlanCatalogue.Type

export class InvalidPlanCatalogue extends Schema.TaggedError<InvalidPlanCatalogue>()("InvalidPlanCatalogue", {
  reason: Schema.String
}) {
  readonly code = "invalid-plan-catalogue"
  override get message() {
    return `The membership plans are misconfigured: ${this.reason}`
  }
}

/** Validates a catalogue from configuration; the server refuses to start on an error. */
export const validatePlanCatalogue = (input: unknown): Either.Either<PlanCatalogue, InvalidPlanCatalogue> =>
  Schema.decodeUnknownEither(PlanCatalogue)(input, { errors: "first", onExcessProperty: "error" }).pipe(
    Either.mapLeft((error) => new InvalidPlanCatalogue({ reason: firstProblem(error) }))
  )

const GiB = 1024 ** 3

/** The plans Custos ships with (ours: the whitepaper names no figures). */
export const defaultPlanCatalogue: PlanCatalogue = {
  free: PlanId.make("free"),
  plans: [
    { id: PlanId.make("free"), name: "Free", storageBytes: 5 * GiB, syncIntervalMinutes: 60, trashDays: 30 },
    { id: PlanId.make("plus"), name: "Plus", storageBytes: 200 * GiB, syncIntervalMinutes: 15, trashDays: 90 },
    { id: PlanId.make("premium"), name: "Premium", storageBytes: 2048 * GiB, syncIntervalMinutes: 5, trashDays: 180 }
  ]
}

export const findPlan = (catalogue: PlanCatalogue, id: PlanId): Plan | undefined =>
  catalogue.plans.find((p) => p.id === id)

export const freePlan = (catalogue: PlanCatalogue): Plan => findPlan(catalogue, catalogue.free)!

/** Of several plans valid at once, the one ranked highest in the catalogue applies. */
export const rankOf = (catalogue: PlanCatalogue, id: PlanId): number => catalogue.plans.findIndex((p) => p.id === id)
