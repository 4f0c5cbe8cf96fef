/**
 * Tests of the sealed byte formats (domain/Sealed.ts): envelopes round-trip through bytes and text and anything
 * else is refused with `MalformedEnvelope`; the field AAD is injective (a change of any part changes it, and no two
 * tuples share an encoding); blob headers round-trip; the blob size and range arithmetic agree with each other.
 */
import { assert, describe, it } from "@effect/vitest"
import { Either, FastCheck } from "effect"
import {
  BLOB_HEADER_BYTES,
  blobAadPrefix,
  blobDigestAad,
  blobPlaintextBytes,
  blobSegmentAad,
  decodeBlobHeader,
  decodeEnvelope,
  decodeUtf8,
  encodeAccountKeyAad,
  encodeBlobHeader,
  encodeEnvelope,
  encodeEnvelopeHead,
  encodeFieldAad,
  encodeUtf8,
  ENVELOPE_MIN_BYTES,
  type Envelope,
  envelopeFromText,
  envelopeToText,
  type FieldContext,
  fieldAadOf,
  MalformedEnvelope,
  sealedBlobBytes,
  segmentCount,
  segmentsForRange
} from "../src/domain/Sealed.js"

const bytes = (min: number, max: number) => FastCheck.uint8Array({ minLength: min, maxLength: max })
const algorithm = FastCheck.constantFrom("aes-128-gcm" as const, "aes-256-gcm" as const)
const keyVersion = FastCheck.integer({ min: 1, max: 0xffffffff })
const envelope: FastCheck.Arbitrary<Envelope> = FastCheck.oneof(
  FastCheck.record({ version: FastCheck.constant(2 as const), algorithm, keyVersion, salt: bytes(12, 12), sealed: bytes(28, 200) }),
  FastCheck.record({ version: FastCheck.constant(1 as const), algorithm, keyVersion, salt: bytes(16, 16), sealed: bytes(28, 200) })
)
const text = FastCheck.string({ unit: "binary", maxLength: 12 })
const context: FastCheck.Arbitrary<FieldContext> = FastCheck.record({
  accountId: text,
  app: text,
  recordId: text,
  field: text,
  keyVersion
})
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")
const sameContext = (a: FieldContext, b: FieldContext) =>
  a.accountId === b.accountId && a.app === b.app && a.recordId === b.recordId && a.field === b.field &&
  a.keyVersion === b.keyVersion

const right = <A>(result: Either.Either<A, MalformedEnvelope>): A => {
  if (Either.isLeft(result)) assert.fail(result.left.message)
  return result.right
}

const refused = <A>(result: Either.Either<A, MalformedEnvelope>, why: string) => {
  assert.isTrue(Either.isLeft(result), why)
  if (Either.isLeft(result)) {
    assert.instanceOf(result.left, MalformedEnvelope)
    assert.strictEqual(result.left.code, "malformed-envelope")
  }
}

