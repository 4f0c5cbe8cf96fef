/**
 * `RecordStore` over SQL, one implementation for SQLite and PostgreSQL.
 *
 * A transaction takes the account's write lock first (its row in `custos_account_heads`, see `lockAccount`), then
 * every write takes the next `seq` from that row and upserts the record's latest state, all in the same database
 * transaction as the mutation log. Writes of one account therefore commit in `seq` order, and the row's `head` only
 * ever names committed changes: a pull that reads the head first can never pass a change that commits later
 * (DESIGN.md "Sync"). A failed transaction rolls back and leaves nothing, not even a used `seq`.
 *
 * Records keep plain columns; `blobs` and the remembered outcome are JSON text. Rows are read, and writes checked,
 * by the decoders of `internal/recordRows`: their Schemas' rules, checked by hand first because a Schema costs more
 * than the SQL that reads a page of rows.
 *
 * A transaction keeps its writes until its work is done and then stores them with a few statements, however many
 * there were: one UPDATE of the head to the last `seq` it handed out, one multi-row upsert of the records' latest
 * states and one multi-row insert into the mutation log (chunks of `rowsPerStatement`). Holding the lock, it numbers
 * its writes itself from the head it locked. What it read or wrote is remembered for its own later reads, and
 * `getMany` and `recallMutations` read many ids with one statement, so a push of 500 mutations costs a handful of
 * statements instead of seven per mutation. Before any other operation of this store runs inside the transaction
 * (a read through the port, a nested transaction), the kept writes are stored, so every read still sees them.
 */
import { App } from "@custos/core/domain/App"
import type { AccountId, MutationId, RecordId } from "@custos/core/domain/Ids"
import type { RememberedMutation } from "@custos/core/domain/Mutation"
import { StoredRecord } from "@custos/core/domain/Record"
import { RecordStore, type RecordTx } from "@custos/core/ports/RecordStore"
import type { StoreError } from "@custos/core/ports/StoreError"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Either, FiberRef, Layer, Option, Schema } from "effect"
import { changesStatement, dueStatement } from "./internal/recordQueries.js"
import {
  checkedMutationRow,
  checkedRecordRow,
  decodeFirstRecord,
  decodeMutations,
  decodeRecords,
  decodeStored,
  type MutationRow,
  type RecordRow,
  validateMutation
} from "./internal/recordRows.js"
import { Int64, lockAccount, makeExclusive, readHeads, storeStep, transactionStep } from "./internal/sqlStore.js"
import { layerMigrations } from "./SqlMigrations.js"

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

const ReferencingRow = Schema.Struct({ app: App, record_id: Schema.String })
const BlobIdRow = Schema.Struct({ blob_id: Schema.String })
const UsageRow = Schema.Struct({ records: Int64, bytes: Int64 })
const CompactRow = Schema.Struct({ removed: Int64, top: Schema.NullOr(Int64) })
const DeleteRow = Schema.Struct({ removed: Int64 })

/** Rows one multi-row statement writes or ids one `IN` list reads: 13 parameters a record, within every limit. */
export const rowsPerStatement = 500

interface TxState {
  readonly accountId: AccountId
  failure: StoreError | undefined
  wrote: boolean
  /** The last `seq` handed out; the head row is set to it when the writes are stored. */
  head: number
  /** What the transaction knows of records (`null`: there is none), by `app` and id. */
  readonly records: Map<string, StoredRecord | null>
  readonly mutations: Map<MutationId, RememberedMutation | null>
  /** Rows not stored yet: the latest state of each record written, each mutation remembered. */
  readonly pendingRecords: Map<string, typeof RecordRow.Encoded>
  readonly pendingMutations: Map<
    MutationId,
    typeof MutationRow.Encoded & { readonly account_id: string; readonly at: number }
  >
}

const keyOf = (app: App, id: string) => `${app}\u0000${id}`

const chunksOf = <A>(items: ReadonlyArray<A>): Array<ReadonlyArray<A>> => {
  const chunks: Array<ReadonlyArray<A>> = []
  for (let at = 0; at < items.length; at += rowsPerStatement) chunks.push(items.slice(at, at + rowsPerStatement))
  return chunks
}

