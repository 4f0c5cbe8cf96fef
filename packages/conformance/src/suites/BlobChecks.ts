/**
 * Checks of the BLOB-* requirements, through the driver only: files go up and come down as a device would move them,
 * and the records that name them are gallery items and recordings pushed like any other. The files are a few 64 KiB
 * segments and a few bytes long (the segment size of the reference sealing), of a sequence that does not repeat
 * within them, so a range served from the wrong place cannot pass for the right one. The suite computes SHA-256
 * itself.
 */
import type { AccountId, MutationId } from "@custos/core/domain/Ids"
import type { PushResult } from "@custos/core/services/SyncEngine"
import { Effect, Either } from "effect"
import { createHash } from "node:crypto"
import { assert } from "../Assert.js"
import { type Check, check } from "../Check.js"
import { type ByteRange, Driver, type TargetError } from "../Driver.js"
import { accountWith, del, phone, pullAll, pushOne, put, sample } from "../internal/scenario.js"

/** The segment size of the reference sealing: ranges are checked across its edges. */
const S = 64 * 1024

/** `length` bytes of a xorshift32 sequence from `seed`, whose period is far longer than any file here. */
const content = (length: number, seed: number) => {
  const bytes = new Uint8Array(length)
  let x = seed | 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    bytes[i] = x & 0xff
  }
  return bytes
}

/** SHA-256 of the suite's own, as lower-case hex. */
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

interface BlobRef {
  readonly id: string
  readonly size: number
  readonly sha256: string
}

/** The apps whose records name files here. */
type FileApp = "gallery" | "recordings"

/** A new record of `app` whose file is `blob`, stating its size and digest in the payload as the ref does. */
const naming = (app: FileApp, id: string, n: number, blob: BlobRef, mutationId?: MutationId) =>
  put(id, { ...sample(app, n), size: blob.size, sha256: blob.sha256, blob }, {
    baseVersion: 0,
    ...(mutationId !== undefined ? { mutationId } : {})
  })

const codeOf = (error: unknown) => (error as { readonly code?: string }).code

/** Asserts `actual` holds exactly `expected`, saying where they first differ. */
const sameBytes = (actual: Uint8Array, expected: Uint8Array, what: string) => {
  assert.strictEqual(actual.length, expected.length, `${what}: as many bytes`)
  const at = actual.findIndex((byte, i) => byte !== expected[i])
  assert.strictEqual(at, -1, `${what}: the first byte that differs`)
}

/** Uploads `bytes` as `blobId` of the account and pushes a record of `app` naming it; answers the ref. */
const stored = (account: AccountId, app: FileApp, recordId: string, blobId: string, bytes: Uint8Array) =>
  Effect.gen(function*() {
    const driver = yield* Driver
    const ref = { id: blobId, ...(yield* driver.uploadBlob(account, blobId, bytes)) }
    const outcome = yield* pushOne(account, app, naming(app, recordId, 1, ref))
    assert.strictEqual(outcome._tag, "applied", `the record ${recordId} naming ${blobId} is stored`)
    return ref
  })

/** The code `effect` is refused with, or a few words on what it did instead (never a whole file). */
const refusedWith = <A, R>(effect: Effect.Effect<A, TargetError, R>, instead: (a: A) => string) =>
  Effect.map(Effect.either(effect), Either.match({ onLeft: codeOf, onRight: instead }))

/** The code a download is refused with. */
const refusal = (account: AccountId, blobId: string, range?: ByteRange) =>
  Effect.flatMap(Driver, (driver) =>
    refusedWith(driver.downloadBlob(account, blobId, range), (bytes) => `served, ${bytes.length} bytes`))

/** The code an upload is refused with. */
const uploadRefusal = (account: AccountId, blobId: string, bytes: Uint8Array) =>
  Effect.flatMap(Driver, (driver) =>
    refusedWith(driver.uploadBlob(account, blobId, bytes), (uploaded) => `stored, ${uploaded.size} bytes`))