describe("Sealed envelope", () => {
  it.prop("round-trips through bytes and through text", [envelope], ([value]) => {
    assert.deepStrictEqual(right(decodeEnvelope(encodeEnvelope(value))), value)
    const text = envelopeToText(value)
    assert.match(text, /^[A-Za-z0-9+/]+={0,2}$/)
    assert.deepStrictEqual(right(envelopeFromText(text)), value)
  })

  it("lays out version, algorithm, key version, salt, then nonce ‖ ciphertext ‖ tag", () => {
    const salt = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i)
    const sealed = Uint8Array.from({ length: 30 }, (_, i) => i)
    const bytes = encodeEnvelope({ version: 2, algorithm: "aes-256-gcm", keyVersion: 0x01020304, salt, sealed })
    assert.strictEqual(hex(bytes.subarray(0, 6)), "020201020304")
    assert.strictEqual(hex(bytes.subarray(6, 18)), hex(salt))
    assert.strictEqual(hex(bytes.subarray(18)), hex(sealed))
    assert.strictEqual(encodeEnvelope({ version: 2, algorithm: "aes-128-gcm", keyVersion: 1, salt, sealed })[1], 1)
    assert.strictEqual(hex(encodeEnvelopeHead("aes-256-gcm", 0x01020304)), "020201020304")
    // Version 1, still read: a 16-byte salt.
    const salt16 = Uint8Array.from({ length: 16 }, (_, i) => 0xb0 + i)
    const v1 = encodeEnvelope({ version: 1, algorithm: "aes-128-gcm", keyVersion: 7, salt: salt16, sealed })
    assert.strictEqual(hex(v1.subarray(0, 6)), "010100000007")
    assert.strictEqual(hex(v1.subarray(6, 22)), hex(salt16))
    assert.deepStrictEqual(right(decodeEnvelope(v1)), { version: 1, algorithm: "aes-128-gcm", keyVersion: 7, salt: salt16, sealed })
    assert.throws(() => encodeEnvelope({ version: 2, algorithm: "aes-128-gcm", keyVersion: 1, salt: salt16, sealed }))
    assert.throws(() => encodeEnvelope({ version: 1, algorithm: "aes-128-gcm", keyVersion: 1, salt, sealed }))
  })

  it("refuses short, unknown-version, unknown-algorithm and zero-key-version envelopes", () => {
    const good = encodeEnvelope({
      version: 2,
      algorithm: "aes-128-gcm",
      keyVersion: 7,
      salt: new Uint8Array(12),
      sealed: new Uint8Array(28)
    })
    assert.strictEqual(good.length, ENVELOPE_MIN_BYTES)
    assert.isTrue(Either.isRight(decodeEnvelope(good)))
    refused(decodeEnvelope(good.subarray(0, good.length - 1)), "one byte short")
    refused(decodeEnvelope(good.subarray(0, 3)), "shorter than the head")
    refused(decodeEnvelope(new Uint8Array(0)), "empty")
    const changes = [[0, 3, "version 3"], [0, 0, "version 0"], [1, 0, "algorithm 0"], [1, 3, "algorithm 3"]] as const
    for (const [at, value, why] of changes) {
      const bad = good.slice()
      bad[at] = value
      refused(decodeEnvelope(bad), why)
    }
    // The same bytes read as version 1 are too short for its 16-byte salt.
    const asVersion1 = good.slice()
    asVersion1[0] = 1
    refused(decodeEnvelope(asVersion1), "version 1 needs four more bytes")
    const zero = good.slice()
    zero.set([0, 0, 0, 0], 2)
    refused(decodeEnvelope(zero), "key version 0")
  })

  it("refuses text that is not canonical base64", () => {
    const text = envelopeToText({
      version: 2,
      algorithm: "aes-128-gcm",
      keyVersion: 1,
      salt: new Uint8Array(12),
      // 49 bytes: the text ends in padding.
      sealed: new Uint8Array(31)
    })
    assert.isTrue(Either.isRight(envelopeFromText(text)))
    for (const bad of ["", "!!!!", text + "=", text.slice(0, -1), text + "\n", " " + text, text.replace(/=+$/, "")]) {
      refused(envelopeFromText(bad), JSON.stringify(bad))
    }
    // Same bytes, different non-zero padding bits: not canonical.
    const last = text.replace(/=+$/, "").slice(-1)
    const sibling = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    const tweaked = text.replace(/.(=+)$/, sibling[(sibling.indexOf(last) + 1) % 64] + "$1")
    assert.notStrictEqual(tweaked, text)
    refused(envelopeFromText(tweaked), "non-zero padding bits")
  })
})

