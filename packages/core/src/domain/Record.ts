/**
 * A record as the stores keep it: plain columns for sync (ids, app, state, version, seq, times) and an opaque
 * `body`, the encoded payload. Core encodes payloads before a store sees them (and seals them, once encryption is
 * in place), so no store depends on what a payload holds.
 */
import { Schema } from "effect"
import { App } from "./App.js"
import { AccountId, DeviceId, RecordId } from "./Ids.js"

/**
 * `active`: live content. `trashed`: deleted in a trash app, payload kept until purged (§4.1.3(2)).
 * `purged`: permanently gone; only this tombstone remains, so devices learn of the deletion.
 */
export const RecordState = Schema.Literal("active", "trashed", "purged")
export type RecordState = typeof RecordState.Type

/** An account-wide position in the order of changes; every write takes the next one. */
export const Seq = Schema.Int.pipe(Schema.nonNegative(), Schema.brand("Seq"))
export type Seq = typeof Seq.Type

export const Version = Schema.Int.pipe(Schema.positive(), Schema.brand("Version"))
export type Version = typeof Version.Type

/**
 * A record as a store keeps it. The SQL stores check their rows against it by hand before they fall back to it
 * (`adapters/src/sql/internal/recordRows.ts`); a test there fingerprints it, so a change here is looked at there.
 */
export const StoredRecord = Schema.Struct({
  accountId: AccountId,
  app: App,
  id: RecordId,
  /** 1 on creation, +1 on every change, tombstones included. */
  version: Version,
  seq: Seq,
  state: RecordState,
  /** The encoded payload; absent on tombstones. */
  body: Schema.optional(Schema.String),
  /** Epoch milliseconds of the last change (a whole number, as every time a store keeps). */
  changedAt: Schema.Int,
  /** The device whose mutation made the last change, if one did. */
  changedBy: Schema.optional(DeviceId),
  trashedAt: Schema.optional(Schema.Int),
  /** The retention receipt of a trashed record: it is purged at the first sweep after this (epoch ms). */
  deleteBy: Schema.optional(Schema.Int),
  /** Bytes counted toward the storage quota: the body and every blob it references; 0 for tombstones. */
  size: Schema.Int.pipe(Schema.nonNegative()),
  /** Ids of the blobs the record references, so purges and blob collection need not open the body. */
  blobs: Schema.optional(Schema.Array(Schema.String))
})
export type StoredRecord = typeof StoredRecord.Type

/** What a write hands to a store: the store assigns `seq`. */
export type RecordWrite = Omit<StoredRecord, "seq">
