/**
 * A SQLite database file as the `SqlClient` of the SQL stores: the embedded default, no server needed.
 *
 * @effect/sql-sqlite-node (better-sqlite3) keeps one connection per client and runs one transaction at a time on
 * it; the stores hold it for every operation (see `internal/sqlStore.ts`). The file is opened in WAL mode, so
 * readers in other processes never block the writer, with a busy timeout, so a second process waits for the write
 * lock instead of failing at once, and with foreign keys enforced. Its folder is created if missing.
 *
 * `secure_delete` is on: SQLite overwrites what a DELETE removes with zeros instead of leaving it in free space, so a
 * destroyed account key or a purged record's sealed body (its salt with it) is gone from the file, not only
 * unlinked. The write-ahead log still holds the pages as they were written until a checkpoint; destroying an
 * account's keys ends with one that empties the log (`AccountKeyStoreSql`).
 */
import { StoreError } from "@custos/core/ports/StoreError"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Cause, Context, Duration, Effect, Layer } from "effect"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"

export interface SqliteOptions {
  /** The database file, e.g. `data/custos.db`; `:memory:` for a database that lives as long as the Layer. */
  readonly filename: string
  /** How long a statement waits for another process's write lock; 5 seconds by default. */
  readonly busyTimeout?: Duration.DurationInput | undefined
}

const open = (options: SqliteOptions) =>
  Effect.gen(function*() {
    if (options.filename !== ":memory:" && options.filename !== "") {
      mkdirSync(dirname(options.filename), { recursive: true })
    }
    const client = yield* SqliteClient.make({ filename: options.filename })
    const busyTimeout = Math.round(Duration.toMillis(options.busyTimeout ?? Duration.seconds(5)))
    // PRAGMAs take no bound parameters; both values are numbers or constants.
    yield* client.unsafe(`PRAGMA busy_timeout = ${busyTimeout}`)
    yield* client`PRAGMA foreign_keys = ON`
    yield* client`PRAGMA secure_delete = ON`
    const [mode] = yield* client<{ journal_mode: string }>`PRAGMA journal_mode`
    if (options.filename !== ":memory:" && mode?.journal_mode !== "wal") {
      return yield* Effect.fail(new Error(`the database is in ${mode?.journal_mode} mode, not WAL`))
    }
    return Context.make(SqliteClient.SqliteClient, client).pipe(Context.add(SqlClient.SqlClient, client))
  }).pipe(
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.failCause(cause as Cause.Cause<never>)
        : Effect.fail(
          new StoreError({ operation: `open SQLite database ${options.filename}`, cause: Cause.squash(cause) })
        )
    )
  )

/** `SqlClient` (and `SqliteClient`) over the SQLite file `filename`, closed when the Layer is released. */
export const layerSqlite = (
  options: SqliteOptions
): Layer.Layer<SqliteClient.SqliteClient | SqlClient.SqlClient, StoreError> =>
  Layer.scopedContext(open(options)).pipe(Layer.provide(Reactivity.layer))
