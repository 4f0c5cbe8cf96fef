/**
 * The byte formats of sealed data, as pure functions: the field envelope (bytes and base64 text), the associated
 * data that binds a sealed field to its place, and the header, segment AAD and size arithmetic of sealed blobs.
 * It implements DESIGN.md "Encryption at rest": ciphertext carries a format version, an algorithm and a key version
 * so keys can rotate; AAD binds every value to (account, app, record id, field, key version) in a length-prefixed
 * encoding, so a value copied elsewhere fails to open; blobs are fixed-size segments with a last-segment flag and
 * end with their sealed digest.
 *
 * Field envelope, big-endian (format version 2, what is written):
 *
 *   offset  size  content
 *   0       1     format version, 2
 *   1       1     algorithm: 1 = AES-128-GCM, 2 = AES-256-GCM
 *   2       4     account key version (u32, 1..2^32-1)
 *   6       12    salt: random, per sealed value; the value's key is derived from it (see `Crypto.deriveValueKeys`)
 *   18      12    nonce: random
 *   30      n     ciphertext
 *   30+n    16    tag
 *
 * Format version 1, still read: the same fields with a 16-byte salt, the value's key HKDF-SHA-256(account key, salt).
 */
import { Either, Schema } from "effect"
import { decodeCanonicalBase64, encodeBase64 } from "../internal/base64.js"
import { transientBytes } from "../internal/bytes.js"
import { type AeadAlgorithm, NONCE_BYTES, SEAL_OVERHEAD, TAG_BYTES, VALUE_KEY_SALT_BYTES } from "../ports/Crypto.js"

export class MalformedEnvelope extends Schema.TaggedError<MalformedEnvelope>()("MalformedEnvelope", {
  reason: Schema.String
}) {
  readonly code = "malformed-envelope"
  override get message() {
    return `The sealed value is malformed: ${this.reason}`
  }
}

/** The envelope format version written today; version 1 is still read. */
export const ENVELOPE_VERSION = 2
/** Every envelope format version that opens. */
export type EnvelopeVersion = 1 | 2
/** Length of the random salt of a blob and of a version 1 envelope, whose keys are derived with HKDF. */
export const SALT_BYTES = 16
/** The salt length of each envelope version: version 2's is what `Crypto.deriveValueKeys` derives a key from. */
export const envelopeSaltBytes: { readonly [V in EnvelopeVersion]: number } = { 1: SALT_BYTES, 2: VALUE_KEY_SALT_BYTES }
/** Version, algorithm and key version: everything before the salt. */
export const ENVELOPE_HEAD_BYTES = 1 + 1 + 4
/** Version, algorithm, key version and salt of a version 2 envelope: everything before the nonce. */
export const ENVELOPE_HEADER_BYTES = ENVELOPE_HEAD_BYTES + VALUE_KEY_SALT_BYTES
/** The shortest possible envelope: a version 2 one of an empty plaintext. */
export const ENVELOPE_MIN_BYTES = ENVELOPE_HEADER_BYTES + SEAL_OVERHEAD

const algorithmIds: { readonly [A in AeadAlgorithm]: number } = { "aes-128-gcm": 1, "aes-256-gcm": 2 }

/** The byte that names `algorithm` in envelopes, blob headers and AAD. */
export const algorithmId = (algorithm: AeadAlgorithm): number => algorithmIds[algorithm]

const algorithmFromId = (id: number): AeadAlgorithm | undefined =>
  id === 1 ? "aes-128-gcm" : id === 2 ? "aes-256-gcm" : undefined

const MAX_U32 = 0xffffffff

/** Key versions are u32 and start at 1. */
export const isKeyVersion = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= MAX_U32

export interface Envelope {
  readonly version: EnvelopeVersion
  readonly algorithm: AeadAlgorithm
  readonly keyVersion: number
  readonly salt: Uint8Array
  /** `nonce(12) ‖ ciphertext ‖ tag(16)`, as the `Crypto` port seals it. */
  readonly sealed: Uint8Array
}

const malformed = (reason: string) => Either.left(new MalformedEnvelope({ reason }))

// ---------------------------------------------------------------------------------------------------------------
// Text encoding

