/**
 * What the SQL stores promise beyond the port suites, checked on each dialect: migrations that run once (also when
 * started together), the indexes `changes` and `dueForPurge` rely on, storage failures that come out as
 * `StoreError`, data that outlives its client, and above all that a pull never misses a change committing late.
 */
import * as AccountKeyStoreSql from "@custos/adapters/sql/AccountKeyStoreSql"
import * as AccountStoreSql from "@custos/adapters/sql/AccountStoreSql"
import * as DeviceStoreSql from "@custos/adapters/sql/DeviceStoreSql"
import * as MembershipStoreSql from "@custos/adapters/sql/MembershipStoreSql"
import * as RecordStoreSql from "@custos/adapters/sql/RecordStoreSql"
import { migrate, migrations, migrationsTable } from "@custos/adapters/sql/SqlMigrations"
import { layerSqlStores } from "@custos/adapters/sql/SqlStores"
import * as SyncSettingsStoreSql from "@custos/adapters/sql/SyncSettingsStoreSql"
import { samples } from "@custos/conformance/Samples"
import { Region } from "@custos/core/domain/Account"
import type { App } from "@custos/core/domain/App"
import { decodeCursor } from "@custos/core/domain/Cursor"
import { AccountId, DeviceId, MutationId, RecordId } from "@custos/core/domain/Ids"
import type { Mutation } from "@custos/core/domain/Mutation"
import { type RecordWrite, Seq, Version } from "@custos/core/domain/Record"
import { defaultSyncSettings } from "@custos/core/domain/SyncSettings"
import type { Device } from "@custos/core/domain/Device"
import { PurchaseId, type StoredPurchase } from "@custos/core/domain/Membership"
import { PlanId } from "@custos/core/domain/Plan"
import { AccountKeyStore, type StoredAccountKey } from "@custos/core/ports/AccountKeyStore"
import { AccountStore } from "@custos/core/ports/AccountStore"
import { DeviceStore } from "@custos/core/ports/DeviceStore"
import { MembershipStore } from "@custos/core/ports/MembershipStore"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { SyncSettingsStore } from "@custos/core/ports/SyncSettingsStore"
import { AccountService } from "@custos/core/services/AccountService"
import { layerCoreServices } from "@custos/core/services/CoreServices"
import { MembershipService } from "@custos/core/services/MembershipService"
import { PrivacyService } from "@custos/core/services/PrivacyService"
import { RecordSealing } from "@custos/core/services/RecordSealing"
import { layerEphemeralKeys } from "@custos/adapters/keys/EphemeralKeys"
import { type PullResult, SyncEngine } from "@custos/core/services/SyncEngine"
import { SyncSettingsService } from "@custos/core/services/SyncSettingsService"
import { TrashSweeper } from "@custos/core/services/TrashSweeper"
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Context, Deferred, Effect, Either, Fiber, Layer, Option, type Scope, TestClock } from "effect"
import { changesStatement, dueStatement } from "../src/sql/internal/recordQueries.js"
import { mutationOfRow, recordOfRow } from "../src/sql/internal/recordRows.js"
import type { TestDatabase } from "./sqlTestDatabases.js"

/**
 * Storage for core with the SQL stores for every storage port (records, accounts, settings, memberships, devices,
 * account keys, deleted content, the access log, credentials, sessions) and ephemeral keys: nothing is kept in
 * memory; "core keeps ... in the database" below checks that it is in the database.
 */
export const storageOver = <E>(client: Layer.Layer<SqlClient.SqlClient, E>) =>
  Layer.merge(layerEphemeralKeys, layerSqlStores.pipe(Layer.provide(client)))

const alice = AccountId.make("acc_alice")
const thirtyDays = 30 * 24 * 60 * 60 * 1000
const phone = DeviceId.make("phone")
const tablet = DeviceId.make("tablet")
const laptop = DeviceId.make("laptop")

const purchase: StoredPurchase = {
  id: PurchaseId.make("order-1"),
  accountId: alice,
  planId: PlanId.make("plus"),
  purchasedAt: 5,
  validFrom: 5,
  validUntil: 2 ** 45,
  details: "sealed-envelope-text"
}

const device: Device = {
  accountId: alice,
  id: phone,
  name: "Phone",
  registeredAt: 1,
  lastSeenAt: 2,
  nextBackgroundSyncAt: 2 ** 44,
  syncWindowEndsAt: 4
}

const accountKey: StoredAccountKey = {
  accountId: alice,
  version: 1,
  wrapped: { masterVersion: 1, sealed: Uint8Array.from({ length: 60 }, (_, i) => i * 4) }
}

