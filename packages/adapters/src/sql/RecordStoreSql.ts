/**
 * `RecordStore` over SQL, one implementation for SQLite and PostgreSQL.
 *
 * A transaction takes the account's write lock first (its row in `custos_account_heads`, see `lockAccount`), then
 * every write takes the next `seq` from that row and upserts the record's latest state, all in the same database
 * transaction as the mutation log. Writes of one account therefore commit in `seq` order, and the row's `head` only
 * ever names committed changes: a pull that reads the head first can never pass a change that commits later
 * (DESIGN.md "Sync"). A failed transaction rolls back and leaves nothing, not even a used `seq`.
 *
 * Records keep plain columns; `blobs` and the remembered outcome are JSON text, decoded with their Schemas on read.
 */
import { App } from "@custos/core/domain/App"
import type { AccountId } from "@custos/core/domain/Ids"
import { Applied, RememberedMutation } from "@custos/core/domain/Mutation"
import { RecordState, StoredRecord } from "@custos/core/domain/Record"
import { RecordStore, type RecordTx } from "@custos/core/ports/RecordStore"
import type { StoreError } from "@custos/core/ports/StoreError"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Layer, Option, Schema } from "effect"
import { changesStatement, dueStatement } from "./internal/recordQueries.js"
import { Int64, lockAccount, makeExclusive, readHeads, storeStep, transactionStep } from "./internal/sqlStore.js"
import { layerMigrations } from "./SqlMigrations.js"

const RecordRow = Schema.Struct({
  account_id: Schema.String,
  app: App,
  id: Schema.String,
  version: Int64,
  seq: Int64,
  state: RecordState,
  body: Schema.NullOr(Schema.String),
  changed_at: Int64,
  changed_by: Schema.NullOr(Schema.String),
  trashed_at: Schema.NullOr(Int64),
  delete_by: Schema.NullOr(Int64),
  size: Int64,
  blobs: Schema.NullOr(Schema.String)
})

/** A row of `custos_records` and the record it holds; absent fields are NULL columns. */
const RecordFromRow = Schema.transform(
  RecordRow,
  Schema.Struct({ ...StoredRecord.fields, blobs: Schema.optional(Schema.parseJson(Schema.Array(Schema.String))) }),
  {
    strict: true,
    decode: (row) => ({
      accountId: row.account_id,
      app: row.app,
      id: row.id,
      version: row.version,
      seq: row.seq,
      state: row.state,
      changedAt: row.changed_at,
      size: row.size,
      ...(row.body !== null ? { body: row.body } : {}),
      ...(row.changed_by !== null ? { changedBy: row.changed_by } : {}),
      ...(row.trashed_at !== null ? { trashedAt: row.trashed_at } : {}),
      ...(row.delete_by !== null ? { deleteBy: row.delete_by } : {}),
      ...(row.blobs !== null ? { blobs: row.blobs } : {})
    }),
    encode: (record) => ({
      account_id: record.accountId,
      app: record.app,
      id: record.id,
      version: record.version,
      seq: record.seq,
      state: record.state,
      body: record.body ?? null,
      changed_at: record.changedAt,
      changed_by: record.changedBy ?? null,
      trashed_at: record.trashedAt ?? null,
      delete_by: record.deleteBy ?? null,
      size: record.size,
      blobs: record.blobs ?? null
    })
  }
)

const MutationRow = Schema.Struct({
  mutation_id: Schema.String,
  app: App,
  record_id: Schema.String,
  op: RememberedMutation.fields.op,
  outcome: Schema.String
})

/** A row of `custos_mutations` and the mutation it remembers; the outcome is JSON text. */
const MutationFromRow = Schema.transform(
  MutationRow,
  Schema.Struct({ ...RememberedMutation.fields, outcome: Schema.parseJson(Applied) }),
  {
    strict: true,
    decode: (row) => ({
      mutationId: row.mutation_id,
      app: row.app,
      recordId: row.record_id,
      op: row.op,
      outcome: row.outcome
    }),
    encode: (mutation) => ({
      mutation_id: mutation.mutationId,
      app: mutation.app,
      record_id: mutation.recordId,
      op: mutation.op,
      outcome: mutation.outcome
    })
  }
)

const DueRow = Schema.Struct({ account_id: Schema.String, app: App, id: Schema.String })
const DueFromRow = Schema.transform(
  DueRow,
  Schema.Struct({
    accountId: StoredRecord.fields.accountId,
    app: App,
    id: StoredRecord.fields.id
  }),
  {
    strict: true,
    decode: (row) => ({ accountId: row.account_id, app: row.app, id: row.id }),
    encode: (due) => ({ account_id: due.accountId, app: due.app, id: due.id })
  }
)

