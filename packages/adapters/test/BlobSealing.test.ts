/**
 * Tests of streaming blob encryption (core/services/BlobSealing.ts) over node:crypto, as DESIGN.md "Encryption at
 * rest" decides it: blobs of any size and any chunking round-trip; a 20 MiB stream passes through sealing and
 * opening holding about one segment; altered, reordered, dropped, truncated or extended segments, a changed header,
 * an altered or missing sealed digest and a blob opened under another id or account all fail with a typed error,
 * releasing no plaintext of the segment at fault; ranged reads return exactly the asked bytes and read only the
 * segments that hold them; the plaintext's SHA-256 sealed at the end opens from 60 bytes; fixed blobs of both
 * formats keep opening.
 */
import { layerNodeCrypto } from "@custos/adapters/crypto/NodeCrypto"
import { layerKeyManagementMemory } from "@custos/adapters/keys/KeyManagementMemory"
import { layerAccountKeyStoreMemory } from "@custos/adapters/memory/AccountKeyStoreMemory"
import { AccountId } from "@custos/core/domain/Ids"
import {
  BLOB_DIGEST_SEALED_BYTES,
  BLOB_HEADER_BYTES,
  DEFAULT_SEGMENT_BYTES,
  encodeAccountKeyAad,
  MalformedEnvelope,
  sealedBlobBytes
} from "@custos/core/domain/Sealed"
import { DecryptionFailed } from "@custos/core/ports/Crypto"
import { AccountKeyStore } from "@custos/core/ports/AccountKeyStore"
import { KeyManagement } from "@custos/core/ports/KeyManagement"
import { BlobSealing, type BlobSealingOptions, BlobTruncated, InvalidRange } from "@custos/core/services/BlobSealing"
import { Keyring, KeyVersionNotFound } from "@custos/core/services/Keyring"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Layer, Option, Redacted, Stream } from "effect"
import vectors from "./fixtures/sealed-blobs.json" with { type: "json" }
import { openBlobDigestVersion2, sealBlobVersion1, sha256Hex } from "./sealedFormats.js"

const fresh = (options: BlobSealingOptions = {}) =>
  BlobSealing.layer(options).pipe(
    Layer.provideMerge(Keyring.layer()),
    Layer.provideMerge(Layer.mergeAll(layerKeyManagementMemory, layerAccountKeyStoreMemory)),
    Layer.provideMerge(layerNodeCrypto)
  )

const S = DEFAULT_SEGMENT_BYTES
const SEALED_SEGMENT = S + 28
const alice = AccountId.make("acc_alice")
const photo = { accountId: alice, blobId: "blob-photo-1" }

/** Deterministic, non-repeating-looking content: byte i of a blob. */
const byteAt = (i: number) => (i * 31 + (i >>> 8) * 7 + (i >>> 16)) & 0xff
const content = (from: number, length: number) => Uint8Array.from({ length }, (_, k) => byteAt(from + k))

const concat = (parts: Iterable<Uint8Array>) => {
  const list = [...parts]
  const out = new Uint8Array(list.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of list) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** `bytes` as a stream cut into pieces of the given sizes, cycling. */
const chunked = (bytes: Uint8Array, sizes: ReadonlyArray<number>) => {
  const pieces: Array<Uint8Array> = []
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!
    pieces.push(bytes.subarray(at, at + n))
    at += n
  }
  return Stream.fromIterable(pieces)
}

const collect = <E>(stream: Stream.Stream<Uint8Array, E>) => Effect.map(Stream.runCollect(stream), concat)

const seal = (plaintext: Uint8Array, blob = photo, sizes: ReadonlyArray<number> = [plaintext.length || 1]) =>
  Effect.flatMap(BlobSealing, (sealing) => collect(sealing.sealStream(blob, chunked(plaintext, sizes))))

/** A store over `sealed` that records the ranged reads made of it. */
const store = (sealed: Uint8Array) => {
  const reads: Array<readonly [number, number]> = []
  const read = (offset: number, length: number) =>
    Effect.sync(() => {
      reads.push([offset, length])
      return sealed.subarray(offset, offset + length)
    })
  return { reads, read }
}

