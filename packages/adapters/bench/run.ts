/**
 * `pnpm bench`: how fast Custos syncs and stores blobs, each figure next to a raw baseline measured in the same run on
 * the same machine, and as a ratio to it (Custos / baseline; 1.0 would be "as fast as the bare driver").
 *
 * - push and pull through the sync engine (notes, sealed with AES-GCM, batches of 200, pages of 1000) over memory,
 *   SQLite and PostgreSQL (when `DATABASE_URL`, or the local default, answers). Baselines: a plain `Map` for memory;
 *   raw better-sqlite3 inserts and selects on the same kind of table, one transaction per 200-row batch as Custos
 *   commits; raw node-postgres prepared inserts and selects, likewise.
 * - blob write and read through `FsBlobStore` (64 MiB, 1 MiB chunks in, 64 KiB out). Baseline: `fs.copyFile` of a
 *   file of the same size, which lets the kernel copy without touching user space and does not fsync.
 *
 * Writes `packages/adapters/bench/results.json` and `RESULTS.md`. Bounded to about a minute: every measurement has
 * a fixed size and the whole run stops early, marking what it skipped, if it passes its budget. Not part of `test`.
 */
import { BlobId, BlobStore } from "@custos/core/ports/BlobStore"
import { AccountId, DeviceId, MutationId, RecordId } from "@custos/core/domain/Ids"
import type { Mutation } from "@custos/core/domain/Mutation"
import { AccountService } from "@custos/core/services/AccountService"
import { layerCoreServices } from "@custos/core/services/CoreServices"
import { SyncEngine } from "@custos/core/services/SyncEngine"
import { SyncSettingsService } from "@custos/core/services/SyncSettingsService"
import { Effect, Layer, Stream } from "effect"
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as Fs from "node:fs/promises"
import { cpus, tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { layerFsBlobStore } from "../src/blobs/FsBlobStore.js"
import { layerEphemeralKeys } from "../src/keys/EphemeralKeys.js"
import { layerMemoryStores } from "../src/memory/MemoryStores.js"
import { layerPgFromUrl } from "../src/sql/PgLive.js"
import { layerSqlite } from "../src/sql/SqliteLive.js"
import { layerSqlStores } from "../src/sql/SqlStores.js"
import { openSqlite, pgClient, type RawPgClient } from "./rawDrivers.js"

const RECORDS = 4_000
const BATCH = 200
const PAGE = 1_000
const BLOB_MIB = 64
const BUDGET_MS = 55_000

const here = dirname(fileURLToPath(import.meta.url))
const started = performance.now()
const overBudget = () => performance.now() - started > BUDGET_MS

interface Figure {
  readonly target: string
  readonly operation: string
  readonly unit: string
  readonly value: number
  readonly baseline: { readonly name: string; readonly value: number }
  /** value / baseline value. */
  readonly ratio: number
}

interface Skipped {
  readonly target: string
  readonly reason: string
}

/** The commit measured, with `+changes` when the working tree differs from it. */
const commit = (() => {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: here, encoding: "utf8" }).trim()
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "packages"], { cwd: here, encoding: "utf8" })
    return dirty.trim() === "" ? head : `${head}+changes`
  } catch {
    return "unknown"
  }
})()

const figures: Array<Figure> = []
const skipped: Array<Skipped> = []

const record = (figure: Omit<Figure, "ratio">) => {
  const full = { ...figure, ratio: figure.value / figure.baseline.value }
  figures.push(full)
  console.log(
    `${figure.target.padEnd(11)} ${figure.operation.padEnd(6)} ${format(figure.value).padStart(8)} ${figure.unit}` +
      `   ${figure.baseline.name}: ${format(figure.baseline.value)}   ratio ${ratioText(full.ratio)}`
  )
}

const format = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en") : n.toFixed(1))

/** Two significant digits, however small: 0.0042, 0.49. */
const ratioText = (ratio: number) => ratio.toPrecision(2)

/** Times `run` and returns its rate in `amount` per second. */
const rate = async (amount: number, run: () => Promise<unknown> | unknown) => {
  const t0 = performance.now()
  await run()
  return amount / ((performance.now() - t0) / 1_000)
}

/** The payload of note `i`: about 300 bytes of JSON, as a short note is. */
const notePayload = (i: number) => ({
  kind: "note",
  title: `Note ${i}`,
  body: `Shopping list ${i}: `.padEnd(260, "milk, bread, eggs, "),
  private: i % 2 === 0
})

