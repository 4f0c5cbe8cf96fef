/**
 * The port for blobs: content that travels apart from its record (a photo, a video, a recording, a wallpaper; DESIGN.md
 * "Storage"). A store keeps bytes by (account, blob id) and never looks inside them: what reaches it is already
 * sealed (`BlobSealing`), so its size and SHA-256 are those of the sealed bytes, not of the content.
 *
 * Promises every adapter keeps:
 * - `put` streams: memory stays bounded whatever the blob's size, and a blob becomes visible only whole. Until its
 *   last byte is durably stored, `get`, `stat` and `list` see the previous blob under the id, or none; a failed,
 *   interrupted, too large or crashed upload leaves nothing behind. `put` of an existing id replaces it at once, so
 *   concurrent puts of one id leave exactly one of them, whole.
 * - `get` streams too, from a consistent version: a blob replaced or deleted during a read still reads to its end
 *   as it was when the read began.
 * - `collectUnreferenced` deletes blobs that no record references, but only those older than a grace period, so an
 *   upload that its record will reference a moment later is never taken.
 */
import type { Effect, Stream } from "effect"
import { Context, Schema } from "effect"
import type { AccountId } from "../domain/Ids.js"
import type { StoreError } from "./StoreError.js"

/** A blob's id within its account: what a `BlobRef` in a payload names. */
export const BlobId = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9._-]{1,128}$/, { message: () => "a blob id is 1 to 128 letters, digits or . _ -" }),
  Schema.brand("BlobId")
).annotations({ description: "A blob of an account, named by the record that references it" })
export type BlobId = typeof BlobId.Type

/** What `put` stored. */
export interface PutResult {
  /** Bytes stored. */
  readonly size: number
  /** Lower-case hex SHA-256 of the bytes stored. */
  readonly sha256: string
}

/** How `put` stores a blob. */
export interface PutOptions<P = never> {
  /** Past this many bytes the put fails with `BlobTooLarge`. */
  readonly maxBytes: number
  /**
   * Wraps the step that makes the stored bytes the blob under its id, run once every byte is durably stored: the
   * caller may run that step holding a lock of its own, or fail instead of running it, and then the put fails with
   * that error and stores nothing (what was under the id stays). Without it the step just runs.
   */
  readonly publishWith?: ((publish: Effect.Effect<void, StoreError>) => Effect.Effect<void, P | StoreError>) | undefined
}

export interface BlobInfo extends PutResult {
  readonly accountId: AccountId
  readonly blobId: BlobId
  /** Epoch ms of the `put` that stored this version (from Effect's `Clock`). */
  readonly createdAt: number
}

/** Bytes [start, end) of a blob; `end` is exclusive (HTTP `bytes=a-b` is start a, end b + 1). */
export interface BlobRange {
  /** 0 when absent. */
  readonly start?: number | undefined
  /** The blob's size when absent; an end beyond the size reads to the end, as HTTP ranges do. */
  readonly end?: number | undefined
}

/** How many unreferenced blobs a collection found and deleted. */
export interface CollectResult {
  /** Blobs looked at. */
  readonly examined: number
  /** Blobs deleted: unreferenced and older than the grace period. */
  readonly deleted: number
}

export class BlobNotFound extends Schema.TaggedError<BlobNotFound>()("BlobNotFound", {
  accountId: Schema.String,
  blobId: Schema.String
}) {
  readonly code = "blob-not-found"
  override get message() {
    return `Account ${this.accountId} has no blob ${this.blobId}`
  }
}

/** The upload passed its size limit; nothing of it was kept, and a previous blob under the id is untouched. */
export class BlobTooLarge extends Schema.TaggedError<BlobTooLarge>()("BlobTooLarge", {
  accountId: Schema.String,
  blobId: Schema.String,
  maxBytes: Schema.Number
}) {
  readonly code = "blob-too-large"
  override get message() {
    return `The blob ${this.blobId} is larger than the ${this.maxBytes} bytes allowed`
  }
}

/** A range that is not within the blob: negative, not whole numbers, start after end, or start past the end. */
export class BlobRangeInvalid extends Schema.TaggedError<BlobRangeInvalid>()("BlobRangeInvalid", {
  blobId: Schema.String,
  start: Schema.Number,
  end: Schema.Number,
  size: Schema.Number
}) {
  readonly code = "blob-range-invalid"
  override get message() {
    return `The range [${this.start}, ${this.end}) is not within the ${this.size} bytes of blob ${this.blobId}`
  }
}

export class BlobStore extends Context.Tag("@custos/core/BlobStore")<BlobStore, {
  /**
   * Stores `bytes` under the id, replacing what was there once the last byte is durably stored. A stream that
   * fails fails the put with its own error and stores nothing; more than `maxBytes` fails with `BlobTooLarge`; the
   * last step can be guarded (`PutOptions.publishWith`).
   */
  readonly put: <E, P = never>(
    accountId: AccountId,
    blobId: BlobId,
    bytes: Stream.Stream<Uint8Array, E>,
    options: PutOptions<P>
  ) => Effect.Effect<PutResult, E | P | BlobTooLarge | StoreError>
  /** The blob's bytes, or the range of them, in chunks. */
  readonly get: (
    accountId: AccountId,
    blobId: BlobId,
    range?: BlobRange
  ) => Stream.Stream<Uint8Array, BlobNotFound | BlobRangeInvalid | StoreError>
  readonly stat: (accountId: AccountId, blobId: BlobId) => Effect.Effect<BlobInfo, BlobNotFound | StoreError>
  /** Deletes the blob; false if there was none. */
  readonly delete: (accountId: AccountId, blobId: BlobId) => Effect.Effect<boolean, StoreError>
  /** The account's blobs, in blob id order. */
  readonly list: (accountId: AccountId) => Effect.Effect<ReadonlyArray<BlobInfo>, StoreError>
  /**
   * The ids of the account's blobs, in blob id order, without reading the blobs: what `list` names, for the price of
   * a directory listing. An upload asks it to find the few blobs no record names yet among many that records do.
   */
  readonly listIds: (accountId: AccountId) => Effect.Effect<ReadonlyArray<BlobId>, StoreError>
  /** Deletes every blob of the account (deleting the account); returns how many. */
  readonly deleteAccount: (accountId: AccountId) => Effect.Effect<number, StoreError>
  /**
   * Deletes every blob of every account that is at least `graceMs` old and for which `isReferenced` answers false.
   * A failure of `isReferenced` stops the collection with it; what was deleted until then stays deleted.
   */
  readonly collectUnreferenced: <E>(
    isReferenced: (accountId: AccountId, blobId: BlobId) => Effect.Effect<boolean, E>,
    graceMs: number
  ) => Effect.Effect<CollectResult, E | StoreError>
}>() {}
