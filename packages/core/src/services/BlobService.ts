/**
 * Blobs of an account (a photo, a video, a recording, a wallpaper): streamed upload, download with byte ranges, and
 * collection of blobs no record references (DESIGN.md "Storage", "Encryption at rest" blobs bullet, "Protocol").
 *
 * - `upload` seals the plaintext stream with `BlobSealing` under the account's key as it arrives and stores it through
 *   the `BlobStore`, never holding the blob in memory. It is refused with `BlobTooLarge` past the per-blob limit and
 *   with `QuotaExceeded` past what the account's plan has left (the records' usage plus the blobs uploaded but not
 *   referenced yet), counted when it starts and again, under the account's write lock, as its blob takes the id, so
 *   uploads running side by side cannot together pass the quota. It answers the plaintext size and SHA-256, which
 *   the record's `BlobRef` then states.
 * - A blob is visible only through a committed record: `download` serves it only when an active or trashed record
 *   of the account names it in its `blobs` column, else `BlobNotFound`. So an upload is invisible until its record
 *   commits, a blob of a purged record is gone at once, and another account's blob id is never served (blobs are kept
 *   per account anyway). Before anything is decrypted the download is written to the access log, naming the records
 *   that reference the blob (`blob-download`).
 * - A blob that a committed record references cannot be replaced (`BlobInUse`): the record's size and digest state
 *   what it is. An upload asks before it starts and again as its blob takes the id, then inside the account's write
 *   lock, which a push holds while it checks its refs and commits: one of the two goes first and the other sees it.
 *   `checkRefs` holds what records about to be pushed state of their blobs against the blobs uploaded: the size from
 *   the sealed header, the digest from the SHA-256 sealed at the blob's end (written to the access log as
 *   `blob-check` before it is opened).
 * - `collectGarbage` deletes blobs that no active or trashed record references once they are older than the grace
 *   period, so an upload whose record commits a moment later is kept.
 *
 * The store answers which records reference a blob (`RecordStore.referencing`, per download) and which blob ids are
 * referenced at all (`RecordStore.referencedBlobs`, per upload and once per account per collection) from the
 * records' blob lists alone: no record is handed over whole and no content is opened. Both still read the account's
 * rows inside the store; a blob-to-record table would make them lookups.
 */
import { Context, Data, Effect, Encoding, Layer, Option, Schema, Stream } from "effect"
import type { AccessApp } from "../domain/AccessLog.js"
import { type AccountNotFound, QuotaExceeded } from "../domain/Errors.js"
import type { App } from "../domain/App.js"
import type { AccountId, RecordId } from "../domain/Ids.js"
import { MIN_SEGMENT_BYTES, sealedBlobBytes } from "../domain/Sealed.js"
import { concatBytes } from "../internal/bytes.js"
import {
  BlobId,
  BlobNotFound,
  BlobRangeInvalid,
  BlobStore,
  BlobTooLarge,
  type CollectResult
} from "../ports/BlobStore.js"
import { RecordStore } from "../ports/RecordStore.js"
import type { StoreError } from "../ports/StoreError.js"
import { AccessLog } from "./AccessLog.js"
import { AccountService } from "./AccountService.js"
import { BlobSealing, type InvalidRange, type OpenBlobError } from "./BlobSealing.js"
import { MembershipService } from "./MembershipService.js"
import { SealingFailed } from "./RecordSealing.js"

/** The blob id is named by a committed record: replacing it would change content that record states. */
export class BlobInUse extends Schema.TaggedError<BlobInUse>()("BlobInUse", {
  blobId: Schema.String
}) {
  readonly code = "blob-in-use"
  override get message() {
    return `The blob ${this.blobId} belongs to a stored record and cannot be replaced; upload under a new id`
  }
}

/**
 * A pushed record names a blob of the account whose uploaded content is not the size or the SHA-256 the record says
 * (its size is what quota use is counted by, its digest what exports and "deleted on purpose" go by).
 */