const batches = (prefix: string): Array<ReadonlyArray<Mutation>> =>
  Array.from({ length: RECORDS / BATCH }, (_, b) =>
    Array.from({ length: BATCH }, (_, j) => {
      const i = b * BATCH + j
      return {
        mutationId: MutationId.make(`${prefix}-m${i}`),
        recordId: RecordId.make(`${prefix}-n${i}`),
        op: "put" as const,
        baseVersion: 0,
        payload: notePayload(i)
      }
    }))

const alice = AccountId.make("acc_bench")
const phone = DeviceId.make("phone")

/** Push every batch, then pull everything back in pages, through the sync engine; returns both rates. */
const syncThroughput = Effect.gen(function*() {
  const accounts = yield* AccountService
  const settings = yield* SyncSettingsService
  const engine = yield* SyncEngine
  yield* accounts.create({ region: "DE", id: alice })
  yield* settings.update(alice, { apps: { notes: true } })
  // Warm-up: keys made, statements prepared, code paths compiled.
  yield* engine.push(alice, phone, "notes", batches("warm")[0]!.slice(0, 50))
  yield* engine.pull(alice, phone, "notes", { limit: 50 })

  const work = batches("bench")
  const t0 = performance.now()
  for (const batch of work) {
    const { outcomes } = yield* engine.push(alice, phone, "notes", batch)
    if (outcomes.some((o) => o._tag !== "applied")) return yield* Effect.dieMessage("a benchmark push was refused")
  }
  const push = RECORDS / ((performance.now() - t0) / 1_000)

  const t1 = performance.now()
  let cursor: string | undefined
  let pulled = 0
  while (true) {
    const page = yield* engine.pull(alice, phone, "notes", { limit: PAGE, ...(cursor ? { cursor } : {}) })
    pulled += page.changes.length
    cursor = page.cursor
    if (!page.hasMore) break
  }
  const pull = pulled / ((performance.now() - t1) / 1_000)
  if (pulled !== RECORDS + 50) return yield* Effect.dieMessage(`pulled ${pulled} records, expected ${RECORDS + 50}`)
  return { push, pull }
})

/** Runs the sync measurement on core over `custos` (core services with their storage). */
const custosOver = <E>(custos: Layer.Layer<AccountService | SyncSettingsService | SyncEngine, E>) =>
  Effect.runPromise(Effect.scoped(Effect.provide(syncThroughput, custos)).pipe(Effect.orDie))

/** The rows of the baselines, batch by batch: what a push stores per record, without sealing or bookkeeping. */
const baselineRows = () =>
  batches("base").map((batch, b) =>
    batch.map((m, k) => ({ id: m.recordId as string, seq: b * BATCH + k + 1, body: JSON.stringify(m.payload) }))
  )

const memoryBench = async () => {
  const custos = await custosOver(
    layerCoreServices.pipe(Layer.provide(Layer.mergeAll(layerMemoryStores, layerEphemeralKeys)))
  )
  const rows = baselineRows()
  const map = new Map<string, { readonly id: string; readonly seq: number; readonly body: string }>()
  const push = await rate(RECORDS, () => {
    for (const batch of rows) for (const row of batch) map.set(row.id, { id: row.id, seq: row.seq, body: row.body })
  })
  let pulled = 0
  const pull = await rate(RECORDS, () => {
    const ordered = [...map.values()].sort((a, b) => a.seq - b.seq)
    for (let at = 0; at < ordered.length; at += PAGE) pulled += ordered.slice(at, at + PAGE).length
  })
  const unit = "records/s"
  record({ target: "memory", operation: "push", unit, value: custos.push, baseline: { name: "Map.set", value: push } })
  record({ target: "memory", operation: "pull", unit, value: custos.pull, baseline: { name: "Map scan", value: pull } })
}

