/**
 * The port suite every `BlobStore` adapter must pass (conformance has none for this port yet): bytes come back
 * exactly, whole or by range; a blob is visible only whole, and a failed, too large or replaced upload never shows a
 * part; concurrent puts of one id leave exactly one of them; a read keeps the version it started on; listing,
 * deleting and collecting unreferenced blobs (only past the grace period) work per account.
 */
import { AccountId } from "@custos/core/domain/Ids"
import { BlobId, BlobStore } from "@custos/core/ports/BlobStore"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, type Layer, Stream, TestClock } from "effect"
import { createHash } from "node:crypto"

const alice = AccountId.make("acc_alice")
const bob = AccountId.make("acc_bob")
const photo = BlobId.make("photo-1")

/** `size` bytes of a pattern that differs per `seed` and per position, so misplaced bytes show. */
export const patternBytes = (size: number, seed = 1): Uint8Array => {
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 17 + (i >>> 8)) & 0xff
  return bytes
}

/** The bytes as a stream of `chunk`-sized pieces, as an upload arrives. */
export const streamOf = (bytes: Uint8Array, chunk = 16 * 1024): Stream.Stream<Uint8Array> =>
  Stream.fromIterable({
    *[Symbol.iterator]() {
      for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, Math.min(bytes.length, at + chunk))
    }
  })

export const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** Everything a stream emits, in one array. */
export const collectBytes = <E, R>(stream: Stream.Stream<Uint8Array, E, R>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => {
    const parts = Chunk.toReadonlyArray(chunks)
    const whole = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
    let at = 0
    for (const part of parts) {
      whole.set(part, at)
      at += part.length
    }
    return whole
  })

const MB = 1024 * 1024

