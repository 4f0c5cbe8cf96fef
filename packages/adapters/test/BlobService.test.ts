/**
 * Blobs on core over the memory stores and ephemeral keys (core/services/BlobService.ts): an upload is invisible until
 * a record referencing it commits, then downloads as the very bytes uploaded, whole or by ranges across segment edges;
 * another account never gets it; uploads past the per-blob limit or the quota are refused; collection takes old
 * unreferenced blobs only; every download is in the account's access log, naming the referencing record; and what a
 * record about to be pushed states of its blob (size, SHA-256) is checked against the upload; a record that names a
 * blob while it is being uploaded wins over the upload (on memory and on SQLite).
 */
import { layerBlobStoreMemory } from "@custos/adapters/blobs/BlobStoreMemory"
import { layerEphemeralKeys } from "@custos/adapters/keys/EphemeralKeys"
import { layerMemoryStores } from "@custos/adapters/memory/MemoryStores"
import { layerSqlStores } from "@custos/adapters/sql/SqlStores"
import { samples } from "@custos/conformance/Samples"
import { makeInProcessDevice } from "@custos/core/client/InProcessDevice"
import { type AccountId, DeviceId, MutationId, RecordId } from "@custos/core/domain/Ids"
import { BlobId, BlobStore } from "@custos/core/ports/BlobStore"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { AccessLog } from "@custos/core/services/AccessLog"
import { AccountService } from "@custos/core/services/AccountService"
import { BlobService, layerBlobService } from "@custos/core/services/BlobService"
import { layerCoreServices } from "@custos/core/services/CoreServices"
import { SyncEngine } from "@custos/core/services/SyncEngine"
import { Keyring } from "@custos/core/services/Keyring"
import { SyncSettingsService } from "@custos/core/services/SyncSettingsService"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Either, Fiber, Layer, Option, Redacted, Stream, TestClock } from "effect"
import { createHash } from "node:crypto"
import { sealBlobVersion1 } from "./sealedFormats.js"
import { layerSqliteTemp } from "./sqlTestDatabases.js"

const MAX_BLOB = 4 * 1024 * 1024
const Custos = layerBlobService({ maxBlobBytes: MAX_BLOB }).pipe(
  Layer.provideMerge(layerCoreServices),
  Layer.provideMerge(Layer.mergeAll(layerMemoryStores, layerEphemeralKeys, layerBlobStoreMemory))
)

/** The same over the SQL stores on a SQLite file of its own: the upload's last check runs in a SQL transaction. */
const CustosOnSqlite = layerBlobService({ maxBlobBytes: MAX_BLOB }).pipe(
  Layer.provideMerge(layerCoreServices),
  Layer.provideMerge(
    Layer.mergeAll(
      layerMemoryStores,
      layerEphemeralKeys,
      layerBlobStoreMemory,
      layerSqlStores.pipe(Layer.provide(layerSqliteTemp))
    )
  )
)

const phone = DeviceId.make("phone")
const S = 64 * 1024

const content = (length: number, seed = 1) =>
  Uint8Array.from({ length }, (_, i) => (i * 31 + (i >>> 8) * 7 + seed) & 0xff)
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** `bytes` as a stream of uneven chunks, as a network delivers them. */
const chunked = (bytes: Uint8Array) => {
  const pieces: Array<Uint8Array> = []
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = [1000, 70_000, 3, 65_536][i % 4]!
    pieces.push(bytes.subarray(at, at + n))
    at += n
  }
  return Stream.fromIterable(pieces)
}

const collect = <E>(stream: Stream.Stream<Uint8Array, E>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => Buffer.concat(Chunk.toArray(chunks)))

const newAccount = Effect.gen(function*() {
  const account = yield* (yield* AccountService).create({ region: "DE" })
  yield* (yield* SyncSettingsService).update(account.id, { apps: { gallery: true } })
  return account.id
})

let counter = 0
/** Pushes a gallery record whose file is the blob. */
const pushPhoto = (account: AccountId, recordId: string, blob: { id: string; size: number; sha256: string }) =>
  Effect.gen(function*() {
    const result = yield* (yield* SyncEngine).push(account, phone, "gallery", [{
      mutationId: MutationId.make(`m-${++counter}`),
      recordId: RecordId.make(recordId),
      op: "put",
      baseVersion: 0,
      payload: { ...samples.gallery(1), size: blob.size, sha256: blob.sha256, blob }
    }])
    assert.strictEqual(result.outcomes[0]?._tag, "applied", JSON.stringify(result.outcomes[0]))
  })