/** A surrogate code unit: where WTF-8 and the platform's UTF-8 encoder can differ. */
const SURROGATE = /[\uD800-\uDFFF]/
/** The platform's UTF-8 codecs: every runtime Custos runs on has them, but core's type library lists no platform. */
interface Utf8Codecs {
  readonly TextEncoder: new() => { encode(text: string): Uint8Array }
  readonly TextDecoder: new(
    label: "utf-8",
    options: { readonly fatal: boolean; readonly ignoreBOM: boolean }
  ) => { decode(bytes: Uint8Array): string }
}
const codecs = globalThis as unknown as Utf8Codecs
const utf8Encoder = new codecs.TextEncoder()
/** Strict (malformed bytes throw) and keeping a leading byte-order mark, as the byte-by-byte decoder does. */
const utf8Decoder = new codecs.TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/**
 * UTF-8 of a JavaScript string. An unpaired surrogate, which UTF-8 cannot express, is kept as its own three-byte
 * sequence (the WTF-8 rule), so distinct strings always give distinct bytes and `decodeUtf8` gives the string back.
 * Text without surrogates (nearly all of it) goes through the platform's encoder, which gives the same bytes.
 */
export const encodeUtf8 = (text: string): Uint8Array =>
  SURROGATE.test(text) ? encodeWtf8(text) : utf8Encoder.encode(text)

const encodeWtf8 = (text: string): Uint8Array => {
  const out: Array<number> = []
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
        i++
      }
    }
    if (c < 0x80) out.push(c)
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f))
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f))
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f))
  }
  return Uint8Array.from(out)
}

/**
 * The inverse of `encodeUtf8`; `undefined` for bytes it would never produce (overlong, truncated, out of range).
 * Well-formed UTF-8 goes through the platform's strict decoder; only what it refuses (which includes the WTF-8 form
 * of an unpaired surrogate) is decoded here byte by byte.
 */
export const decodeUtf8 = (bytes: Uint8Array): string | undefined => {
  try {
    return utf8Decoder.decode(bytes)
  } catch {
    return decodeWtf8(bytes)
  }
}

const decodeWtf8 = (bytes: Uint8Array): string | undefined => {
  let text = ""
  let i = 0
  let previousHigh = false
  while (i < bytes.length) {
    const b0 = bytes[i]!
    let c: number
    let n: number
    if (b0 < 0x80) [c, n] = [b0, 1]
    else if (b0 >= 0xc2 && b0 < 0xe0) [c, n] = [b0 & 0x1f, 2]
    else if (b0 >= 0xe0 && b0 < 0xf0) [c, n] = [b0 & 0x0f, 3]
    else if (b0 >= 0xf0 && b0 < 0xf5) [c, n] = [b0 & 0x07, 4]
    else return undefined
    if (i + n > bytes.length) return undefined
    for (let k = 1; k < n; k++) {
      const b = bytes[i + k]!
      if ((b & 0xc0) !== 0x80) return undefined
      c = (c << 6) | (b & 0x3f)
    }
    if ((n === 3 && c < 0x800) || (n === 4 && (c < 0x10000 || c > 0x10ffff))) return undefined
    const high = c >= 0xd800 && c <= 0xdbff
    // A high surrogate written on its own followed by a low one would be a pair: `encodeUtf8` never writes that.
    if (previousHigh && c >= 0xdc00 && c <= 0xdfff) return undefined
    previousHigh = high
    text += String.fromCodePoint(c)
    i += n
  }
  return text
}

// ---------------------------------------------------------------------------------------------------------------
// Building blocks of the length-prefixed encodings

/**
 * Writes a length-prefixed encoding into one buffer, grown by doubling; `done` returns exactly the bytes written.
 * The envelopes and AADs here and the access log's entry encoding are built with it. `ByteWriter.transient` writes
 * into `transientBytes`, for bytes used once and dropped (an AAD).
 */
