/**
 * Streaming, chunked authenticated encryption of blobs (photos, videos, recordings, wallpapers): the blob rule of
 * DESIGN.md "Encryption at rest". A blob is cut into fixed plaintext segments (64 KiB); each is sealed with its
 * own random nonce under a per-blob key (HKDF of the account key and a random salt in the blob's header), with AAD
 * binding account, blob id, header, segment index and a last-segment flag. So uploads and downloads stream with
 * at most a couple of segments in memory, a segment's plaintext is released only after its tag checks, and
 * reordered, dropped, truncated or altered segments fail with a typed error. After the last segment comes the
 * plaintext's SHA-256, sealed the same way (blob format 2), so what a record states of its blob's digest can be
 * checked by opening 60 bytes (`sealedDigest`) instead of reading the blob. The byte layout is in `domain/Sealed.ts`.
 *
 * What streaming cannot give: segments that check are released before later ones are read, so a consumer that
 * must not act on a blob that later turns out truncated or altered waits for the stream to end without failure.
 */
import { Channel, Chunk, Context, Effect, Either, Layer, Option, Redacted, Schema, Stream } from "effect"
import type { AccountId } from "../domain/Ids.js"
import {
  BLOB_DIGEST_SEALED_BYTES,
  BLOB_FORMAT_VERSION,
  BLOB_HEADER_BYTES,
  blobAadPrefix,
  blobDigestAad,
  type BlobFormatVersion,
  blobPlaintextBytes,
  blobSegmentAad,
  decodeBlobHeader,
  DEFAULT_SEGMENT_BYTES,
  encodeBlobHeader,
  type MalformedEnvelope,
  MAX_SEGMENT_BYTES,
  MIN_SEGMENT_BYTES,
  SALT_BYTES,
  segmentCount,
  sealedSegmentBytes,
  segmentsForRange
} from "../domain/Sealed.js"
import { type AeadAlgorithm, Crypto, DecryptionFailed, type OpenItem, SEAL_OVERHEAD, type SealItem } from "../ports/Crypto.js"
import { type AccountKeyError, Keyring } from "./Keyring.js"

/**
 * The sealed blob ended early: inside its header, without its last segment, before its sealed digest, or shorter than
 * its stated size.
 */
export class BlobTruncated extends Schema.TaggedError<BlobTruncated>()("BlobTruncated", {
  reason: Schema.String
}) {
  readonly code = "blob-truncated"
  override get message() {
    return `The sealed blob is cut short: ${this.reason}`
  }
}

/** A byte range outside the blob. */
export class InvalidRange extends Schema.TaggedError<InvalidRange>()("InvalidRange", {
  start: Schema.Number,
  end: Schema.Number,
  size: Schema.Number
}) {
  readonly code = "invalid-range"
  override get message() {
    return `The range [${this.start}, ${this.end}) is not within the blob's ${this.size} bytes`
  }
}

export type OpenBlobError = AccountKeyError | MalformedEnvelope | BlobTruncated

/** A piece of a byte stream cut into frames: the header (when the format has one), then numbered segments. */
export type Frame =
  | { readonly _tag: "Header"; readonly bytes: Uint8Array }
  | { readonly _tag: "Segment"; readonly bytes: Uint8Array; readonly index: number; readonly last: boolean }

/**
 * The state of cutting one byte stream into frames (see `reframe`): `cut` appends the frames an input chunk
 * completes, and gives the error of a header that names no usable segment size (nothing after it is cut); `end`
 * gives the final frame. Frames inside one input chunk are views of it; only a frame spanning chunks is copied,
 * into one buffer of one frame. Nothing else is held, so memory is one input chunk plus one frame.
 */
interface Cutter<E2> {
  readonly cut: (chunk: Uint8Array, out: Array<Frame>) => E2 | undefined
  readonly end: () => Frame
}