describe("Field AAD", () => {
  it.prop("two tuples share an encoding only when they are equal", [context, context, algorithm], ([a, b, alg]) => {
    assert.strictEqual(hex(encodeFieldAad(a, alg)) === hex(encodeFieldAad(b, alg)), sameContext(a, b))
  }, { fastCheck: { numRuns: 300 } })

  it.prop(
    "the same characters cut into parts at other places never encode the same",
    [FastCheck.string({ maxLength: 16 }), FastCheck.array(FastCheck.nat(), { minLength: 6, maxLength: 6 })],
    ([s, cuts]) => {
      const split = (points: ReadonlyArray<number>): FieldContext => {
        const [i, j, k] = points.map((p) => p % (s.length + 1)).sort((x, y) => x - y) as [number, number, number]
        const [accountId, app, recordId, field] = [s.slice(0, i), s.slice(i, j), s.slice(j, k), s.slice(k)]
        return { accountId, app, recordId, field, keyVersion: 1 }
      }
      const a = split(cuts.slice(0, 3))
      const b = split(cuts.slice(3))
      const same = hex(encodeFieldAad(a, "aes-128-gcm")) === hex(encodeFieldAad(b, "aes-128-gcm"))
      assert.strictEqual(same, sameContext(a, b))
    },
    { fastCheck: { numRuns: 500 } }
  )

  it.prop(
    "changing any one part changes the AAD",
    [context, FastCheck.constantFrom(...(["accountId", "app", "recordId", "field", "keyVersion"] as const)), text],
    ([base, part, other]) => {
      const changed: FieldContext = part === "keyVersion"
        ? { ...base, keyVersion: base.keyVersion === 1 ? 2 : base.keyVersion - 1 }
        : { ...base, [part]: base[part] === other ? other + "x" : other }
      assert.notStrictEqual(hex(encodeFieldAad(changed, "aes-128-gcm")), hex(encodeFieldAad(base, "aes-128-gcm")))
    },
    { fastCheck: { numRuns: 500 } }
  )

  it("keeps boundaries: (\"ab\", \"c\") and (\"a\", \"bc\") differ, and so do shifted tuples", () => {
    const base = { accountId: "acc", app: "notes", recordId: "r1", field: "body", keyVersion: 1 }
    const pairs: ReadonlyArray<[FieldContext, FieldContext]> = [
      [{ ...base, app: "ab", recordId: "c" }, { ...base, app: "a", recordId: "bc" }],
      [{ ...base, accountId: "a", app: "" }, { ...base, accountId: "", app: "a" }],
      [{ ...base, recordId: "r", field: "1body" }, { ...base, recordId: "r1", field: "body" }]
    ]
    for (const [a, b] of pairs) {
      assert.notStrictEqual(hex(encodeFieldAad(a, "aes-128-gcm")), hex(encodeFieldAad(b, "aes-128-gcm")))
    }
  })

  it("is the documented bytes (fixed figures: a change here strands stored values)", () => {
    const c = { accountId: "acc_vectors", app: "notes", recordId: "note-7", field: "notiz-ü", keyVersion: 0x80000005 }
    const parts = "0000000b6163635f766563746f7273000000056e6f746573000000066e6f74652d37000000086e6f74697a2dc3bc80000005"
    const label = "00000013637573746f732f6669656c642d6161642f7631"
    assert.strictEqual(hex(encodeFieldAad(c, "aes-128-gcm", 1)), label + "0101" + parts)
    assert.strictEqual(hex(encodeFieldAad(c, "aes-128-gcm", 2)), label + "0201" + parts)
    assert.strictEqual(hex(encodeFieldAad(c, "aes-256-gcm", 2)), label + "0202" + parts)
  })

  it.prop(
    "is the documented layout for any parts, one encoder serving many record ids",
    [context, FastCheck.array(text, { maxLength: 4 }), algorithm, FastCheck.constantFrom(1 as const, 2 as const)],
    ([c, recordIds, alg, version]) => {
      // Built here byte by byte from the documented layout, with the platform's UTF-8 where no lone surrogate is.
      const part = (value: string) => {
        const bytes = encodeUtf8(value)
        return [(bytes.length >>> 24) & 255, (bytes.length >>> 16) & 255, (bytes.length >>> 8) & 255, bytes.length & 255, ...bytes]
      }
      const u32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]
      const expected = (recordId: string) =>
        hex(Uint8Array.from([
          ...part("custos/field-aad/v1"),
          version,
          alg === "aes-128-gcm" ? 1 : 2,
          ...part(c.accountId),
          ...part(c.app),
          ...part(recordId),
          ...part(c.field),
          ...u32(c.keyVersion)
        ]))
      const encode = fieldAadOf(c, alg, version)
      for (const recordId of [c.recordId, ...recordIds]) {
        assert.strictEqual(hex(encode(recordId)), expected(recordId))
        assert.strictEqual(hex(encodeFieldAad({ ...c, recordId }, alg, version)), expected(recordId))
      }
    },
    { fastCheck: { numRuns: 200 } }
  )

  it("binds the algorithm and the envelope version, and differs from the account-key AAD", () => {
    const c = { accountId: "acc", app: "notes", recordId: "r1", field: "body", keyVersion: 3 }
    assert.notStrictEqual(hex(encodeFieldAad(c, "aes-128-gcm")), hex(encodeFieldAad(c, "aes-256-gcm")))
    assert.strictEqual(hex(encodeFieldAad(c, "aes-128-gcm")), hex(encodeFieldAad(c, "aes-128-gcm", 2)))
    assert.notStrictEqual(hex(encodeFieldAad(c, "aes-128-gcm", 1)), hex(encodeFieldAad(c, "aes-128-gcm", 2)))
    assert.notStrictEqual(hex(encodeAccountKeyAad("acc", 1)), hex(encodeAccountKeyAad("acc", 2)))
    assert.notStrictEqual(hex(encodeAccountKeyAad("acc", 1)), hex(encodeAccountKeyAad("acd", 1)))
  })
})

describe("UTF-8", () => {
  it.prop("decodes what it encodes, lone surrogates included", [FastCheck.string({ unit: "binary" })], ([s]) => {
    assert.strictEqual(decodeUtf8(encodeUtf8(s)), s)
  })

  it.prop("matches the platform's UTF-8 for well-formed text", [FastCheck.string({ unit: "grapheme" })], ([s]) => {
    assert.strictEqual(hex(encodeUtf8(s)), Buffer.from(s, "utf8").toString("hex"))
  })

  it("refuses overlong, truncated and out-of-range sequences", () => {
    for (const bad of [[0xc0, 0x80], [0xe0, 0x80, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xff]]) {
      assert.isUndefined(decodeUtf8(Uint8Array.from(bad)), hex(Uint8Array.from(bad)))
    }
  })
})