export class ByteWriter {
  private buffer: Uint8Array
  private length = 0
  constructor(capacity = 128, private readonly transient = false) {
    this.buffer = this.allocate(Math.max(1, capacity))
  }
  static transient(capacity: number): ByteWriter {
    return new ByteWriter(capacity, true)
  }
  private allocate(n: number) {
    return this.transient ? transientBytes(n) : new Uint8Array(n)
  }
  private room(n: number) {
    if (this.length + n <= this.buffer.length) return
    let capacity = this.buffer.length * 2
    while (capacity < this.length + n) capacity *= 2
    const grown = this.allocate(capacity)
    grown.set(this.buffer.subarray(0, this.length))
    this.buffer = grown
  }
  /** `n` as four big-endian bytes at `at`; the caller has made room. */
  private putU32(at: number, n: number) {
    this.buffer[at] = n >>> 24
    this.buffer[at + 1] = n >>> 16
    this.buffer[at + 2] = n >>> 8
    this.buffer[at + 3] = n
  }
  bytes(part: Uint8Array): this {
    this.room(part.length)
    this.buffer.set(part, this.length)
    this.length += part.length
    return this
  }
  u8(n: number): this {
    this.room(1)
    this.buffer[this.length++] = n
    return this
  }
  u32(n: number): this {
    this.room(4)
    this.putU32(this.length, n)
    this.length += 4
    return this
  }
  u64(n: number): this {
    return this.u32(Math.floor(n / 0x100000000)).u32(n >>> 0)
  }
  /** A u32 byte length, then the bytes. */
  field(part: Uint8Array): this {
    return this.u32(part.length).bytes(part)
  }
  /** `field` of the text's `encodeUtf8`; ASCII (ids, app and field names: nearly every part) is copied as it is. */
  text(value: string): this {
    const n = value.length
    this.room(4 + n)
    let at = this.length + 4
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i)
      if (c >= 0x80) return this.field(encodeUtf8(value))
      this.buffer[at++] = c
    }
    this.putU32(this.length, n)
    this.length += 4 + n
    return this
  }
  done(): Uint8Array {
    if (this.length === this.buffer.length) return this.buffer
    // A transient buffer is a view already: a shorter view of it costs nothing, a copy would.
    return this.transient ? this.buffer.subarray(0, this.length) : this.buffer.slice(0, this.length)
  }
}

const readU32 = (bytes: Uint8Array, at: number) =>
  ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0

// ---------------------------------------------------------------------------------------------------------------
// Field envelope

export const encodeEnvelope = (envelope: Envelope): Uint8Array => {
  if (!isKeyVersion(envelope.keyVersion)) throw new RangeError(`key version ${envelope.keyVersion} is not a u32 >= 1`)
  const saltBytes = envelopeSaltBytes[envelope.version]
  if (saltBytes === undefined) throw new RangeError(`envelope format version ${envelope.version} is not known`)
  if (envelope.salt.length !== saltBytes) {
    throw new RangeError(`the salt of a version ${envelope.version} envelope must be ${saltBytes} bytes`)
  }
  if (envelope.sealed.length < SEAL_OVERHEAD) throw new RangeError("the sealed part is shorter than nonce and tag")
  return new ByteWriter()
    .u8(envelope.version)
    .u8(algorithmId(envelope.algorithm))
    .u32(envelope.keyVersion)
    .bytes(envelope.salt)
    .bytes(envelope.sealed)
    .done()
}

/**
 * The first bytes of an envelope of the version written today, before the salt: format version, algorithm and key
 * version. A sealer writes them, then the salt and `nonce ‖ ciphertext ‖ tag`, and has the whole envelope in one
 * buffer (`Crypto.sealValues`).
 */
export const encodeEnvelopeHead = (algorithm: AeadAlgorithm, keyVersion: number): Uint8Array => {
  if (!isKeyVersion(keyVersion)) throw new RangeError(`key version ${keyVersion} is not a u32 >= 1`)
  return new ByteWriter(ENVELOPE_HEAD_BYTES).u8(ENVELOPE_VERSION).u8(algorithmId(algorithm)).u32(keyVersion).done()
}

/** Parses an envelope strictly: a known version and algorithm, a key version >= 1, room for nonce and tag. */
export const decodeEnvelope = (bytes: Uint8Array): Either.Either<Envelope, MalformedEnvelope> =>
  parseEnvelope(bytes, (from, to) => bytes.slice(from, to))

/** `decodeEnvelope`, with the salt and sealed part taken out of `bytes` by `part` (a copy, or a view). */
const parseEnvelope = (
  bytes: Uint8Array,
  part: (from: number, to?: number) => Uint8Array
): Either.Either<Envelope, MalformedEnvelope> => {
  if (bytes.length < ENVELOPE_HEAD_BYTES) {
    return malformed(`an envelope starts with ${ENVELOPE_HEAD_BYTES} bytes of head, this one has ${bytes.length}`)
  }
  const version = bytes[0]
  if (version !== 1 && version !== 2) return malformed(`format version ${version} is not known`)
  const saltBytes = envelopeSaltBytes[version]
  const shortest = ENVELOPE_HEAD_BYTES + saltBytes + SEAL_OVERHEAD
  if (bytes.length < shortest) {
    return malformed(`a version ${version} envelope has at least ${shortest} bytes, this one has ${bytes.length}`)
  }
  const algorithm = algorithmFromId(bytes[1]!)
  if (algorithm === undefined) return malformed(`algorithm ${bytes[1]} is not known`)
  const keyVersion = readU32(bytes, 2)
  if (keyVersion === 0) return malformed("key version 0 is never issued")
  return Either.right({
    version,
    algorithm,
    keyVersion,
    salt: part(ENVELOPE_HEAD_BYTES, ENVELOPE_HEAD_BYTES + saltBytes),
    sealed: part(ENVELOPE_HEAD_BYTES + saltBytes)
  })
}

