/**
 * Every storage port in memory, in one Layer: the reference semantics, and the quickest way to embed Custos.
 * Nothing survives the process.
 */
import { Layer } from "effect"
import { layerAccessLogStoreMemory } from "./AccessLogStoreMemory.js"
import { layerAccountKeyStoreMemory } from "./AccountKeyStoreMemory.js"
import { layerAccountStoreMemory } from "./AccountStoreMemory.js"
import { layerDeletedContentStoreMemory } from "./DeletedContentStoreMemory.js"
import { layerDeviceStoreMemory } from "./DeviceStoreMemory.js"
import { layerMembershipStoreMemory } from "./MembershipStoreMemory.js"
import { layerRecordStoreMemory } from "./RecordStoreMemory.js"
import { layerSyncSettingsStoreMemory } from "./SyncSettingsStoreMemory.js"

export const layerMemoryStores = Layer.mergeAll(
  layerAccountStoreMemory,
  layerRecordStoreMemory,
  layerSyncSettingsStoreMemory,
  layerMembershipStoreMemory,
  layerDeviceStoreMemory,
  layerAccountKeyStoreMemory,
  layerDeletedContentStoreMemory,
  layerAccessLogStoreMemory
)