const upload = (account: AccountId, id: string, bytes: Uint8Array) =>
  Effect.flatMap(BlobService, (blobs) => blobs.upload(account, BlobId.make(id), chunked(bytes)))

describe("blob service", () => {
  it.effect("an upload is invisible until its record commits, then downloads as uploaded", () =>
    Effect.gen(function*() {
      const blobs = yield* BlobService
      const account = yield* newAccount
      const bytes = content(5 * S + 123)
      const uploaded = yield* upload(account, "photo-1", bytes)
      assert.deepStrictEqual(uploaded, { size: bytes.length, sha256: sha256(bytes) })

      const before = yield* Effect.either(blobs.download(account, BlobId.make("photo-1")))
      assert.isTrue(Either.isLeft(before) && before.left._tag === "BlobNotFound")

      yield* pushPhoto(account, "p1", { id: "photo-1", ...uploaded })
      const download = yield* blobs.download(account, BlobId.make("photo-1"))
      assert.strictEqual(download.size, bytes.length)
      assert.isUndefined(download.range)
      const got = yield* collect(download.stream)
      assert.isTrue(Buffer.from(bytes).equals(got))
    }).pipe(Effect.provide(Custos)))

  it.effect("ranged reads return exactly the asked bytes, across segment edges", () =>
    Effect.gen(function*() {
      const blobs = yield* BlobService
      const account = yield* newAccount
      const bytes = content(3 * S + 10, 7)
      const uploaded = yield* upload(account, "video-1", bytes)
      yield* pushPhoto(account, "v1", { id: "video-1", ...uploaded })
      const id = BlobId.make("video-1")
      const cases: ReadonlyArray<[number, number | undefined]> = [
        [0, 1],
        [S - 1, S + 1],
        [S - 5, 2 * S + 5],
        [S, 2 * S],
        [2 * S + 1, undefined],
        [3 * S, 3 * S + 10],
        [10, bytes.length + 1000]
      ]
      for (const [start, end] of cases) {
        const download = yield* blobs.download(account, id, { start, end })
        const to = Math.min(end ?? bytes.length, bytes.length)
        assert.deepStrictEqual(download.range, { start, end: to })
        const got = yield* collect(download.stream)
        assert.isTrue(Buffer.from(bytes.subarray(start, to)).equals(got), `[${start}, ${end})`)
      }
      const suffix = yield* blobs.download(account, id, { suffix: S + 3 })
      assert.isTrue(Buffer.from(bytes.subarray(bytes.length - S - 3)).equals(yield* collect(suffix.stream)))

      for (const range of [{ start: bytes.length }, { start: 5, end: 5 }, { suffix: 0 }, { start: -1 }]) {
        const refused = yield* Effect.either(blobs.download(account, id, range))
        assert.isTrue(Either.isLeft(refused) && refused.left._tag === "BlobRangeInvalid", JSON.stringify(range))
      }
    }).pipe(Effect.provide(Custos)))

  it.effect("another account never gets the blob, even with a record naming the same id", () =>
    Effect.gen(function*() {
      const blobs = yield* BlobService
      const alice = yield* newAccount
      const mallory = yield* newAccount
      const bytes = content(1000)
      const uploaded = yield* upload(alice, "shared-name", bytes)
      yield* pushPhoto(alice, "a1", { id: "shared-name", ...uploaded })
      yield* pushPhoto(mallory, "m1", { id: "shared-name", ...uploaded })
      const refused = yield* Effect.either(blobs.download(mallory, BlobId.make("shared-name")))
      assert.isTrue(Either.isLeft(refused) && refused.left._tag === "BlobNotFound")
      const refusedPlain = yield* Effect.either(blobs.download(mallory, BlobId.make("nothing")))
      assert.isTrue(Either.isLeft(refusedPlain) && refusedPlain.left._tag === "BlobNotFound")
    }).pipe(Effect.provide(Custos)))

  it.effect("uploads past the per-blob limit or the quota are refused and leave nothing", () =>
    Effect.gen(function*() {
      const blobs = yield* BlobService
      const store = yield* BlobStore
      const account = yield* newAccount
      const tooLarge = yield* Effect.either(upload(account, "huge", content(MAX_BLOB + 1)))
      assert.isTrue(Either.isLeft(tooLarge) && tooLarge.left._tag === "BlobTooLarge")
      const declared = yield* Effect.either(
        blobs.upload(account, BlobId.make("huge"), Stream.never, { declaredSize: MAX_BLOB + 1 })
      )
      assert.isTrue(Either.isLeft(declared) && declared.left._tag === "BlobTooLarge")

      // A record that takes up all but 1000 bytes of the free plan's 5 GiB.
      const free = 5 * 1024 ** 3
      yield* pushPhoto(account, "big", { id: "elsewhere", size: free - 2000, sha256: "0".repeat(64) })
      const full = yield* Effect.either(upload(account, "one-more", content(4000)))
      assert.isTrue(Either.isLeft(full) && full.left._tag === "QuotaExceeded", JSON.stringify(full))
      assert.deepStrictEqual(yield* store.list(account), [])

      // Uploads not referenced yet count against the quota too.
      yield* upload(account, "small-1", content(1000))
      const second = yield* Effect.either(upload(account, "small-2", content(1000)))
      assert.isTrue(Either.isLeft(second) && second.left._tag === "QuotaExceeded", JSON.stringify(second))
    }).pipe(Effect.provide(Custos)))

  it.effect("two uploads that each fit but not together: the second to finish is refused and leaves nothing", () =>
    Effect.gen(function*() {
      const blobs = yield* BlobService
      const store = yield* BlobStore
      const account = yield* newAccount
      const free = 5 * 1024 ** 3
      yield* pushPhoto(account, "big", { id: "elsewhere", size: free - 5000, sha256: "0".repeat(64) })
      // Both pass the check at their start, then stream while the other does.
      const gate = yield* Deferred.make<void>()
      let started = 0
      const held = (bytes: Uint8Array) =>
        Stream.concat(
          Stream.drain(Stream.fromEffect(Effect.zipRight(Effect.sync(() => started++), Deferred.await(gate)))),
          chunked(bytes)
        )
      const uploads = yield* Effect.forEach(["twin-1", "twin-2"], (id, i) =>
        Effect.fork(Effect.either(blobs.upload(account, BlobId.make(id), held(content(3000, i))))))
      while (started < 2) yield* Effect.yieldNow()
      yield* Deferred.succeed(gate, undefined)
      const results = yield* Effect.forEach(uploads, Fiber.join)
      assert.deepStrictEqual(
        results.map((r) => (Either.isLeft(r) ? r.left._tag : "stored")).sort(),
        ["QuotaExceeded", "stored"]
      )
      assert.strictEqual((yield* store.list(account)).length, 1, "only the upload that fit is stored")
    }).pipe(Effect.provide(Custos)))

  it.effect("a blob that a record references cannot be replaced", () =>
    Effect.gen(function*() {
      const account = yield* newAccount
      const uploaded = yield* upload(account, "photo-x", content(100))
      yield* pushPhoto(account, "px", { id: "photo-x", ...uploaded })
      const again = yield* Effect.either(upload(account, "photo-x", content(100, 9)))
      assert.isTrue(Either.isLeft(again) && again.left._tag === "BlobInUse")
    }).pipe(Effect.provide(Custos)))

  for (const [target, layer] of [["memory", Custos], ["SQLite", CustosOnSqlite]] as const) {
    it.effect(`a record committed during an upload wins: the upload is refused, nothing stored (${target})`, () =>
      Effect.gen(function*() {
        const blobs = yield* BlobService
        const store = yield* BlobStore
        const engine = yield* SyncEngine
        const account = yield* newAccount
        const bytes = content(3 * S, 4)
        const pushMeanwhile = (recordId: string, blob: { id: string; size: number; sha256: string }) =>
          Stream.drain(Stream.fromEffect(Effect.provideService(pushPhoto(account, recordId, blob), SyncEngine, engine)))
        /** `bytes` in two halves, with `meanwhile` run between them: after the upload's first check, before its end. */
        const interrupted = <E>(meanwhile: Stream.Stream<never, E>) =>
          Stream.concat(Stream.concat(chunked(bytes.subarray(0, S)), meanwhile), chunked(bytes.subarray(S)))

        // A new id: the record names the blob before any is stored under it (it counts at its stated size).
        const stated = { id: "photo-race", size: bytes.length, sha256: sha256(bytes) }
        const first = yield* Effect.either(
          blobs.upload(account, BlobId.make("photo-race"), interrupted(pushMeanwhile("race-1", stated)))
        )
        assert.isTrue(Either.isLeft(first) && first.left._tag === "BlobInUse", JSON.stringify(first))
        assert.strictEqual((yield* Effect.flip(store.stat(account, BlobId.make("photo-race"))))._tag, "BlobNotFound")

        // An id whose blob is stored but not named yet: a record naming it as it is commits mid-upload, and that blob
        // stays, so the record still describes what is served.
        const kept = content(2 * S + 5, 6)
        const keptRef = { id: "photo-kept", ...(yield* upload(account, "photo-kept", kept)) }
        const second = yield* Effect.either(
          blobs.upload(account, BlobId.make("photo-kept"), interrupted(pushMeanwhile("race-2", keptRef)))
        )
        assert.isTrue(Either.isLeft(second) && second.left._tag === "BlobInUse", JSON.stringify(second))
        const got = yield* collect((yield* blobs.download(account, BlobId.make("photo-kept"))).stream)
        assert.isTrue(Buffer.from(kept).equals(got))
        assert.deepStrictEqual((yield* store.list(account)).map((b) => b.blobId), ["photo-kept"])
      }).pipe(Effect.provide(layer)))
  }

  it.effect("collection removes old unreferenced blobs and keeps referenced or recent ones", () =>
    Effect.gen(function*() {
      const blobs = yield* BlobService
      const store = yield* BlobStore
      const account = yield* newAccount
      const kept = yield* upload(account, "kept", content(2000))
      yield* pushPhoto(account, "k", { id: "kept", ...kept })
      yield* upload(account, "orphan", content(2000, 3))
      yield* TestClock.adjust("25 hours")
      yield* upload(account, "recent", content(2000, 5))

      const result = yield* blobs.collectGarbage(24 * 60 * 60 * 1000)
      assert.deepStrictEqual(result, { examined: 3, deleted: 1 })
      assert.deepStrictEqual((yield* store.list(account)).map((b) => b.blobId), ["kept", "recent"])
      const got = yield* collect((yield* blobs.download(account, BlobId.make("kept"))).stream)
      assert.isTrue(Buffer.from(content(2000)).equals(got))
    }).pipe(Effect.provide(Custos)))

  it.effect("a download is written to the access log before it is opened, naming the record", () =>
    Effect.gen(function*() {
      const blobs = yield* BlobService
      const log = yield* AccessLog
      const account = yield* newAccount
      const uploaded = yield* upload(account, "logged", content(S + 1))
      yield* pushPhoto(account, "photo-logged", { id: "logged", ...uploaded })
      const download = yield* blobs.download(account, BlobId.make("logged"), { start: 0, end: 10 })
      const entries = (yield* log.list(account)).entries.filter((e) => e.purpose === "blob-download")
      assert.deepStrictEqual(entries.map((e) => [e.app, [...e.recordIds] as Array<string>]), [["gallery", ["photo-logged"]]])
      assert.strictEqual((yield* collect(download.stream)).length, 10)
    }).pipe(Effect.provide(Custos)))

  it.effect("what a record states of its blob is checked against the upload, the digest logged before it is opened", () =>
    Effect.gen(function*() {
      const blobs = yield* BlobService
      const log = yield* AccessLog
      const account = yield* newAccount
      const bytes = content(S + 7)
      const uploaded = yield* upload(account, "photo-c", bytes)
      const checks = () => log.list(account).pipe(Effect.map((page) => page.entries.filter((e) => e.purpose === "blob-check")))
      /** The refusal of a record naming `ref`, if it is refused. */
      const check = (ref: { readonly id: string; readonly size: number; readonly sha256: string }, recordId = "p-c") =>
        Effect.map(
          blobs.checkRefs(account, "gallery", [{ recordId: RecordId.make(recordId), refs: [ref] }]),
          (refused) => refused[0]?.error
        )

      // Nothing uploaded under the id: nothing to check, nothing opened, nothing logged.
      assert.isUndefined(yield* check({ id: "not-uploaded", size: 5, sha256: sha256(bytes) }))
      assert.deepStrictEqual(yield* checks(), [])

      const refused = [
        [{ id: "photo-c", size: bytes.length + 1, sha256: uploaded.sha256 }, "it holds 65543 bytes, the record says 65544"],
        [{ id: "photo-c", size: bytes.length, sha256: sha256(content(7)) }, "its SHA-256 is not the one the record says"]
      ] as const
      for (const [ref, reason] of refused) {
        const error = yield* check(ref)
        assert.strictEqual(error?._tag, "BlobRefInvalid", reason)
        assert.include(error?.message ?? "", reason)
      }
      assert.isUndefined(yield* check({ id: "photo-c", ...uploaded }, "p-ok"))
      // A wrong size is seen in the header: only the two digest openings are in the log, naming their records.
      assert.deepStrictEqual(
        (yield* checks()).map((e) => [e.app, [...e.recordIds] as Array<string>]),
        [["gallery", ["p-c"]], ["gallery", ["p-ok"]]]
      )

      // A blob sealed before digests were sealed with blobs (format 1): its size is checked, its digest cannot be.
      const store = yield* BlobStore
      const { key, version } = yield* (yield* Keyring).accountKey(account)
      const old = sealBlobVersion1(Redacted.value(key), { accountId: account, blobId: "photo-old", keyVersion: version }, bytes)
      yield* store.put(account, BlobId.make("photo-old"), Stream.make(old), { maxBytes: old.length })
      assert.isUndefined(yield* check({ id: "photo-old", size: bytes.length, sha256: sha256(content(3)) }))
      const wrongSize = yield* check({ id: "photo-old", size: 3, sha256: uploaded.sha256 })
      assert.strictEqual(wrongSize?._tag, "BlobRefInvalid")
      assert.strictEqual((yield* checks()).length, 2, "nothing was opened of the format 1 blob")
      // It still downloads once a record names it.
      yield* pushPhoto(account, "p-old", { id: "photo-old", size: bytes.length, sha256: sha256(bytes) })
      const got = yield* collect((yield* blobs.download(account, BlobId.make("photo-old"))).stream)
      assert.isTrue(Buffer.from(bytes).equals(got))
    }).pipe(Effect.provide(Custos)))

  // A blob cut anywhere past its header reads as a shorter one, so a record stating its uploaded size is refused for
  // the size (and the blob never opens: BlobSealing.test.ts).
  it.effect("a damaged stored blob fails the check as the store's fault, never as the record's", () =>
    Effect.gen(function*() {
      const blobs = yield* BlobService
      const store = yield* BlobStore
      const account = yield* newAccount
      const bytes = content(S + 9, 2)
      const good = yield* upload(account, "photo-good", bytes)
      const sealed = yield* collect(store.get(account, BlobId.make("photo-good")))
      const check = (id: string) =>
        Effect.flip(blobs.checkRefs(account, "gallery", [{ recordId: RecordId.make(`r-${id}`), refs: [{ id, ...good }] }]))
      const damaged = [
        ["junk", content(200, 5)],
        ["cut-in-header", sealed.subarray(0, 20)],
        // The digest's own bytes flipped: the size reads right, the digest does not open.
        ["bad-digest", Uint8Array.from(sealed, (b, i) => (i === sealed.length - 1 ? b ^ 1 : b))]
      ] as const
      for (const [id, stored] of damaged) {
        yield* store.put(account, BlobId.make(id), Stream.make(stored), { maxBytes: stored.length })
        const error = yield* check(id)
        assert.strictEqual(error._tag, "SealingFailed", `${id}: ${error.message}`)
      }
    }).pipe(Effect.provide(Custos)))

  it.effect("every digest a check names is opened, each blob's once, before a mismatch is answered", () =>
    Effect.gen(function*() {
      const blobs = yield* BlobService
      const log = yield* AccessLog
      const account = yield* newAccount
      const a = yield* upload(account, "photo-a", content(1000, 1))
      const b = yield* upload(account, "photo-b", content(2000, 2))
      const refused = yield* blobs.checkRefs(account, "gallery", [
        { recordId: RecordId.make("r1"), refs: [{ id: "photo-a", size: a.size, sha256: b.sha256 }] },
        { recordId: RecordId.make("r2"), refs: [{ id: "photo-b", ...b }] },
        { recordId: RecordId.make("r3"), refs: [{ id: "photo-b", ...b }, { id: "photo-a", ...a }] },
        { recordId: RecordId.make("r5"), refs: [{ id: "photo-b", ...b, sha256: a.sha256 }, { id: "photo-a", ...a }] }
      ])
      // Each record that misstates a blob is answered, with its first ref that fails; the others stand.
      assert.deepStrictEqual(refused.map(({ error, recordId }) => [recordId, error.blobId]), [["r1", "photo-a"], ["r5", "photo-b"]])
      const entries = (yield* log.list(account)).entries.filter((e) => e.purpose === "blob-check")
      assert.deepStrictEqual(entries.map((e) => [...e.recordIds] as Array<string>), [["r1", "r3", "r5", "r2"]])
      // A second ref to a blob must state the same size as the first; a record refused for a size opens nothing.
      const sizes = yield* blobs.checkRefs(account, "gallery", [
        { recordId: RecordId.make("r4"), refs: [{ id: "photo-b", ...b }, { id: "photo-b", ...b, size: 1 }] }
      ])
      assert.include(sizes[0]?.error.message ?? "", "it holds 2000 bytes, the record says 1")
      assert.strictEqual((yield* log.list(account)).entries.filter((e) => e.purpose === "blob-check").length, 1)
    }).pipe(Effect.provide(Custos)))

  it.effect("a device whose record misstates its blob sees that change rejected and goes on syncing the rest", () =>
    Effect.gen(function*() {
      const account = yield* newAccount
      const bytes = content(S + 1, 8)
      const uploaded = yield* upload(account, "photo-d", bytes)
      const device = yield* makeInProcessDevice(account, phone)
      const photo = (blob: { id: string; size: number; sha256: string }) => ({
        ...samples.gallery(1),
        size: blob.size,
        sha256: blob.sha256,
        blob
      })
      yield* device.put("gallery", RecordId.make("wrong"), photo({ id: "photo-d", ...uploaded, size: 1 }))
      yield* device.put("gallery", RecordId.make("right"), photo({ id: "photo-d", ...uploaded }))
      const report = yield* device.sync("gallery", { trigger: "user", network: "wifi" })
      assert.deepStrictEqual([report.applied, report.rejected], [1, 1])
      assert.deepStrictEqual(
        (yield* device.rejections).map((r): [string, string] => [r.recordId, r.code]),
        [["wrong", "invalid-blob-ref"]]
      )
      assert.strictEqual(yield* device.pendingCount("gallery"), 0, "nothing is left to retry")
      assert.deepStrictEqual((yield* device.records("gallery")).map((r) => r.id), ["right"])
    }).pipe(Effect.provide(Custos)))

  it.effect("the engine checks blobs inside the push, only for puts it will apply: no check for refused batches or retries", () =>
    Effect.gen(function*() {
      const blobs = yield* BlobService
      const engine = yield* SyncEngine
      const log = yield* AccessLog
      const account = yield* newAccount
      const uploaded = yield* upload(account, "photo-e", content(3000, 3))
      const checks = () => log.list(account).pipe(Effect.map((page) => page.entries.filter((e) => e.purpose === "blob-check").length))
      const put = (mutationId: string, blob: { id: string; size: number; sha256: string }) => ({
        mutationId: MutationId.make(mutationId),
        recordId: RecordId.make("photo-e"),
        op: "put" as const,
        baseVersion: 0,
        payload: { ...samples.gallery(1), size: blob.size, sha256: blob.sha256, blob }
      })
      const push = (mutations: ReadonlyArray<ReturnType<typeof put>>, app: "gallery" | "recordings" = "gallery") =>
        engine.push(account, phone, app, mutations, {
          checkBlobs: (stated) => blobs.checkRefs(account, app, stated)
        })
      // Too large a batch is refused before anything is checked.
      const tooMany = yield* Effect.flip(push(Array.from({ length: 501 }, (_, i) => put(`m-big-${i}`, { id: "photo-e", ...uploaded }))))
      assert.strictEqual(tooMany._tag, "BatchTooLarge")
      assert.strictEqual(yield* checks(), 0)
      // A misstated digest rejects that put, as an invalid payload is rejected; nothing of it is stored.
      const wrong = yield* push([put("m-wrong", { id: "photo-e", ...uploaded, sha256: sha256(content(1)) })])
      const outcome = wrong.outcomes[0]
      assert.strictEqual(outcome?._tag === "rejected" ? outcome.code : outcome?._tag, "invalid-blob-ref")
      assert.isTrue(Option.isNone(yield* (yield* RecordStore).get(account, "gallery", RecordId.make("photo-e"))))
      assert.strictEqual(yield* checks(), 1)
      const applied = yield* push([put("m-right", { id: "photo-e", ...uploaded })])
      assert.strictEqual(applied.outcomes[0]?._tag, "applied")
      assert.strictEqual(yield* checks(), 2)
      // A retry of an applied mutation is answered from memory: nothing is opened again.
      const retried = yield* push([put("m-right", { id: "photo-e", ...uploaded })])
      assert.strictEqual(retried.outcomes[0]?._tag, "duplicate")
      assert.strictEqual(yield* checks(), 2)
    }).pipe(Effect.provide(Custos)))
})