/** The envelope as standard padded base64 (RFC 4648 §4): the form a record body stores. */
export const envelopeToText = (envelope: Envelope): string => encodeBase64(encodeEnvelope(envelope))

/**
 * Parses the text form; only canonical base64 is accepted, so one envelope has one text. Its salt and sealed part are
 * views of `transientBytes`: an envelope is parsed to be opened and dropped, not kept.
 */
export const envelopeFromText = (text: string): Either.Either<Envelope, MalformedEnvelope> => {
  const bytes = decodeCanonicalBase64(text, transientBytes)
  // The decoded bytes belong to this envelope alone: its parts can be views of them.
  return bytes === undefined
    ? malformed("the text is not canonical base64")
    : parseEnvelope(bytes, (from, to) => bytes.subarray(from, to))
}

/** Where a sealed field lives. Each part is bound into the AAD; changing any one makes the value fail to open. */
export interface FieldContext {
  readonly accountId: string
  readonly app: string
  readonly recordId: string
  readonly field: string
  readonly keyVersion: number
}

const FIELD_AAD_LABEL = encodeUtf8("custos/field-aad/v1")
/** The bytes of a field AAD before the account id: the label, two bytes, and the account id's and app's lengths. */
const FIELD_AAD_HEAD_BYTES = 4 + FIELD_AAD_LABEL.length + 2 + 4 + 4

/**
 * The AAD of a sealed field: a label, the envelope version and algorithm (so neither can be swapped), then account
 * id, app, record id and field, each as u32 length ‖ UTF-8, then the key version as u32. The length prefixes make
 * the encoding injective: ("ab", "c") and ("a", "bc") give different bytes.
 */
export const encodeFieldAad = (
  context: FieldContext,
  algorithm: AeadAlgorithm,
  version: EnvelopeVersion = ENVELOPE_VERSION
): Uint8Array => fieldAadOf(context, algorithm, version)(context.recordId).slice()

/**
 * `encodeFieldAad` for the records of one account, app and field under one key version, algorithm and envelope
 * version: the bytes before and after the record id are encoded once, and each record's AAD is those two around its
 * id (a batch seals or opens hundreds of values of one account and app). Each AAD is a view of `transientBytes`, to
 * be handed to the cipher and dropped; `encodeFieldAad` gives one of its own.
 */
export const fieldAadOf = (
  context: Omit<FieldContext, "recordId">,
  algorithm: AeadAlgorithm,
  version: EnvelopeVersion = ENVELOPE_VERSION
): (recordId: string) => Uint8Array => {
  if (!isKeyVersion(context.keyVersion)) throw new RangeError(`key version ${context.keyVersion} is not a u32 >= 1`)
  const head = new ByteWriter(FIELD_AAD_HEAD_BYTES + context.accountId.length + context.app.length)
    .field(FIELD_AAD_LABEL)
    .u8(version)
    .u8(algorithmId(algorithm))
    .text(context.accountId)
    .text(context.app)
    .done()
  const tail = new ByteWriter(4 + context.field.length + 4).text(context.field).u32(context.keyVersion).done()
  return (recordId) =>
    ByteWriter.transient(head.length + 4 + recordId.length + tail.length).bytes(head).text(recordId).bytes(tail).done()
}

const ACCOUNT_KEY_AAD_LABEL = encodeUtf8("custos/account-key/v1")

/** The AAD a wrapped account key is bound with: its account and version, so it cannot be moved to another. */
export const encodeAccountKeyAad = (accountId: string, keyVersion: number): Uint8Array =>
  new ByteWriter().field(ACCOUNT_KEY_AAD_LABEL).text(accountId).u32(keyVersion).done()

