/**
 * Where Custos keeps its data. PostgreSQL when `DATABASE_URL` is set, else a SQLite file under the data directory;
 * the SQL stores provide every port they have an implementation for. A port they do not provide yet is served from
 * memory, with a loud warning naming it at start: what it holds is lost when the process ends.
 */
import { layerBlobStoreMemory } from "@custos/adapters/blobs/BlobStoreMemory"
import { layerFsBlobStore } from "@custos/adapters/blobs/FsBlobStore"
import { layerCredentialStoreMemory } from "@custos/adapters/memory/CredentialStoreMemory"
import { layerMemoryStores } from "@custos/adapters/memory/MemoryStores"
import { layerSessionStoreMemory } from "@custos/adapters/memory/SessionStoreMemory"
import { layerPgFromUrl } from "@custos/adapters/sql/PgLive"
import { layerSqlite } from "@custos/adapters/sql/SqliteLive"
import { layerSqlStores } from "@custos/adapters/sql/SqlStores"
import { AccessLogStore } from "@custos/core/ports/AccessLogStore"
import { AccountKeyStore } from "@custos/core/ports/AccountKeyStore"
import { AccountStore } from "@custos/core/ports/AccountStore"
import { BlobStore } from "@custos/core/ports/BlobStore"
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
  | AccessLogStore
  | BlobStore

/** Every port in memory: the adapters' memory stores and the sign-in stores. Tests and demos. */
export const layerMemoryStorage: Layer.Layer<StoragePorts> = Layer.mergeAll(
  layerMemoryStores,
  layerCredentialStoreMemory,
  layerSessionStoreMemory,
  layerBlobStoreMemory
)

/** `@custos/core/RecordStore` -> `RecordStore`. */
const portName = (key: string) => key.slice(key.lastIndexOf("/") + 1)

/**
 * The ports `sql` provides, and memory for every other port the memory stores have (so a port added to core later is
 * covered too). `onMissing` hears the names of the ports served from memory.
 */
export const withMemoryFallback = <ROut, E>(
  sql: Layer.Layer<ROut, E>,
  onMissing: (names: ReadonlyArray<string>) => Effect.Effect<void>
): Layer.Layer<StoragePorts, E> =>
  Layer.scopedContext(Effect.gen(function*() {
    const provided = yield* Layer.build(sql)
    const memory = yield* Layer.build(layerMemoryStorage)
    const missing = [...memory.unsafeMap.keys()].filter((key) => !provided.unsafeMap.has(key))
    if (missing.length > 0) yield* onMissing(missing.map(portName))
    let context = provided as Context.Context<any>
    for (const key of missing) context = Context.add(context, Context.GenericTag(key), memory.unsafeMap.get(key))
    return context as Context.Context<StoragePorts>
  }))

const warnMissing = (database: string) => (names: ReadonlyArray<string>) =>
  Effect.logWarning(
    `WARNING: ${database} has no store yet for ${names.join(", ")}; ` +
      "these are kept in memory and LOST when the server stops (sign-ins and sessions included)"
  ).pipe(Effect.annotateLogs({ memoryPorts: names.join(",") }))

/**
 * The SQL stores over PostgreSQL (`DATABASE_URL`) or the SQLite file, blobs in a folder (`<data>/blobs` by default),
 * with memory for what they lack.
 */
export const layerStorage = (
  config: Pick<ServerConfig, "databaseUrl" | "sqliteFile" | "blobDir">
): Layer.Layer<StoragePorts, StoreError> => {
  const blobs = layerFsBlobStore({ root: config.blobDir })
  return Option.match(config.databaseUrl, {
    onSome: (url) =>
      withMemoryFallback(
        Layer.merge(layerSqlStores.pipe(Layer.provide(layerPgFromUrl(url))), blobs),
        warnMissing("PostgreSQL")
      ),
    onNone: () =>
      withMemoryFallback(
        Layer.merge(layerSqlStores.pipe(Layer.provide(layerSqlite({ filename: config.sqliteFile }))), blobs),
        warnMissing("SQLite")
      )
  })
}