export class BlobRefInvalid extends Schema.TaggedError<BlobRefInvalid>()("BlobRefInvalid", {
  blobId: Schema.String,
  reason: Schema.String
}) {
  readonly code = "invalid-blob-ref"
  override get message() {
    return `The record's blob ${this.blobId} does not match what was uploaded: ${this.reason}`
  }
}

/** A record of a push that misstates a blob it names, and how (`BlobService.checkRefs`). */
export interface RefusedRecord {
  readonly recordId: RecordId
  readonly error: BlobRefInvalid
}

/** The sealed digest of a stored blob; none if the blob was collected since its size was read. */
type OpenDigest = Effect.Effect<Option.Option<Uint8Array>, SealingFailed | StoreError>

/**
 * What is stored under an id a record names: not an id at all, nothing, or a sealed blob of a size, with its sealed
 * digest (absent for format 1, which has none).
 */
type StoredBlobInfo =
  | { readonly _tag: "no-id" }
  | { readonly _tag: "absent" }
  | { readonly _tag: "sealed"; readonly size: number; readonly digest: OpenDigest | undefined }

/** A blob being checked was deleted meanwhile (collected): the check goes on as if it had never been uploaded. */
class BlobVanished extends Data.TaggedError("BlobVanished") {}

/** Plaintext bytes to download: [start, end) with end exclusive and clamped to the size, or the last `suffix`. */
export type DownloadRange =
  | { readonly start: number; readonly end?: number | undefined }
  | { readonly suffix: number }

export interface Download {
  /** The blob's whole plaintext size. */
  readonly size: number
  /** The bytes `stream` holds, when a range was asked: [start, end), end exclusive. */
  readonly range?: { readonly start: number; readonly end: number } | undefined
  readonly stream: Stream.Stream<Uint8Array, SealingFailed | BlobNotFound | StoreError>
}

export interface Uploaded {
  /** Plaintext bytes. */
  readonly size: number
  /** Lower-case hex SHA-256 of the plaintext: what the record's `BlobRef` states. */
  readonly sha256: string
}

/** What a record states of a blob it names: its `BlobRef`. */
export interface StatedBlob {
  readonly id: string
  readonly size: number
  /** Lower-case hex SHA-256 of the content. */
  readonly sha256: string
}

export interface BlobServiceOptions {
  /** The largest blob accepted, in plaintext bytes; 4 GiB unless chosen. */
  readonly maxBlobBytes?: number | undefined
}

export const defaultMaxBlobBytes = 4 * 1024 * 1024 * 1024

export class BlobService extends Context.Tag("@custos/core/BlobService")<BlobService, {
  readonly upload: <E>(
    accountId: AccountId,
    blobId: BlobId,
    plaintext: Stream.Stream<Uint8Array, E>,
    options?: { readonly declaredSize?: number | undefined }
  ) => Effect.Effect<
    Uploaded,
    E | BlobTooLarge | QuotaExceeded | BlobInUse | AccountNotFound | SealingFailed | StoreError
  >
  readonly download: (
    accountId: AccountId,
    blobId: BlobId,
    range?: DownloadRange
  ) => Effect.Effect<Download, BlobNotFound | BlobRangeInvalid | SealingFailed | StoreError>
  /**
   * Checks what records of `app` about to be pushed say of their blobs (the engine calls it: `PushOptions.checkBlobs`)
   * and answers the records that misstate one, each with a ref of it that fails (`BlobRefInvalid`; a size before a
   * digest), in the order given; the engine rejects those changes and applies the others. A blob the account uploaded
   * under the id must hold the size a `BlobRef` states (read from the sealed header) and have the SHA-256 it states
   * (the digest sealed at the blob's end, each blob's opened once, after a `blob-check` entry naming the records whose
   * sizes matched is written to the access log). A blob not uploaded is no refusal: the record counts at its stated
   * size, and nothing can be uploaded under an id a stored record names. A blob sealed before digests were sealed with
   * blobs (format 1) is checked for its size only. A stored blob that is not a sealed blob, or whose digest does not
   * open, fails the check with `SealingFailed`: the store's fault, not the record's.
   */
  readonly checkRefs: (
    accountId: AccountId,
    app: App,
    records: ReadonlyArray<{ readonly recordId: RecordId; readonly refs: ReadonlyArray<StatedBlob> }>
  ) => Effect.Effect<ReadonlyArray<RefusedRecord>, SealingFailed | StoreError>
  /** Deletes the blobs of every account that no active or trashed record references and are `graceMs` old. */
  readonly collectGarbage: (graceMs: number) => Effect.Effect<CollectResult, StoreError>
}>() {
  static readonly layer = (options: BlobServiceOptions = {}) => Layer.effect(BlobService, makeBlobService(options))
}

