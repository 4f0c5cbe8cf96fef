/**
 * All core services in one Layer. It needs the storage ports (`RecordStore`, `AccountStore`,
 * `SyncSettingsStore`), which the embedding application chooses: memory, SQLite or PostgreSQL.
 */
import { Layer } from "effect"
import { AccountService } from "./AccountService.js"
import { SyncEngine } from "./SyncEngine.js"
import { SyncSettingsService } from "./SyncSettingsService.js"
import { TombstoneCompaction } from "./TombstoneCompaction.js"

export const layerCoreServices = Layer.mergeAll(SyncEngine.layer, TombstoneCompaction.layer()).pipe(
  Layer.provideMerge(SyncSettingsService.layer),
  Layer.provideMerge(AccountService.layer)
)
