/**
 * Where Custos keeps its data. PostgreSQL when `DATABASE_URL` is set, else a SQLite file under the data directory;
 * the SQL stores provide every port they have an implementation for. A port they do not provide yet is served from
 * memory, with a loud warning naming it at start: what it holds is lost when the process ends.
 */
import { layerAccountKeyStoreMemory } from "@custos/adapters/memory/AccountKeyStoreMemory"
import { layerAccountStoreMemory } from "@custos/adapters/memory/AccountStoreMemory"
import { layerCredentialStoreMemory } from "@custos/adapters/memory/CredentialStoreMemory"
import { layerDeletedContentStoreMemory } from "@custos/adapters/memory/DeletedContentStoreMemory"
import { layerDeviceStoreMemory } from "@custos/adapters/memory/DeviceStoreMemory"
import { layerMembershipStoreMemory } from "@custos/adapters/memory/MembershipStoreMemory"
import { layerRecordStoreMemory } from "@custos/adapters/memory/RecordStoreMemory"
import { layerSessionStoreMemory } from "@custos/adapters/memory/SessionStoreMemory"
import { layerSyncSettingsStoreMemory } from "@custos/adapters/memory/SyncSettingsStoreMemory"
import { layerPgFromUrl } from "@custos/adapters/sql/PgLive"
import { layerSqlite } from "@custos/adapters/sql/SqliteLive"
import { layerSqlStores } from "@custos/adapters/sql/SqlStores"
import { AccountKeyStore } from "@custos/core/ports/AccountKeyStore"
import { AccountStore } from "@custos/core/ports/AccountStore"
import { CredentialStore } from "@custos/core/ports/CredentialStore"
import { DeletedContentStore } from "@custos/core/ports/DeletedContentStore"
import { DeviceStore } from "@custos/core/ports/DeviceStore"
import { MembershipStore } from "@custos/core/ports/MembershipStore"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { SessionStore } from "@custos/core/ports/SessionStore"
import type { StoreError } from "@custos/core/ports/StoreError"
import { SyncSettingsStore } from "@custos/core/ports/SyncSettingsStore"
import { Context, Effect, Layer, Option } from "effect"
import type { ServerConfig } from "./ServerConfig.js"

/** Every storage port the server needs. */
export type StoragePorts =
  | RecordStore
  | AccountStore
  | SyncSettingsStore
  | MembershipStore
  | DeviceStore
  | AccountKeyStore
  | DeletedContentStore
  | CredentialStore
  | SessionStore

const ports: ReadonlyArray<{
  readonly name: string
  readonly tag: Context.Tag<any, any>
  readonly memory: Layer.Layer<any>
}> = [
  { name: "RecordStore", tag: RecordStore, memory: layerRecordStoreMemory },
  { name: "AccountStore", tag: AccountStore, memory: layerAccountStoreMemory },
  { name: "SyncSettingsStore", tag: SyncSettingsStore, memory: layerSyncSettingsStoreMemory },
  { name: "MembershipStore", tag: MembershipStore, memory: layerMembershipStoreMemory },
  { name: "DeviceStore", tag: DeviceStore, memory: layerDeviceStoreMemory },
  { name: "AccountKeyStore", tag: AccountKeyStore, memory: layerAccountKeyStoreMemory },
  { name: "DeletedContentStore", tag: DeletedContentStore, memory: layerDeletedContentStoreMemory },
  { name: "CredentialStore", tag: CredentialStore, memory: layerCredentialStoreMemory },
  { name: "SessionStore", tag: SessionStore, memory: layerSessionStoreMemory }
]

/** Every port in memory: tests and demos. */
export const layerMemoryStorage: Layer.Layer<StoragePorts> = Layer.mergeAll(
  ...ports.map((p) => p.memory) as [Layer.Layer<any>, ...Array<Layer.Layer<any>>]
)

/**
 * The ports `sql` provides, and memory for the others. `onMissing` hears the names of the ports served from memory.
 */
export const withMemoryFallback = <E>(
  sql: Layer.Layer<any, E>,
  onMissing: (names: ReadonlyArray<string>) => Effect.Effect<void>
): Layer.Layer<StoragePorts, E> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const context = yield* Layer.build(sql)
    const missing = ports.filter((p) => Option.isNone(Context.getOption(context as Context.Context<any>, p.tag)))
    if (missing.length > 0) yield* onMissing(missing.map((p) => p.name))
    const kept = Layer.succeedContext(context as Context.Context<any>)
    return missing.length === 0 ? kept : Layer.mergeAll(kept, ...missing.map((p) => p.memory))
  })) as Layer.Layer<StoragePorts, E>

const warnMissing = (database: string) => (names: ReadonlyArray<string>) =>
  Effect.logWarning(
    `WARNING: ${database} has no store yet for ${names.join(", ")}; ` +
      "these are kept in memory and LOST when the server stops (sign-ins and sessions included)"
  ).pipe(Effect.annotateLogs({ memoryPorts: names.join(",") }))

/** The SQL stores over PostgreSQL (`DATABASE_URL`) or the SQLite file, with memory for what they lack. */
export const layerStorage = (
  config: Pick<ServerConfig, "databaseUrl" | "sqliteFile">
): Layer.Layer<StoragePorts, StoreError> =>
  Option.match(config.databaseUrl, {
    onSome: (url) => withMemoryFallback(layerSqlStores.pipe(Layer.provide(layerPgFromUrl(url))), warnMissing("PostgreSQL")),
    onNone: () =>
      withMemoryFallback(
        layerSqlStores.pipe(Layer.provide(layerSqlite({ filename: config.sqliteFile }))),
        warnMissing("SQLite")
      )
  })