const sqliteBench = async (dir: string) => {
  const storage = layerSqlStores.pipe(Layer.provide(layerSqlite({ filename: join(dir, "custos.db") })))
  const custos = await custosOver(
    layerCoreServices.pipe(Layer.provide(Layer.mergeAll(layerMemoryStores, layerEphemeralKeys, storage)))
  )
  const db = openSqlite(join(dir, "raw.db"))
  try {
    db.pragma("journal_mode = WAL")
    db.exec("CREATE TABLE records (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, body TEXT NOT NULL)")
    db.exec("CREATE INDEX records_seq ON records (seq)")
    const insert = db.prepare("INSERT INTO records (id, seq, body) VALUES (?, ?, ?)")
    const insertBatch = db.transaction((batch: ReadonlyArray<{ id: string; seq: number; body: string }>) => {
      for (const row of batch) insert.run(row.id, row.seq, row.body)
    })
    const rows = baselineRows()
    const push = await rate(RECORDS, () => {
      for (const batch of rows) insertBatch(batch)
    })
    const page = db.prepare("SELECT id, seq, body FROM records WHERE seq > ? ORDER BY seq LIMIT ?")
    const pull = await rate(RECORDS, () => {
      let after = 0
      while (true) {
        const got = page.all(after, PAGE)
        if (got.length === 0) break
        after = Number(got[got.length - 1]!["seq"])
      }
    })
    record({
      target: "SQLite",
      operation: "push",
      unit: "records/s",
      value: custos.push,
      baseline: { name: "raw better-sqlite3", value: push }
    })
    record({
      target: "SQLite",
      operation: "pull",
      unit: "records/s",
      value: custos.pull,
      baseline: { name: "raw better-sqlite3", value: pull }
    })
  } finally {
    db.close()
  }
}

const pgUrl = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"

const withSearchPath = (url: string, schema: string) => {
  const parsed = new URL(url)
  parsed.searchParams.set("options", `-c search_path=${schema}`)
  return parsed.toString()
}

const pgBench = async () => {
  const admin = pgClient(pgUrl)
  try {
    await admin.connect()
  } catch (error) {
    skipped.push({ target: "PostgreSQL", reason: `no server at ${new URL(pgUrl).host}: ${String(error)}` })
    console.log(`PostgreSQL skipped: ${String(error)}`)
    return
  }
  const schemas = [`custos_bench_${randomBytes(6).toString("hex")}`, `custos_bench_${randomBytes(6).toString("hex")}`]
  let raw: RawPgClient | undefined
  try {
    for (const schema of schemas) await admin.query(`CREATE SCHEMA ${schema}`)
    const client = layerPgFromUrl(withSearchPath(pgUrl, schemas[0]!), { maxConnections: 5 })
    const storage = layerSqlStores.pipe(Layer.provide(client))
    const custos = await custosOver(
      layerCoreServices.pipe(Layer.provide(Layer.mergeAll(layerMemoryStores, layerEphemeralKeys, storage)))
    )
    raw = pgClient(withSearchPath(pgUrl, schemas[1]!))
    await raw.connect()
    const db = raw
    await db.query("CREATE TABLE records (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, body TEXT NOT NULL)")
    await db.query("CREATE INDEX records_seq ON records (seq)")
    const rows = baselineRows()
    const push = await rate(RECORDS, async () => {
      for (const batch of rows) {
        await db.query("BEGIN")
        for (const row of batch) {
          await db.query({
            name: "insert-record",
            text: "INSERT INTO records (id, seq, body) VALUES ($1, $2, $3)",
            values: [row.id, row.seq, row.body]
          })
        }
        await db.query("COMMIT")
      }
    })
    const pull = await rate(RECORDS, async () => {
      let after = 0
      while (true) {
        const { rows: got } = await db.query({
          name: "page-records",
          text: "SELECT id, seq, body FROM records WHERE seq > $1 ORDER BY seq LIMIT $2",
          values: [after, PAGE]
        })
        if (got.length === 0) break
        after = Number(got[got.length - 1]!["seq"])
      }
    })
    record({
      target: "PostgreSQL",
      operation: "push",
      unit: "records/s",
      value: custos.push,
      baseline: { name: "raw node-postgres", value: push }
    })
    record({
      target: "PostgreSQL",
      operation: "pull",
      unit: "records/s",
      value: custos.pull,
      baseline: { name: "raw node-postgres", value: pull }
    })
  } finally {
    await raw?.end().catch(() => undefined)
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined)
    await admin.end()
  }
}

