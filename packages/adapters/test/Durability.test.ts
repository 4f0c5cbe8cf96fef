/**
 * Crash tests: a real child process (`fixtures/crash/`) is killed with SIGKILL at a chosen point, and a fresh store
 * on the same files must show nothing half-done and accept the retry.
 *
 * - A blob upload killed with 8 MiB on disk: no partial blob is visible (a previous blob under the id is whole),
 *   the temp file goes at the next start, and the same upload then succeeds.
 * - A push batch on SQLite killed halfway through its transaction (with its writes already spilled into the WAL):
 *   none of the batch is visible and the retry with the same mutation ids is `applied`, then `duplicate`. Killed
 *   after COMMIT but before answering: all of it is there, exactly once, and the retry is `duplicate` throughout.
 */
import { layerFsBlobStore } from "@custos/adapters/blobs/FsBlobStore"
import { layerNodeCrypto } from "@custos/adapters/crypto/NodeCrypto"
import { layerKeyFile } from "@custos/adapters/keys/KeyFile"
import { layerMemoryStores } from "@custos/adapters/memory/MemoryStores"
import { layerSqlite } from "@custos/adapters/sql/SqliteLive"
import { layerSqlStores } from "@custos/adapters/sql/SqlStores"
import { AccountId, DeviceId } from "@custos/core/domain/Ids"
import { BlobId, BlobStore } from "@custos/core/ports/BlobStore"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { AccountService } from "@custos/core/services/AccountService"
import { layerCoreServices } from "@custos/core/services/CoreServices"
import { SyncEngine } from "@custos/core/services/SyncEngine"
import { SyncSettingsService } from "@custos/core/services/SyncSettingsService"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { collectBytes, patternBytes, sha256Hex, streamOf } from "./BlobStoreSuite.js"
import { batchOf, COMMITTED, MID_BATCH, MID_UPLOAD } from "./fixtures/crash/crashBatch.js"

const here = dirname(fileURLToPath(import.meta.url))
const adaptersDir = join(here, "..")
const MiB = 1024 * 1024

const tempFolder = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "custos-crash-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/**
 * Starts `script` (under `fixtures/crash/`) in a child Node process with tsx, and waits until it prints `marker`.
 * The child is killed when the scope closes, in case a test fails first.
 */
