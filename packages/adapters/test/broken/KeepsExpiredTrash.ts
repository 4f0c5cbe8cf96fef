/**
 * Broken on purpose: a record store whose expiry query takes its cut-off in seconds while retention receipts are in
 * milliseconds. The sweeper asks what is due "before now", is told nothing is, and expired trash stays forever
 * (§4.1.3(2): after the retention period the data is deleted for good).
 *
 * The requirements that must catch it are the retention ones that wait for a purge: RET-001 (purged by day 91),
 * RET-002 (a receipt kept through a lapse still runs out on its day), RET-003 (an extended receipt still runs out)
 * and RET-005 (kept at most 180 days without a membership).
 */
import { RecordStore } from "@custos/core/ports/RecordStore"
import { type Fault, referenceStorageWith } from "./internal/referenceStorageWith.js"

export const name = "broken: keeps expired trash"

/** The fault, as a wrapper of the real port (to stack a test's own hooks on it). */
export const fault = {
  records: (real) =>
    RecordStore.of({
      ...real,
      dueForPurge: (before, limit) => real.dueForPurge(Math.floor(before / 1000), limit)
    })
} satisfies Fault

export const storage = referenceStorageWith(fault)