/** Opens `sealed`, recording what was released before any failure. */
const openRecording = (sealed: Uint8Array, blob = photo, sizes: ReadonlyArray<number> = [sealed.length || 1]) =>
  Effect.gen(function*() {
    const sealing = yield* BlobSealing
    const released: Array<Uint8Array> = []
    const result = yield* Effect.either(
      Stream.runForEach(sealing.openStream(blob, chunked(sealed, sizes)), (c) => Effect.sync(() => released.push(c)))
    )
    return { result, released: concat(released) }
  })

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const sameBytes = (a: Uint8Array, b: Uint8Array, why?: string) => {
  assert.strictEqual(a.length, b.length, why)
  assert.isTrue(Buffer.compare(a, b) === 0, why)
}

/** Where segment `i` starts in a sealed blob. */
const segmentAt = (i: number) => BLOB_HEADER_BYTES + i * SEALED_SEGMENT

describe("BlobSealing", () => {
  it.effect("round-trips blobs of every edge size, however input and sealed bytes are chunked", () =>
    Effect.gen(function*() {
      for (const size of [0, 1, 1000, S - 1, S, S + 1, 2 * S, 3 * S + 5]) {
        const plaintext = content(size, size)
        for (const sizes of [[size || 1], [7], [4096, 1, 65_535, 70_000], [S]]) {
          const sealed = yield* seal(plaintext, photo, sizes)
          assert.strictEqual(sealed.length, sealedBlobBytes(size, S), `sealed size of ${size}`)
          for (const outSizes of [[sealed.length], [13], [SEALED_SEGMENT], [SEALED_SEGMENT + 1, 3]]) {
            const { released, result } = yield* openRecording(sealed, photo, outSizes)
            assert.isTrue(Either.isRight(result), `${size} bytes in ${sizes} out ${outSizes}`)
            sameBytes(released, plaintext, `${size} bytes`)
          }
        }
      }
    }).pipe(Effect.provide(fresh())), 60_000)

  it.effect("never shows plaintext in the sealed bytes, and two seals of one blob differ", () =>
    Effect.gen(function*() {
      const plaintext = new Uint8Array(3 * S).fill(0x41)
      const a = yield* seal(plaintext)
      const b = yield* seal(plaintext)
      assert.notInclude(Buffer.from(a).toString("latin1"), "A".repeat(32))
      assert.notStrictEqual(hex(a.subarray(0, BLOB_HEADER_BYTES)), hex(b.subarray(0, BLOB_HEADER_BYTES)))
    }).pipe(Effect.provide(fresh())))

  it.effect("streams 20 MiB through sealing and opening holding at most a couple of segments", () =>
    Effect.gen(function*() {
      const sealing = yield* BlobSealing
      const total = 20 * 1024 * 1024
      const piece = 10_007
      let produced = 0
      let sealedOut = 0
      let sealedPlain = 0
      let delivered = 0
      let heldBySealing = 0
      let heldOverall = 0
      let largestSealedChunk = 0
      let largestPlainChunk = 0
      let mismatch = -1

      const source = Stream.unfold(0, (offset) =>
        offset >= total
          ? Option.none()
          : Option.some([content(offset, Math.min(piece, total - offset)), offset + piece] as const)).pipe(
          // Measured as each piece enters: what was taken in and not yet given out, by sealing and overall.
          Stream.tap((c) =>
            Effect.sync(() => {
              produced += c.length
              heldBySealing = Math.max(heldBySealing, produced - sealedPlain)
              heldOverall = Math.max(heldOverall, produced - delivered)
            })
          )
        )
      const sealed = sealing.sealStream(photo, source).pipe(
        Stream.tap((c) =>
          Effect.sync(() => {
            largestSealedChunk = Math.max(largestSealedChunk, c.length)
            sealedOut += c.length
            // Plaintext bytes out so far, however the sealed bytes are cut: each segment is nonce, ciphertext, tag.
            const body = Math.max(0, sealedOut - BLOB_HEADER_BYTES)
            const partial = body % SEALED_SEGMENT
            sealedPlain = Math.floor(body / SEALED_SEGMENT) * S + Math.min(S, Math.max(0, partial - 12))
          })
        )
      )
      yield* Stream.runForEach(sealing.openStream(photo, sealed), (c) =>
        Effect.sync(() => {
          largestPlainChunk = Math.max(largestPlainChunk, c.length)
          for (let k = 0; k < c.length && mismatch < 0; k++) {
            if (c[k] !== byteAt(delivered + k)) mismatch = delivered + k
          }
          delivered += c.length
        }))

      assert.strictEqual(mismatch, -1)
      assert.strictEqual(delivered, total)
      assert.strictEqual(sealedOut, sealedBlobBytes(total, S))
      assert.isAtMost(largestSealedChunk, SEALED_SEGMENT)
      assert.isAtMost(largestPlainChunk, S)
      // Sealing holds less than one segment plus the input piece; the whole pipeline about one segment more.
      assert.isAtMost(heldBySealing, S + piece)
      assert.isAtMost(heldOverall, 2 * S + piece)
    }).pipe(Effect.provide(fresh())), 60_000)

  describe("refuses tampering with a typed error, releasing nothing of the segment at fault", () => {
    const size = 2 * S + S / 2
    const plaintext = content(0, size)

    const expectFailure = (
      sealed: Uint8Array,
      options: {
        readonly error: ReadonlyArray<new(...args: Array<any>) => Error>
        readonly released: number
        readonly why: string
        readonly blob?: typeof photo
      }
    ) =>
      Effect.gen(function*() {
        const { released, result } = yield* openRecording(sealed, options.blob ?? photo, [SEALED_SEGMENT + 3, 1000])
        assert.isTrue(Either.isLeft(result), `${options.why}: opened`)
        if (Either.isLeft(result)) {
          assert.isTrue(
            options.error.some((e) => result.left instanceof e),
            `${options.why}: ${result.left._tag} ${result.left.message}`
          )
        }
        assert.strictEqual(released.length, options.released, `${options.why}: released bytes`)
        sameBytes(released, plaintext.subarray(0, options.released), options.why)
      })

    it.effect("an altered byte in any segment, nonce, ciphertext or tag", () =>
      Effect.gen(function*() {
        const sealed = yield* seal(plaintext)
        for (const segment of [0, 1, 2]) {
          const length = segment < 2 ? SEALED_SEGMENT : S / 2 + 28
          for (const offset of [0, 11, 12, 500, length - 17, length - 16, length - 1]) {
            const bad = sealed.slice()
            bad[segmentAt(segment) + offset]! ^= 0x04
            yield* expectFailure(bad, {
              error: [DecryptionFailed],
              released: segment * S,
              why: `segment ${segment} byte ${offset}`
            })
          }
        }
      }).pipe(Effect.provide(fresh())))

    it.effect("segments reordered, dropped or duplicated", () =>
      Effect.gen(function*() {
        const sealed = yield* seal(plaintext)
        const header = sealed.subarray(0, BLOB_HEADER_BYTES)
        const digest = sealed.subarray(sealed.length - BLOB_DIGEST_SEALED_BYTES)
        const seg = (i: number) => sealed.subarray(segmentAt(i), i < 2 ? segmentAt(i + 1) : digest.byteOffset)
        const cases: ReadonlyArray<[string, Uint8Array, number]> = [
          ["0 and 1 swapped", concat([header, seg(1), seg(0), seg(2), digest]), 0],
          ["1 dropped", concat([header, seg(0), seg(2), digest]), S],
          ["0 duplicated", concat([header, seg(0), seg(0), seg(1), seg(2), digest]), S],
          ["1 repeated after 2", concat([header, seg(0), seg(1), seg(2), seg(1), digest]), 2 * S],
          ["1 repeated after the digest", concat([header, seg(0), seg(1), seg(2), digest, seg(1)]), 2 * S]
        ]
        for (const [why, bad, released] of cases) {
          yield* expectFailure(bad, { error: [DecryptionFailed], released, why })
        }
        yield* expectFailure(concat([header, seg(0), seg(1), digest]), {
          error: [BlobTruncated],
          released: 2 * S,
          why: "last segment dropped"
        })
      }).pipe(Effect.provide(fresh())))

    it.effect("a blob cut short anywhere, or extended", () =>
      Effect.gen(function*() {
        const sealed = yield* seal(plaintext)
        // The blob ends with its last segment (S / 2 + 28 bytes) and its sealed digest (60 bytes). Whatever is cut,
        // the last 60 bytes left are taken for the digest, so the last segment no longer checks; once fewer than 60
        // bytes of it are left, those 60 reach into segment 1, which no longer checks either.
        const tail = S / 2 + 28 + 60
        for (const cut of [1, 10, 59, 60, 61, tail - 60, tail - 59, tail - 1, tail, tail + 1]) {
          const bad = sealed.subarray(0, sealed.length - cut)
          const released = cut > tail - 60 ? S : 2 * S
          yield* expectFailure(bad, { error: [DecryptionFailed, BlobTruncated], released, why: `cut ${cut}` })
        }
        for (const keep of [0, 5, BLOB_HEADER_BYTES]) {
          yield* expectFailure(sealed.subarray(0, keep), { error: [BlobTruncated], released: 0, why: `kept ${keep}` })
        }
        yield* expectFailure(sealed.subarray(0, segmentAt(1) + 100), {
          error: [DecryptionFailed],
          released: S,
          why: "cut inside segment 1"
        })
        for (const extra of [1, 100, SEALED_SEGMENT]) {
          const bad = concat([sealed, new Uint8Array(extra)])
          yield* expectFailure(bad, { error: [DecryptionFailed], released: 2 * S, why: `${extra} bytes appended` })
        }
      }).pipe(Effect.provide(fresh())))

    it.effect("a blob whose size is a multiple of the segment size, without its empty last segment", () =>
      Effect.gen(function*() {
        const exact = content(0, 2 * S)
        const sealed = yield* seal(exact)
        assert.strictEqual(sealed.length, segmentAt(2) + 28 + 60)
        const withoutLast = concat([sealed.subarray(0, segmentAt(2)), sealed.subarray(segmentAt(2) + 28)])
        const { released, result } = yield* openRecording(withoutLast)
        assert.isTrue(Either.isLeft(result) && result.left instanceof BlobTruncated)
        assert.strictEqual(released.length, 2 * S)
      }).pipe(Effect.provide(fresh())))

    it.effect("a changed header: salt, key version, segment size, version, algorithm", () =>
      Effect.gen(function*() {
        const sealed = yield* seal(plaintext)
        const change = (at: number, value: (old: number) => number) => {
          const bad = sealed.slice()
          bad[at] = value(bad[at]!)
          return bad
        }
        yield* expectFailure(change(20, (b) => b ^ 1), { error: [DecryptionFailed], released: 0, why: "salt" })
        yield* expectFailure(change(5, () => 2), { error: [KeyVersionNotFound], released: 0, why: "key version 2" })
        yield* expectFailure(change(1, () => 2), { error: [DecryptionFailed], released: 0, why: "algorithm" })
        yield* expectFailure(change(0, () => 9), { error: [MalformedEnvelope], released: 0, why: "format version" })
        // 64 KiB -> 128 KiB: still a valid size, but not the one the segments were sealed with.
        yield* expectFailure(change(7, () => 2), {
          error: [DecryptionFailed, BlobTruncated],
          released: 0,
          why: "segment size"
        })
        yield* expectFailure(change(6, () => 0x7f), { error: [MalformedEnvelope], released: 0, why: "huge segment" })
      }).pipe(Effect.provide(fresh())))

    it.effect("a blob opened under another blob id or account, or with another blob's segment", () =>
      Effect.gen(function*() {
        const sealed = yield* seal(plaintext)
        yield* Effect.flatMap(Keyring, (k) => k.accountKey(AccountId.make("acc_bob")))
        yield* expectFailure(sealed, {
          error: [DecryptionFailed],
          released: 0,
          why: "other blob id",
          blob: { ...photo, blobId: "blob-photo-2" }
        })
        yield* expectFailure(sealed, {
          error: [DecryptionFailed],
          released: 0,
          why: "other account",
          blob: { ...photo, accountId: AccountId.make("acc_bob") }
        })
        const other = yield* seal(plaintext)
        const spliced = concat([sealed.subarray(0, segmentAt(1)), other.subarray(segmentAt(1))])
        yield* expectFailure(spliced, { error: [DecryptionFailed], released: S, why: "segment of another blob" })
      }).pipe(Effect.provide(fresh())))

    it.effect("an altered sealed digest, or another blob's, fails after the content checked", () =>
      Effect.gen(function*() {
        const sealing = yield* BlobSealing
        const sealed = yield* seal(plaintext)
        const other = yield* seal(plaintext)
        const end = sealed.length - BLOB_DIGEST_SEALED_BYTES
        const altered = (at: number) => sealed.map((b, i) => i === end + at ? b ^ 0x20 : b)
        const swapped = concat([sealed.subarray(0, end), other.subarray(end)])
        for (const [why, bad] of [["nonce", altered(0)], ["digest", altered(20)], ["tag", altered(59)], ["swapped", swapped]] as const) {
          // Every segment authenticates, so all the content is out before the digest fails: a consumer that must
          // not act on a blob that turns out altered waits for the stream to end without failure.
          yield* expectFailure(bad, { error: [DecryptionFailed], released: size, why: `digest ${why}` })
          const opened = yield* Effect.either(sealing.sealedDigest(photo, { sealedSize: bad.length, read: store(bad).read }))
          assert.isTrue(Either.isLeft(opened) && opened.left instanceof DecryptionFailed, why)
          assert.include(Either.isLeft(opened) ? opened.left.message : "", "sealed digest")
        }
      }).pipe(Effect.provide(fresh())))
  })

  it.effect("ends with the plaintext's SHA-256 sealed, which opens from the header and the last 60 bytes", () =>
    Effect.gen(function*() {
      const sealing = yield* BlobSealing
      for (const size of [0, 1, S - 1, S, 2 * S + 5]) {
        const plaintext = content(size, size)
        let told: Uint8Array | undefined
        const sealed = yield* collect(sealing.sealStream(photo, chunked(plaintext, [4096, 7]), {
          onDigest: (digest) => {
            told = digest
          }
        }))
        assert.strictEqual(hex(told ?? new Uint8Array(0)), sha256Hex(plaintext), `${size}: told`)
        const { read, reads } = store(sealed)
        const opened = yield* sealing.sealedDigest(photo, { sealedSize: sealed.length, read })
        assert.strictEqual(Option.map(opened, hex).pipe(Option.getOrUndefined), sha256Hex(plaintext), `${size}: opened`)
        assert.deepStrictEqual(reads, [[0, BLOB_HEADER_BYTES], [sealed.length - 60, 60]])
        // Under another blob id or account it does not open.
        const moved = yield* Effect.either(
          sealing.sealedDigest({ ...photo, blobId: "blob-photo-2" }, { sealedSize: sealed.length, read })
        )
        assert.isTrue(Either.isLeft(moved) && moved.left instanceof DecryptionFailed)
      }
    }).pipe(Effect.provide(fresh())))

  it.effect("opens fixed blobs of both formats under a fixed account key: the stored bytes do not drift", () =>
    Effect.gen(function*() {
      const sealing = yield* BlobSealing
      const accountKey = Buffer.from(vectors.accountKeyHex, "hex")
      const accountId = AccountId.make(vectors.accountId)
      const place = { accountId, blobId: vectors.blobId }
      const wrapped = yield* (yield* KeyManagement).wrap(accountKey, encodeAccountKeyAad(accountId, vectors.keyVersion))
      yield* (yield* AccountKeyStore).put({ accountId, version: vectors.keyVersion, wrapped })
      const plaintext = Buffer.from(vectors.plaintext.repeat.repeat(100).slice(0, vectors.plaintext.length))
      assert.strictEqual(sha256Hex(plaintext), vectors.sha256)
      for (const [format, text] of [[1, vectors.format1], [2, vectors.format2]] as const) {
        const sealed = new Uint8Array(Buffer.from(text, "base64"))
        assert.strictEqual(sealed[0], format)
        assert.strictEqual(sealed.length, sealedBlobBytes(plaintext.length, 1024, format))
        const whole = yield* openRecording(sealed, place, [100])
        assert.isTrue(Either.isRight(whole.result), `format ${format}`)
        sameBytes(whole.released, plaintext, `format ${format}`)
        const { read } = store(sealed)
        const part = yield* collect(sealing.openRange(place, { sealedSize: sealed.length, start: 1000, end: 1100, read }))
        sameBytes(part, plaintext.subarray(1000, 1100), `format ${format} range`)
        const digest = yield* sealing.sealedDigest(place, { sealedSize: sealed.length, read })
        assert.strictEqual(Option.getOrUndefined(Option.map(digest, hex)), format === 1 ? undefined : vectors.sha256)
        // Relabelled as the other format it does not open: the header is bound into every segment.
        const relabelled = sealed.map((b, i) => i === 0 ? 3 - format : b)
        const refused = yield* openRecording(relabelled, place)
        assert.isTrue(Either.isLeft(refused.result), `format ${format} relabelled`)
        assert.strictEqual(refused.released.length, 0)
      }
      // The format 2 digest follows from the documented layout alone.
      const format2 = Buffer.from(vectors.format2, "base64")
      assert.strictEqual(openBlobDigestVersion2(accountKey, { ...place, keyVersion: vectors.keyVersion }, format2), vectors.sha256)
    }).pipe(Effect.provide(fresh())))

  it.effect("still opens blobs sealed before digests were (format 1), whole and by range", () =>
    Effect.gen(function*() {
      const sealing = yield* BlobSealing
      const { key, version } = yield* Effect.flatMap(Keyring, (k) => k.accountKey(alice))
      for (const size of [0, 59, 60, 61, S, 3 * S + 100]) {
        const plaintext = content(size, size)
        const sealed = sealBlobVersion1(Redacted.value(key), { ...photo, keyVersion: version }, plaintext)
        assert.strictEqual(sealed.length, sealedBlobBytes(size, S, 1))
        for (const sizes of [[sealed.length], [7], [SEALED_SEGMENT + 1, 59]]) {
          const { released, result } = yield* openRecording(sealed, photo, sizes)
          assert.isTrue(Either.isRight(result), `${size} bytes in ${sizes}`)
          sameBytes(released, plaintext, `${size} bytes`)
        }
        const { read } = store(sealed)
        assert.deepStrictEqual(yield* sealing.sealedInfo({ sealedSize: sealed.length, read }), { size, format: 1 })
        assert.isTrue(Option.isNone(yield* sealing.sealedDigest(photo, { sealedSize: sealed.length, read })))
        const bytes = yield* collect(sealing.openRange(photo, { sealedSize: sealed.length, start: 0, end: size, read }))
        sameBytes(bytes, plaintext, `${size} bytes by range`)
        // Cut short, it is refused like any blob.
        const cut = yield* openRecording(sealed.subarray(0, sealed.length - 1))
        assert.isTrue(Either.isLeft(cut.result), `${size} cut`)
      }
    }).pipe(Effect.provide(fresh())))

  describe("ranges", () => {
    const size = 5 * S + 1234
    const plaintext = content(0, size)

    it.effect("return exactly the asked bytes, reading the header and only the segments that hold them", () =>
      Effect.gen(function*() {
        const sealing = yield* BlobSealing
        const sealed = yield* seal(plaintext)
        assert.deepStrictEqual(yield* sealing.sealedInfo({ sealedSize: sealed.length, read: store(sealed).read }), {
          size,
          format: 2
        })
        let seed = 12345
        const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
        const ranges: Array<[number, number]> = [
          [0, 0],
          [0, 1],
          [0, size],
          [S - 1, S + 1],
          [S, 2 * S],
          [size - 1, size],
          [5 * S, size],
          [size, size]
        ]
        for (let i = 0; i < 40; i++) {
          const start = next(size + 1)
          ranges.push([start, start + next(size - start + 1)])
        }
        for (const [start, end] of ranges) {
          const { read, reads } = store(sealed)
          const bytes = yield* collect(sealing.openRange(photo, { sealedSize: sealed.length, start, end, read }))
          sameBytes(bytes, plaintext.subarray(start, end), `[${start}, ${end})`)
          const segments = end > start ? Math.floor((end - 1) / S) - Math.floor(start / S) + 1 : 0
          assert.strictEqual(reads.length, 1 + segments, `reads for [${start}, ${end})`)
          assert.deepStrictEqual(reads[0], [0, BLOB_HEADER_BYTES])
          for (const [, length] of reads.slice(1)) assert.isAtMost(length, SEALED_SEGMENT)
        }
      }).pipe(Effect.provide(fresh())))

    it.effect("refuse ranges outside the blob", () =>
      Effect.gen(function*() {
        const sealing = yield* BlobSealing
        const sealed = yield* seal(plaintext)
        const { read } = store(sealed)
        for (const [start, end] of [[-1, 5], [10, 5], [0, size + 1], [size + 1, size + 2], [0.5, 3]] as const) {
          const error = yield* Effect.flip(
            collect(sealing.openRange(photo, { sealedSize: sealed.length, start, end, read }))
          )
          assert.instanceOf(error, InvalidRange, `[${start}, ${end})`)
          assert.strictEqual(error.code, "invalid-range")
        }
      }).pipe(Effect.provide(fresh())))

    it.effect("check every segment they read, and catch a short read or an impossible size", () =>
      Effect.gen(function*() {
        const sealing = yield* BlobSealing
        const sealed = yield* seal(plaintext)
        const bad = sealed.slice()
        bad[segmentAt(2) + 40]! ^= 1
        const { read } = store(bad)
        const range = (start: number, end: number, sealedSize = bad.length, r = read) =>
          Effect.either(collect(sealing.openRange(photo, { sealedSize, start, end, read: r })))
        assert.isTrue(Either.isRight(yield* range(0, 2 * S)), "segments 0 and 1 are intact")
        const hit = yield* range(2 * S + 10, 2 * S + 20)
        assert.isTrue(Either.isLeft(hit) && hit.left instanceof DecryptionFailed)
        assert.include(Either.isLeft(hit) ? hit.left.message : "", "segment 2")
        const moved = yield* Effect.either(
          collect(sealing.openRange({ ...photo, blobId: "other" }, { sealedSize: bad.length, start: 0, end: 5, read }))
        )
        assert.isTrue(Either.isLeft(moved) && moved.left instanceof DecryptionFailed)
        const short = (offset: number, length: number) => Effect.succeed(sealed.subarray(offset, offset + length - 1))
        const shortRead = yield* range(0, 5, sealed.length, (o, l) => (o === 0 ? read(o, l) : short(o, l)))
        assert.isTrue(Either.isLeft(shortRead) && shortRead.left instanceof BlobTruncated)
        const impossible = yield* range(0, 5, segmentAt(5) + BLOB_DIGEST_SEALED_BYTES)
        assert.isTrue(Either.isLeft(impossible) && impossible.left instanceof MalformedEnvelope)
        // A store that lost the blob's final byte: the last segment no longer authenticates.
        const lastRead = yield* range(5 * S, 5 * S + 10, bad.length - 1)
        assert.isTrue(Either.isLeft(lastRead) && lastRead.left instanceof DecryptionFailed)
      }).pipe(Effect.provide(fresh())))
  })

  it.effect("accepts a chosen segment size and refuses one outside 1 KiB..1 MiB", () =>
    Effect.gen(function*() {
      const small = yield* Effect.provide(BlobSealing, BlobSealing.layer({ segmentSize: 1024 }))
      const plaintext = content(0, 5000)
      const sealed = yield* collect(small.sealStream(photo, Stream.make(plaintext)))
      assert.strictEqual(sealed.length, sealedBlobBytes(5000, 1024))
      // The default-configured reader follows the header, not its own setting.
      sameBytes((yield* openRecording(sealed)).released, plaintext)
      const refused = yield* Effect.exit(Effect.provide(BlobSealing, BlobSealing.layer({ segmentSize: 100 })))
      assert.isTrue(refused._tag === "Failure")
    }).pipe(Effect.provide(fresh())))
})