const blobBench = async (dir: string) => {
  const MiB = 1024 * 1024
  const bytes = BLOB_MIB * MiB
  const chunk = randomBytes(MiB)
  const root = join(dir, "blobs")
  const id = BlobId.make("bench-video")
  const account = AccountId.make("acc_bench")
  const { read, write } = await Effect.runPromise(
    Effect.gen(function*() {
      const store = yield* BlobStore
      const upload = Stream.range(1, BLOB_MIB).pipe(Stream.as(new Uint8Array(chunk)))
      // Warm-up on a small blob, so the first figure does not pay for compiling the code path.
      yield* store.put(account, BlobId.make("warm"), Stream.take(upload, 2), { maxBytes: bytes })
      const t0 = performance.now()
      yield* store.put(account, id, upload, { maxBytes: bytes })
      const write = (bytes / MiB) / ((performance.now() - t0) / 1_000)
      const t1 = performance.now()
      const got = yield* Stream.runFold(store.get(account, id), 0, (n, part) => n + part.length)
      const read = (bytes / MiB) / ((performance.now() - t1) / 1_000)
      if (got !== bytes) return yield* Effect.dieMessage(`read ${got} bytes, expected ${bytes}`)
      return { read, write }
    }).pipe(Effect.provide(layerFsBlobStore({ root })), Effect.orDie)
  )
  const source = join(dir, "source.bin")
  const file = await Fs.open(source, "w")
  for (let i = 0; i < BLOB_MIB; i++) await file.write(chunk)
  await file.sync()
  await file.close()
  copyFileSync(source, join(dir, "warm.bin"))
  const copy = await rate(BLOB_MIB, () => copyFileSync(source, join(dir, "copy.bin")))
  const baseline = { name: "fs.copyFile", value: copy }
  record({ target: "blobs (fs)", operation: "write", unit: "MiB/s", value: write, baseline })
  record({ target: "blobs (fs)", operation: "read", unit: "MiB/s", value: read, baseline })
}

const markdown = (generatedAt: string, seconds: number) =>
  [
    "# Benchmark results",
    "",
    `Generated by \`npx -y pnpm@10.34.9 bench\` at commit ${commit} on ${generatedAt} in ${seconds.toFixed(1)} s`,
    `(Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}). ${RECORDS} notes of about`,
    `300 bytes pushed in batches of ${BATCH} and pulled in pages of ${PAGE}; a ${BLOB_MIB} MiB blob. Ratio = Custos /`,
    "baseline, both measured in this run; higher is better for every figure.",
    "",
    "| target | operation | Custos | baseline | baseline figure | ratio |",
    "|---|---|---:|---|---:|---:|",
    ...figures.map((f) =>
      `| ${f.target} | ${f.operation} | ${format(f.value)} ${f.unit} | ${f.baseline.name} | ` +
      `${format(f.baseline.value)} ${f.unit} | ${ratioText(f.ratio)} |`
    ),
    ...(skipped.length > 0 ? ["", ...skipped.map((s) => `- ${s.target} skipped: ${s.reason}`)] : []),
    "",
    "Custos pushes parse and check every payload, seal it (AES-128-GCM under an HKDF key per record), take the",
    "account's write lock and a sequence number, and remember every mutation id for retries; pulls open (decrypt)",
    "every record. The baselines store the same rows with none of that. `FsBlobStore` hashes, fsyncs and renames",
    "every upload; `fs.copyFile` may copy inside the kernel and does not fsync.",
    ""
  ].join("\n")

const main = async () => {
  const dir = mkdtempSync(join(tmpdir(), "custos-bench-"))
  try {
    const sections: ReadonlyArray<readonly [string, () => Promise<void>]> = [
      ["memory", memoryBench],
      ["SQLite", () => sqliteBench(dir)],
      ["PostgreSQL", pgBench],
      ["blobs (fs)", () => blobBench(dir)]
    ]
    for (const [name, run] of sections) {
      if (overBudget()) {
        skipped.push({ target: name, reason: `the run passed its ${BUDGET_MS / 1_000} s budget` })
        continue
      }
      await run()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const seconds = (performance.now() - started) / 1_000
  const generatedAt = new Date().toISOString()
  mkdirSync(here, { recursive: true })
  writeFileSync(
    join(here, "results.json"),
    `${
      JSON.stringify(
        {
          generatedAt,
          commit,
          seconds,
          node: process.version,
          cpu: cpus()[0]?.model,
          parameters: { records: RECORDS, batch: BATCH, page: PAGE, blobMiB: BLOB_MIB },
          figures,
          skipped
        },
        null,
        2
      )
    }\n`
  )
  writeFileSync(join(here, "RESULTS.md"), markdown(generatedAt, seconds))
  console.log(`\n${seconds.toFixed(1)} s; wrote ${join(here, "results.json")} and RESULTS.md`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
