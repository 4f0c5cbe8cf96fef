/**
 * The SQL stores over PostgreSQL: the port suites and the dialect suite, each test in a schema of its own, and
 * what only a server database can show: several clients (as several server instances would) sharing one database.
 * Never silently skipped in CI: see `describePg`.
 */
import * as AccessLogStoreSql from "@custos/adapters/sql/AccessLogStoreSql"
import * as AccountKeyStoreSql from "@custos/adapters/sql/AccountKeyStoreSql"
import * as AccountStoreSql from "@custos/adapters/sql/AccountStoreSql"
import * as CredentialStoreSql from "@custos/adapters/sql/CredentialStoreSql"
import * as DeletedContentStoreSql from "@custos/adapters/sql/DeletedContentStoreSql"
import * as DeviceStoreSql from "@custos/adapters/sql/DeviceStoreSql"
import * as MembershipStoreSql from "@custos/adapters/sql/MembershipStoreSql"
import { layerPgFromUrl } from "@custos/adapters/sql/PgLive"
import * as RecordStoreSql from "@custos/adapters/sql/RecordStoreSql"
import * as SessionStoreSql from "@custos/adapters/sql/SessionStoreSql"
import * as SyncSettingsStoreSql from "@custos/adapters/sql/SyncSettingsStoreSql"
import { accessLogStoreSuite } from "@custos/conformance/ports/AccessLogStoreSuite"
import { accountStoreSuite } from "@custos/conformance/ports/AccountStoreSuite"
import { recordStoreSuite } from "@custos/conformance/ports/RecordStoreSuite"
import { syncSettingsStoreSuite } from "@custos/conformance/ports/SyncSettingsStoreSuite"
import { AccountId, RecordId } from "@custos/core/domain/Ids"
import { Version } from "@custos/core/domain/Record"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Option } from "effect"
import { randomBytes } from "node:crypto"
import { accountKeyStoreSuite } from "./AccountKeyStoreSuite.js"
import { credentialStoreSuite } from "./CredentialStoreSuite.js"
import { deletedContentStoreSuite } from "./DeletedContentStoreSuite.js"
import { deviceStoreSuite } from "./DeviceStoreSuite.js"
import { membershipStoreSuite } from "./MembershipStoreSuite.js"
import { sessionStoreSuite } from "./SessionStoreSuite.js"
import { sqlDialectSuite } from "./sqlDialectSuite.js"
import { describePg, layerPgTemp, pgAdmin, pgDatabase, pgUrl } from "./sqlTestDatabases.js"

