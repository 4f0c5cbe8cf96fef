/**
 * The database drivers of the raw baselines: better-sqlite3 and node-postgres, loaded from where
 * @effect/sql-sqlite-node and @effect/sql-pg resolve them, so a baseline runs the very driver build Custos runs on
 * and the package gains no dependency. Only the few calls the benchmark makes are typed here.
 */
import { createRequire } from "node:module"

export interface RawSqliteStatement {
  /** Whether the statement returns rows. */
  readonly reader: boolean
  run(...params: ReadonlyArray<unknown>): unknown
  all(...params: ReadonlyArray<unknown>): Array<Record<string, unknown>>
}

export interface RawSqlite {
  exec(sql: string): void
  pragma(sql: string): unknown
  prepare(sql: string): RawSqliteStatement
  transaction<A extends ReadonlyArray<unknown>>(run: (...args: A) => void): (...args: A) => void
  close(): void
}

export interface RawPgClient {
  connect(): Promise<void>
  query(
    text: string | { readonly name?: string; readonly text: string; readonly values?: ReadonlyArray<unknown> },
    values?: ReadonlyArray<unknown>
  ): Promise<{ readonly rows: Array<Record<string, unknown>> }>
  end(): Promise<void>
}

const fromPackage = (owner: string) => createRequire(createRequire(import.meta.url).resolve(owner))

export const openSqlite = (filename: string): RawSqlite => {
  const Database = fromPackage("@effect/sql-sqlite-node")("better-sqlite3") as new(filename: string) => RawSqlite
  return new Database(filename)
}

export const pgClient = (connectionString: string): RawPgClient => {
  const pg = fromPackage("@effect/sql-pg")("pg") as {
    readonly Client: new(options: { connectionString: string; connectionTimeoutMillis: number }) => RawPgClient
  }
  return new pg.Client({ connectionString, connectionTimeoutMillis: 3_000 })
}