const UsageRow = Schema.Struct({ records: Int64, bytes: Int64 })
const CompactRow = Schema.Struct({ removed: Int64, top: Schema.NullOr(Int64) })
const SeqRow = Schema.Struct({ head: Int64 })
const DeleteRow = Schema.Struct({ removed: Int64 })

interface TxState {
  failure: StoreError | undefined
  wrote: boolean
}

const decodeRecords = Schema.decodeUnknown(Schema.Array(RecordFromRow))
const decodeRecord = (rows: ReadonlyArray<unknown>) =>
  rows.length === 0 ? Effect.succeedNone : Effect.asSome(Schema.decodeUnknown(RecordFromRow)(rows[0]))
const encodeRecord = Schema.encode(RecordFromRow)
const encodeMutation = Schema.encode(MutationFromRow)

export const make = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const exclusive = makeExclusive(sql)

  const selectRecord = (accountId: AccountId, app: App, id: string) =>
    sql`SELECT * FROM custos_records WHERE account_id = ${accountId} AND app = ${app} AND id = ${id}`.pipe(
      Effect.flatMap(decodeRecord)
    )

  /**
   * The operations of a transaction; they run on its connection, so they see its own writes. Each records its
   * failure and whether it wrote in `state`, for `transact` to judge the transaction by.
   */
  const makeTx = (accountId: AccountId, state: TxState): RecordTx => {
    const step = (operation: string, writes: boolean) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      effect.pipe(
        storeStep(operation),
        Effect.tapBoth({
          onFailure: (error) => Effect.sync(() => void (state.failure ??= error)),
          onSuccess: () => Effect.sync(() => void (state.wrote ||= writes))
        })
      )
    return {
      accountId,
      get: (app, id) => selectRecord(accountId, app, id).pipe(step("RecordTx.get", false)),
      write: (record) =>
        Effect.gen(function*() {
          const [next] = yield* sql`UPDATE custos_account_heads SET head = head + 1
            WHERE account_id = ${accountId} RETURNING head`
          const { head } = yield* Schema.decodeUnknown(SeqRow)(next)
          const stored = yield* Schema.decodeUnknown(StoredRecord)({ ...record, accountId, seq: head })
          const row = yield* encodeRecord(stored)
          yield* sql`INSERT INTO custos_records ${sql.insert(row)}
            ON CONFLICT (account_id, app, id) DO UPDATE SET
              version = excluded.version,
              seq = excluded.seq,
              state = excluded.state,
              body = excluded.body,
              changed_at = excluded.changed_at,
              changed_by = excluded.changed_by,
              trashed_at = excluded.trashed_at,
              delete_by = excluded.delete_by,
              size = excluded.size,
              blobs = excluded.blobs`
          return stored
        }).pipe(step("RecordTx.write", true)),
      recallMutation: (mutationId) =>
        Effect.gen(function*() {
          const rows = yield* sql`SELECT mutation_id, app, record_id, op, outcome FROM custos_mutations
            WHERE account_id = ${accountId} AND mutation_id = ${mutationId}`
          return rows.length === 0
            ? Option.none()
            : Option.some(yield* Schema.decodeUnknown(MutationFromRow)(rows[0]))
        }).pipe(step("RecordTx.recallMutation", false)),
      rememberMutation: (mutation, at) =>
        Effect.gen(function*() {
          const row = yield* encodeMutation(mutation)
          yield* sql`INSERT INTO custos_mutations ${sql.insert({ account_id: accountId, ...row, at })}
            ON CONFLICT (account_id, mutation_id) DO UPDATE SET
              app = excluded.app,
              record_id = excluded.record_id,
              op = excluded.op,
              outcome = excluded.outcome,
              at = excluded.at`
        }).pipe(step("RecordTx.rememberMutation", true))
    }
  }

  /**
   * PostgreSQL gives up on a transaction at its first failed statement and answers a later COMMIT with a silent
   * ROLLBACK. A statement of its own before COMMIT fails in that case, so the caller hears of it.
   */
  const stillAlive: Effect.Effect<unknown, SqlError> = sql.onDialectOrElse({
    pg: () => sql`SELECT 1`,
    orElse: () => Effect.void
  })

  /**
   * A storage step that failed fails the whole transaction, even if `work` caught the error and went on: its
   * writes could be half done (and on PostgreSQL the transaction is lost anyway). A transaction that wrote checks
   * before COMMIT that the database still has it, so its writes are never reported as committed when they were not.
   */
  const transact = <A, E>(accountId: AccountId, work: (tx: RecordTx) => Effect.Effect<A, E>) =>
    Effect.gen(function*() {
      yield* lockAccount(sql, accountId).pipe(storeStep("RecordStore.transact"))
      const state: TxState = { failure: undefined, wrote: false }
      const result = yield* work(makeTx(accountId, state))
      if (state.failure !== undefined) return yield* Effect.fail(state.failure)
      if (state.wrote) yield* stillAlive.pipe(storeStep("RecordStore.transact"))
      return result
    }).pipe(sql.withTransaction, transactionStep("RecordStore.transact"))

  return RecordStore.of({
    transact,
    get: (accountId, app, id) => exclusive(selectRecord(accountId, app, id)).pipe(storeStep("RecordStore.get")),
    changes: (accountId, query) =>
      exclusive(changesStatement(sql, accountId, query)).pipe(
        Effect.flatMap(decodeRecords),
        storeStep("RecordStore.changes")
      ),
    head: (accountId) =>
      exclusive(readHeads(sql, accountId)).pipe(Effect.map((heads) => heads.head), storeStep("RecordStore.head")),
    horizon: (accountId) =>
      exclusive(readHeads(sql, accountId)).pipe(
        Effect.map((heads) => heads.horizon),
        storeStep("RecordStore.horizon")
      ),
    list: (accountId, { afterSeq = 0, app, limit, state }) =>
      exclusive(
        app === undefined
          ? sql`SELECT * FROM custos_records
              WHERE account_id = ${accountId} AND state = ${state} AND seq > ${afterSeq}
              ORDER BY seq LIMIT ${Math.max(0, limit)}`
          : sql`SELECT * FROM custos_records
              WHERE account_id = ${accountId} AND app = ${app} AND state = ${state} AND seq > ${afterSeq}
              ORDER BY seq LIMIT ${Math.max(0, limit)}`
      ).pipe(Effect.flatMap(decodeRecords), storeStep("RecordStore.list")),
    dueForPurge: (before, limit) =>
      exclusive(dueStatement(sql, before, limit)).pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(DueFromRow))),
        storeStep("RecordStore.dueForPurge")
      ),
    usage: (accountId) =>
      exclusive(
        sql`SELECT count(*) AS records, coalesce(sum(size), 0) AS bytes FROM custos_records
          WHERE account_id = ${accountId} AND state IN ('active', 'trashed')`
      ).pipe(Effect.flatMap((rows) => Schema.decodeUnknown(UsageRow)(rows[0])), storeStep("RecordStore.usage")),
    compact: (accountId, before) =>
      Effect.gen(function*() {
        const { horizon } = yield* lockAccount(sql, accountId)
        const [found] = yield* sql`SELECT count(*) AS removed, max(seq) AS top FROM custos_records
          WHERE account_id = ${accountId} AND state = 'purged' AND changed_at < ${before}`
        const { removed, top } = yield* Schema.decodeUnknown(CompactRow)(found)
        if (removed > 0) {
          yield* sql`DELETE FROM custos_records
            WHERE account_id = ${accountId} AND state = 'purged' AND changed_at < ${before}`
          yield* sql`UPDATE custos_account_heads SET horizon = ${Math.max(horizon, top ?? 0)}
            WHERE account_id = ${accountId}`
        }
        yield* sql`DELETE FROM custos_mutations WHERE account_id = ${accountId} AND at < ${before}`
        return removed
      }).pipe(sql.withTransaction, storeStep("RecordStore.compact")),
    deleteAccount: (accountId) =>
      Effect.gen(function*() {
        yield* lockAccount(sql, accountId)
        const [found] = yield* sql`SELECT count(*) AS removed FROM custos_records WHERE account_id = ${accountId}`
        const { removed } = yield* Schema.decodeUnknown(DeleteRow)(found)
        yield* sql`DELETE FROM custos_records WHERE account_id = ${accountId}`
        yield* sql`DELETE FROM custos_mutations WHERE account_id = ${accountId}`
        // Last: a transaction waiting for this row's lock finds it gone and starts the account afresh.
        yield* sql`DELETE FROM custos_account_heads WHERE account_id = ${accountId}`
        return removed
      }).pipe(sql.withTransaction, storeStep("RecordStore.deleteAccount"))
  })
})

/** `RecordStore` over the `SqlClient` in context; runs the migrations first. */
export const layer = Layer.effect(RecordStore, make).pipe(Layer.provide(layerMigrations))