const note = (id: string, n: number): RecordWrite => ({
  accountId: alice,
  app: "notes",
  id: RecordId.make(id),
  version: Version.make(1),
  state: "active",
  body: JSON.stringify(samples.notes(n)),
  changedAt: 1_000,
  size: 40
})

const putNote = (id: string, n: number): Mutation => ({
  mutationId: MutationId.make(`m-${id}`),
  recordId: RecordId.make(id),
  op: "put",
  baseVersion: 0,
  payload: samples.notes(n)
})

/** How a dialect's database answers how it would run `statement`. */
const queryPlan = (sql: SqlClient.SqlClient, statement: Statement.Fragment) =>
  sql.onDialectOrElse({
    sqlite: () =>
      sql<{ detail: string }>`EXPLAIN QUERY PLAN ${statement}`.pipe(
        Effect.map((rows) => rows.map((row) => row.detail).join("\n"))
      ),
    // Tiny tables make a sequential scan cheapest, so it is ruled out: what is left shows which index serves.
    orElse: () =>
      sql.withTransaction(
        Effect.zipRight(
          sql`SET LOCAL enable_seqscan = off`,
          sql<{ "QUERY PLAN": string }>`EXPLAIN ${statement}`
        )
      ).pipe(Effect.map((rows) => rows.map((row) => row["QUERY PLAN"]).join("\n")))
  })