const makeCutter = <E2>(options: {
  readonly headerBytes: number
  readonly frameBytes: (header: Uint8Array) => Either.Either<number, E2>
}): Either.Either<Cutter<E2>, E2> => {
  let inHeader = options.headerBytes > 0
  let size = options.headerBytes
  let buffer: Uint8Array | undefined
  let filled = 0
  let index = 0

  const start = inHeader ? Either.right(size) : options.frameBytes(new Uint8Array(0))
  if (Either.isLeft(start)) return Either.left(start.left)
  size = start.right

  /** Takes a complete frame; the error when the header gives no usable segment size. */
  const take = (bytes: Uint8Array, out: Array<Frame>): E2 | undefined => {
    if (!inHeader) {
      out.push({ _tag: "Segment", bytes, index: index++, last: false })
      return undefined
    }
    out.push({ _tag: "Header", bytes })
    inHeader = false
    const next = options.frameBytes(bytes)
    if (Either.isLeft(next)) return next.left
    size = next.right
    return undefined
  }

  const cut = (chunk: Uint8Array, out: Array<Frame>): E2 | undefined => {
    let at = 0
    while (at < chunk.length) {
      if (filled === 0 && chunk.length - at >= size) {
        const frame = chunk.subarray(at, at + size)
        at += frame.length
        const failed = take(frame, out)
        if (failed !== undefined) return failed
        continue
      }
      buffer ??= new Uint8Array(size)
      const n = Math.min(size - filled, chunk.length - at)
      buffer.set(chunk.subarray(at, at + n), filled)
      filled += n
      at += n
      if (filled === size) {
        const full = buffer
        buffer = undefined
        filled = 0
        const failed = take(full, out)
        if (failed !== undefined) return failed
      }
    }
    return undefined
  }

  const end = (): Frame => {
    const rest = buffer === undefined ? new Uint8Array(0) : buffer.subarray(0, filled)
    return inHeader ? { _tag: "Header", bytes: rest } : { _tag: "Segment", bytes: rest, index, last: true }
  }

  return Either.right({ cut, end })
}

/**
 * Cuts a byte stream, however it is chunked, into a header of `headerBytes` and then segments of the size
 * `frameBytes` reads from the header. Every segment but the last is full; at the end the remainder (possibly
 * empty) is the last segment; a stream that ends inside the header gives a short header frame. Frames inside one
 * input chunk are views of it; only a frame spanning chunks is copied, into one buffer of one frame. Nothing else
 * is held, so memory is one input chunk plus one frame whatever the stream's length.
 */
export const reframe = <E, E2>(
  input: Stream.Stream<Uint8Array, E>,
  options: {
    readonly headerBytes: number
    readonly frameBytes: (header: Uint8Array) => Either.Either<number, E2>
  }
): Stream.Stream<Frame, E | E2> =>
  Stream.suspend(() => {
    const made = makeCutter(options)
    if (Either.isLeft(made)) return Stream.fail(made.left)
    const cutter = made.right
    const cut = (chunk: Uint8Array): Effect.Effect<Array<Frame>, E2> => {
      const out: Array<Frame> = []
      const failed = cutter.cut(chunk, out)
      return failed === undefined ? Effect.succeed(out) : Effect.fail(failed)
    }
    return Stream.concat(Stream.mapConcatEffect(input, cut), Stream.sync(cutter.end))
  })

/**
 * Keeps the last `n` bytes of a byte stream back: `push` appends to `out` what is now known to come before them, and
 * `end` gives them (fewer when the stream was shorter). A chunk longer than `n` passes on as a view; only its last
 * `n` bytes are held, as a view too, so nothing is copied but chunks shorter than `n`.
 */
const makeHoldback = (n: number) => {
  let held: Uint8Array = new Uint8Array(0)
  return {
    push: (piece: Uint8Array, out: Array<Uint8Array>) => {
      if (piece.length >= n) {
        if (held.length > 0) out.push(held)
        if (piece.length > n) out.push(piece.subarray(0, piece.length - n))
        held = piece.subarray(piece.length - n)
        return
      }
      const joined = new Uint8Array(held.length + piece.length)
      joined.set(held)
      joined.set(piece, held.length)
      if (joined.length > n) out.push(joined.subarray(0, joined.length - n))
      held = joined.length > n ? joined.subarray(joined.length - n) : joined
    },
    end: (): Uint8Array => held
  }
}

export interface BlobSealingOptions {
  /** Plaintext bytes per segment; 64 KiB unless chosen (1 KiB..1 MiB). */
  readonly segmentSize?: number | undefined
}

export interface BlobRef {
  readonly accountId: AccountId
  /** The blob's id: bound into every segment, so a sealed blob stored under another id fails to open. */
  readonly blobId: string
}

