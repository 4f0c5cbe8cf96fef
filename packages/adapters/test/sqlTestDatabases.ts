/**
 * Throwaway databases for the SQL tests. Each one is made when its scope opens and removed when it closes: a SQLite
 * file in a fresh temp folder, or a PostgreSQL schema `custos_test_<random>` (reached through the connection's
 * `search_path`) dropped CASCADE after every client has closed. The `layer*Temp` Layers make one per build, so the
 * port suites, which build their Layer for every test, give each test a database of its own.
 *
 * PostgreSQL is `DATABASE_URL`, or the local default. `describePg` fails loudly in CI when it does not answer, and
 * skips with the reason in the name elsewhere.
 */
import { layerPgFromUrl } from "@custos/adapters/sql/PgLive"
import { layerSqlite } from "@custos/adapters/sql/SqliteLive"
import type { StoreError } from "@custos/core/ports/StoreError"
import * as Reactivity from "@effect/experimental/Reactivity"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import { describe, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Layer, Redacted, type Scope } from "effect"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export type Dialect = "sqlite" | "pg"

/** A database that lives as long as the scope it was made in. */
export interface TestDatabase {
  readonly dialect: Dialect
  /** Where it is: the file, or the schema. */
  readonly name: string
  /** A new client of it; each build opens its own connections, as another process would. */
  readonly client: Layer.Layer<SqlClient.SqlClient, StoreError>
}

export const sqliteDatabase: Effect.Effect<TestDatabase, never, Scope.Scope> = Effect.gen(function*() {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "custos-sqlite-"))),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )
  const filename = join(dir, "custos.db")
  return { dialect: "sqlite", name: filename, client: layerSqlite({ filename }) }
})

export const pgUrl = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"

/** Where the tests look for PostgreSQL, without any password. */
export const pgWhere = (() => {
  const url = new URL(pgUrl)
  return `${url.hostname}:${url.port || "5432"}${url.pathname}`
})()

/** A client of the database itself (public schema), for making and dropping test schemas. */
export const pgAdmin = PgClient.make({
  url: Redacted.make(pgUrl),
  maxConnections: 1,
  connectTimeout: Duration.seconds(5)
}).pipe(Effect.provide(Reactivity.layer))

/** The URL of `pgUrl` with `search_path` set to `schema` on every connection. */
const urlWithSchema = (schema: string) => {
  const url = new URL(pgUrl)
  url.searchParams.set("options", `-c search_path=${schema}`)
  return url.toString()
}

export const pgDatabase: Effect.Effect<TestDatabase, SqlError, Scope.Scope> = Effect.gen(function*() {
  const admin = yield* pgAdmin
  const schema = `custos_test_${randomBytes(8).toString("hex")}`
  yield* admin`CREATE SCHEMA ${admin(schema)}`
  yield* Effect.addFinalizer(() => admin`DROP SCHEMA IF EXISTS ${admin(schema)} CASCADE`.pipe(Effect.orDie))
  return { dialect: "pg", name: schema, client: layerPgFromUrl(urlWithSchema(schema), { maxConnections: 5 }) }
})

/** A client of a database of its own per build; the database goes when the Layer is released. */
export const layerTemp = <E>(
  database: Effect.Effect<TestDatabase, E, Scope.Scope>
): Layer.Layer<SqlClient.SqlClient, E | StoreError> =>
  Layer.unwrapScoped(Effect.map(database, (db) => db.client))

export const layerSqliteTemp = layerTemp(sqliteDatabase)
export const layerPgTemp = layerTemp(pgDatabase)

/** A failure in one line: its message, and its cause's (e.g. `ECONNREFUSED`). */
const reasonOf = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  const cause = (error as { readonly cause?: unknown }).cause
  return cause instanceof Error ? `${error.message} (${cause.message || cause.name})` : error.message
}

/** Whether PostgreSQL answers at `pgUrl`, and why not. */
const pgAvailability: Promise<{ readonly ok: true } | { readonly ok: false; readonly reason: string }> =
  Effect.runPromiseExit(
    Effect.scoped(Effect.flatMap(pgAdmin, (sql) => sql`SELECT 1`)).pipe(Effect.timeout(Duration.seconds(10)))
  ).then((exit) =>
    Exit.isSuccess(exit) ? { ok: true as const } : { ok: false as const, reason: reasonOf(Cause.squash(exit.cause)) }
  )

/**
 * Registers PostgreSQL tests. When the server answers they run. When it does not: in CI (`CI` set) they still run,
 * and fail, beside one more test that fails naming the server and the reason, so PostgreSQL is never silently
 * skipped there; elsewhere they are skipped with the reason in the name of their block.
 */
export const describePg = async (name: string, register: () => void) => {
  const availability = await pgAvailability
  if (availability.ok) {
    describe(name, register)
  } else if (process.env["CI"]) {
    describe(name, () => {
      it(`PostgreSQL answers at ${pgWhere} (required in CI)`, () => {
        throw new Error(`PostgreSQL at ${pgWhere} did not answer: ${availability.reason}`)
      })
      register()
    })
  } else {
    describe.skip(`${name} (skipped: no PostgreSQL at ${pgWhere}: ${availability.reason}; set DATABASE_URL)`, register)
  }
}