describe("Blob format", () => {
  const header = FastCheck.record({
    version: FastCheck.constantFrom(1 as const, 2 as const),
    algorithm,
    keyVersion,
    segmentSize: FastCheck.integer({ min: 1024, max: 1024 * 1024 }),
    salt: bytes(16, 16)
  })

  it.prop("headers round-trip", [header], ([h]) => {
    const encoded = encodeBlobHeader(h)
    assert.strictEqual(encoded.length, BLOB_HEADER_BYTES)
    assert.deepStrictEqual(right(decodeBlobHeader(encoded)), h)
  })

  it("refuses headers with a segment size a reader could not bound", () => {
    const salt = new Uint8Array(16)
    const good = encodeBlobHeader({ version: 2, algorithm: "aes-128-gcm", keyVersion: 1, segmentSize: 65536, salt })
    for (const size of [0, 1023, 1024 * 1024 + 1, 0xffffffff]) {
      const bad = good.slice()
      new DataView(bad.buffer).setUint32(6, size)
      refused(decodeBlobHeader(bad), `segment size ${size}`)
    }
    refused(decodeBlobHeader(good.subarray(0, BLOB_HEADER_BYTES - 1)), "short")
    for (const version of [0, 3, 255]) refused(decodeBlobHeader(good.map((x, i) => i === 0 ? version : x)), `format ${version}`)
  })

  it("segment and digest AAD differ by index, last flag, blob, account and header", () => {
    const salt = new Uint8Array(16)
    const h = encodeBlobHeader({ version: 2, algorithm: "aes-128-gcm", keyVersion: 1, segmentSize: 1024, salt })
    const changedHeader = h.map((x, i) => (i === 25 ? 1 : x))
    const p = blobAadPrefix({ accountId: "a", blobId: "b" }, h)
    const all = [
      blobSegmentAad(p, 0, false),
      blobSegmentAad(p, 1, false),
      blobSegmentAad(p, 0, true),
      blobSegmentAad(p, 2 ** 32, false),
      blobSegmentAad(blobAadPrefix({ accountId: "a", blobId: "c" }, h), 0, false),
      blobSegmentAad(blobAadPrefix({ accountId: "ab", blobId: "" }, h), 0, false),
      blobSegmentAad(blobAadPrefix({ accountId: "a", blobId: "b" }, changedHeader), 0, false),
      // The digest after 1 segment is bound apart from segment 1, last or not.
      blobDigestAad(p, 1),
      blobDigestAad(p, 2)
    ].map(hex)
    assert.strictEqual(new Set(all).size, all.length)
  })

  it.prop(
    "sizes: plaintext size is recovered from the sealed size; a blob without its last segment has no valid size",
    [
      FastCheck.integer({ min: 0, max: 10_000_000 }),
      FastCheck.integer({ min: 1024, max: 70_000 }),
      FastCheck.constantFrom(1 as const, 2 as const)
    ],
    ([size, segmentSize, version]) => {
      const sealed = sealedBlobBytes(size, segmentSize, version)
      assert.strictEqual(sealed, BLOB_HEADER_BYTES + size + 28 * segmentCount(size, segmentSize) + (version - 1) * 60)
      assert.strictEqual(right(blobPlaintextBytes(sealed, { segmentSize, version })), size)
      refused(blobPlaintextBytes(sealed - (size % segmentSize) - 28, { segmentSize, version }), "last segment dropped")
    }
  )

  it.prop(
    "ranges: the segments read cover exactly [start, end), in order, each at its offset",
    [FastCheck.integer({ min: 0, max: 300_000 }), FastCheck.nat(), FastCheck.nat()],
    ([size, a, b]) => {
      const segment = 4096
      const start = size === 0 ? 0 : a % (size + 1)
      const end = start + (size - start === 0 ? 0 : b % (size - start + 1))
      const reads = segmentsForRange({ start, end }, size, segment)
      let covered = 0
      let position = start
      for (const read of reads) {
        assert.strictEqual(read.index * segment + read.keepFrom, position)
        assert.strictEqual(read.offset, BLOB_HEADER_BYTES + read.index * (segment + 28))
        assert.strictEqual(read.last, read.index === segmentCount(size, segment) - 1)
        assert.isTrue(read.length <= segment + 28 && read.keepTo <= read.length - 28)
        covered += read.keepTo - read.keepFrom
        position += read.keepTo - read.keepFrom
      }
      assert.strictEqual(covered, end - start)
    }
  )
})