export const blobStoreSuite = <E>(name: string, layer: Layer.Layer<BlobStore, E>) =>
  describe(`BlobStore port suite on ${name}`, () => {
    const run = <A, Err>(effect: Effect.Effect<A, Err, BlobStore>) => Effect.provide(effect, layer)

    it.effect("a blob comes back byte for byte; put and stat tell its size, SHA-256 and time", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        const bytes = patternBytes(300_000)
        yield* TestClock.setTime(1_700_000_000_000)
        const put = yield* store.put(alice, photo, streamOf(bytes), { maxBytes: MB })
        assert.deepStrictEqual(put, { size: 300_000, sha256: sha256Hex(bytes) })
        assert.deepStrictEqual(yield* collectBytes(store.get(alice, photo)), bytes)
        assert.deepStrictEqual(yield* store.stat(alice, photo), {
          accountId: alice,
          blobId: photo,
          size: 300_000,
          sha256: sha256Hex(bytes),
          createdAt: 1_700_000_000_000
        })
      })))

    it.effect("a chunk of thousands of pieces, some empty, is stored in order (as sealed segments arrive)", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        const bytes = patternBytes(200_000, 3)
        // 3,000 pieces in one chunk (more than one vectored write takes), cut unevenly, with empty ones among them.
        const pieces: Array<Uint8Array> = []
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const n = i % 7 === 0 ? 0 : Math.min(bytes.length - at, 1 + ((i * 37) % 120))
          pieces.push(bytes.subarray(at, at + n))
          at += n
        }
        assert.isAbove(pieces.length, 3_000)
        const put = yield* store.put(alice, photo, Stream.fromChunk(Chunk.unsafeFromArray(pieces)), { maxBytes: MB })
        assert.deepStrictEqual(put, { size: bytes.length, sha256: sha256Hex(bytes) })
        assert.deepStrictEqual(yield* collectBytes(store.get(alice, photo)), bytes)
      })))

    it.effect("an empty blob is a blob", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        const put = yield* store.put(alice, photo, Stream.empty, { maxBytes: MB })
        assert.deepStrictEqual(put, { size: 0, sha256: sha256Hex(new Uint8Array(0)) })
        assert.deepStrictEqual(yield* collectBytes(store.get(alice, photo)), new Uint8Array(0))
        assert.strictEqual((yield* store.stat(alice, photo)).size, 0)
      })))

    it.effect("ranges read exactly [start, end), across chunk boundaries; an end past the size stops at it", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        const bytes = patternBytes(200_000, 3)
        yield* store.put(alice, photo, streamOf(bytes, 7_777), { maxBytes: MB })
        const ranges: ReadonlyArray<readonly [number | undefined, number | undefined]> = [
          [0, 1],
          [65_535, 65_537],
          [1, 131_073],
          [100_000, 200_000],
          [199_999, undefined],
          [undefined, 10],
          [150_000, 10_000_000],
          [200_000, undefined],
          [5, 5]
        ]
        for (const [start, end] of ranges) {
          const got = yield* collectBytes(store.get(alice, photo, { start, end }))
          const expected = bytes.slice(start ?? 0, Math.min(end ?? bytes.length, bytes.length))
          assert.deepStrictEqual(got, expected, `${start}-${end}`)
        }
      })))

    it.effect("a range outside the blob fails with BlobRangeInvalid", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        yield* store.put(alice, photo, streamOf(patternBytes(1_000)), { maxBytes: MB })
        for (const [start, end] of [[1_001, undefined], [10, 5], [-1, 5], [0.5, 5], [0, Number.NaN]] as const) {
          const error = yield* Effect.flip(collectBytes(store.get(alice, photo, { start, end })))
          assert.strictEqual(error._tag, "BlobRangeInvalid", `${start}-${end}`)
          assert.strictEqual(error.code, "blob-range-invalid")
        }
      })))

    it.effect("a missing blob is BlobNotFound for get and stat, false for delete; accounts never share blobs", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        yield* store.put(alice, photo, streamOf(patternBytes(10)), { maxBytes: MB })
        const notFound = yield* Effect.flip(collectBytes(store.get(bob, photo)))
        assert.strictEqual(notFound._tag, "BlobNotFound")
        assert.strictEqual(notFound.code, "blob-not-found")
        assert.strictEqual((yield* Effect.flip(store.stat(bob, photo)))._tag, "BlobNotFound")
        assert.strictEqual((yield* Effect.flip(store.stat(alice, BlobId.make("other"))))._tag, "BlobNotFound")
        assert.isFalse(yield* store.delete(bob, photo))
        assert.deepStrictEqual(yield* store.list(bob), [])
        assert.isTrue(yield* store.delete(alice, photo))
        assert.isFalse(yield* store.delete(alice, photo))
        assert.strictEqual((yield* Effect.flip(collectBytes(store.get(alice, photo))))._tag, "BlobNotFound")
      })))

    it.effect("a put replaces the blob under its id", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        yield* store.put(alice, photo, streamOf(patternBytes(50_000, 1)), { maxBytes: MB })
        const second = patternBytes(20_000, 2)
        yield* store.put(alice, photo, streamOf(second), { maxBytes: MB })
        assert.deepStrictEqual(yield* collectBytes(store.get(alice, photo)), second)
        assert.deepStrictEqual((yield* store.list(alice)).map((b) => [b.blobId, b.size]), [["photo-1", 20_000]])
      })))

    it.effect("more than maxBytes fails with BlobTooLarge, stores nothing and leaves the previous blob whole", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        const exact = yield* store.put(alice, BlobId.make("exact"), streamOf(patternBytes(1_000)), { maxBytes: 1_000 })
        assert.strictEqual(exact.size, 1_000)
        const error = yield* Effect.flip(
          store.put(alice, BlobId.make("big"), streamOf(patternBytes(1_001), 100), { maxBytes: 1_000 })
        )
        assert.strictEqual(error._tag, "BlobTooLarge")
        assert.strictEqual(error.code, "blob-too-large")
        assert.strictEqual((yield* Effect.flip(store.stat(alice, BlobId.make("big"))))._tag, "BlobNotFound")
        const again = yield* Effect.flip(
          store.put(alice, BlobId.make("exact"), streamOf(patternBytes(5_000, 9)), { maxBytes: 1_000 })
        )
        assert.strictEqual(again._tag, "BlobTooLarge")
        assert.deepStrictEqual(yield* collectBytes(store.get(alice, BlobId.make("exact"))), patternBytes(1_000))
        assert.deepStrictEqual((yield* store.list(alice)).map((b) => b.blobId), ["exact"])
      })))

    it.effect("publishWith runs the last step of a put, or refuses it and nothing is stored", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        const first = patternBytes(40_000, 1)
        yield* store.put(alice, photo, streamOf(first), { maxBytes: MB })
        const steps: Array<string> = []
        const refused = yield* Effect.flip(store.put(alice, photo, streamOf(patternBytes(30_000, 2)), {
          maxBytes: MB,
          publishWith: () => Effect.zipRight(Effect.sync(() => steps.push("refused")), Effect.fail("taken" as const))
        }))
        assert.strictEqual(refused, "taken")
        const fresh = yield* Effect.flip(store.put(alice, BlobId.make("fresh"), streamOf(patternBytes(10)), {
          maxBytes: MB,
          publishWith: () => Effect.fail("taken" as const)
        }))
        assert.strictEqual(fresh, "taken")
        assert.deepStrictEqual(yield* collectBytes(store.get(alice, photo)), first)
        assert.deepStrictEqual((yield* store.list(alice)).map((b) => b.blobId), ["photo-1"])

        // Every byte is stored before the step runs: a stream that fails never reaches it.
        const broken = Stream.concat(streamOf(patternBytes(1_000)), Stream.fail("connection lost" as const))
        const failed = yield* Effect.flip(store.put(alice, photo, broken, {
          maxBytes: MB,
          publishWith: (publish) => Effect.sync(() => steps.push("broken")).pipe(Effect.zipRight(publish))
        }))
        assert.strictEqual(failed, "connection lost")

        const second = patternBytes(30_000, 3)
        const put = yield* store.put(alice, photo, streamOf(second), {
          maxBytes: MB,
          publishWith: (publish) =>
            Effect.sync(() => steps.push("before")).pipe(
              Effect.zipRight(publish),
              Effect.zipRight(Effect.sync(() => steps.push("after")))
            )
        })
        assert.deepStrictEqual(put, { size: second.length, sha256: sha256Hex(second) })
        assert.deepStrictEqual(steps, ["refused", "before", "after"])
        assert.deepStrictEqual(yield* collectBytes(store.get(alice, photo)), second)
      })))

    it.effect("an upload whose stream fails fails with its error and stores nothing", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        const first = patternBytes(70_000, 1)
        yield* store.put(alice, photo, streamOf(first), { maxBytes: MB })
        const broken = Stream.concat(streamOf(patternBytes(100_000, 2)), Stream.fail("connection lost" as const))
        const error = yield* Effect.flip(store.put(alice, photo, broken, { maxBytes: MB }))
        assert.strictEqual(error, "connection lost")
        const fresh = yield* Effect.flip(store.put(alice, BlobId.make("fresh"), broken, { maxBytes: MB }))
        assert.strictEqual(fresh, "connection lost")
        assert.deepStrictEqual(yield* collectBytes(store.get(alice, photo)), first)
        assert.deepStrictEqual((yield* store.list(alice)).map((b) => b.blobId), ["photo-1"])
      })))

    it.effect("concurrent puts of one id all succeed and leave exactly one of them, whole", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        const versions = Array.from({ length: 8 }, (_, i) => patternBytes(256 * 1024 + i * 1_000, i + 1))
        const results = yield* Effect.all(
          versions.map((bytes) =>
            store.put(alice, photo, streamOf(bytes).pipe(Stream.tap(() => Effect.yieldNow())), { maxBytes: MB })
          ),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(results.map((r) => r.sha256), versions.map(sha256Hex))
        const stored = yield* collectBytes(store.get(alice, photo))
        const winner = versions.findIndex((bytes) => sha256Hex(bytes) === sha256Hex(stored))
        assert.isAtLeast(winner, 0, "the stored blob is one of the uploads, not a mix")
        assert.deepStrictEqual(yield* store.stat(alice, photo), {
          accountId: alice,
          blobId: photo,
          ...results[winner]!,
          createdAt: 0
        })
        assert.strictEqual((yield* store.list(alice)).length, 1)
      })))

    it.effect("a read keeps the version it started on, even when the blob is replaced or deleted meanwhile", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        const first = patternBytes(300_000, 1)
        yield* store.put(alice, photo, streamOf(first), { maxBytes: MB })
        let changed = false
        const read = yield* collectBytes(store.get(alice, photo).pipe(
          Stream.tap(() =>
            changed ? Effect.void : Effect.gen(function*() {
              changed = true
              yield* store.put(alice, photo, streamOf(patternBytes(300_000, 2)), { maxBytes: MB })
              yield* store.delete(alice, photo)
            })
          )
        ))
        assert.isTrue(changed)
        assert.deepStrictEqual(read, first)
        assert.strictEqual((yield* Effect.flip(store.stat(alice, photo)))._tag, "BlobNotFound")
      })))

    it.effect("an account's blobs are listed in id order, ids byte by byte, leading dots included; listIds names them alike", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        const ids = ["b", "a", "B", "_x", ".hidden", "..", ".", ".tmp", "a.b", "z-9"]
        for (const [i, id] of ids.entries()) {
          yield* store.put(alice, BlobId.make(id), streamOf(patternBytes(i + 1)), { maxBytes: MB })
        }
        yield* store.put(bob, BlobId.make("bobs"), streamOf(patternBytes(3)), { maxBytes: MB })
        const listed = yield* store.list(alice)
        assert.deepStrictEqual(listed.map((b) => b.blobId), [...ids].sort())
        assert.deepStrictEqual(listed.map((b) => b.size), [...ids].sort().map((id) => ids.indexOf(id) + 1))
        assert.deepStrictEqual(yield* collectBytes(store.get(alice, BlobId.make(".."))), patternBytes(6))
        assert.deepStrictEqual((yield* store.list(bob)).map((b) => b.blobId), ["bobs"])
        assert.deepStrictEqual(yield* store.list(AccountId.make("acc_nobody")), [])
        assert.deepStrictEqual<ReadonlyArray<string>>(yield* store.listIds(alice), [...ids].sort())
        assert.deepStrictEqual<ReadonlyArray<string>>(yield* store.listIds(bob), ["bobs"])
        assert.deepStrictEqual(yield* store.listIds(AccountId.make("acc_nobody")), [])
        yield* store.delete(alice, BlobId.make("a"))
        assert.deepStrictEqual<ReadonlyArray<string>>(yield* store.listIds(alice), [...ids].filter((id) => id !== "a").sort())
      })))

    it.effect("deleting an account's blobs counts them and leaves other accounts'", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        for (const id of ["a", "b", "c"]) {
          yield* store.put(alice, BlobId.make(id), streamOf(patternBytes(10)), { maxBytes: MB })
        }
        yield* store.put(bob, BlobId.make("a"), streamOf(patternBytes(10)), { maxBytes: MB })
        assert.strictEqual(yield* store.deleteAccount(alice), 3)
        assert.strictEqual(yield* store.deleteAccount(alice), 0)
        assert.deepStrictEqual(yield* store.list(alice), [])
        assert.deepStrictEqual(yield* collectBytes(store.get(bob, BlobId.make("a"))), patternBytes(10))
        yield* store.put(alice, BlobId.make("a"), streamOf(patternBytes(4)), { maxBytes: MB })
        assert.strictEqual((yield* store.list(alice)).length, 1)
      })))

    it.effect("collection deletes only unreferenced blobs past the grace period", () =>
      run(Effect.gen(function*() {
        const store = yield* BlobStore
        const hour = 3_600_000
        for (const id of ["orphan", "kept"]) {
          yield* store.put(alice, BlobId.make(id), streamOf(patternBytes(10)), { maxBytes: MB })
        }
        yield* store.put(bob, BlobId.make("orphan"), streamOf(patternBytes(10)), { maxBytes: MB })
        yield* TestClock.adjust(2 * hour)
        yield* store.put(alice, BlobId.make("uploading"), streamOf(patternBytes(10)), { maxBytes: MB })
        const asked: Array<string> = []
        const referenced = (accountId: AccountId, blobId: BlobId) =>
          Effect.sync(() => {
            asked.push(`${accountId}/${blobId}`)
            return blobId === "kept"
          })
        assert.deepStrictEqual(yield* store.collectUnreferenced(referenced, hour), { examined: 4, deleted: 2 })
        assert.notInclude(asked, "acc_alice/uploading", "a blob inside its grace period is not even asked about")
        assert.deepStrictEqual((yield* store.list(alice)).map((b) => b.blobId), ["kept", "uploading"])
        assert.deepStrictEqual(yield* store.list(bob), [])
        // Once the upload is old enough, it goes too; the answer of the check decides.
        yield* TestClock.adjust(2 * hour)
        assert.deepStrictEqual(yield* store.collectUnreferenced(referenced, hour), { examined: 2, deleted: 1 })
        const failing = yield* Effect.either(store.collectUnreferenced(() => Effect.fail("db down" as const), 0))
        assert.deepStrictEqual(failing, Either.left("db down"))
        assert.deepStrictEqual((yield* store.list(alice)).map((b) => b.blobId), ["kept"])
      })))
  })
