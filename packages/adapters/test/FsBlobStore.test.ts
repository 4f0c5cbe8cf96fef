/**
 * The blob stores: the port suite on memory and on the filesystem, and what only files can show: the layout and the
 * header, a 50 MiB blob streamed in and out in small chunks (never held whole), leading-dot ids kept inside the
 * root, uploads a crash left behind removed at start, and a damaged file refused rather than served.
 */
import { layerBlobStoreMemory } from "@custos/adapters/blobs/BlobStoreMemory"
import { HEADER_BYTES, layerFsBlobStore } from "@custos/adapters/blobs/FsBlobStore"
import { AccountId } from "@custos/core/domain/Ids"
import { BlobId, BlobStore } from "@custos/core/ports/BlobStore"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { createHash } from "node:crypto"
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { blobStoreSuite, collectBytes, patternBytes, sha256Hex, streamOf } from "./BlobStoreSuite.js"
import { layerFsBlobStoreTemp, tempFolder } from "./fsBlobStoreTemp.js"

blobStoreSuite("memory", layerBlobStoreMemory)
blobStoreSuite("the filesystem", layerFsBlobStoreTemp)

const alice = AccountId.make("acc_alice")
const MiB = 1024 * 1024

/** Runs `effect` with a filesystem blob store on a fresh root, and gives it the root. */
const withFsStore = <A, E>(effect: (root: string) => Effect.Effect<A, E, BlobStore>) =>
  Effect.scoped(Effect.flatMap(tempFolder, (parent) => {
    const root = join(parent, "blobs")
    return Effect.provide(effect(root), layerFsBlobStore({ root }))
  }))

/** Every file under `dir`, relative to it. */
const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort()

