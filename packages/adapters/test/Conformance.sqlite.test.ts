/**
 * The conformance requirements and the sync invariants against core over the SQL stores on SQLite (a database file
 * per test). Every storage port is a SQL store, none is in memory: see `storageOver`; files are kept on disk, in a temp
 * folder per test.
 */
import { registerChecks } from "@custos/conformance/Vitest"
import { layerInProcessDriver } from "@custos/conformance/drivers/InProcessDriver"
import { AccessChecks } from "@custos/conformance/suites/AccessChecks"
import { BlobChecks } from "@custos/conformance/suites/BlobChecks"
import { EncryptionChecks } from "@custos/conformance/suites/EncryptionChecks"
import { InventoryChecks } from "@custos/conformance/suites/InventoryChecks"
import { IsolationChecks } from "@custos/conformance/suites/IsolationChecks"
import { LifecycleChecks } from "@custos/conformance/suites/LifecycleChecks"
import { SyncChecks } from "@custos/conformance/suites/SyncChecks"
import { syncInvariantChecks } from "@custos/conformance/suites/SyncInvariants"
import type { Target } from "@custos/conformance/Target"
import { Layer } from "effect"
import { layerFsBlobStoreTemp } from "./fsBlobStoreTemp.js"
import { storageOver } from "./sqlDialectSuite.js"
import { layerSqliteTemp } from "./sqlTestDatabases.js"

const target: Target = {
  name: "in-process core over SQLite stores",
  capabilities: new Set(["clock-control", "region-browser", "admin-purchases", "storage-probe", "blobs"]),
  layer: layerInProcessDriver("sqlite", Layer.merge(storageOver(layerSqliteTemp), layerFsBlobStoreTemp))
}

registerChecks(target, "Inventory requirements", InventoryChecks)
registerChecks(target, "Sync requirements", SyncChecks)
registerChecks(target, "Lifecycle requirements", LifecycleChecks)
registerChecks(target, "Encryption requirements", EncryptionChecks)
registerChecks(target, "Access log requirements", AccessChecks)
registerChecks(target, "Blob requirements", BlobChecks)
registerChecks(target, "Isolation and copy requirements", IsolationChecks)
registerChecks(target, "Sync invariants", syncInvariantChecks({ runs: 15, maxOps: 40 }))
