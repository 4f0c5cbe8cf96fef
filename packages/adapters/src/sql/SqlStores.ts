/**
 * Every SQL store in one Layer, over the `SqlClient` in context (SQLite from `SqliteLive.ts`, PostgreSQL from
 * `PgLive.ts`): `RecordStore`, `AccountStore`, `SyncSettingsStore`, `MembershipStore`, `DeviceStore`,
 * `AccountKeyStore`, `DeletedContentStore`, `CredentialStore`, `SessionStore` and `AccessLogStore`. The migrations
 * run once when it is built.
 *
 * ```ts
 * const Storage = layerSqlStores.pipe(Layer.provide(layerSqlite({ filename: "data/custos.db" })))
 * ```
 */
import { Layer } from "effect"
import * as AccessLogStoreSql from "./AccessLogStoreSql.js"
import * as AccountKeyStoreSql from "./AccountKeyStoreSql.js"
import * as AccountStoreSql from "./AccountStoreSql.js"
import * as CredentialStoreSql from "./CredentialStoreSql.js"
import * as DeletedContentStoreSql from "./DeletedContentStoreSql.js"
import * as DeviceStoreSql from "./DeviceStoreSql.js"
import * as MembershipStoreSql from "./MembershipStoreSql.js"
import * as RecordStoreSql from "./RecordStoreSql.js"
import * as SessionStoreSql from "./SessionStoreSql.js"
import * as SyncSettingsStoreSql from "./SyncSettingsStoreSql.js"

export const layerSqlStores = Layer.mergeAll(
  RecordStoreSql.layer,
  AccountStoreSql.layer,
  SyncSettingsStoreSql.layer,
  MembershipStoreSql.layer,
  DeviceStoreSql.layer,
  AccountKeyStoreSql.layer,
  DeletedContentStoreSql.layer,
  CredentialStoreSql.layer,
  SessionStoreSql.layer,
  AccessLogStoreSql.layer
)
