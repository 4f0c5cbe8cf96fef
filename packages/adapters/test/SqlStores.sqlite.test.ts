/**
 * The SQL stores over SQLite: the port suites and the dialect suite, each test on a database file of its own, and
 * what the SQLite Layer sets up.
 */
import * as AccessLogStoreSql from "@custos/adapters/sql/AccessLogStoreSql"
import * as AccountKeyStoreSql from "@custos/adapters/sql/AccountKeyStoreSql"
import * as AccountStoreSql from "@custos/adapters/sql/AccountStoreSql"
import * as CredentialStoreSql from "@custos/adapters/sql/CredentialStoreSql"
import * as DeletedContentStoreSql from "@custos/adapters/sql/DeletedContentStoreSql"
import * as DeviceStoreSql from "@custos/adapters/sql/DeviceStoreSql"
import * as MembershipStoreSql from "@custos/adapters/sql/MembershipStoreSql"
import * as RecordStoreSql from "@custos/adapters/sql/RecordStoreSql"
import * as SessionStoreSql from "@custos/adapters/sql/SessionStoreSql"
import * as SyncSettingsStoreSql from "@custos/adapters/sql/SyncSettingsStoreSql"
import { accessLogStoreSuite } from "@custos/conformance/ports/AccessLogStoreSuite"
import { accountStoreSuite } from "@custos/conformance/ports/AccountStoreSuite"
import { recordStoreSuite } from "@custos/conformance/ports/RecordStoreSuite"
import { syncSettingsStoreSuite } from "@custos/conformance/ports/SyncSettingsStoreSuite"
import { layerSqlStores } from "@custos/adapters/sql/SqlStores"
import { layerSqlite } from "@custos/adapters/sql/SqliteLive"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { accountKeyStoreSuite } from "./AccountKeyStoreSuite.js"
import { credentialStoreSuite } from "./CredentialStoreSuite.js"
import { deletedContentStoreSuite } from "./DeletedContentStoreSuite.js"
import { deviceStoreSuite } from "./DeviceStoreSuite.js"
import { membershipStoreSuite } from "./MembershipStoreSuite.js"
import { sessionStoreSuite } from "./SessionStoreSuite.js"
import { sqlDialectSuite } from "./sqlDialectSuite.js"
import { layerSqliteTemp, sqliteDatabase } from "./sqlTestDatabases.js"

recordStoreSuite("SQLite", RecordStoreSql.layer.pipe(Layer.provide(layerSqliteTemp)))
accountStoreSuite("SQLite", AccountStoreSql.layer.pipe(Layer.provide(layerSqliteTemp)))
syncSettingsStoreSuite("SQLite", SyncSettingsStoreSql.layer.pipe(Layer.provide(layerSqliteTemp)))
membershipStoreSuite("SQLite", MembershipStoreSql.layer.pipe(Layer.provide(layerSqliteTemp)))
deviceStoreSuite("SQLite", DeviceStoreSql.layer.pipe(Layer.provide(layerSqliteTemp)))
accountKeyStoreSuite("SQLite", AccountKeyStoreSql.layer.pipe(Layer.provide(layerSqliteTemp)))
deletedContentStoreSuite("SQLite", DeletedContentStoreSql.layer.pipe(Layer.provide(layerSqliteTemp)))
credentialStoreSuite("SQLite", CredentialStoreSql.layer.pipe(Layer.provide(layerSqliteTemp)))
sessionStoreSuite("SQLite", SessionStoreSql.layer.pipe(Layer.provide(layerSqliteTemp)))
accessLogStoreSuite("SQLite", AccessLogStoreSql.layer.pipe(Layer.provide(layerSqliteTemp)))

sqlDialectSuite("SQLite", sqliteDatabase)

describe("SQLite database file", () => {
  it.effect("is opened in WAL mode, with a busy timeout, foreign keys on and deleted bytes overwritten", () =>
    Effect.scoped(Effect.gen(function*() {
      const db = yield* sqliteDatabase
      const pragmas = yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [journal] = yield* sql<{ journal_mode: string }>`PRAGMA journal_mode`
        const [busy] = yield* sql<{ timeout: number }>`PRAGMA busy_timeout`
        const [keys] = yield* sql<{ foreign_keys: number }>`PRAGMA foreign_keys`
        const [erase] = yield* sql<{ secure_delete: number }>`PRAGMA secure_delete`
        return [journal?.journal_mode, busy?.timeout, keys?.foreign_keys, erase?.secure_delete]
      }).pipe(Effect.provide(db.client))
      assert.deepStrictEqual(pragmas, ["wal", 5000, 1, 1])
    })))

  it.effect("is created with its folder when missing, and removed with the temp folder", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "custos-sqlite-"))
      const filename = join(dir, "nested", "data", "custos.db")
      yield* Effect.scoped(Layer.build(layerSqlStores.pipe(Layer.provide(layerSqlite({ filename })))))
      assert.isTrue(existsSync(filename))
      rmSync(dir, { recursive: true, force: true })
    }))
})
