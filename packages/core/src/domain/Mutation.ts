/**
 * What a device asks to change, and how each request was answered (DESIGN.md "Sync"). Each mutation in a batch is
 * atomic and answered on its own: one refused mutation never undoes or blocks the others.
 */
import { Schema } from "effect"
import { App } from "./App.js"
import { MutationId, RecordId } from "./Ids.js"
import { RecordState, Seq, Version } from "./Record.js"

export const Mutation = Schema.Struct({
  mutationId: MutationId,
  recordId: RecordId,
  op: Schema.Literal("put", "delete"),
  /**
   * The version the device based its change on. Present: applied only if the record is still at that version,
   * else answered with a conflict; 0 means "the record must not exist yet" (or exist only as a tombstone).
   * Absent: a blind write that overwrites whatever is there (last writer wins), which the device client never sends.
   */
  baseVersion: Schema.optional(Schema.Int.pipe(Schema.nonNegative())),
  /** The payload in its encoded (JSON) form; required for put, refused for delete. */
  payload: Schema.optional(Schema.Unknown),
  /** The person re-adds gallery content they once deleted on purpose (§4.1.4(3)); ignored elsewhere. */
  readd: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "Mutation" })
export type Mutation = typeof Mutation.Type

/** A record as a device sees it: its latest state and, unless purged, its payload in encoded form. */
export const RecordView = Schema.Struct({
  id: RecordId,
  version: Version,
  seq: Seq,
  state: RecordState,
  payload: Schema.optional(Schema.Unknown),
  changedAt: Schema.Number,
  trashedAt: Schema.optional(Schema.Number),
  /** The retention receipt of a trashed record: when it will be purged for good (epoch ms). */
  deleteBy: Schema.optional(Schema.Number)
}).annotations({ identifier: "RecordView" })
export type RecordView = typeof RecordView.Type

export const Applied = Schema.TaggedStruct("applied", {
  mutationId: MutationId,
  recordId: RecordId,
  version: Version,
  seq: Seq,
  state: RecordState
})
export type Applied = typeof Applied.Type

export const Duplicate = Schema.TaggedStruct("duplicate", {
  mutationId: MutationId,
  recordId: RecordId,
  /** The answer the mutation got when it was first applied. */
  first: Applied
})
export type Duplicate = typeof Duplicate.Type

export const Conflict = Schema.TaggedStruct("conflict", {
  mutationId: MutationId,
  recordId: RecordId,
  /** The record as it is now; absent when the device based its change on a record that does not exist. */
  current: Schema.optional(RecordView)
})
export type Conflict = typeof Conflict.Type

export const Rejected = Schema.TaggedStruct("rejected", {
  mutationId: MutationId,
  recordId: RecordId,
  /** A stable machine code, e.g. `invalid-payload`, `app-disabled`, `folder-not-selected`. */
  code: Schema.String,
  reason: Schema.String
})
export type Rejected = typeof Rejected.Type

export const MutationOutcome = Schema.Union(Applied, Duplicate, Conflict, Rejected).annotations({
  identifier: "MutationOutcome"
})
export type MutationOutcome = typeof MutationOutcome.Type

/**
 * What the mutation log keeps of an applied mutation, to answer a retry and to spot a reused id. Like `Applied`, it
 * is checked by hand in the SQL stores (`adapters/src/sql/internal/recordRows.ts`), whose test fingerprints both.
 */
export const RememberedMutation = Schema.Struct({
  mutationId: MutationId,
  app: App,
  recordId: RecordId,
  op: Schema.Literal("put", "delete"),
  outcome: Applied
})
export type RememberedMutation = typeof RememberedMutation.Type