// ---------------------------------------------------------------------------------------------------------------
// Sealed blobs
//
// A sealed blob is a header, then segments, then (format 2) a sealed digest. Segment i seals plaintext bytes
// [i*S, (i+1)*S) as nonce(12) ‖ ciphertext ‖ tag(16). Every segment but the last holds exactly S bytes; the last holds
// 0..S-1 bytes, so there is always a last segment (an empty one when the size is a multiple of S) and its flag is in
// the AAD. Format 2 ends with the plaintext's SHA-256 sealed the same way (nonce ‖ 32 bytes ‖ tag, 60 bytes) with
// the index after the last segment and flag 2 in its AAD, so the digest a record states of its blob can be checked
// without reading the blob, and a blob cut before its digest is known to be cut.
//
// Header, big-endian:
//
//   offset  size  content
//   0       1     format version: 2 (with the sealed digest; what is written) or 1 (without; still read)
//   1       1     algorithm: 1 = AES-128-GCM, 2 = AES-256-GCM
//   2       4     account key version (u32)
//   6       4     segment size S in plaintext bytes (u32, 1 KiB..1 MiB)
//   10      16    salt: random, per blob; HKDF(account key, salt) is the blob's key

/** The blob format written today; format 1 (no sealed digest) is still read. */
export const BLOB_FORMAT_VERSION = 2
/** Every blob format that opens. */
export type BlobFormatVersion = 1 | 2
export const BLOB_HEADER_BYTES = 1 + 1 + 4 + 4 + SALT_BYTES
/** 64 KiB: the segment size blobs are written with. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024
export const MIN_SEGMENT_BYTES = 1024
export const MAX_SEGMENT_BYTES = 1024 * 1024
/** The SHA-256 of a blob's plaintext, sealed at the end of a format 2 blob. */
export const BLOB_DIGEST_BYTES = 32
/** The sealed digest at the end of a format 2 blob: nonce, the 32-byte digest, tag. */
export const BLOB_DIGEST_SEALED_BYTES = BLOB_DIGEST_BYTES + SEAL_OVERHEAD

/** What follows the last segment in a blob of `version`: the sealed digest, or nothing. */
export const blobTrailerBytes = (version: BlobFormatVersion) => version === 1 ? 0 : BLOB_DIGEST_SEALED_BYTES

export interface BlobHeader {
  readonly version: BlobFormatVersion
  readonly algorithm: AeadAlgorithm
  readonly keyVersion: number
  readonly segmentSize: number
  readonly salt: Uint8Array
}

const isSegmentSize = (n: number) => Number.isInteger(n) && n >= MIN_SEGMENT_BYTES && n <= MAX_SEGMENT_BYTES

export const encodeBlobHeader = (header: BlobHeader): Uint8Array => {
  if (header.version !== 1 && header.version !== 2) throw new RangeError(`blob format ${header.version} is not known`)
  if (!isKeyVersion(header.keyVersion)) throw new RangeError(`key version ${header.keyVersion} is not a u32 >= 1`)
  if (!isSegmentSize(header.segmentSize)) throw new RangeError(`segment size ${header.segmentSize} is out of range`)
  if (header.salt.length !== SALT_BYTES) throw new RangeError(`the salt must be ${SALT_BYTES} bytes`)
  return new ByteWriter()
    .u8(header.version)
    .u8(algorithmId(header.algorithm))
    .u32(header.keyVersion)
    .u32(header.segmentSize)
    .bytes(header.salt)
    .done()
}

/**
 * Parses a blob header strictly. The segment size is bounded before anything is read with it, so a forged header
 * cannot make a reader buffer more than 1 MiB per segment.
 */
export const decodeBlobHeader = (bytes: Uint8Array): Either.Either<BlobHeader, MalformedEnvelope> => {
  if (bytes.length !== BLOB_HEADER_BYTES) {
    return malformed(`a blob header has ${BLOB_HEADER_BYTES} bytes, this one has ${bytes.length}`)
  }
  const version = bytes[0]
  if (version !== 1 && version !== 2) return malformed(`blob format version ${version} is not known`)
  const algorithm = algorithmFromId(bytes[1]!)
  if (algorithm === undefined) return malformed(`algorithm ${bytes[1]} is not known`)
  const keyVersion = readU32(bytes, 2)
  if (keyVersion === 0) return malformed("key version 0 is never issued")
  const segmentSize = readU32(bytes, 6)
  if (!isSegmentSize(segmentSize)) {
    return malformed(`segment size ${segmentSize} is outside ${MIN_SEGMENT_BYTES}..${MAX_SEGMENT_BYTES} bytes`)
  }
  return Either.right({ version, algorithm, keyVersion, segmentSize, salt: bytes.slice(10, 10 + SALT_BYTES) })
}

