/**
 * What the SQL stores share: the column type for 64-bit integers, turning driver and decoding failures into
 * `StoreError`, holding SQLite's one connection for a whole operation, and the per-account write lock.
 *
 * Both dialects run the same SQL except where noted with `onDialectOrElse`.
 */
import type { AccountId } from "@custos/core/domain/Ids"
import { refail, StoreError } from "@custos/core/ports/StoreError"
import { type SqlClient, TransactionConnection } from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import { Effect, Option, ParseResult, Schema } from "effect"

/**
 * The number a 64-bit integer column holds, or `undefined` when it holds no safe integer: what `Int64` decodes it
 * to or refuses. A string must be plain decimal digits, optionally signed with `-`.
 */
export const int64Value = (value: number | string | bigint): number | undefined => {
  const n = typeof value === "string" ? (/^-?\d+$/.test(value) ? Number(value) : NaN) : Number(value)
  return Number.isSafeInteger(n) ? n : undefined
}

/**
 * A 64-bit integer column as a JS number. PostgreSQL's driver returns `bigint` (and `count`, `sum`) as strings,
 * SQLite returns numbers, or bigints when safe integers are on; all of them decode here, and anything beyond
 * `Number.MAX_SAFE_INTEGER` is refused rather than rounded.
 */
export const Int64 = Schema.transformOrFail(
  Schema.Union(Schema.Number, Schema.String, Schema.BigIntFromSelf),
  Schema.Number,
  {
    strict: true,
    decode: (value, _, ast) => {
      const n = int64Value(value)
      return n !== undefined
        ? ParseResult.succeed(n)
        : ParseResult.fail(new ParseResult.Type(ast, value, `expected a safe integer, got ${String(value)}`))
    },
    encode: ParseResult.succeed
  }
)

/**
 * @effect/sql turns a failed COMMIT or ROLLBACK into a defect carrying the `SqlError`; this puts it back into the
 * error channel as a `StoreError`, like every other storage failure.
 */
const commitFailures = (operation: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.catchSomeDefect(effect, (defect) =>
    defect instanceof SqlError
      ? Option.some(Effect.fail(new StoreError({ operation, cause: defect })))
      : Option.none())

/** A store step whose every failure (SQL, decoding, commit) is a `StoreError` for `operation`. */
export const storeStep = (operation: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(refail(operation), commitFailures(operation))

/**
 * A transaction around caller code: `SqlError`s (BEGIN, COMMIT, ROLLBACK) become `StoreError`s, while the caller's
 * own failures pass through untouched.
 */
export const transactionStep = (operation: string) => <A, E, R>(effect: Effect.Effect<A, E | SqlError, R>) =>
  effect.pipe(
    Effect.catchIf(
      (error): error is SqlError => error instanceof SqlError,
      (cause) => Effect.fail(new StoreError({ operation, cause }))
    ),
    commitFailures(operation)
  ) as Effect.Effect<A, Exclude<E, SqlError> | StoreError, R>

/**
 * Runs a whole store operation holding the connection. @effect/sql-sqlite-node has one connection guarded by a
 * semaphore, but a plain statement only takes the semaphore to fetch the connection and releases it before it runs:
 * if the fiber yields in between, the statement can run inside another fiber's open transaction, read its
 * uncommitted rows, or have its write rolled back with it. A transaction holds the semaphore until COMMIT, so on
 * SQLite every operation is one. PostgreSQL gives each statement its own pooled connection and needs nothing.
 *
 * Inside a transaction the fiber already holds the connection, and its statements run on it: nothing more is needed,
 * and no savepoint is made (an operation wrapped here is a read or a single statement, which SQLite keeps atomic by
 * itself). That saves a statement, prepared anew each time, on every store call made inside a record transaction.
 */
export const makeExclusive = (sql: SqlClient) => {
  const sharesOneConnection = sql.onDialectOrElse({ sqlite: () => true, orElse: () => false })
  return <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R> =>
    sharesOneConnection
      ? Effect.flatMap(
        Effect.serviceOption(TransactionConnection),
        (held) => Option.isSome(held) ? effect : sql.withTransaction(effect)
      )
      : effect
}

const HeadRow = Schema.Struct({ head: Int64, horizon: Int64 })

/**
 * Takes the account's write lock for the rest of the current transaction and returns its counters. The lock is
 * the account's row in `custos_account_heads`, created on first use. PostgreSQL locks it with `SELECT ... FOR
 * UPDATE`: a second transaction of the account waits there until the first commits or rolls back. SQLite has no row
 * locks; there the INSERT, a write statement even when it inserts nothing, takes the database's write lock at once
 * (checked against SQLite 3.53), so the transaction never starts from a read snapshot that another process could
 * outdate, and within the process the client's semaphore already runs one transaction at a time.
 *
 * If the row is deleted while this waits for it (the account's data was deleted), the SELECT finds nothing and the
 * lock is taken again on a fresh row.
 */
export const lockAccount = (sql: SqlClient, accountId: AccountId) => {
  const insert = sql`INSERT INTO custos_account_heads (account_id, head, horizon) VALUES (${accountId}, 0, 0)
    ON CONFLICT (account_id) DO NOTHING`
  const select: Effect.Effect<ReadonlyArray<unknown>, SqlError> = sql.onDialectOrElse({
    sqlite: () => sql`SELECT head, horizon FROM custos_account_heads WHERE account_id = ${accountId}`,
    orElse: () => sql`SELECT head, horizon FROM custos_account_heads WHERE account_id = ${accountId} FOR UPDATE`
  })
  const attempt = Effect.zipRight(insert, select)
  const take = (attemptsLeft: number): Effect.Effect<typeof HeadRow.Type, SqlError | ParseResult.ParseError | Error> =>
    Effect.flatMap(attempt, (rows) =>
      rows.length > 0
        ? Schema.decodeUnknown(HeadRow)(rows[0])
        : attemptsLeft > 1
        ? take(attemptsLeft - 1)
        : Effect.fail(new Error(`the lock row of account ${accountId} keeps vanishing`)))
  return take(3)
}

/** The account's counters without locking; zeros before its first transaction. */
export const readHeads = (sql: SqlClient, accountId: AccountId) =>
  Effect.gen(function*() {
    const rows = yield* sql`SELECT head, horizon FROM custos_account_heads WHERE account_id = ${accountId}`
    return rows.length === 0 ? { head: 0, horizon: 0 } : yield* Schema.decodeUnknown(HeadRow)(rows[0])
  })
