/**
 * The conformance requirements and the sync invariants against core over the memory stores, files in memory too.
 */
import { layerBlobStoreMemory } from "@custos/adapters/blobs/BlobStoreMemory"
import { layerEphemeralKeys } from "@custos/adapters/keys/EphemeralKeys"
import { layerMemoryStores } from "@custos/adapters/memory/MemoryStores"
import { Layer } from "effect"
import { registerChecks } from "@custos/conformance/Vitest"
import { layerInProcessDriver } from "@custos/conformance/drivers/InProcessDriver"
import { AccessChecks } from "@custos/conformance/suites/AccessChecks"
import { BlobChecks } from "@custos/conformance/suites/BlobChecks"
import { InventoryChecks } from "@custos/conformance/suites/InventoryChecks"
import { IsolationChecks } from "@custos/conformance/suites/IsolationChecks"
import { EncryptionChecks } from "@custos/conformance/suites/EncryptionChecks"
import { LifecycleChecks } from "@custos/conformance/suites/LifecycleChecks"
import { SyncChecks } from "@custos/conformance/suites/SyncChecks"
import { syncInvariantChecks } from "@custos/conformance/suites/SyncInvariants"
import type { Target } from "@custos/conformance/Target"

const target: Target = {
  name: "in-process core over memory stores",
  capabilities: new Set(["clock-control", "region-browser", "admin-purchases", "storage-probe", "blobs"]),
  layer: layerInProcessDriver("memory", Layer.mergeAll(layerMemoryStores, layerEphemeralKeys, layerBlobStoreMemory))
}

registerChecks(target, "Inventory requirements", InventoryChecks)
registerChecks(target, "Sync requirements", SyncChecks)
registerChecks(target, "Lifecycle requirements", LifecycleChecks)
registerChecks(target, "Encryption requirements", EncryptionChecks)
registerChecks(target, "Access log requirements", AccessChecks)
registerChecks(target, "Blob requirements", BlobChecks)
registerChecks(target, "Isolation and copy requirements", IsolationChecks)
registerChecks(target, "Sync invariants", syncInvariantChecks({ runs: 60, maxOps: 60 }))
