/**
 * Broken on purpose: a record store that silently skips the tombstones a purge of Wi-Fi or frequent-phrase records
 * writes. Turning their sync off runs that purge (§4.1.4(3): their cloud data is deleted for good at once); here the
 * settings change succeeds and every record stays, content and all. A device's own deletion (a tombstone it
 * asked for, with `changedBy`) is still written. The one other purge of these apps, deleting the Wi-Fi or phrase
 * data type on request, is lost the same way; the suite checks that request on contacts only.
 *
 * The requirements that must catch it: DEL-001 (turning the sync off deletes the data at once) and DEL-007 (every
 * app behaves as its published policy says when its sync is turned off).
 */
import { policyOf } from "@custos/core/domain/Inventory"
import type { RecordWrite } from "@custos/core/domain/Record"
import { Effect, Option } from "effect"
import { type Fault, referenceStorageWith, withTxWrite } from "./internal/referenceStorageWith.js"

/** A tombstone no device asked for, of an app whose data goes when its sync is off: what that purge writes. */
const isSyncOffPurge = (record: RecordWrite) =>
  record.state === "purged" && record.changedBy === undefined && policyOf(record.app).onSyncDisabled === "purge"

export const name = "broken: keeps Wi-Fi and phrases after their sync is off"

/** The fault, as a wrapper of the real port (to stack a test's own hooks on it). */
export const fault = {
  records: (real) =>
    // Answers with the record as it stands, as if the write had happened.
    withTxWrite(real, (tx, record) =>
      isSyncOffPurge(record) ? Effect.map(tx.get(record.app, record.id), Option.getOrThrow) : tx.write(record))
} satisfies Fault

export const storage = referenceStorageWith(fault)
