/**
 * `AccessLogStore` over SQL, one implementation for SQLite and PostgreSQL (§4.1.5, DESIGN.md "Encryption at rest":
 * the access log). Entries are rows of `custos_access_log`, one per (account, index), written once and never
 * updated; the record ids are a JSON array.
 *
 * Appends of one account run one after the other, each seeing the entry before it: on PostgreSQL the transaction
 * takes an advisory lock named after the account (`pg_advisory_xact_lock`, held until it ends), on SQLite a write
 * statement first takes the database's write lock. It is the log's own lock, not the record lock, so a pull that
 * logs what it opened never waits for a push of the same account. An entry that does not continue the chain
 * (another account, not the next index, not linked to the newest entry's hash) is refused with `StoreError` and
 * nothing is stored; the primary key refuses a repeated index even if a lock failed.
 */
import {
  AccessActor,
  AccessApp,
  AccessEntry,
  AccessPurpose,
  type ChainHead,
  genesisHash
} from "@custos/core/domain/AccessLog"
import type { AccountId } from "@custos/core/domain/Ids"
import { AccessLogStore } from "@custos/core/ports/AccessLogStore"
import { StoreError } from "@custos/core/ports/StoreError"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer, Option, Schema } from "effect"
import { Int64, makeExclusive, storeStep, transactionStep } from "./internal/sqlStore.js"
import { layerMigrations } from "./SqlMigrations.js"

const EntryRow = Schema.Struct({
  account_id: Schema.String,
  idx: Int64,
  at: Int64,
  actor_kind: AccessActor.fields.kind,
  actor_id: Schema.String,
  purpose: AccessPurpose,
  app: AccessApp,
  record_ids: Schema.String,
  prev_hash: Schema.String,
  hash: Schema.String
})

/** A row of `custos_access_log` and the entry it holds, checked against the entry Schema both ways. */
const EntryFromRow = Schema.transform(
  EntryRow,
  Schema.Struct({ ...AccessEntry.fields, recordIds: Schema.parseJson(AccessEntry.fields.recordIds) }),
  {
    strict: true,
    decode: (row) => ({
      accountId: row.account_id,
      index: row.idx,
      at: row.at,
      actor: { kind: row.actor_kind, id: row.actor_id },
      purpose: row.purpose,
      app: row.app,
      recordIds: row.record_ids,
      prevHash: row.prev_hash,
      hash: row.hash
    }),
    encode: (entry) => ({
      account_id: entry.accountId,
      idx: entry.index,
      at: entry.at,
      actor_kind: entry.actor.kind,
      actor_id: entry.actor.id,
      purpose: entry.purpose,
      app: entry.app,
      record_ids: entry.recordIds,
      prev_hash: entry.prevHash,
      hash: entry.hash
    })
  }
)

const decodeEntries = Schema.decodeUnknown(Schema.Array(EntryFromRow))
const NewestRow = Schema.Struct({ idx: Int64, hash: Schema.String })

/** Seeds the hash that names an account's advisory lock, apart from other advisory locks of the database. */
const lockNamespace = 7_316_807_010_231_002

const columns = "account_id, idx, at, actor_kind, actor_id, purpose, app, record_ids, prev_hash, hash"

export const make = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const exclusive = makeExclusive(sql)
  const selected = sql.unsafe(columns)

  /**
   * Locks the account's log until the transaction ends and returns its newest entry. The DELETE that matches nothing
   * is there for its lock: a write statement takes SQLite's write lock at once, before the read.
   */
  const lockLog = (accountId: AccountId) =>
    Effect.gen(function*() {
      yield* sql.onDialectOrElse({
        pg: () => sql`SELECT pg_advisory_xact_lock(hashtextextended(${accountId}, ${lockNamespace}))`,
        orElse: () => sql`DELETE FROM custos_access_log WHERE account_id = ${accountId} AND idx < 0`
      })
      const rows = yield* sql`SELECT idx, hash FROM custos_access_log WHERE account_id = ${accountId}
        ORDER BY idx DESC LIMIT 1`
      if (rows.length === 0) return Option.none<ChainHead>()
      const newest = yield* Schema.decodeUnknown(NewestRow)(rows[0])
      return Option.some({ index: newest.idx, hash: newest.hash })
    })

  return AccessLogStore.of({
    append: (accountId, build) =>
      Effect.gen(function*() {
        const last = yield* lockLog(accountId).pipe(storeStep("AccessLogStore.append"))
        const entry = yield* build(last)
        const expected = Option.match(last, { onNone: () => 1, onSome: (head) => head.index + 1 })
        const prevHash = Option.match(last, { onNone: () => genesisHash, onSome: (head) => head.hash })
        if (entry.accountId !== accountId || entry.index !== expected || entry.prevHash !== prevHash) {
          return yield* new StoreError({
            operation: "AccessLogStore.append",
            cause: new Error(`the entry must be entry ${expected} of ${accountId}`)
          })
        }
        yield* Schema.encode(EntryFromRow)(entry).pipe(
          Effect.flatMap((row) => sql`INSERT INTO custos_access_log ${sql.insert(row)}`),
          storeStep("AccessLogStore.append")
        )
        return entry
      }).pipe(sql.withTransaction, transactionStep("AccessLogStore.append")),
    list: (accountId, { after = 0, limit }) =>
      exclusive(
        sql`SELECT ${selected} FROM custos_access_log WHERE account_id = ${accountId} AND idx > ${after}
          ORDER BY idx LIMIT ${Math.max(0, limit)}`
      ).pipe(Effect.flatMap(decodeEntries), storeStep("AccessLogStore.list")),
    deleteAccount: (accountId) =>
      Effect.gen(function*() {
        yield* lockLog(accountId)
        const deleted = yield* sql`DELETE FROM custos_access_log WHERE account_id = ${accountId} RETURNING idx`
        return deleted.length
      }).pipe(sql.withTransaction, storeStep("AccessLogStore.deleteAccount"))
  })
})

/** `AccessLogStore` over the `SqlClient` in context; runs the migrations first. */
export const layer = Layer.effect(AccessLogStore, make).pipe(Layer.provide(layerMigrations))