export const BlobChecks: ReadonlyArray<Check> = [
  check("BLOB-001", "a photo and a recording's audio come back byte for byte", Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["gallery", "recordings"])
    const files: ReadonlyArray<readonly [FileApp, string, Uint8Array]> = [
      ["gallery", "photo-1", content(3 * S + 10, 11)],
      ["recordings", "audio-1", content(S + 3, 12)]
    ]
    for (const [app, blobId, bytes] of files) {
      const uploaded = yield* driver.uploadBlob(account, blobId, bytes)
      assert.deepStrictEqual(uploaded, { size: bytes.length, sha256: sha256(bytes) }, `${blobId}: what was uploaded`)
      const outcome = yield* pushOne(account, app, naming(app, `${app}-1`, 1, { id: blobId, ...uploaded }))
      assert.strictEqual(outcome._tag, "applied", `${app}: the record naming ${blobId} is stored`)
    }
    for (const [, blobId, bytes] of files) {
      sameBytes(yield* driver.downloadBlob(account, blobId), bytes, blobId)
      sameBytes(yield* driver.downloadBlob(account, blobId), bytes, `${blobId}, again`)
    }
  })),

  check("BLOB-002", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["gallery"])
    const bytes = content(S + 1, 21)
    const ref = { id: "photo-1", ...(yield* driver.uploadBlob(account, "photo-1", bytes)) }
    assert.strictEqual(yield* refusal(account, "photo-1"), "blob-not-found", "no record names it yet")
    assert.strictEqual(yield* refusal(account, "photo-1", { start: 0, end: 10 }), "blob-not-found", "nor a range of it")

    // A record of another file, and a record naming this one that is refused, store nothing that names it.
    yield* driver.uploadBlob(account, "photo-2", content(100, 22))
    const other = yield* pushOne(account, "gallery", naming("gallery", "p2", 2, {
      id: "photo-2",
      size: 100,
      sha256: sha256(content(100, 22))
    }))
    assert.strictEqual(other._tag, "applied")
    const elsewhere = naming("gallery", "p1", 1, ref)
    const rejected = yield* pushOne(account, "gallery", {
      ...elsewhere,
      payload: { ...(elsewhere.payload as Record<string, unknown>), folder: "Not selected" }
    })
    assert.strictEqual(rejected._tag, "rejected", "a photo of a folder not selected is not stored")
    assert.strictEqual(yield* refusal(account, "photo-1"), "blob-not-found", "a refused record names nothing")

    assert.strictEqual((yield* pushOne(account, "gallery", naming("gallery", "p1", 1, ref)))._tag, "applied")
    sameBytes(yield* driver.downloadBlob(account, "photo-1"), bytes, "once its record is stored")
  })),

  check(
    "BLOB-003",
    "ranges inside a segment, across its edges, on them, to the end and past it; ranges from the end refused",
    Effect.gen(function*() {
      const driver = yield* Driver
      const account = yield* accountWith(["gallery"])
      const bytes = content(3 * S + 10, 31)
      const size = bytes.length
      yield* stored(account, "gallery", "v1", "video-1", bytes)
      const ranges: ReadonlyArray<ByteRange> = [
        { start: 0, end: 1 },
        { start: 5, end: 200 },
        { start: S - 1, end: S + 1 },
        { start: S - 5, end: 2 * S + 5 },
        { start: S, end: 2 * S },
        { start: 2 * S + 1 },
        { start: 3 * S, end: size },
        { start: size - 1 },
        { start: 10, end: size + 1000 }
      ]
      for (const range of ranges) {
        const got = yield* driver.downloadBlob(account, "video-1", range)
        const end = Math.min(range.end ?? size, size)
        sameBytes(got, bytes.subarray(range.start, end), `[${range.start}, ${range.end ?? "end"})`)
      }
      for (const range of [{ start: size }, { start: size + 5, end: size + 10 }]) {
        assert.strictEqual(
          yield* refusal(account, "video-1", range),
          "blob-range-invalid",
          `[${range.start}, ${range.end ?? "end"}) starts past the file`
        )
      }
    })
  ),

  check("BLOB-004", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["gallery"])
    const bytes = content(S + 7, 41)
    const ref = { id: "photo-1", ...(yield* driver.uploadBlob(account, "photo-1", bytes)) }
    const second = { id: "photo-2", ...(yield* driver.uploadBlob(account, "photo-2", content(2 * S, 42))) }
    const misstated: ReadonlyArray<readonly [string, BlobRef]> = [
      ["a size one byte too large", { ...ref, size: ref.size + 1 }],
      ["a size one byte too small", { ...ref, size: ref.size - 1 }],
      ["another file's SHA-256", { ...ref, sha256: sha256(content(S + 7, 43)) }]
    ]
    const answerOf = (outcome: PushResult["outcomes"][number] | undefined) =>
      outcome?._tag === "rejected" ? outcome.code : outcome?._tag
    for (const [i, [what, wrong]] of misstated.entries()) {
      // Beside a record that states its file rightly: that one is applied, the other rejected.
      const result = yield* driver.push(account, phone, "gallery", [
        naming("gallery", `p2-${i}`, 2, second),
        naming("gallery", "p1", 1, wrong)
      ])
      assert.deepStrictEqual(result.outcomes.map(answerOf), ["applied", "invalid-blob-ref"], what)
    }
    const stored = (yield* pullAll(account, "gallery")).changes.map((record) => record.id)
    assert.notInclude(stored, "p1", "no record that misstates its file is stored")
    assert.strictEqual(yield* refusal(account, "photo-1"), "blob-not-found", "no stored record names photo-1")

    // The record stating its file rightly is applied.
    const outcome = yield* pushOne(account, "gallery", naming("gallery", "p1", 1, ref))
    assert.strictEqual(outcome._tag, "applied")
    sameBytes(yield* driver.downloadBlob(account, "photo-1"), bytes, "the file its record states rightly")
  })),

  check("BLOB-005", "refused while its record is active and while it is in the trash", Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["gallery"])
    const bytes = content(2 * S + 3, 51)
    yield* stored(account, "gallery", "p1", "photo-1", bytes)
    const replacement = content(2 * S + 3, 52)
    const refused = yield* uploadRefusal(account, "photo-1", replacement)
    assert.strictEqual(refused, "blob-in-use", "a file of the same size but other bytes")
    sameBytes(yield* driver.downloadBlob(account, "photo-1"), bytes, "the file as it was")

    assert.strictEqual((yield* pushOne(account, "gallery", del("p1", { baseVersion: 1 })))._tag, "applied")
    const inTrash = yield* uploadRefusal(account, "photo-1", replacement)
    assert.strictEqual(inTrash, "blob-in-use", "its record is in the trash")
    sameBytes(yield* driver.downloadBlob(account, "photo-1"), bytes, "the file as it was, its record in the trash")
  })),

  check("BLOB-006", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const owner = yield* accountWith(["gallery"])
    const other = yield* accountWith(["gallery"])
    const bytes = content(S + 100, 61)
    const ref = yield* stored(owner, "gallery", "p1", "shared-name", bytes)
    assert.strictEqual(yield* refusal(other, "shared-name"), "blob-not-found", "the other account has no such file")

    const outcome = yield* pushOne(other, "gallery", naming("gallery", "p1", 1, ref))
    assert.strictEqual(outcome._tag, "applied", "a record of the other account may name the same id")
    assert.strictEqual(yield* refusal(other, "shared-name"), "blob-not-found", "its record does not give it the file")
    assert.strictEqual(yield* refusal(other, "shared-name", { start: 0, end: 100 }), "blob-not-found", "nor a range")
    sameBytes(yield* driver.downloadBlob(owner, "shared-name"), bytes, "the owner's file is the owner's still")
  })),

  check("BLOB-007", "served while its record is in the trash, not once it is purged by hand", Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["gallery"])
    const bytes = content(S + 9, 71)
    yield* stored(account, "gallery", "p1", "photo-1", bytes)
    assert.strictEqual((yield* pushOne(account, "gallery", del("p1", { baseVersion: 1 })))._tag, "applied")
    sameBytes(yield* driver.downloadBlob(account, "photo-1"), bytes, "its record is in the trash")
    yield* driver.purge(account, "gallery", "p1")
    assert.strictEqual(yield* refusal(account, "photo-1"), "blob-not-found", "its record is purged")
    assert.strictEqual(yield* refusal(account, "photo-1", { start: S, end: S + 9 }), "blob-not-found", "nor a range")
  })),

  check("BLOB-007", "not served once its data type is deleted", Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["gallery", "recordings"])
    yield* stored(account, "gallery", "p1", "photo-1", content(S, 72))
    const audio = content(S + 2, 73)
    yield* stored(account, "recordings", "r1", "audio-1", audio)
    assert.strictEqual(yield* driver.deleteDataType(account, "photos-videos"), 1)
    assert.strictEqual(yield* refusal(account, "photo-1"), "blob-not-found", "the photos and videos are deleted")
    sameBytes(yield* driver.downloadBlob(account, "audio-1"), audio, "the recordings are not")
  })),

  check("BLOB-008", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["gallery"])
    const other = yield* accountWith(["gallery"])
    yield* driver.uploadBlob(account, "photo-0", content(10, 80))
    assert.deepStrictEqual(yield* driver.accessLog(account), [], "an upload opens nothing")
    const bytes = content(S + 1, 81)
    yield* stored(account, "gallery", "p1", "photo-1", bytes)

    const before = (yield* driver.accessLog(account)).length
    const from = yield* driver.now
    sameBytes(yield* driver.downloadBlob(account, "photo-1"), bytes, "the whole file")
    const range = yield* driver.downloadBlob(account, "photo-1", { start: S - 2, end: S + 1 })
    sameBytes(range, bytes.subarray(S - 2), "a range across a segment edge to the end")
    const to = yield* driver.now
    const entries = (yield* driver.accessLog(account)).slice(before)
    assert.strictEqual(entries.length, 2, "one entry per download")
    for (const entry of entries) {
      assert.deepStrictEqual([entry.purpose, entry.app, [...entry.recordIds]], ["blob-download", "gallery", ["p1"]])
      assert.strictEqual(entry.actor.kind, "device", "who: the device that downloaded")
      assert.isTrue(entry.at >= from && entry.at <= to, `entry ${entry.index} is timed when it happened`)
    }

    // Refused downloads open nothing, and are not logged.
    assert.strictEqual(yield* refusal(account, "photo-0"), "blob-not-found")
    assert.strictEqual(yield* refusal(account, "nothing-here"), "blob-not-found")
    assert.strictEqual(yield* refusal(account, "photo-1", { start: bytes.length }), "blob-range-invalid")
    assert.strictEqual(yield* refusal(other, "photo-1"), "blob-not-found")
    assert.strictEqual((yield* driver.accessLog(account)).length, before + 2, "no refusal is logged")
    assert.deepStrictEqual(yield* driver.accessLog(other), [], "nor in the other account's log")
    assert.isTrue((yield* driver.verifyAccessLog(account)).ok, "the log still verifies")
  }))
]