export const sqlDialectSuite = <E>(label: string, database: Effect.Effect<TestDatabase, E, Scope.Scope>) =>
  describe(`SQL stores on ${label}`, () => {
    /** Runs `effect` with a fresh database and one client of it. */
    const withClient = <A, Err>(effect: Effect.Effect<A, Err, SqlClient.SqlClient>) =>
      Effect.scoped(Effect.flatMap(database, (db) => Effect.provide(effect, db.client)))

    /** Runs `effect` with core services over a fresh database. */
    const withCore = <A, Err, R>(effect: Effect.Effect<A, Err, R>) =>
      Effect.scoped(Effect.flatMap(database, (db) =>
        Effect.provide(
          effect,
          layerCoreServices.pipe(Layer.provideMerge(storageOver(db.client)), Layer.provideMerge(db.client))
        )))

    it.effect("migrations run once; running them again, even several at once, changes nothing", () =>
      withClient(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const runs = yield* Effect.all([migrate, migrate, migrate], { concurrency: "unbounded" })
        const all: ReadonlyArray<readonly [number, string]> = [
          [1, "create_tables"],
          [2, "create_account_tables"],
          [3, "create_sign_in_tables"],
          [4, "create_access_log"],
          [5, "track_usage"],
          [6, "index_blob_references"]
        ]
        assert.deepStrictEqual(runs.filter((ran) => ran.length > 0), [all])
        assert.deepStrictEqual(yield* migrate, [])
        const recorded = yield* sql<{ migration_id: number; name: string }>`
          SELECT migration_id, name FROM custos_migrations ORDER BY migration_id`
        const names = recorded.map((row): readonly [number, string] => [Number(row.migration_id), row.name])
        assert.deepStrictEqual(names, all)
      })))

    it.effect("changes is a range scan of (account_id, app, seq); dueForPurge one of the partial receipt index", () =>
      withClient(Effect.gen(function*() {
        yield* migrate
        const sql = (yield* SqlClient.SqlClient).withoutTransforms()
        const changes = yield* queryPlan(sql, changesStatement(sql, alice, { app: "notes", afterSeq: 3, limit: 50 }))
        assert.include(changes, "custos_records_changes", changes)
        const due = yield* queryPlan(sql, dueStatement(sql, 5_000, 50))
        assert.include(due, "custos_records_due", due)
        // Both already come in index order: no sort step.
        assert.notMatch(changes, /TEMP B-TREE|Sort/, changes)
        assert.notMatch(due, /TEMP B-TREE|Sort/, due)
      })))

    it.effect("64-bit columns come back as numbers, whatever the driver returns", () =>
      withClient(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* migrate
        const store = yield* RecordStoreSql.make
        yield* store.transact(alice, (tx) => tx.write({ ...note("n1", 1), changedAt: 2 ** 52 }))
        const [raw] = yield* sql<{ seq: unknown; changed_at: unknown }>`SELECT seq, changed_at FROM custos_records`
        // node-postgres hands int8 over as text; SQLite as a number.
        assert.strictEqual(typeof raw!.seq, sql.onDialectOrElse({ pg: () => "string", orElse: () => "number" }))
        const [record] = yield* store.changes(alice, { app: "notes", afterSeq: 0, limit: 10 })
        assert.strictEqual(record!.seq, 1)
        assert.strictEqual(record!.changedAt, 2 ** 52)
        assert.strictEqual(yield* store.head(alice), 1)
        assert.deepStrictEqual(yield* store.usage(alice), { records: 1, bytes: 40 })
      })))

    it.effect("the rows this database returns are read by the hand-written checks, not the Schemas", () =>
      withClient(Effect.gen(function*() {
        yield* migrate
        const sql = (yield* SqlClient.SqlClient).withoutTransforms()
        const store = yield* RecordStoreSql.make
        yield* store.transact(alice, (tx) =>
          Effect.gen(function*() {
            yield* tx.write(note("n1", 1))
            const trashed = yield* tx.write({
              ...note("n2", 2),
              state: "trashed",
              changedBy: DeviceId.make("phone"),
              trashedAt: 2 ** 52,
              deleteBy: 2 ** 52 + 1,
              blobs: ["b1", "b2"]
            })
            yield* tx.rememberMutation({
              mutationId: MutationId.make("m-1"),
              app: "notes",
              recordId: trashed.id,
              op: "delete",
              outcome: {
                _tag: "applied",
                mutationId: MutationId.make("m-1"),
                recordId: trashed.id,
                version: trashed.version,
                seq: trashed.seq,
                state: "trashed"
              }
            }, 1_000)
          }))
        const records = yield* sql`SELECT * FROM custos_records ORDER BY seq`
        assert.strictEqual(records.length, 2)
        for (const row of records) assert.isDefined(recordOfRow(row), JSON.stringify(row))
        const mutations = yield* sql`SELECT mutation_id, app, record_id, op, outcome FROM custos_mutations`
        assert.strictEqual(mutations.length, 1)
        assert.isDefined(mutationOfRow(mutations[0]), JSON.stringify(mutations[0]))
      })))

    it.effect("usage and blob references are kept by the database and equal a recount after every kind of write", () =>
      withClient(Effect.gen(function*() {
        yield* migrate
        const sql = (yield* SqlClient.SqlClient).withoutTransforms()
        const store = yield* RecordStoreSql.make
        const bob = AccountId.make("acc_bob")
        const recount = (accountId: AccountId) =>
          Effect.map(
            sql<{ records: unknown; bytes: unknown }>`SELECT count(*) AS records, coalesce(sum(size), 0) AS bytes
              FROM custos_records WHERE account_id = ${accountId} AND state <> 'purged'`,
            ([row]) => ({ records: Number(row!.records), bytes: Number(row!.bytes) })
          )
        /** The blob ids each active or trashed record names, by blob id, read from the records themselves. */
        const namedBlobs = (accountId: AccountId) =>
          Effect.map(
            sql<{ app: string; id: string; blobs: string | null }>`SELECT app, id, blobs FROM custos_records
              WHERE account_id = ${accountId} AND state <> 'purged' ORDER BY seq`,
            (rows) => {
              const named = new Map<string, Array<{ accountId: AccountId; app: App; id: RecordId }>>()
              for (const row of rows) {
                for (const blob of new Set<string>(row.blobs === null ? [] : JSON.parse(row.blobs))) {
                  named.set(blob, [...(named.get(blob) ?? []), {
                    accountId,
                    app: row.app as App,
                    id: RecordId.make(row.id)
                  }])
                }
              }
              return named
            }
          )
        const agrees = (step: string) =>
          Effect.forEach([alice, bob], (accountId) =>
            Effect.gen(function*() {
              assert.deepStrictEqual(yield* store.usage(accountId), yield* recount(accountId), `${step}, ${accountId}`)
              const named = yield* namedBlobs(accountId)
              assert.deepStrictEqual(
                [...(yield* store.referencedBlobs(accountId))].sort(),
                [...named.keys()].sort(),
                `${step}, ${accountId}: referenced blobs`
              )
              for (const blob of blobIds) {
                assert.deepStrictEqual(
                  yield* store.referencing(accountId, blob),
                  named.get(blob) ?? [],
                  `${step}, ${accountId}: records naming ${blob}`
                )
              }
            }), { discard: true })
        // A fixed pseudo-random walk (mulberry32): the same writes every run, of every kind a store sees.
        let seed = 20_261_204
        const random = () => {
          seed = (seed + 0x6d2b79f5) | 0
          let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
          t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
          return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
        }
        const pick = (n: number) => Math.floor(random() * n)
        const blobIds = ["photo_1", "photo_2", "photo-3", "thumb.4", "video_5"]
        /** No blobs, or a few (sometimes one twice), as records of every app may name them. */
        const someBlobs = () =>
          pick(3) === 0 ? undefined : Array.from({ length: pick(4) }, () => blobIds[pick(blobIds.length)]!)
        const versions = new Map<string, number>()
        const write = (accountId: AccountId): RecordWrite => {
          const id = `r${pick(12)}`
          const version = (versions.get(`${accountId}/${id}`) ?? 0) + 1
          versions.set(`${accountId}/${id}`, version)
          const state = (["active", "active", "trashed", "purged"] as const)[pick(4)]!
          const blobs = someBlobs()
          const base = {
            ...note(id, version),
            accountId,
            version: Version.make(version),
            changedAt: 1_000 + version,
            ...(blobs === undefined ? {} : { blobs })
          }
          return state === "purged"
            ? { ...base, state, body: undefined, size: 0 }
            : state === "trashed"
            ? { ...base, state, trashedAt: 1_000, deleteBy: 9_000, size: 1 + pick(500) }
            : { ...base, size: 1 + pick(500) }
        }
        for (let step = 0; step < 60; step++) {
          const accountId = pick(3) === 0 ? bob : alice
          const kind = pick(10)
          if (kind < 7) {
            // A batch, sometimes writing one record twice.
            const writes = Array.from({ length: 1 + pick(15) }, () => write(accountId))
            yield* store.transact(accountId, (tx) => Effect.forEach(writes, (w) => tx.write(w), { discard: true }))
          } else if (kind === 7) {
            yield* store.compact(accountId, 1_000_000)
          } else if (kind === 8) {
            // Written by hand, past the store: the database still keeps the figures and the references.
            yield* sql`UPDATE custos_records SET size = size + 7 WHERE account_id = ${accountId} AND state = 'active'`
            yield* sql`UPDATE custos_records SET blobs = ${JSON.stringify(["photo_2"])}
              WHERE account_id = ${accountId} AND id = ${`r${pick(12)}`}`
          } else {
            yield* sql`DELETE FROM custos_records WHERE account_id = ${accountId} AND id = ${`r${pick(12)}`}`
          }
          yield* agrees(`step ${step}`)
        }
        const before = yield* store.usage(alice)
        assert.isAbove(before.records, 0)
        // A transaction that fails leaves the figures as they were.
        yield* Effect.flip(store.transact(alice, (tx) =>
          Effect.zipRight(tx.write({ ...note("extra", 1), size: 400 }), Effect.fail("changed my mind"))))
        assert.deepStrictEqual(yield* store.usage(alice), before)
        yield* store.deleteAccount(alice)
        assert.deepStrictEqual(yield* store.usage(alice), { records: 0, bytes: 0 })
        const [left] = yield* sql<{ n: unknown }>`SELECT count(*) AS n FROM custos_account_usage WHERE account_id = ${alice}`
        assert.strictEqual(Number(left!.n), 0)
        yield* agrees("after deleting alice")
      })))

    it.effect("the usage and blob-reference migrations take in the records stored before them", () =>
      withClient(Effect.gen(function*() {
        const sql = (yield* SqlClient.SqlClient).withoutTransforms()
        // The schema as it was before usage and references were kept.
        const all = yield* migrations
        yield* Migrator.make({})({ loader: Effect.succeed(all.filter(([id]) => id < 5)), table: migrationsTable })
        const insert = (id: string, state: string, size: number, blobs: string | null) =>
          sql`INSERT INTO custos_records (account_id, app, id, version, seq, state, body, changed_at, size, blobs)
            VALUES (${alice}, 'gallery', ${id}, 1, ${Number(id.slice(1))}, ${state}, NULL, 1, ${size}, ${blobs})`
        yield* insert("r1", "active", 100, `["a","b","a"]`)
        yield* insert("r2", "trashed", 20, `["b"]`)
        yield* insert("r3", "purged", 0, `["c"]`)
        // Not JSON: counted toward usage, left out of the references (reading it still fails as corrupt).
        yield* insert("r4", "active", 1, "not json")
        assert.deepStrictEqual(yield* migrate, [[5, "track_usage"], [6, "index_blob_references"]])
        const store = yield* RecordStoreSql.make
        assert.deepStrictEqual(yield* store.usage(alice), { records: 3, bytes: 121 })
        assert.deepStrictEqual([...(yield* store.referencedBlobs(alice))].sort(), ["a", "b"])
        assert.deepStrictEqual((yield* store.referencing(alice, "b")).map((r) => r.id), ["r1", "r2"])
        assert.deepStrictEqual(yield* store.referencing(alice, "c"), [])
        yield* store.transact(alice, (tx) =>
          tx.write({ ...note("r3", 2), app: "gallery", version: Version.make(2), size: 5, blobs: ["c"] }))
        assert.deepStrictEqual(yield* store.usage(alice), { records: 4, bytes: 126 })
        assert.deepStrictEqual((yield* store.referencing(alice, "c")).map((r) => r.id), ["r3"])
        // The corrupt row is rewritten by the store: its references are in the index from then on.
        yield* store.transact(alice, (tx) =>
          tx.write({ ...note("r4", 2), app: "gallery", version: Version.make(2), size: 1, blobs: ["a"] }))
        assert.deepStrictEqual((yield* store.referencing(alice, "a")).map((r) => r.id), ["r1", "r4"])
      })))

    it.effect("storage failures come out as StoreError naming the operation, never as SqlError", () =>
      withClient(Effect.gen(function*() {
        yield* migrate
        const sql = yield* SqlClient.SqlClient
        const records = yield* RecordStoreSql.make
        const accounts = yield* AccountStoreSql.make
        yield* records.transact(alice, (tx) => tx.write(note("n1", 1)))
        // A row the Schema refuses: the failure is a StoreError, not a ParseError or a defect.
        yield* sql`UPDATE custos_records SET blobs = 'not json'`
        const corrupt = yield* Effect.flip(records.get(alice, "notes", RecordId.make("n1")))
        assert.strictEqual(corrupt._tag, "StoreError")
        assert.strictEqual(corrupt.operation, "RecordStore.get")
        yield* sql`DROP TABLE custos_records`
        const lost = yield* Effect.flip(records.transact(alice, (tx) => tx.write(note("n2", 1))))
        assert.strictEqual(lost._tag, "StoreError")
        assert.strictEqual(lost.operation, "RecordTx.write")
        yield* sql`DROP TABLE custos_accounts`
        const gone = yield* Effect.flip(accounts.list({ limit: 10 }))
        assert.strictEqual(gone._tag, "StoreError")
        assert.strictEqual(gone.operation, "AccountStore.list")
      })))

    it.effect("a storage step that failed fails its transaction, even when the work carried on", () =>
      withClient(Effect.gen(function*() {
        yield* migrate
        const records = yield* RecordStoreSql.make
        const error = yield* Effect.flip(records.transact(alice, (tx) =>
          Effect.gen(function*() {
            yield* tx.write(note("n1", 1))
            // A record no store may keep: the step fails, and the work shrugs it off.
            yield* tx.write({ ...note("n2", 1), size: -1 }).pipe(Effect.ignore)
            return "done"
          })))
        assert.strictEqual(error._tag, "StoreError")
        assert.isTrue(Option.isNone(yield* records.get(alice, "notes", RecordId.make("n1"))))
        assert.strictEqual(yield* records.head(alice), 0)
      })))

    it.effect("a transaction the database gave up on is never reported as committed", () =>
      withClient(Effect.gen(function*() {
        yield* migrate
        const sql = yield* SqlClient.SqlClient
        const records = yield* RecordStoreSql.make
        const result = yield* Effect.either(records.transact(alice, (tx) =>
          Effect.gen(function*() {
            yield* tx.write(note("n1", 1))
            // Something else in the transaction fails and is ignored; PostgreSQL aborts the transaction for it.
            yield* sql`SELECT * FROM no_such_table`.pipe(Effect.ignore)
            return "done"
          })))
        const stored = Option.isSome(yield* records.get(alice, "notes", RecordId.make("n1")))
        if (sql.onDialectOrElse({ pg: () => true, orElse: () => false })) {
          assert.isTrue(Either.isLeft(result) && result.left._tag === "StoreError", "reported as failed")
          assert.isFalse(stored)
        } else {
          // SQLite keeps a transaction going after a failed statement: the write commits, as reported.
          assert.deepStrictEqual(result, Either.right("done"))
          assert.isTrue(stored)
        }
      })))

    it.effect("what was written is there for the next client of the same database", () =>
      Effect.scoped(Effect.gen(function*() {
        const db = yield* database
        const write = Effect.gen(function*() {
          const records = yield* RecordStore
          const accounts = yield* AccountStore
          const settings = yield* SyncSettingsStore
          yield* accounts.create({ id: alice, region: Region.make("DE"), createdAt: 7 })
          yield* settings.modify(alice, () => Effect.succeed({ ...defaultSyncSettings, wifiOnly: true }))
          yield* records.transact(alice, (tx) => tx.write({ ...note("n1", 1), blobs: ["blob-1"], deleteBy: 9 }))
          yield* (yield* MembershipStore).addPurchase(purchase)
          yield* (yield* DeviceStore).put(device)
          yield* (yield* AccountKeyStore).put(accountKey)
        })
        const read = Effect.gen(function*() {
          const records = yield* RecordStore
          const accounts = yield* AccountStore
          const settings = yield* SyncSettingsStore
          return {
            account: yield* accounts.get(alice),
            settings: yield* settings.get(alice),
            record: yield* records.get(alice, "notes", RecordId.make("n1")),
            head: yield* records.head(alice),
            purchases: yield* (yield* MembershipStore).purchases(alice),
            device: yield* (yield* DeviceStore).get(alice, phone),
            key: yield* (yield* AccountKeyStore).get(alice, 1)
          }
        })
        const stores = layerSqlStores.pipe(Layer.provide(db.client))
        yield* Effect.scoped(Effect.provide(write, stores))
        const again = yield* Effect.scoped(Effect.provide(read, stores))
        assert.deepStrictEqual(Option.getOrThrow(again.account), { id: alice, region: "DE", createdAt: 7 })
        assert.isTrue(Option.getOrThrow(again.settings).wifiOnly)
        assert.deepStrictEqual(Option.getOrThrow(again.record), {
          ...note("n1", 1),
          seq: Seq.make(1),
          blobs: ["blob-1"],
          deleteBy: 9
        })
        assert.strictEqual(again.head, 1)
        assert.deepStrictEqual(again.purchases, [purchase])
        assert.deepStrictEqual(Option.getOrThrow(again.device), device)
        assert.deepStrictEqual(Option.getOrThrow(again.key), accountKey)
      })))

    it.effect("core keeps purchases, devices and account keys in the database; deleting the account removes them", () =>
      withCore(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const accounts = yield* AccountService
        const settings = yield* SyncSettingsService
        const memberships = yield* MembershipService
        const engine = yield* SyncEngine
        const privacy = yield* PrivacyService
        const account = (yield* accounts.create({ region: "DE", id: alice })).id
        yield* settings.update(account, { apps: { notes: true } })
        yield* engine.push(account, phone, "notes", [putNote("n1", 1)])
        const now = yield* Clock.currentTimeMillis
        yield* memberships.recordPurchase({
          accountId: account,
          id: "order-1",
          planId: "plus",
          validFrom: now,
          validUntil: now + 86_400_000,
          details: { amountMinor: 299, currency: "EUR", channel: "voucher" }
        })
        const count = (table: string) =>
          sql<{ n: unknown }>`SELECT count(*) AS n FROM ${sql(table)} WHERE account_id = ${account}`.pipe(
            Effect.map((rows) => Number(rows[0]!.n))
          )
        assert.deepStrictEqual(
          yield* Effect.all([count("custos_purchases"), count("custos_devices"), count("custos_account_keys")]),
          [1, 1, 1]
        )
        // What memberships read is sealed in the table, never the details in the clear.
        const [row] = yield* sql<{ details: string }>`SELECT details FROM custos_purchases`
        assert.notInclude(row!.details, "voucher")
        assert.strictEqual((yield* memberships.purchases(account))[0]!.details.channel, "voucher")

        yield* privacy.deleteAccount(account)
        assert.deepStrictEqual(
          yield* Effect.all([count("custos_purchases"), count("custos_devices"), count("custos_account_keys")]),
          [0, 0, 0]
        )
        const [marker] = yield* sql<{ state: string }>`
          SELECT state FROM custos_account_key_states WHERE account_id = ${account}`
        assert.strictEqual(marker!.state, "destroyed")
      })))

    it.effect("ids and folders stored before today's input rules read back and stay usable; new ones follow the rules", () =>
      withCore(Effect.gen(function*() {
        const accounts = yield* AccountService
        const settings = yield* SyncSettingsService
        const engine = yield* SyncEngine
        const records = yield* RecordStore
        const sealing = yield* RecordSealing
        for (const id of [".", ".."]) {
          assert.strictEqual((yield* accounts.create({ region: "DE", id }).pipe(Effect.flip))._tag, "InvalidAccountId")
        }
        const account = (yield* accounts.create({ region: "DE", id: alice })).id
        yield* settings.update(account, { apps: { notes: true } })
        const [created] = yield* engine.push(account, phone, "notes", [putNote("..", 1)]).pipe(
          Effect.map((result) => result.outcomes)
        )
        assert.strictEqual(created?._tag, "rejected")
        assert.strictEqual(created?._tag === "rejected" ? created.code : "", "invalid-mutation")

        // An earlier release took "." and ".." as record ids, and control characters in folder names.
        const now = yield* Clock.currentTimeMillis
        const sealed = (id: string) =>
          sealing.seal({ accountId: account, app: "notes", recordId: RecordId.make(id) }, samples.notes(3))
        const dotDot = yield* sealed("..")
        const dot = yield* sealed(".")
        yield* records.transact(account, (tx) =>
          Effect.all([
            tx.write({ ...note("..", 3), accountId: account, body: dotDot, changedAt: now }),
            tx.write({
              ...note(".", 3),
              accountId: account,
              body: dot,
              state: "trashed",
              version: Version.make(2),
              changedAt: now,
              trashedAt: now,
              deleteBy: now + thirtyDays
            })
          ]))
        yield* (yield* SyncSettingsStore).modify(account, (current) =>
          Effect.succeed({ ...Option.getOrElse(current, () => defaultSyncSettings), galleryFolders: ["Old\u0007"] }))

        assert.deepStrictEqual((yield* settings.get(account)).galleryFolders, ["Old\u0007"])
        const pulled = yield* engine.pull(account, laptop, "notes")
        assert.deepStrictEqual(pulled.changes.map((change) => [change.id, change.state]), [["..", "active"], [".", "trashed"]])
        const [updated] = yield* engine.push(account, phone, "notes", [{ ...putNote("..", 4), baseVersion: 1 }]).pipe(
          Effect.map((result) => result.outcomes)
        )
        assert.strictEqual(updated?._tag, "applied")
        yield* TestClock.adjust(thirtyDays + 1)
        assert.strictEqual((yield* (yield* TrashSweeper).sweep()).purged, 1)
        assert.strictEqual(Option.getOrThrow(yield* records.get(account, "notes", RecordId.make("."))).state, "purged")
        // A folder selected anew is held to the rule; the one already stored stays, and the list changes around it.
        const refused = yield* settings.update(account, { galleryFolders: ["Old\u0007", "New\u0007"] }).pipe(Effect.flip)
        assert.strictEqual(refused._tag, "InvalidSettings")
        assert.include(refused.message, "galleryFolders[1]")
        assert.deepStrictEqual((yield* settings.get(account)).galleryFolders, ["Old\u0007"])
        yield* settings.update(account, { galleryFolders: ["Old\u0007", "Camera"] })
        assert.deepStrictEqual((yield* settings.get(account)).galleryFolders, ["Old\u0007", "Camera"])
      })))

    it.effect("a settings change inside a record transaction, and the other way round, take one lock", () =>
      withCore(Effect.gen(function*() {
        const records = yield* RecordStore
        const settings = yield* SyncSettingsStore
        const wifiOnly = (on: boolean) => () => Effect.succeed({ ...defaultSyncSettings, wifiOnly: on })
        yield* records.transact(alice, (tx) =>
          tx.write(note("n1", 1)).pipe(Effect.zipRight(settings.modify(alice, wifiOnly(true)))))
        yield* settings.modify(alice, () =>
          records.transact(alice, (tx) => tx.write(note("n2", 1))).pipe(
            Effect.zipRight(Effect.succeed({ ...defaultSyncSettings, wifiOnly: false }))
          ))
        assert.isFalse(Option.getOrThrow(yield* settings.get(alice)).wifiOnly)
        assert.strictEqual(yield* records.head(alice), 2)
      })))

    /**
     * A transaction takes seq N and holds; meanwhile another fiber pulls and another device pushes. Every cursor
     * handed out must stay below N unless its page carried N, and a pull from any of them after the transaction ends
     * must bring what committed at N: the held record, or, when the holder rolls back, the push that reused N.
     */
    const lateCommit = (ending: "commits" | "rolls back") =>
      it.live(`a pull never passes a change that commits late: the holder of seq N ${ending}`, () =>
        withCore(Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const accounts = yield* AccountService
          const settings = yield* SyncSettingsService
          const engine = yield* SyncEngine
          const records = yield* RecordStore
          const sealing = yield* RecordSealing
          const account = (yield* accounts.create({ region: "DE", id: alice })).id
          yield* settings.update(account, { apps: { notes: true } })
          yield* engine.push(account, phone, "notes", [putNote("before", 1)])
          const issued: Array<PullResult> = [yield* engine.pull(account, laptop, "notes")]

          // Sealed as a push would seal it, so the pulls after it can open it.
          const lateBody = yield* sealing.seal(
            { accountId: account, app: "notes", recordId: RecordId.make("late") },
            samples.notes(2)
          )
          const taken = yield* Deferred.make<number>()
          const release = yield* Deferred.make<void>()
          const holder = yield* records.transact(account, (tx) =>
            Effect.gen(function*() {
              const written = yield* tx.write({ ...note("late", 2), body: lateBody })
              yield* Deferred.succeed(taken, written.seq)
              yield* Deferred.await(release)
              if (ending === "rolls back") return yield* Effect.fail("abandoned" as const)
              return written.seq
            })).pipe(Effect.either, Effect.fork)
          const n = yield* Deferred.await(taken)

          const pullMeanwhile = yield* engine.pull(account, laptop, "notes", { cursor: issued[0]!.cursor }).pipe(
            Effect.fork
          )
          const pushMeanwhile = yield* engine.push(account, tablet, "notes", [putNote("meanwhile", 3)]).pipe(
            Effect.fork
          )
          yield* Effect.sleep("300 millis")
          assert.isTrue(Option.isNone(yield* Fiber.poll(pushMeanwhile)), "a push of the account waits for the lock")
          const pulledWhileHeld = yield* Fiber.poll(pullMeanwhile)
          if (sql.onDialectOrElse({ sqlite: () => true, orElse: () => false })) {
            // SQLite: one connection, held by the transaction; readers wait for it.
            assert.isTrue(Option.isNone(pulledWhileHeld), "on SQLite a read waits for the open transaction")
          } else {
            // PostgreSQL: readers go on, and see only what has committed.
            assert.isTrue(Option.isSome(pulledWhileHeld), "on PostgreSQL a pull is answered while a write is open")
          }

          yield* Deferred.succeed(release, undefined)
          const held = yield* Fiber.join(holder)
          const pushed = (yield* Fiber.join(pushMeanwhile)).outcomes[0]!
          issued.push(yield* Fiber.join(pullMeanwhile))
          assert.strictEqual(pushed._tag, "applied")
          const pushedSeq = pushed._tag === "applied" ? pushed.seq : -1
          if (ending === "commits") {
            assert.deepStrictEqual(held, Either.right(Seq.make(n)))
            assert.strictEqual(pushedSeq, n + 1)
          } else {
            assert.deepStrictEqual(held, Either.left("abandoned"))
            assert.strictEqual(pushedSeq, n, "the number of the rolled-back write is the next one's")
          }

          const committedAtN = ending === "commits" ? "late" : "meanwhile"
          for (const page of issued) {
            const at = yield* decodeCursor("notes", page.cursor)
            assert.isTrue(
              at < n || page.changes.some((change) => change.seq === n),
              `cursor at ${at} was handed out without seq ${n}`
            )
            const rest = yield* engine.pull(account, laptop, "notes", { cursor: page.cursor })
            const seen = [...page.changes, ...rest.changes].filter((change) => change.seq >= n)
            assert.include(seen.map((change): string => change.id), committedAtN, `from ${page.cursor}`)
          }
          const all = yield* engine.pull(account, laptop, "notes")
          assert.deepStrictEqual(
            all.changes.map((change) => change.id).sort(),
            ending === "commits" ? ["before", "late", "meanwhile"] : ["before", "meanwhile"]
          )
          // The records really went through SQL, not a memory store.
          const [count] = yield* sql<{ n: unknown }>`SELECT count(*) AS n FROM custos_records`
          assert.strictEqual(Number(count!.n), ending === "commits" ? 3 : 2)
        })), 20_000)

    lateCommit("commits")
    lateCommit("rolls back")

    it.effect("the layer of every store builds the schema by itself", () =>
      withClient(Effect.gen(function*() {
        // Each on its own, as someone wiring a single store would.
        yield* Effect.scoped(Layer.build(MembershipStoreSql.layer))
        yield* Effect.scoped(Layer.build(DeviceStoreSql.layer))
        yield* Effect.scoped(Layer.build(AccountKeyStoreSql.layer))
        const context = yield* Layer.build(
          Layer.mergeAll(RecordStoreSql.layer, AccountStoreSql.layer, SyncSettingsStoreSql.layer)
        )
        const settings = Context.get(context, SyncSettingsStore)
        assert.isTrue(Option.isNone(yield* settings.get(alice)))
        const keys = yield* AccountKeyStoreSql.make
        assert.deepStrictEqual(yield* keys.versions(alice), [])
      }).pipe(Effect.scoped)))
  })
