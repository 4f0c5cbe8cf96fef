/**
 * `AccountKeyStore` over SQL, one implementation for SQLite and PostgreSQL: the wrapped account keys of DESIGN.md
 * "Encryption at rest" in `custos_account_keys`, one row per (account, version), and one row per account in
 * `custos_account_key_states` that says whether its keys are `live` or `destroyed`.
 *
 * The state row is also the account's key lock. `put` and `destroy` both start by upserting it, which on
 * PostgreSQL locks the row until COMMIT (SQLite runs one write transaction at a time anyway), so they never
 * interleave: a `put` that waited for a `destroy` reads `destroyed` and fails, and a `destroy` that waited for a
 * `put` deletes the key that `put` committed. A destroyed account therefore never gets a key again, silently or
 * otherwise; only its marker remains. `rewrap` is one conditional UPDATE (compare-and-set on the master version).
 *
 * A read is one statement (the keys and the state row, UNION ALL), so it sees one snapshot on both dialects: keys of
 * a live account, or `destroyed`, never keys of a destroyed account.
 */
import { AccountId } from "@custos/core/domain/Ids"
import {
  AccountKeyStore,
  AccountKeysDestroyed,
  AccountKeyVersionExists,
  type StoredAccountKey
} from "@custos/core/ports/AccountKeyStore"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer, Option, Schema } from "effect"
import { makeExclusive, storeStep, transactionStep } from "./internal/sqlStore.js"
import { layerMigrations } from "./SqlMigrations.js"

const KeyRow = Schema.Struct({
  account_id: AccountId,
  version: Schema.Int,
  master_version: Schema.Int,
  // better-sqlite3 and node-postgres both hand binary columns over as a `Buffer`.
  sealed: Schema.Uint8ArrayFromSelf
})

const StateRow = Schema.Struct({ state: Schema.Literal("live", "destroyed") })

/** A row of a read: a key (state NULL), or the account's state row (the key columns NULL). */
const KeyOrStateRow = Schema.Union(
  Schema.Struct({ ...KeyRow.fields, state: Schema.Null }),
  Schema.Struct({
    account_id: AccountId,
    version: Schema.Null,
    master_version: Schema.Null,
    sealed: Schema.Null,
    state: Schema.Literal("live", "destroyed")
  })
)

const decodeKeys = Schema.decodeUnknown(Schema.Array(KeyRow))
const decodeKeysAndState = Schema.decodeUnknown(Schema.Array(KeyOrStateRow))
const decodeStates = Schema.decodeUnknown(Schema.Array(StateRow))

/** A key of its own, never a view into a driver's pooled buffer. */
const fromRow = (row: typeof KeyRow.Type): StoredAccountKey => ({
  accountId: row.account_id,
  version: row.version,
  wrapped: { masterVersion: row.master_version, sealed: new Uint8Array(row.sealed) }
})

const keyColumns = "account_id, version, master_version, sealed"