describe("FsBlobStore", () => {
  it.effect("stores one file per blob at <account>/<shard>/<blob id>, header first, owner-only, no temp left", () =>
    withFsStore((root) =>
      Effect.gen(function*() {
        const store = yield* BlobStore
        const bytes = patternBytes(100_000)
        yield* store.put(alice, BlobId.make("photo-1"), streamOf(bytes), { maxBytes: MiB })
        const shard = createHash("sha256").update("photo-1").digest("hex").slice(0, 2)
        assert.deepStrictEqual(filesUnder(root), [join("acc_alice", shard, "photo-1")])
        const file = join(root, "acc_alice", shard, "photo-1")
        const stored = readFileSync(file)
        assert.strictEqual(stored.length, HEADER_BYTES + bytes.length)
        assert.strictEqual(stored.subarray(0, 4).toString("latin1"), "CSTB")
        assert.strictEqual(stored.subarray(24, 56).toString("hex"), sha256Hex(bytes))
        assert.deepStrictEqual(new Uint8Array(stored.subarray(HEADER_BYTES)), bytes)
        assert.strictEqual(statSync(file).mode & 0o777, 0o600)
        assert.deepStrictEqual(readdirSync(join(root, ".tmp")), [])
      })))

  it.effect("ids that start with a dot stay inside the root and never meet the temp folder", () =>
    withFsStore((root) =>
      Effect.gen(function*() {
        const store = yield* BlobStore
        const parent = join(root, "..")
        const before = readdirSync(parent).sort()
        for (const account of ["..", ".", ".tmp"]) {
          for (const blob of ["..", ".", ".tmp"]) {
            const bytes = patternBytes(10, account.length * 3 + blob.length)
            yield* store.put(AccountId.make(account), BlobId.make(blob), streamOf(bytes), { maxBytes: MiB })
            assert.deepStrictEqual(yield* collectBytes(store.get(AccountId.make(account), BlobId.make(blob))), bytes)
          }
        }
        assert.deepStrictEqual(readdirSync(parent).sort(), before, "nothing was written beside the root")
        assert.deepStrictEqual(readdirSync(root).sort(), ["%2E", "%2E.", "%2Etmp", ".tmp"])
        assert.deepStrictEqual(readdirSync(join(root, ".tmp")), [])
        assert.deepStrictEqual((yield* store.list(AccountId.make(".tmp"))).map((b) => b.blobId), [".", "..", ".tmp"])
        assert.strictEqual(yield* store.collectUnreferenced(() => Effect.succeed(true), 0).pipe(
          Effect.map((r) => r.examined)
        ), 9)
      })))

  it.effect("a 50 MiB blob streams in and out in small chunks: at most a few chunks ahead of the disk", () =>
    withFsStore((root) =>
      Effect.gen(function*() {
        const store = yield* BlobStore
        const chunk = MiB
        const total = 50
        const hash = createHash("sha256")
        let behind = 0
        // Each chunk is made only when asked for; before making chunk i, the bytes of chunk i - 3 must be on disk.
        const upload = Stream.range(0, total - 1).pipe(
          Stream.mapEffect((i) =>
            Effect.sync(() => {
              if (i >= 3) {
                const [temp] = readdirSync(join(root, ".tmp"))
                const written = temp === undefined ? 0 : statSync(join(root, ".tmp", temp)).size - HEADER_BYTES
                if (written < (i - 3) * chunk) behind++
              }
              const bytes = patternBytes(chunk, i)
              hash.update(bytes)
              return bytes
            })
          )
        )
        const id = BlobId.make("video-50mib")
        const put = yield* store.put(alice, id, upload, { maxBytes: 64 * MiB })
        const digest = hash.digest("hex")
        assert.deepStrictEqual(put, { size: total * chunk, sha256: digest })
        assert.strictEqual(behind, 0, "the store wrote each chunk before asking for more")

        let largest = 0
        let count = 0
        const readHash = createHash("sha256")
        yield* Stream.runForEach(store.get(alice, id), (bytes) =>
          Effect.sync(() => {
            largest = Math.max(largest, bytes.length)
            count++
            readHash.update(bytes)
          }))
        assert.strictEqual(readHash.digest("hex"), digest)
        assert.isAtMost(largest, 64 * 1024)
        assert.strictEqual(count, (total * chunk) / (64 * 1024))
        const tail = yield* collectBytes(store.get(alice, id, { start: total * chunk - 10 }))
        assert.deepStrictEqual(tail, patternBytes(chunk, total - 1).slice(chunk - 10))
      })), 60_000)

  it.effect("uploads a crash left in the temp folder are removed when the store starts", () =>
    Effect.scoped(Effect.gen(function*() {
      const root = yield* tempFolder
      const tmp = join(root, ".tmp")
      yield* Effect.scoped(Layer.build(layerFsBlobStore({ root })))
      writeFileSync(join(tmp, "0123.part"), "half an upload")
      assert.isTrue(existsSync(join(tmp, "0123.part")))
      yield* Effect.scoped(Layer.build(layerFsBlobStore({ root })))
      assert.deepStrictEqual(readdirSync(tmp), [])
    })))

  it.effect("a damaged or cut-short file fails with StoreError instead of being served", () =>
    withFsStore((root) =>
      Effect.gen(function*() {
        const store = yield* BlobStore
        const id = BlobId.make("photo-1")
        yield* store.put(alice, id, streamOf(patternBytes(10_000)), { maxBytes: MiB })
        const [file] = filesUnder(root).filter((f) => f.endsWith("photo-1"))
        truncateSync(join(root, file!), HEADER_BYTES + 5_000)
        const read = yield* Effect.flip(collectBytes(store.get(alice, id)))
        assert.strictEqual(read._tag, "StoreError")
        assert.strictEqual((yield* Effect.flip(store.stat(alice, id)))._tag, "StoreError")
        writeFileSync(join(root, file!), "not a blob at all, but long enough to hold a header of fifty-six bytes")
        assert.strictEqual((yield* Effect.flip(collectBytes(store.get(alice, id))))._tag, "StoreError")
      })))
})