const startChild = (script: string, args: ReadonlyArray<string>, marker: string) =>
  Effect.acquireRelease(
    Effect.async<ChildProcess, Error>((resume) => {
      const child = spawn(process.execPath, ["--import", "tsx", join(here, "fixtures", "crash", script), ...args], {
        cwd: adaptersDir,
        stdio: ["ignore", "pipe", "pipe"]
      })
      let out = ""
      let err = ""
      const timer = setTimeout(() => {
        child.kill("SIGKILL")
        resume(Effect.fail(new Error(`${script} did not print ${marker} within 45 s; stderr: ${err}`)))
      }, 45_000)
      child.stdout!.on("data", (data) => {
        out += String(data)
        if (out.split("\n").includes(marker)) {
          clearTimeout(timer)
          resume(Effect.succeed(child))
        }
      })
      child.stderr!.on("data", (data) => void (err += String(data)))
      child.on("exit", (code, signal) => {
        clearTimeout(timer)
        const why = `${script} exited (${code ?? signal}) before ${marker}; stdout: ${out}; stderr: ${err}`
        resume(Effect.fail(new Error(why)))
      })
    }),
    (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
  )

/** SIGKILL, as a power cut or the OOM killer would: no handler runs, nothing is flushed. */
const killHard = (child: ChildProcess) =>
  Effect.async<NodeJS.Signals | null>((resume) => {
    child.on("exit", (_, signal) => resume(Effect.succeed(signal)))
    child.kill("SIGKILL")
  })

const alice = AccountId.make("acc_alice")
const phone = DeviceId.make("phone")

describe("Crash durability", () => {
  describe("a blob upload killed halfway", () => {
    const crashUpload = (existing: Uint8Array | undefined) =>
      Effect.scoped(Effect.gen(function*() {
        const root = join(yield* tempFolder, "blobs")
        const id = BlobId.make("video-1")
        if (existing !== undefined) {
          yield* Effect.gen(function*() {
            yield* (yield* BlobStore).put(alice, id, streamOf(existing), { maxBytes: 64 * MiB })
          }).pipe(Effect.provide(layerFsBlobStore({ root })))
        }

        const child = yield* startChild("blobUploadChild.ts", [root, alice, id], MID_UPLOAD)
        const [partial] = readdirSync(join(root, ".tmp"))
        assert.isDefined(partial, "the upload is in progress")
        assert.isAtLeast(statSync(join(root, ".tmp", partial!)).size, 8 * MiB, "8 MiB are on disk when it dies")
        assert.strictEqual(yield* killHard(child), "SIGKILL")

        // The next start: nothing half-uploaded is visible, and the temp file is gone.
        const retry = patternBytes(3 * MiB + 5, 7)
        yield* Effect.gen(function*() {
          const store = yield* BlobStore
          assert.deepStrictEqual(readdirSync(join(root, ".tmp")), [])
          if (existing === undefined) {
            assert.strictEqual((yield* Effect.flip(store.stat(alice, id)))._tag, "BlobNotFound")
            assert.deepStrictEqual(yield* store.list(alice), [])
          } else {
            assert.strictEqual((yield* store.stat(alice, id)).sha256, sha256Hex(existing))
            assert.deepStrictEqual(yield* collectBytes(store.get(alice, id)), existing)
          }
          const put = yield* store.put(alice, id, streamOf(retry, MiB), { maxBytes: 64 * MiB })
          assert.deepStrictEqual(put, { size: retry.length, sha256: sha256Hex(retry) })
          assert.deepStrictEqual(yield* collectBytes(store.get(alice, id)), retry)
          assert.deepStrictEqual((yield* store.list(alice)).map((b) => b.blobId), ["video-1"])
        }).pipe(Effect.provide(layerFsBlobStore({ root })))
      }))

    it.live("of a new blob leaves no blob, and the retry succeeds", () => crashUpload(undefined), 60_000)
    it.live("replacing a blob leaves the previous one whole, and the retry succeeds", () =>
      crashUpload(patternBytes(2 * MiB, 3)), 60_000)
  })

  describe("a push batch on SQLite killed", () => {
    /** Custos over the SQLite file and the key file, as the child runs it. */
    const custos = (filename: string, keyPath: string, create: "if-missing" | "never") => {
      const client = layerSqlite({ filename })
      const keys = layerKeyFile({ path: keyPath, create }).pipe(Layer.provideMerge(layerNodeCrypto))
      const storage = Layer.mergeAll(layerMemoryStores, layerSqlStores.pipe(Layer.provide(client)), keys)
      return layerCoreServices.pipe(Layer.provideMerge(storage), Layer.provideMerge(client))
    }

    const setUp = (filename: string, keyPath: string) =>
      Effect.gen(function*() {
        const accounts = yield* AccountService
        const settings = yield* SyncSettingsService
        const engine = yield* SyncEngine
        yield* accounts.create({ region: "DE", id: alice })
        yield* settings.update(alice, { apps: { notes: true } })
        const [first] = (yield* engine.push(alice, phone, "notes", batchOf("before", 1))).outcomes
        assert.strictEqual(first!._tag, "applied")
      }).pipe(Effect.provide(custos(filename, keyPath, "if-missing")))

    it.live("halfway through its transaction: nothing of it is visible, the retry is applied, then duplicate", () =>
      Effect.scoped(Effect.gen(function*() {
        const dir = yield* tempFolder
        const filename = join(dir, "custos.db")
        const keyPath = join(dir, "keys", "master.key")
        yield* setUp(filename, keyPath)
        const walBefore = existsSync(`${filename}-wal`) ? statSync(`${filename}-wal`).size : 0
        const batch = batchOf("crash", 40)

        const child = yield* startChild(
          "pushBatchChild.ts",
          [filename, keyPath, alice, "mid-batch", "crash", "40"],
          MID_BATCH
        )
        assert.isAbove(statSync(`${filename}-wal`).size, walBefore, "uncommitted pages of the batch are in the WAL")
        assert.strictEqual(yield* killHard(child), "SIGKILL")

        yield* Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const records = yield* RecordStore
          const engine = yield* SyncEngine
          const [check] = yield* sql<{ integrity_check: string }>`PRAGMA integrity_check`
          assert.strictEqual(check!.integrity_check, "ok")
          assert.strictEqual(yield* records.head(alice), 1, "only the note from before the batch")
          const [remembered] = yield* sql<{ n: unknown }>`SELECT count(*) AS n FROM custos_mutations
            WHERE mutation_id LIKE 'crash-%'`
          assert.strictEqual(Number(remembered!.n), 0)
          assert.deepStrictEqual((yield* engine.pull(alice, phone, "notes")).changes.map((c) => c.id), ["before-n0"])

          const retried = (yield* engine.push(alice, phone, "notes", batch)).outcomes
          assert.deepStrictEqual(retried.map((o) => o._tag), batch.map(() => "applied"))
          assert.deepStrictEqual(retried.map((o) => o._tag === "applied" ? o.seq : -1), batch.map((_, i) => i + 2))
          const again = (yield* engine.push(alice, phone, "notes", batch)).outcomes
          assert.deepStrictEqual(again.map((o) => o._tag), batch.map(() => "duplicate"))
          const firsts: ReadonlyArray<unknown> = again.map((o) => o._tag === "duplicate" ? o.first : undefined)
          assert.deepStrictEqual(firsts, retried)
          assert.strictEqual((yield* engine.pull(alice, phone, "notes")).changes.length, 41)
        }).pipe(Effect.provide(custos(filename, keyPath, "never")))
      })), 90_000)

    it.live("after COMMIT, before answering: all of it is there once, and the retry is duplicate throughout", () =>
      Effect.scoped(Effect.gen(function*() {
        const dir = yield* tempFolder
        const filename = join(dir, "custos.db")
        const keyPath = join(dir, "keys", "master.key")
        yield* setUp(filename, keyPath)
        const batch = batchOf("late", 40)

        const child = yield* startChild(
          "pushBatchChild.ts",
          [filename, keyPath, alice, "after-commit", "late", "40"],
          COMMITTED
        )
        assert.strictEqual(yield* killHard(child), "SIGKILL")

        yield* Effect.gen(function*() {
          const records = yield* RecordStore
          const engine = yield* SyncEngine
          assert.strictEqual(yield* records.head(alice), 41)
          const again = (yield* engine.push(alice, phone, "notes", batch)).outcomes
          assert.deepStrictEqual(again.map((o) => o._tag), batch.map(() => "duplicate"))
          assert.deepStrictEqual(
            again.map((o) => o._tag === "duplicate" && o.first._tag === "applied" ? o.first.seq : -1),
            batch.map((_, i) => i + 2)
          )
          assert.strictEqual(yield* records.head(alice), 41, "the retry wrote nothing")
          const pulled = (yield* engine.pull(alice, phone, "notes", { limit: 100 })).changes
          assert.deepStrictEqual(pulled.map((c) => c.id).sort(), ["before-n0", ...batch.map((m) => m.recordId)].sort())
        }).pipe(Effect.provide(custos(filename, keyPath, "never")))
      })), 90_000)
  })
})