/** `BlobService` with the `BlobSealing` it uses; needs the core services (`layerCoreServices`) and a `BlobStore`. */
export const layerBlobService = (options: BlobServiceOptions = {}) =>
  BlobService.layer(options).pipe(Layer.provideMerge(BlobSealing.layer()))

const makeBlobService = (options: BlobServiceOptions) =>
  Effect.gen(function*() {
    const store = yield* BlobStore
    const sealing = yield* BlobSealing
    const records = yield* RecordStore
    const membership = yield* MembershipService
    const accounts = yield* AccountService
    const accessLog = yield* AccessLog
    const maxBlobBytes = options.maxBlobBytes ?? defaultMaxBlobBytes
    if (!Number.isSafeInteger(maxBlobBytes) || maxBlobBytes < 0) {
      return yield* Effect.dieMessage(`BlobService: the blob size limit ${maxBlobBytes} is not a byte count`)
    }

    const sealFailed = (blobId: string) => (cause: unknown) =>
      new SealingFailed({ operation: "seal", app: "blob", recordId: blobId, cause })

    /**
     * What the account may store and has used: its records' usage and the blobs uploaded but not referenced yet
     * (their sealed size, a little more than their content), else uploads that no record ever names could fill the
     * disk until they are collected. Only those are read: the account's other blobs, however many, are counted in
     * the usage of the records that name them. `blobId`'s own blob is left out (an upload replaces it); `named`
     * tells whether a record names it (it then cannot be replaced).
     */
    const roomFor = (accountId: AccountId, blobId: BlobId) =>
      Effect.gen(function*() {
        const refs = yield* records.referencedBlobs(accountId)
        if (refs.has(blobId)) return { named: true, quota: 0, used: 0 }
        const status = yield* membership.status(accountId)
        const usage = yield* records.usage(accountId)
        const waiting = (yield* store.listIds(accountId)).filter((id) => id !== blobId && !refs.has(id))
        const sizes = yield* Effect.forEach(waiting, (id) =>
          store.stat(accountId, id).pipe(
            Effect.map((info) => info.size),
            // Deleted since the listing (collected, or replaced and gone): it takes no room any more.
            Effect.catchTag("BlobNotFound", () => Effect.succeed(0))
          ), { concurrency: 8 })
        const pending = sizes.reduce((sum, size) => sum + size, 0)
        return { named: false, quota: status.plan.storageBytes, used: usage.bytes + pending }
      })

    const upload = <E>(
      accountId: AccountId,
      blobId: BlobId,
      plaintext: Stream.Stream<Uint8Array, E>,
      uploadOptions: { readonly declaredSize?: number | undefined } = {}
    ) =>
      Effect.gen(function*() {
        yield* accounts.get(accountId)
        const { named, quota, used } = yield* roomFor(accountId, blobId)
        if (named) return yield* new BlobInUse({ blobId })
        const left = Math.max(0, quota - used)
        const byQuota = left < maxBlobBytes
        const limit = Math.min(left, maxBlobBytes)
        const refuse = (needed: number) =>
          byQuota
            ? new QuotaExceeded({ usageBytes: used, quotaBytes: quota, neededBytes: needed })
            : new BlobTooLarge({ accountId, blobId, maxBytes: maxBlobBytes })
        const declared = uploadOptions.declaredSize
        if (declared !== undefined && declared > limit) return yield* refuse(declared)

        let size = 0
        let digest: Uint8Array | undefined
        // The stream's own errors travel boxed through sealing, so they come out as they went in.
        const counted = plaintext.pipe(
          Stream.mapError((error) => ({ _tag: "Upstream" as const, error })),
          Stream.mapEffect((bytes): Effect.Effect<Uint8Array, BlobTooLarge | QuotaExceeded> => {
            size += bytes.length
            if (size > limit) return Effect.fail(refuse(size))
            return Effect.succeed(bytes)
          })
        )
        const sealed = sealing.sealStream({ accountId, blobId }, counted, {
          onDigest: (sha256) => {
            digest = sha256
          }
        }).pipe(
          Stream.mapError((e): E | BlobTooLarge | QuotaExceeded | SealingFailed | StoreError => {
            switch (e._tag) {
              case "Upstream":
                return e.error
              case "BlobTooLarge":
              case "QuotaExceeded":
              case "StoreError":
                return e
              default:
                return sealFailed(blobId)(e)
            }
          })
        )
        yield* store.put(accountId, blobId, sealed, {
          maxBytes: sealedBlobBytes(limit, MIN_SEGMENT_BYTES),
          // Asked again as the blob takes its id, holding the account's write lock: a push that named the id while
          // the bytes streamed in has committed by now (the upload is refused) or waits for the lock and then checks
          // its refs against this blob. The room is counted again too: an upload that finished first has taken its
          // share, and uploads publish one at a time.
          publishWith: (publish) =>
            records.transact(accountId, () =>
              Effect.flatMap(
                roomFor(accountId, blobId),
                (now): Effect.Effect<void, BlobInUse | QuotaExceeded | StoreError> =>
                  now.named
                    ? new BlobInUse({ blobId })
                    : size > now.quota - now.used
                    ? new QuotaExceeded({ usageBytes: now.used, quotaBytes: now.quota, neededBytes: size })
                    : publish
              ))
        })
        if (digest === undefined) {
          return yield* Effect.dieMessage("BlobService: the sealed blob ended without its digest")
        }
        return { size, sha256: Encoding.encodeHex(digest) }
      })

    const checkRefs = (
      accountId: AccountId,
      app: App,
      stated: ReadonlyArray<{ readonly recordId: RecordId; readonly refs: ReadonlyArray<StatedBlob> }>
    ) =>
      Effect.gen(function*() {
        const refused = new Map<RecordId, BlobRefInvalid>()
        const refuse = (recordId: RecordId, blobId: string, reason: string) => {
          if (!refused.has(recordId)) refused.set(recordId, new BlobRefInvalid({ blobId, reason }))
        }
        /** What is stored under each id named, looked at once per id. */
        const stored = new Map<string, StoredBlobInfo>()
        /** The blobs whose digests are to be opened, once each, by id, with the records and refs that name them. */
        const digests = new Map<string, { readonly open: OpenDigest; readonly named: Array<[RecordId, StatedBlob]> }>()
        for (const { recordId, refs } of stated) {
          for (const ref of refs) {
            let info = stored.get(ref.id)
            if (info === undefined) {
              info = yield* inspect(accountId, app, recordId, ref.id)
              stored.set(ref.id, info)
            }
            if (info._tag === "no-id") {
              refuse(recordId, ref.id, "it is not a blob id")
            } else if (info._tag === "sealed") {
              if (info.size !== ref.size) refuse(recordId, ref.id, sizeReason(info.size, ref.size))
              else if (info.digest !== undefined) {
                const pending = digests.get(ref.id)
                if (pending === undefined) digests.set(ref.id, { open: info.digest, named: [[recordId, ref]] })
                else pending.named.push([recordId, ref])
              }
            }
          }
        }
        // Only the records still standing after their sizes are named and opened for.
        const recordIds = new Set<RecordId>()
        for (const { named } of digests.values()) {
          for (const [recordId] of named) if (!refused.has(recordId)) recordIds.add(recordId)
        }
        if (recordIds.size > 0) {
          // Written before any digest is opened: a check that cannot be logged does not happen.
          yield* accessLog.write({ accountId, purpose: "blob-check", app, recordIds: [...recordIds] })
          for (const { named, open } of digests.values()) {
            if (named.every(([recordId]) => refused.has(recordId))) continue
            const digest = Option.map(yield* open, Encoding.encodeHex)
            if (Option.isNone(digest)) continue
            for (const [recordId, ref] of named) {
              if (digest.value !== ref.sha256) refuse(recordId, ref.id, "its SHA-256 is not the one the record says")
            }
          }
        }
        return stated.flatMap(({ recordId }): Array<RefusedRecord> => {
          const error = refused.get(recordId)
          if (error === undefined) return []
          // Answered once per record, even when a batch names it twice.
          refused.delete(recordId)
          return [{ recordId, error }]
        })
      })

    const sizeReason = (size: number, stated: number) => `it holds ${size} bytes, the record says ${stated}`

    /**
     * What is stored under the id a record names: nothing (or nothing any more), or a sealed blob, its plaintext size
     * read from its header and how to open its sealed digest; `no-id` if the name is no blob id at all.
     */
    const inspect = (accountId: AccountId, app: App, recordId: RecordId, id: string) =>
      Effect.gen(function*(): Effect.fn.Return<StoredBlobInfo, SealingFailed | StoreError> {
        const decoded = Schema.decodeUnknownOption(BlobId)(id)
        if (Option.isNone(decoded)) return { _tag: "no-id" }
        const blobId = decoded.value
        const absent: StoredBlobInfo = { _tag: "absent" }
        const found = yield* store.stat(accountId, blobId).pipe(
          Effect.map(Option.some),
          Effect.catchTag("BlobNotFound", () => Effect.succeed(Option.none()))
        )
        // Nothing uploaded under the id: the record counts at the size it states, and once it is stored nothing
        // can be uploaded under the id any more (BlobInUse), so its size can never be understated.
        if (Option.isNone(found)) return absent
        const info = found.value
        // A stored blob that is no sealed blob, or shorter than its header says, is the store's fault, not the
        // record's: the push fails as the store's error would, and the record is not blamed.
        const damaged = (cause: unknown) => new SealingFailed({ operation: "open", app, recordId, cause })
        const read = (offset: number, length: number) =>
          store.get(accountId, blobId, { start: offset, end: offset + length }).pipe(
            Stream.runCollect,
            Effect.map(concatBytes),
            Effect.catchTags({
              BlobNotFound: () => Effect.fail(new BlobVanished()),
              BlobRangeInvalid: (e) => Effect.fail(damaged(e))
            })
          )
        const sized = yield* sealing.sealedInfo({ sealedSize: info.size, read }).pipe(
          Effect.catchTags({
            MalformedEnvelope: (e) => Effect.fail(damaged(e)),
            BlobTruncated: (e) => Effect.fail(damaged(e))
          }),
          Effect.map(Option.some),
          Effect.catchTag("BlobVanished", () => Effect.succeedNone)
        )
        // Collected since it was found: as if nothing had been uploaded under the id.
        if (Option.isNone(sized)) return absent
        const { format, size } = sized.value
        // Sealed before digests were sealed with blobs (format 1): its size is all there is to check.
        if (format === 1) return { _tag: "sealed", size, digest: undefined }
        const digest = sealing.sealedDigest({ accountId, blobId }, { sealedSize: info.size, read }).pipe(
          Effect.catchTag("BlobVanished", () => Effect.succeedNone),
          Effect.mapError((e) => e._tag === "SealingFailed" || e._tag === "StoreError" ? e : damaged(e))
        )
        return { _tag: "sealed", size, digest }
      })

    const download = (accountId: AccountId, blobId: BlobId, range?: DownloadRange) =>
      Effect.gen(function*() {
        const named = yield* records.referencing(accountId, blobId)
        if (named.length === 0) return yield* new BlobNotFound({ accountId, blobId })
        const first = named[0]!
        const openFailed = (cause: unknown) =>
          new SealingFailed({ operation: "open", app: first.app, recordId: first.id, cause })
        const info = yield* store.stat(accountId, blobId)
        const read = (offset: number, length: number) =>
          store.get(accountId, blobId, { start: offset, end: offset + length }).pipe(
            Stream.runCollect,
            Effect.map(concatBytes),
            Effect.catchTag("BlobRangeInvalid", (e) => Effect.fail(openFailed(e)))
          )
        const { size } = yield* sealing.sealedInfo({ sealedSize: info.size, read }).pipe(
          Effect.catchTags({ MalformedEnvelope: (e) => Effect.fail(openFailed(e)), BlobTruncated: (e) => Effect.fail(openFailed(e)) })
        )
        const resolved = range === undefined ? undefined : yield* resolveRange(blobId, size, range)

        // Written before anything is decrypted: a download that cannot be logged does not happen.
        const byApp = new Map<AccessApp, Array<RecordId>>()
        for (const r of named) byApp.set(r.app, [...(byApp.get(r.app) ?? []), r.id])
        for (const [app, recordIds] of byApp) {
          yield* accessLog.write({ accountId, purpose: "blob-download", app, recordIds })
        }

        const ref = { accountId, blobId }
        const opened: Stream.Stream<
          Uint8Array,
          OpenBlobError | InvalidRange | BlobNotFound | BlobRangeInvalid | SealingFailed | StoreError
        > = resolved === undefined
          ? sealing.openStream(ref, store.get(accountId, blobId))
          : sealing.openRange(ref, { sealedSize: info.size, start: resolved.start, end: resolved.end, read })
        const stream = opened.pipe(
          Stream.mapError((e): SealingFailed | BlobNotFound | StoreError => {
            switch (e._tag) {
              case "StoreError":
              case "BlobNotFound":
                return e
              default:
                return openFailed(e)
            }
          })
        )
        return { size, range: resolved, stream } satisfies Download
      })

    const collectGarbage = (graceMs: number) =>
      Effect.suspend(() => {
        const known = new Map<AccountId, ReadonlySet<string>>()
        return store.collectUnreferenced(
          (accountId, blobId) =>
            Effect.gen(function*() {
              let ids = known.get(accountId)
              if (ids === undefined) {
                ids = yield* records.referencedBlobs(accountId)
                known.set(accountId, ids)
              }
              return ids.has(blobId)
            }),
          graceMs
        )
      })

    return BlobService.of({ upload, download, checkRefs, collectGarbage })
  })

/** The bytes a range asks for within `size`, as HTTP reads `bytes=a-b` (end clamped) and `bytes=-n`. */
export const resolveRange = (
  blobId: string,
  size: number,
  range: DownloadRange
): Effect.Effect<{ readonly start: number; readonly end: number }, BlobRangeInvalid> => {
  const invalid = (start: number, end: number) => Effect.fail(new BlobRangeInvalid({ blobId, start, end, size }))
  if ("suffix" in range) {
    if (!Number.isSafeInteger(range.suffix) || range.suffix <= 0 || size === 0) return invalid(size - range.suffix, size)
    return Effect.succeed({ start: Math.max(0, size - range.suffix), end: size })
  }
  const start = range.start
  const end = Math.min(range.end ?? size, size)
  if (!Number.isSafeInteger(start) || start < 0 || start >= size || !Number.isSafeInteger(range.end ?? 0)) {
    return invalid(start, range.end ?? size)
  }
  if (end <= start) return invalid(start, range.end ?? size)
  return Effect.succeed({ start, end })
}

/** The id as a `BlobId`, or none when it is not one. */
export const parseBlobId = (id: string): Option.Option<BlobId> => Schema.decodeUnknownOption(BlobId)(id)