/** What a sealed blob's header and length tell without opening anything. */
export interface SealedBlobInfo {
  /** Plaintext bytes. */
  readonly size: number
  /** 2 when the plaintext's digest is sealed at the end, 1 for a blob sealed before that. */
  readonly format: BlobFormatVersion
}

/** Reads `length` bytes of the sealed blob from `offset` (a ranged read of the blob store). */
export type ReadSealed<E> = (offset: number, length: number) => Effect.Effect<Uint8Array, E>

export class BlobSealing extends Context.Tag("@custos/core/BlobSealing")<BlobSealing, {
  /**
   * Seals a plaintext stream: the header, then each segment as soon as it is full, then the plaintext's SHA-256
   * sealed. `onDigest` is given that digest once the plaintext has ended, before it is sealed.
   */
  readonly sealStream: <E>(
    blob: BlobRef,
    plaintext: Stream.Stream<Uint8Array, E>,
    options?: { readonly onDigest?: ((sha256: Uint8Array) => void) | undefined }
  ) => Stream.Stream<Uint8Array, E | AccountKeyError>
  /**
   * Opens a sealed stream, however it is chunked, emitting each segment's plaintext after its tag checks; the sealed
   * digest at the end is authenticated too (not compared with the plaintext: the tags already bind every byte). Fails
   * on any alteration, reordering, truncation or trailing bytes.
   */
  readonly openStream: <E>(
    blob: BlobRef,
    sealed: Stream.Stream<Uint8Array, E>
  ) => Stream.Stream<Uint8Array, E | OpenBlobError>
  /**
   * The plaintext's SHA-256 sealed at the end of a blob (reads its header and opens its last 60 bytes), or none for
   * a blob of format 1, which has none.
   */
  readonly sealedDigest: <E>(
    blob: BlobRef,
    input: { readonly sealedSize: number; readonly read: ReadSealed<E> }
  ) => Effect.Effect<Option.Option<Uint8Array>, E | OpenBlobError>
  /** The plaintext size and format of a sealed blob of `sealedSize` bytes (reads its header; opens nothing). */
  readonly sealedInfo: <E>(
    input: { readonly sealedSize: number; readonly read: ReadSealed<E> }
  ) => Effect.Effect<SealedBlobInfo, E | MalformedEnvelope | BlobTruncated>
  /**
   * Plaintext bytes [start, end) (end exclusive: HTTP `bytes=a-b` is start a, end b + 1), reading only the header
   * and the segments that hold them, each checked before any of its bytes are emitted.
   */
  readonly openRange: <E>(
    blob: BlobRef,
    input: {
      readonly sealedSize: number
      readonly start: number
      readonly end: number
      readonly read: ReadSealed<E>
    }
  ) => Stream.Stream<Uint8Array, E | OpenBlobError | InvalidRange>
}>() {
  static readonly layer = (options: BlobSealingOptions = {}) => Layer.effect(BlobSealing, makeBlobSealing(options))
}

