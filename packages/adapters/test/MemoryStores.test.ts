import { layerAccountStoreMemory } from "@custos/adapters/memory/AccountStoreMemory"
import { layerRecordStoreMemory } from "@custos/adapters/memory/RecordStoreMemory"
import { layerSyncSettingsStoreMemory } from "@custos/adapters/memory/SyncSettingsStoreMemory"
import { accountStoreSuite } from "@custos/conformance/ports/AccountStoreSuite"
import { recordStoreSuite } from "@custos/conformance/ports/RecordStoreSuite"
import { syncSettingsStoreSuite } from "@custos/conformance/ports/SyncSettingsStoreSuite"

recordStoreSuite("memory", layerRecordStoreMemory)
accountStoreSuite("memory", layerAccountStoreMemory)
syncSettingsStoreSuite("memory", layerSyncSettingsStoreMemory)