/** Where a sealed blob belongs: bound into every segment's AAD. */
export interface BlobContext {
  readonly accountId: string
  readonly blobId: string
}

const BLOB_AAD_LABEL = encodeUtf8("custos/blob-segment/v1")

/**
 * The AAD of segment `index` is `prefix ‖ u64 index ‖ u8 last`, where the prefix binds the label, account id, blob
 * id and the exact header bytes (each length-prefixed). Computed once per blob. The sealed digest of a format 2 blob
 * is bound as `prefix ‖ u64 segment count ‖ u8 2`: after the last segment, and never a segment's.
 */
export const blobAadPrefix = (context: BlobContext, header: Uint8Array): Uint8Array =>
  new ByteWriter().field(BLOB_AAD_LABEL).text(context.accountId).text(context.blobId).field(header).done()

export const blobSegmentAad = (prefix: Uint8Array, index: number, last: boolean): Uint8Array =>
  new ByteWriter(prefix.length + 9).bytes(prefix).u64(index).u8(last ? 1 : 0).done()

/** The AAD of the sealed digest of a format 2 blob of `segments` segments. */
export const blobDigestAad = (prefix: Uint8Array, segments: number): Uint8Array =>
  new ByteWriter(prefix.length + 9).bytes(prefix).u64(segments).u8(2).done()

/** The sealed length of a segment holding `plaintext` bytes. */
export const sealedSegmentBytes = (plaintext: number) => plaintext + NONCE_BYTES + TAG_BYTES

/** How many segments a blob of `size` plaintext bytes has: always one more than the full ones. */
export const segmentCount = (size: number, segmentSize: number) => Math.floor(size / segmentSize) + 1

/** The sealed size of a blob of `size` plaintext bytes, in the format written today unless `version` says. */
export const sealedBlobBytes = (size: number, segmentSize: number, version: BlobFormatVersion = BLOB_FORMAT_VERSION) =>
  BLOB_HEADER_BYTES + size + segmentCount(size, segmentSize) * SEAL_OVERHEAD + blobTrailerBytes(version)

/** The plaintext size of a sealed blob of `sealedSize` bytes, or why no sealed blob with `header` has that size. */
export const blobPlaintextBytes = (
  sealedSize: number,
  header: Pick<BlobHeader, "segmentSize" | "version">
): Either.Either<number, MalformedEnvelope> => {
  const { segmentSize } = header
  const body = sealedSize - BLOB_HEADER_BYTES - blobTrailerBytes(header.version)
  const full = sealedSegmentBytes(segmentSize)
  const lastSealed = body % full
  if (body < SEAL_OVERHEAD || lastSealed < SEAL_OVERHEAD) {
    return malformed(
      `no sealed blob of format ${header.version} with ${segmentSize}-byte segments is ${sealedSize} bytes long`
    )
  }
  return Either.right(Math.floor(body / full) * segmentSize + lastSealed - SEAL_OVERHEAD)
}

/** One segment to read for a plaintext range: where it lies in the sealed blob and which plaintext bytes to keep. */
export interface SegmentRead {
  readonly index: number
  readonly last: boolean
  /** Offset and length of the sealed segment in the sealed blob. */
  readonly offset: number
  readonly length: number
  /** The part of the segment's plaintext that falls in the range: [keepFrom, keepTo). */
  readonly keepFrom: number
  readonly keepTo: number
}

/**
 * The segments holding plaintext bytes [start, end) of a blob of `size` plaintext bytes, in order. An empty range
 * reads nothing. The caller checks 0 <= start <= end <= size.
 */
export const segmentsForRange = (
  range: { readonly start: number; readonly end: number },
  size: number,
  segmentSize: number
): ReadonlyArray<SegmentRead> => {
  if (range.end <= range.start) return []
  const count = segmentCount(size, segmentSize)
  const first = Math.floor(range.start / segmentSize)
  const lastNeeded = Math.floor((range.end - 1) / segmentSize)
  const reads: Array<SegmentRead> = []
  for (let index = first; index <= lastNeeded; index++) {
    const last = index === count - 1
    const plain = last ? size - index * segmentSize : segmentSize
    const from = index * segmentSize
    reads.push({
      index,
      last,
      offset: BLOB_HEADER_BYTES + index * sealedSegmentBytes(segmentSize),
      length: sealedSegmentBytes(plain),
      keepFrom: Math.max(range.start, from) - from,
      keepTo: Math.min(range.end, from + plain) - from
    })
  }
  return reads
}
