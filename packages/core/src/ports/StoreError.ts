/**
 * The one error every storage port fails with when its backend does (a lost connection, a full disk, a corrupt
 * row). Adapters wrap their own failures into it at their edge, so a caller can always tell "Custos refused this"
 * (a domain error) from "storage failed" (this), and no driver error type leaks into core.
 */
import { Effect, Schema } from "effect"

export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  /** The port operation that failed, e.g. `RecordStore.transact`. */
  operation: Schema.String,
  cause: Schema.Defect
}) {
  readonly code = "storage-failure"
  override get message() {
    return `Storage failed during ${this.operation}; nothing was changed by the failed step, try again`
  }
}

/** Wraps any failure of `effect` into a `StoreError` for `operation`. */
export const refail = (operation: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.mapError(effect, (cause) => new StoreError({ operation, cause }))