export const make = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const exclusive = makeExclusive(sql)

  const selectRecord = (accountId: AccountId, app: App, id: string) =>
    sql`SELECT * FROM custos_records WHERE account_id = ${accountId} AND app = ${app} AND id = ${id}`.pipe(
      Effect.flatMap(decodeFirstRecord)
    )

  /** The open transaction of this store on the current fiber, if any. */
  const current = FiberRef.unsafeMake<TxState | undefined>(undefined)

  /** Stores what the transaction kept: the head, the records' latest states, the remembered mutations. */
  const flush = (state: TxState) =>
    Effect.gen(function*() {
      if (state.pendingRecords.size > 0) {
        yield* sql`UPDATE custos_account_heads SET head = ${state.head} WHERE account_id = ${state.accountId}`
        for (const rows of chunksOf([...state.pendingRecords.values()])) {
          yield* sql`INSERT INTO custos_records ${sql.insert(rows)}
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
              blobs = excluded.blobs`.pipe(storeStep("RecordTx.write"))
        }
        state.pendingRecords.clear()
      }
      if (state.pendingMutations.size > 0) {
        for (const rows of chunksOf([...state.pendingMutations.values()])) {
          yield* sql`INSERT INTO custos_mutations ${sql.insert(rows)}
            ON CONFLICT (account_id, mutation_id) DO UPDATE SET
              app = excluded.app,
              record_id = excluded.record_id,
              op = excluded.op,
              outcome = excluded.outcome,
              at = excluded.at`.pipe(storeStep("RecordTx.rememberMutation"))
        }
        state.pendingMutations.clear()
      }
    }).pipe(
      storeStep("RecordTx.write"),
      Effect.tapError((error) => Effect.sync(() => void (state.failure ??= error)))
    )

  /** Runs a store operation after storing what an open transaction on this fiber kept, so it sees those writes. */
  const afterPending = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.flatMap(FiberRef.get(current), (state) =>
      state !== undefined && (state.pendingRecords.size > 0 || state.pendingMutations.size > 0)
        ? Effect.zipRight(flush(state), effect)
        : effect)

  /** After a store operation that changes records inside an open transaction, that transaction reads afresh. */
  const forgetKnown = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.ensuring(
      effect,
      Effect.flatMap(FiberRef.get(current), (state) =>
        Effect.sync(() => {
          state?.records.clear()
          state?.mutations.clear()
        }))
    )

  /**
   * The operations of a transaction; they run on its connection, so they see its own writes. Each records its
   * failure and whether it wrote in `state`, for `transact` to judge the transaction by.
   */
  const makeTx = (state: TxState): RecordTx => {
    const { accountId } = state
    const step = (operation: string, writes: boolean) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      effect.pipe(
        storeStep(operation),
        Effect.tapBoth({
          onFailure: (error) => Effect.sync(() => void (state.failure ??= error)),
          onSuccess: () => Effect.sync(() => void (state.wrote ||= writes))
        })
      )

    /** Reads the records of `app` among `ids` the transaction does not know yet, and learns them. */
    const learnRecords = (app: App, ids: ReadonlyArray<string>) =>
      Effect.forEach(chunksOf([...new Set(ids.filter((id) => !state.records.has(keyOf(app, id))))]), (chunk) =>
        sql`SELECT * FROM custos_records
          WHERE account_id = ${accountId} AND app = ${app} AND id IN ${sql.in(chunk)}`.pipe(
          Effect.flatMap(decodeRecords),
          Effect.map((found) => {
            for (const id of chunk) state.records.set(keyOf(app, id), null)
            for (const record of found) state.records.set(keyOf(app, record.id), record)
          })
        ), { discard: true })

    const learnMutations = (ids: ReadonlyArray<MutationId>) =>
      Effect.forEach(chunksOf([...new Set(ids.filter((id) => !state.mutations.has(id)))]), (chunk) =>
        sql`SELECT mutation_id, app, record_id, op, outcome FROM custos_mutations
          WHERE account_id = ${accountId} AND mutation_id IN ${sql.in(chunk)}`.pipe(
          Effect.flatMap(decodeMutations),
          Effect.map((found) => {
            for (const id of chunk) state.mutations.set(id, null)
            for (const mutation of found) state.mutations.set(mutation.mutationId, mutation)
          })
        ), { discard: true })

    const known = <K, V>(ids: ReadonlyArray<K>, lookup: (id: K) => V | null | undefined) => {
      const found = new Map<K, V>()
      for (const id of ids) {
        const value = lookup(id)
        if (value !== null && value !== undefined) found.set(id, value)
      }
      return found
    }

    return {
      accountId,
      get: (app, id) =>
        learnRecords(app, [id]).pipe(
          Effect.map(() => Option.fromNullable(state.records.get(keyOf(app, id)))),
          step("RecordTx.get", false)
        ),
      getMany: (app, ids) =>
        learnRecords(app, ids).pipe(
          Effect.map(() => known(ids, (id: RecordId) => state.records.get(keyOf(app, id)))),
          step("RecordTx.getMany", false)
        ),
      // Checked and turned into its row at once (no statement runs until the transaction's work is done).
      write: (record) =>
        Effect.suspend(() =>
          Either.map(decodeStored({ ...record, accountId, seq: state.head + 1 }), (stored) => {
            state.head = stored.seq
            const key = keyOf(stored.app, stored.id)
            state.records.set(key, stored)
            state.pendingRecords.set(key, checkedRecordRow(stored))
            return stored
          })
        ).pipe(step("RecordTx.write", true)),
      recallMutation: (mutationId) =>
        learnMutations([mutationId]).pipe(
          Effect.map(() => Option.fromNullable(state.mutations.get(mutationId))),
          step("RecordTx.recallMutation", false)
        ),
      recallMutations: (ids) =>
        learnMutations(ids).pipe(
          Effect.map(() => known(ids, (id: MutationId) => state.mutations.get(id))),
          step("RecordTx.recallMutations", false)
        ),
      rememberMutation: (mutation, at) =>
        Effect.suspend(() =>
          Either.map(validateMutation(mutation), (checked) => {
            state.mutations.set(mutation.mutationId, mutation)
            const row = checkedMutationRow(checked)
            state.pendingMutations.set(mutation.mutationId, { account_id: accountId, ...row, at })
          })
        ).pipe(step("RecordTx.rememberMutation", true))
    }
  }

  /** A statement that fails on PostgreSQL when the transaction is lost; SQLite keeps a transaction going. */
  const stillAlive: Effect.Effect<unknown, SqlError> = sql.onDialectOrElse({
    pg: () => sql`SELECT 1`,
    orElse: () => Effect.void
  })

  /**
   * A storage step that failed fails the whole transaction, even if `work` caught the error and went on: its
   * writes could be half done (and on PostgreSQL the transaction is lost anyway). A transaction that wrote stores
   * its writes last, with statements that fail if the database gave up on the transaction (PostgreSQL does at its
   * first failed statement, and answers a later COMMIT with a silent ROLLBACK), so its writes are never reported as
   * committed when they were not.
   *
   * A transaction opened inside another one of this store (a savepoint) first stores what the outer one kept, and
   * the outer one forgets what it knew afterwards and numbers on from where the inner one ended.
   */
  const transact = <A, E>(accountId: AccountId, work: (tx: RecordTx) => Effect.Effect<A, E>) =>
    Effect.gen(function*() {
      const outer = yield* FiberRef.get(current)
      if (outer !== undefined) yield* flush(outer)
      const { head } = yield* lockAccount(sql, accountId).pipe(storeStep("RecordStore.transact"))
      const state: TxState = {
        accountId,
        failure: undefined,
        wrote: false,
        head,
        records: new Map(),
        mutations: new Map(),
        pendingRecords: new Map(),
        pendingMutations: new Map()
      }
      const result = yield* Effect.locally(work(makeTx(state)), current, state)
      if (state.failure !== undefined) return yield* Effect.fail(state.failure)
      const storesNow = state.pendingRecords.size > 0 || state.pendingMutations.size > 0
      yield* flush(state)
      if (state.failure !== undefined) return yield* Effect.fail(state.failure)
      // Writes stored earlier, before a read: a statement of its own tells whether the transaction still stands.
      if (state.wrote && !storesNow) yield* stillAlive.pipe(storeStep("RecordStore.transact"))
      if (outer !== undefined) {
        outer.records.clear()
        outer.mutations.clear()
        if (outer.accountId === accountId) outer.head = state.head
      }
      return result
    }).pipe(
      sql.withTransaction,
      transactionStep("RecordStore.transact"),
      Effect.tapError(() =>
        Effect.flatMap(FiberRef.get(current), (outer) =>
          Effect.sync(() => {
            outer?.records.clear()
            outer?.mutations.clear()
          })
        )
      )
    )

  return RecordStore.of({
    transact,
    get: (accountId, app, id) =>
      afterPending(exclusive(selectRecord(accountId, app, id))).pipe(storeStep("RecordStore.get")),
    changes: (accountId, query) =>
      afterPending(exclusive(changesStatement(sql, accountId, query))).pipe(
        Effect.flatMap(decodeRecords),
        storeStep("RecordStore.changes")
      ),
    head: (accountId) =>
      afterPending(exclusive(readHeads(sql, accountId))).pipe(
        Effect.map((heads) => heads.head),
        storeStep("RecordStore.head")
      ),
    horizon: (accountId) =>
      afterPending(exclusive(readHeads(sql, accountId))).pipe(
        Effect.map((heads) => heads.horizon),
        storeStep("RecordStore.horizon")
      ),
    list: (accountId, { afterSeq = 0, app, limit, state }) =>
      afterPending(exclusive(
        app === undefined
          ? sql`SELECT * FROM custos_records
              WHERE account_id = ${accountId} AND state = ${state} AND seq > ${afterSeq}
              ORDER BY seq LIMIT ${Math.max(0, limit)}`
          : sql`SELECT * FROM custos_records
              WHERE account_id = ${accountId} AND app = ${app} AND state = ${state} AND seq > ${afterSeq}
              ORDER BY seq LIMIT ${Math.max(0, limit)}`
      )).pipe(Effect.flatMap(decodeRecords), storeStep("RecordStore.list")),
    dueForPurge: (before, limit) =>
      afterPending(exclusive(dueStatement(sql, before, limit))).pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(DueFromRow))),
        storeStep("RecordStore.dueForPurge")
      ),
    referencing: (accountId, blobId) =>
      // `custos_record_blobs` is kept by the database's triggers on `custos_records` (see `SqlMigrations`).
      afterPending(exclusive(
        sql`SELECT b.app, b.record_id FROM custos_record_blobs AS b
          JOIN custos_records AS r ON r.account_id = b.account_id AND r.app = b.app AND r.id = b.record_id
          WHERE b.account_id = ${accountId} AND b.blob_id = ${blobId}
          ORDER BY r.seq`
      )).pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(ReferencingRow))),
        Effect.map((rows) =>
          rows.map((row) => ({ accountId, app: row.app, id: row.record_id as RecordId }))
        ),
        storeStep("RecordStore.referencing")
      ),
    referencedBlobs: (accountId) =>
      afterPending(exclusive(
        sql`SELECT DISTINCT blob_id FROM custos_record_blobs WHERE account_id = ${accountId}`
      )).pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(BlobIdRow))),
        Effect.map((rows) => new Set(rows.map((row) => row.blob_id))),
        storeStep("RecordStore.referencedBlobs")
      ),
    usage: (accountId) =>
      afterPending(exclusive(
        // Kept up to date by the database's triggers on `custos_records` (see `SqlMigrations`): one row, not a scan.
        sql`SELECT records, bytes FROM custos_account_usage WHERE account_id = ${accountId}`
      )).pipe(
        Effect.flatMap((rows) =>
          rows.length === 0 ? Effect.succeed({ records: 0, bytes: 0 }) : Schema.decodeUnknown(UsageRow)(rows[0])
        ),
        storeStep("RecordStore.usage")
      ),
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
      }).pipe(sql.withTransaction, afterPending, forgetKnown, storeStep("RecordStore.compact")),
    deleteAccount: (accountId) =>
      Effect.gen(function*() {
        yield* lockAccount(sql, accountId)
        const [found] = yield* sql`SELECT count(*) AS removed FROM custos_records WHERE account_id = ${accountId}`
        const { removed } = yield* Schema.decodeUnknown(DeleteRow)(found)
        yield* sql`DELETE FROM custos_records WHERE account_id = ${accountId}`
        yield* sql`DELETE FROM custos_mutations WHERE account_id = ${accountId}`
        yield* sql`DELETE FROM custos_account_usage WHERE account_id = ${accountId}`
        yield* sql`DELETE FROM custos_record_blobs WHERE account_id = ${accountId}`
        // Last: a transaction waiting for this row's lock finds it gone and starts the account afresh.
        yield* sql`DELETE FROM custos_account_heads WHERE account_id = ${accountId}`
        return removed
      }).pipe(sql.withTransaction, afterPending, forgetKnown, storeStep("RecordStore.deleteAccount"))
  })
})

/** `RecordStore` over the `SqlClient` in context; runs the migrations first. */
export const layer = Layer.effect(RecordStore, make).pipe(Layer.provide(layerMigrations))
