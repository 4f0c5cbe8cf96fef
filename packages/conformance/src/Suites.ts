/**
 * Every check of the suite, grouped as the reports show them. `syncInvariants` sets how many random runs the
 * property checks of SYNC-015 make (more in process, fewer over the network).
 */
import type { Check } from "./Check.js"
import { AccessChecks } from "./suites/AccessChecks.js"
import { BlobChecks } from "./suites/BlobChecks.js"
import { EncryptionChecks } from "./suites/EncryptionChecks.js"
import { InventoryChecks } from "./suites/InventoryChecks.js"
import { IsolationChecks } from "./suites/IsolationChecks.js"
import { LifecycleChecks } from "./suites/LifecycleChecks.js"
import { SyncChecks } from "./suites/SyncChecks.js"
import { syncInvariantChecks } from "./suites/SyncInvariants.js"

export interface Suite {
  readonly name: string
  readonly checks: ReadonlyArray<Check>
}

export const allSuites = (
  syncInvariants: { readonly runs: number; readonly maxOps: number } = { runs: 20, maxOps: 40 }
): ReadonlyArray<Suite> => [
  { name: "Inventory requirements", checks: InventoryChecks },
  { name: "Sync requirements", checks: SyncChecks },
  { name: "Lifecycle requirements", checks: LifecycleChecks },
  { name: "Encryption requirements", checks: EncryptionChecks },
  { name: "Access log requirements", checks: AccessChecks },
  { name: "Blob requirements", checks: BlobChecks },
  { name: "Isolation and copy requirements", checks: IsolationChecks },
  { name: "Sync invariants", checks: syncInvariantChecks(syncInvariants) }
]
