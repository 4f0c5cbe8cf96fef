/**
 * Wiring for the commands: the configuration, the storage it names, the master key file, and Custos over them.
 * Startup warnings are printed here: the key file beside the data, and ports kept in memory.
 */
import { layerNodeCrypto } from "@custos/adapters/crypto/NodeCrypto"
import { layerKeyFile } from "@custos/adapters/keys/KeyFile"
import { Effect, Layer, Option } from "effect"
import * as Fs from "node:fs"
import { layerCustos } from "./Custos.js"
import { keyBesideData, type ServerConfig } from "./ServerConfig.js"
import { layerStorage } from "./Storage.js"

/**
 * The master key file. A missing one is created only for a new installation: the SQLite file does not exist yet,
 * or `CUSTOS_CREATE_KEY_FILE=true` says so (PostgreSQL). A key file lost later is never silently replaced.
 */
export const layerKeys = (config: ServerConfig) => {
  const create = Option.getOrElse(
    config.createKeyFile,
    () => Option.isNone(config.databaseUrl) && !Fs.existsSync(config.sqliteFile)
  )
  return layerKeyFile({ path: config.keyFile, create: create ? "if-missing" : "never" }).pipe(
    Layer.provideMerge(layerNodeCrypto)
  )
}

export const warnAboutKeyPlacement = (config: ServerConfig) =>
  keyBesideData(config)
    ? Effect.logWarning(
      `WARNING: the master key file ${config.keyFile} sits in the data directory ${config.dataDir}, beside the data ` +
        "it protects: anyone with a copy of the folder (a backup, a stolen disk) can open everything. For " +
        "production, keep it elsewhere (CUSTOS_KEY_FILE) and back it up separately."
    )
    : Effect.void

/** Custos with its storage and keys, as every command uses it. */
export const layerServerCustos = (config: ServerConfig) =>
  layerCustos({ maxBlobBytes: config.maxBlobBytes }).pipe(
    Layer.provideMerge(layerStorage(config)),
    Layer.provideMerge(layerKeys(config))
  )