export const make = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const exclusive = makeExclusive(sql)
  const selected = sql.unsafe(keyColumns)

  const nullBytes = sql.onDialectOrElse({
    pg: () => sql.unsafe("CAST(NULL AS BYTEA)"),
    orElse: () => sql.unsafe("CAST(NULL AS BLOB)")
  })

  /**
   * Reads the account's keys (`version` given: that one) and its state in one statement, so the answer is one
   * snapshot on both dialects; `AccountKeysDestroyed` when the marker says so.
   */
  const liveKeys = (operation: string, accountId: AccountId, version?: number) =>
    (version === undefined
      ? sql`SELECT ${selected}, CAST(NULL AS TEXT) AS state FROM custos_account_keys WHERE account_id = ${accountId}
        UNION ALL
        SELECT account_id, CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), ${nullBytes}, state
          FROM custos_account_key_states WHERE account_id = ${accountId}`
      : sql`SELECT ${selected}, CAST(NULL AS TEXT) AS state FROM custos_account_keys
          WHERE account_id = ${accountId} AND version = ${version}
        UNION ALL
        SELECT account_id, CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), ${nullBytes}, state
          FROM custos_account_key_states WHERE account_id = ${accountId}`).pipe(
        Effect.flatMap(decodeKeysAndState),
        exclusive,
        storeStep(operation),
        Effect.flatMap((rows) => {
          const keys: Array<typeof KeyRow.Type> = []
          for (const row of rows) {
            if (row.state === "destroyed") return Effect.fail(new AccountKeysDestroyed({ accountId }))
            if (row.state === null) keys.push(row)
          }
          return Effect.succeed(keys.sort((a, b) => a.version - b.version))
        })
      )

  /**
   * Takes the account's key lock for the rest of the transaction (creating its state row as `live` on first use)
   * and returns its state.
   */
  const lockKeys = (accountId: AccountId, onConflict: "keep" | "destroy") =>
    (onConflict === "keep"
      ? sql`INSERT INTO custos_account_key_states (account_id, state) VALUES (${accountId}, 'live')
          ON CONFLICT (account_id) DO UPDATE SET state = custos_account_key_states.state RETURNING state`
      : sql`INSERT INTO custos_account_key_states (account_id, state) VALUES (${accountId}, 'destroyed')
          ON CONFLICT (account_id) DO UPDATE SET state = 'destroyed' RETURNING state`).pipe(
        Effect.flatMap(decodeStates),
        Effect.map((rows) => rows[0]?.state)
      )

  return AccountKeyStore.of({
    get: (accountId, version) =>
      liveKeys("AccountKeyStore.get", accountId, version).pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), fromRow))
      ),
    versions: (accountId) =>
      liveKeys("AccountKeyStore.versions", accountId).pipe(Effect.map((rows) => rows.map((row) => row.version))),
    put: (key) =>
      Effect.gen(function*() {
        const state = yield* lockKeys(key.accountId, "keep").pipe(storeStep("AccountKeyStore.put"))
        if (state !== "live") return yield* new AccountKeysDestroyed({ accountId: key.accountId })
        const inserted = yield* sql`INSERT INTO custos_account_keys ${
          sql.insert({
            account_id: key.accountId,
            version: key.version,
            master_version: key.wrapped.masterVersion,
            sealed: key.wrapped.sealed
          })
        } ON CONFLICT (account_id, version) DO NOTHING RETURNING version`.pipe(storeStep("AccountKeyStore.put"))
        if (inserted.length === 0) {
          return yield* new AccountKeyVersionExists({ accountId: key.accountId, version: key.version })
        }
      }).pipe(sql.withTransaction, transactionStep("AccountKeyStore.put")),
    rewrap: (key, expectedMasterVersion) =>
      exclusive(
        sql`UPDATE custos_account_keys
          SET master_version = ${key.wrapped.masterVersion}, sealed = ${key.wrapped.sealed}
          WHERE account_id = ${key.accountId} AND version = ${key.version}
            AND master_version = ${expectedMasterVersion}
          RETURNING version`
      ).pipe(Effect.map((updated) => updated.length > 0), storeStep("AccountKeyStore.rewrap")),
    list: ({ after, limit }) =>
      exclusive(
        after === undefined
          ? sql`SELECT ${selected} FROM custos_account_keys ORDER BY account_id, version LIMIT ${Math.max(0, limit)}`
          : sql`SELECT ${selected} FROM custos_account_keys
              WHERE (account_id, version) > (${after.accountId}, ${after.version})
              ORDER BY account_id, version LIMIT ${Math.max(0, limit)}`
      ).pipe(
        Effect.flatMap(decodeKeys),
        Effect.map((rows) => rows.map(fromRow)),
        storeStep("AccountKeyStore.list")
      ),
    destroy: (accountId) =>
      Effect.gen(function*() {
        yield* lockKeys(accountId, "destroy")
        const deleted = yield* sql`DELETE FROM custos_account_keys WHERE account_id = ${accountId} RETURNING version`
        return deleted.length
      }).pipe(
        sql.withTransaction,
        Effect.tap(() => forgetWrittenPages(sql)),
        storeStep("AccountKeyStore.destroy")
      )
  })
})

/**
 * On SQLite, after a destroy: copies the write-ahead log into the database file (where `secure_delete` has zeroed the
 * deleted keys) and truncates it, since its older frames still hold the pages as they were before the delete. A
 * reader in another process can keep part of the log from being copied; what is left goes at a later checkpoint.
 * PostgreSQL keeps a deleted row's old version until VACUUM reclaims it, and its WAL as configured: erasing those
 * bytes is the operator's (README, "Encryption at rest").
 */
const forgetWrittenPages = (sql: SqlClient.SqlClient) =>
  sql.onDialectOrElse({
    sqlite: () => Effect.asVoid(sql`PRAGMA wal_checkpoint(TRUNCATE)`),
    orElse: () => Effect.void
  })

/** `AccountKeyStore` over the `SqlClient` in context; runs the migrations first. */
export const layer = Layer.effect(AccountKeyStore, make).pipe(Layer.provide(layerMigrations))