await describePg("PostgreSQL", () => {
  recordStoreSuite("PostgreSQL", RecordStoreSql.layer.pipe(Layer.provide(layerPgTemp)))
  accountStoreSuite("PostgreSQL", AccountStoreSql.layer.pipe(Layer.provide(layerPgTemp)))
  syncSettingsStoreSuite("PostgreSQL", SyncSettingsStoreSql.layer.pipe(Layer.provide(layerPgTemp)))
  membershipStoreSuite("PostgreSQL", MembershipStoreSql.layer.pipe(Layer.provide(layerPgTemp)))
  deviceStoreSuite("PostgreSQL", DeviceStoreSql.layer.pipe(Layer.provide(layerPgTemp)))
  accountKeyStoreSuite("PostgreSQL", AccountKeyStoreSql.layer.pipe(Layer.provide(layerPgTemp)))
  deletedContentStoreSuite("PostgreSQL", DeletedContentStoreSql.layer.pipe(Layer.provide(layerPgTemp)))
  credentialStoreSuite("PostgreSQL", CredentialStoreSql.layer.pipe(Layer.provide(layerPgTemp)))
  sessionStoreSuite("PostgreSQL", SessionStoreSql.layer.pipe(Layer.provide(layerPgTemp)))
  accessLogStoreSuite("PostgreSQL", AccessLogStoreSql.layer.pipe(Layer.provide(layerPgTemp)))

  sqlDialectSuite("PostgreSQL", pgDatabase)

  describe("PostgreSQL database shared by several clients", () => {
    const alice = AccountId.make("acc_alice")

    it.effect("concurrent read-modify-writes through three clients lose nothing and keep one sequence", () =>
      Effect.scoped(Effect.gen(function*() {
        const db = yield* pgDatabase
        // Three instances starting at once: each runs the migrations; one does the work, the others wait for it.
        const stores = yield* Effect.all(
          [1, 2, 3].map(() => Layer.build(RecordStoreSql.layer.pipe(Layer.provide(db.client)))),
          { concurrency: "unbounded" }
        ).pipe(Effect.map((contexts) => contexts.map((context) => Context.get(context, RecordStore))))
        const id = RecordId.make("counter")
        const increment = (store: RecordStore["Type"]) =>
          store.transact(alice, (tx) =>
            Effect.gen(function*() {
              const current = yield* tx.get("notes", id)
              const version = Option.match(current, { onNone: () => 1, onSome: (r) => r.version + 1 })
              yield* Effect.yieldNow()
              yield* tx.write({
                accountId: alice,
                app: "notes",
                id,
                version: Version.make(version),
                state: "active",
                body: "{}",
                changedAt: 1,
                size: 2
              })
            }))
        yield* Effect.all(Array.from({ length: 30 }, (_, i) => increment(stores[i % 3]!)), {
          concurrency: "unbounded"
        })
        const final = Option.getOrThrow(yield* stores[0]!.get(alice, "notes", id))
        assert.strictEqual(final.version, 30)
        assert.strictEqual(final.seq, 30)
        assert.strictEqual(yield* stores[2]!.head(alice), 30)
      })))

    it.effect("the triggers keep the tables of their own schema, whatever search_path the writer has", () =>
      Effect.scoped(Effect.gen(function*() {
        // Migrated by a client whose search_path starts with "$user", as PostgreSQL's default does: the functions
        // must name the schema itself, not an entry each caller resolves to its own.
        const admin = yield* pgAdmin
        const schema = `custos_test_${randomBytes(8).toString("hex")}`
        yield* admin`CREATE SCHEMA ${admin(schema)}`
        yield* Effect.addFinalizer(() => admin`DROP SCHEMA IF EXISTS ${admin(schema)} CASCADE`.pipe(Effect.orDie))
        const url = new URL(pgUrl)
        url.searchParams.set("options", `-c search_path="$user",${schema}`)
        const client = layerPgFromUrl(url.toString(), { maxConnections: 2 })
        const store = Context.get(yield* Layer.build(RecordStoreSql.layer.pipe(Layer.provide(client))), RecordStore)
        const settings = yield* admin<{ proname: string; proconfig: Array<string> | null }>`
          SELECT p.proname, p.proconfig FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
          WHERE n.nspname = ${schema} AND p.prorettype = 'trigger'::regtype ORDER BY p.proname`
        assert.deepStrictEqual(settings.map((row) => row.proname), ["custos_adjust_usage", "custos_index_blob_references"])
        for (const row of settings) {
          assert.deepStrictEqual(row.proconfig, [`search_path=pg_catalog, ${schema}`], row.proname)
        }
        // A client whose search_path does not name the schema writes to it by qualified name.
        const records = admin(`${schema}.custos_records`)
        yield* admin`INSERT INTO ${records} (account_id, app, id, version, seq, state, body, changed_at, size, blobs)
          VALUES ('acc_alice', 'gallery', 'g1', 1, 1, 'active', '{}', 1, 70, '["blob-1","blob-2"]')`
        assert.deepStrictEqual(yield* store.usage(alice), { records: 1, bytes: 70 })
        assert.deepStrictEqual([...(yield* store.referencedBlobs(alice))].sort(), ["blob-1", "blob-2"])
        yield* admin`UPDATE ${records} SET state = 'purged', body = NULL, blobs = NULL WHERE id = 'g1'`
        assert.deepStrictEqual(yield* store.usage(alice), { records: 0, bytes: 0 })
        assert.deepStrictEqual([...(yield* store.referencedBlobs(alice))], [])
      })))

    it.effect("a test schema is dropped with everything in it when its scope closes", () =>
      Effect.gen(function*() {
        const name = yield* Effect.scoped(Effect.gen(function*() {
          const db = yield* pgDatabase
          yield* Effect.scoped(Layer.build(RecordStoreSql.layer.pipe(Layer.provide(db.client))))
          return db.name
        }))
        const left = yield* Effect.scoped(Effect.flatMap(pgAdmin, (sql) =>
          sql`SELECT nspname FROM pg_namespace WHERE nspname = ${name}`))
        assert.deepStrictEqual(left, [])
      }))
  })
})