const makeBlobSealing = (options: BlobSealingOptions) =>
  Effect.gen(function*() {
    const crypto = yield* Crypto
    const keyring = yield* Keyring
    const segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_BYTES
    if (!Number.isInteger(segmentSize) || segmentSize < MIN_SEGMENT_BYTES || segmentSize > MAX_SEGMENT_BYTES) {
      return yield* Effect.dieMessage(
        `BlobSealing: segment size ${segmentSize} is outside ${MIN_SEGMENT_BYTES}..${MAX_SEGMENT_BYTES} bytes`
      )
    }

    /** The blob's key from its header's salt and key version. */
    const blobKey = (
      blob: BlobRef,
      header: { readonly salt: Uint8Array; readonly keyVersion: number; readonly algorithm: AeadAlgorithm }
    ) => Effect.map(keyring.blobKey(blob.accountId, header.salt, header.keyVersion, header.algorithm), Redacted.value)

    const segmentFailed = (index: number) => () =>
      new DecryptionFailed({
        reason: `segment ${index} does not authenticate: it was altered, moved, or the blob was cut or extended`
      })
    const digestFailed = () =>
      new DecryptionFailed({
        reason: "the sealed digest does not authenticate: it was altered, moved, or the blob was cut or extended"
      })

    const sealStream = <E>(
      blob: BlobRef,
      plaintext: Stream.Stream<Uint8Array, E>,
      options: { readonly onDigest?: ((sha256: Uint8Array) => void) | undefined } = {}
    ) =>
      Stream.pipeThroughChannel(
        plaintext,
        Channel.unwrap(Effect.gen(function*() {
          const { version: keyVersion } = yield* keyring.accountKey(blob.accountId)
          const salt = yield* crypto.randomBytes(SALT_BYTES)
          const algorithm = keyring.algorithm
          const key = yield* blobKey(blob, { salt, keyVersion, algorithm })
          const hash = yield* crypto.sha256Incremental()
          const header = encodeBlobHeader({ version: BLOB_FORMAT_VERSION, algorithm, keyVersion, segmentSize, salt })
          const prefix = blobAadPrefix(blob, header)
          // Fixed segments: the cutter has no header and cannot fail.
          const cutter = Either.getOrThrow(makeCutter({ headerBytes: 0, frameBytes: () => Either.right(segmentSize) }))
          /**
           * Seals the segments among `frames` and emits them as one chunk: each segment as its nonce, ciphertext and
           * tag, three pieces whose bytes follow each other in the sealed blob.
           */
          const emit = (
            frames: ReadonlyArray<Frame>,
            end?: { readonly digest: Uint8Array; readonly segments: number }
          ) => {
            const items: Array<SealItem> = []
            for (const frame of frames) {
              if (frame._tag === "Segment") {
                items.push({ plaintext: frame.bytes, aad: blobSegmentAad(prefix, frame.index, frame.last) })
              }
            }
            if (end !== undefined) items.push({ plaintext: end.digest, aad: blobDigestAad(prefix, end.segments) })
            return Channel.flatMap(
              Channel.fromEffect(crypto.sealMany({ key, items })),
              (sealed) => Channel.write(Chunk.unsafeFromArray(sealed.flatMap((s) => [s.nonce, s.ciphertext, s.tag])))
            )
          }
          // One channel step per input chunk: it is hashed, cut and its segments sealed together (a stream step per
          // segment or per stage costs more than sealing it); the last segment, possibly empty, and the digest are
          // sealed when the input ends.
          const seal: Channel.Channel<Chunk.Chunk<Uint8Array>, Chunk.Chunk<Uint8Array>, E | AccountKeyError, E, unknown, unknown> =
            Channel.readWithCause({
              onInput: (chunk: Chunk.Chunk<Uint8Array>) => {
                const frames: Array<Frame> = []
                for (const piece of chunk) {
                  hash.update(piece)
                  cutter.cut(piece, frames)
                }
                return frames.length === 0 ? seal : Channel.zipRight(emit(frames), seal)
              },
              onFailure: Channel.failCause,
              onDone: () => {
                const last = cutter.end()
                const digest = hash.digest()
                options.onDigest?.(digest)
                return emit([last], { digest, segments: last._tag === "Segment" ? last.index + 1 : 0 })
              }
            })
          return Channel.write(Chunk.of(header)).pipe(
            Channel.zipRight(seal),
            Channel.ensuring(Effect.sync(() => key.fill(0)))
          )
        }))
      )

    const openStream = <E>(blob: BlobRef, sealed: Stream.Stream<Uint8Array, E>) => {
      const opening = () => {
        let opened: { readonly key: Uint8Array; readonly prefix: Uint8Array } | undefined
        /** The header's format, once the cutter has read it (a function: the cutter sets it as it cuts). */
        let version: BlobFormatVersion | undefined
        const versionRead = () => version
        const made = makeCutter({
          headerBytes: BLOB_HEADER_BYTES,
          frameBytes: (bytes) =>
            Either.map(decodeBlobHeader(bytes), (header) => {
              version = header.version
              return sealedSegmentBytes(header.segmentSize)
            })
        })
        if (Either.isLeft(made)) return Channel.fail(made.left)
        const cutter = made.right
        // The last 60 bytes may be a format 2 blob's sealed digest, which is no segment: they reach the cutter only
        // once the stream ends and the header has said the blob has none.
        const holdback = makeHoldback(BLOB_DIGEST_SEALED_BYTES)
        /** Authenticates the sealed digest after segments `0..segments-1`. */
        const checkDigest = (sealed: Uint8Array, segments: number) =>
          Effect.suspend(() =>
            // Only a blob whose header opened has a digest to check.
            opened === undefined ? Effect.dieMessage("BlobSealing: a sealed digest without its header") : crypto.open({
              key: opened.key,
              sealed,
              aad: blobDigestAad(opened.prefix, segments)
            }).pipe(Effect.mapError(digestFailed), Effect.asVoid)
          )
        /**
         * Opens frames in as few steps as they allow: the plaintexts of the segments that check, in order, and the
         * error of the first frame that does not (nothing after it is opened).
         */
        const openFrames = (frames: ReadonlyArray<Frame>) =>
          Effect.gen(function*() {
            const released: Array<Uint8Array> = []
            let items: Array<OpenItem> = []
            let indices: Array<number> = []
            /** Opens the segments gathered so far; the error of the first that does not check. */
            const flush = Effect.suspend(() => {
              if (items.length === 0 || opened === undefined) return Effect.succeed(undefined)
              const batch = { items, indices }
              items = []
              indices = []
              return Effect.map(crypto.openMany({ key: opened.key, items: batch.items }), (result) => {
                const { failed } = result
                for (const plaintext of result.opened) if (plaintext.length > 0) released.push(plaintext)
                return failed === undefined ? undefined : segmentFailed(batch.indices[failed.index]!)()
              })
            })
            const stop = (error: OpenBlobError) =>
              Effect.map(flush, (failed) => ({ released, error: failed ?? error }))
            for (const frame of frames) {
              if (frame._tag === "Header") {
                if (frame.bytes.length < BLOB_HEADER_BYTES) {
                  return yield* stop(new BlobTruncated({ reason: "it ends inside its header" }))
                }
                const header = decodeBlobHeader(frame.bytes)
                if (Either.isLeft(header)) return yield* stop(header.left)
                const key = yield* Effect.either(blobKey(blob, header.right))
                if (Either.isLeft(key)) return yield* stop(key.left)
                opened = { key: key.right, prefix: blobAadPrefix(blob, frame.bytes) }
                continue
              }
              if (opened === undefined) return yield* stop(new BlobTruncated({ reason: "it has no header" }))
              if (frame.last && frame.bytes.length < SEAL_OVERHEAD) {
                return yield* stop(
                  new BlobTruncated({
                    reason: frame.bytes.length === 0 ? "its last segment is missing" : `segment ${frame.index} is partial`
                  })
                )
              }
              items.push({ sealed: frame.bytes, aad: blobSegmentAad(opened.prefix, frame.index, frame.last) })
              indices.push(frame.index)
            }
            const failed = yield* flush
            return { released, error: failed }
          })
        /** Emits what `frames` release, then fails with their error or goes on with `next`. */
        const emit = <E1>(
          frames: ReadonlyArray<Frame>,
          next: () => Channel.Channel<Chunk.Chunk<Uint8Array>, Chunk.Chunk<Uint8Array>, E1 | OpenBlobError, E, unknown, unknown>
        ) =>
          Channel.flatMap(Channel.fromEffect(openFrames(frames)), ({ error, released }) => {
            const then = error === undefined ? Channel.suspend(next) : Channel.fail(error)
            return released.length === 0 ? then : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(released)), then)
          })
        // One channel step per input chunk: it is cut, its segments opened, their plaintexts emitted as one chunk and
        // then the failure that stopped them, if any (a stream step per segment would cost more than opening it).
        const open: Channel.Channel<Chunk.Chunk<Uint8Array>, Chunk.Chunk<Uint8Array>, E | OpenBlobError, E, unknown, unknown> =
          Channel.readWithCause({
            onInput: (chunk: Chunk.Chunk<Uint8Array>) => {
              const frames: Array<Frame> = []
              const ahead: Array<Uint8Array> = []
              for (const piece of chunk) holdback.push(piece, ahead)
              for (const piece of ahead) {
                const failed = cutter.cut(piece, frames)
                // Only a header fails to cut, and no plaintext comes before the header.
                if (failed !== undefined) return Channel.fail(failed)
              }
              return emit(frames, () => open)
            },
            onFailure: Channel.failCause,
            onDone: () => {
              const tail = holdback.end()
              if (versionRead() === 2) {
                const last = cutter.end()
                const segments = last._tag === "Segment" ? last.index + 1 : 0
                return emit([last], () => Channel.fromEffect(checkDigest(tail, segments)))
              }
              const frames: Array<Frame> = []
              const failed = cutter.cut(tail, frames)
              if (failed !== undefined) return Channel.fail(failed)
              // A header read only now is of a blob shorter than any of format 2 with its digest.
              if (versionRead() === 2) return Channel.fail(new BlobTruncated({ reason: "it ends before its sealed digest" }))
              frames.push(cutter.end())
              return emit(frames, () => Channel.void)
            }
          })
        return open.pipe(Channel.ensuring(Effect.sync(() => opened?.key.fill(0))))
      }
      return Stream.pipeThroughChannel(sealed, Channel.suspend(opening))
    }

    const readHeader = <E>(sealedSize: number, read: ReadSealed<E>) =>
      Effect.gen(function*() {
        if (sealedSize < BLOB_HEADER_BYTES) return yield* new BlobTruncated({ reason: "it ends inside its header" })
        const bytes = yield* read(0, BLOB_HEADER_BYTES)
        if (bytes.length !== BLOB_HEADER_BYTES) {
          return yield* new BlobTruncated({ reason: "the store returned less than the header" })
        }
        const header = yield* decodeBlobHeader(bytes)
        const size = yield* blobPlaintextBytes(sealedSize, header)
        return { bytes, header, size }
      })

    const sealedInfo = <E>(input: { readonly sealedSize: number; readonly read: ReadSealed<E> }) =>
      Effect.map(readHeader(input.sealedSize, input.read), ({ header, size }): SealedBlobInfo => ({
        size,
        format: header.version
      }))

    const sealedDigest = <E>(blob: BlobRef, input: { readonly sealedSize: number; readonly read: ReadSealed<E> }) =>
      Effect.gen(function*() {
        const { bytes, header, size } = yield* readHeader(input.sealedSize, input.read)
        if (header.version === 1) return Option.none()
        const sealed = yield* input.read(input.sealedSize - BLOB_DIGEST_SEALED_BYTES, BLOB_DIGEST_SEALED_BYTES)
        if (sealed.length !== BLOB_DIGEST_SEALED_BYTES) {
          return yield* new BlobTruncated({ reason: "the store returned part of the sealed digest" })
        }
        const key = yield* blobKey(blob, header)
        const digest = yield* crypto.open({
          key,
          sealed,
          aad: blobDigestAad(blobAadPrefix(blob, bytes), segmentCount(size, header.segmentSize))
        }).pipe(Effect.mapError(digestFailed), Effect.ensuring(Effect.sync(() => key.fill(0))))
        return Option.some(digest)
      })

    const openRange = <E>(
      blob: BlobRef,
      input: { readonly sealedSize: number; readonly start: number; readonly end: number; readonly read: ReadSealed<E> }
    ) =>
      Stream.unwrap(Effect.gen(function*() {
        const { bytes, header, size } = yield* readHeader(input.sealedSize, input.read)
        const { end, start } = input
        if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > size) {
          return yield* new InvalidRange({ start, end, size })
        }
        const reads = segmentsForRange({ start, end }, size, header.segmentSize)
        if (reads.length === 0) return Stream.empty
        const key = yield* blobKey(blob, header)
        const prefix = blobAadPrefix(blob, bytes)
        return Stream.fromIterable(reads).pipe(
          Stream.mapEffect((segment) =>
            Effect.gen(function*() {
              const sealed = yield* input.read(segment.offset, segment.length)
              if (sealed.length !== segment.length) {
                return yield* new BlobTruncated({ reason: `the store returned part of segment ${segment.index}` })
              }
              const plaintext = yield* crypto.open({
                key,
                sealed,
                aad: blobSegmentAad(prefix, segment.index, segment.last)
              }).pipe(Effect.mapError(segmentFailed(segment.index)))
              return plaintext.subarray(segment.keepFrom, segment.keepTo)
            })
          ),
          Stream.ensuring(Effect.sync(() => key.fill(0)))
        )
      }))

    return BlobSealing.of({ sealStream, openStream, sealedDigest, sealedInfo, openRange })
  })
