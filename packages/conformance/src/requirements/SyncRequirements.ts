/**
 * SYNC-*: control over what syncs (§4.1.3(1), §4.1.4(2)) and the sync semantics that let many devices trust one
 * cloud (DESIGN.md "Sync").
 */
import { requirement } from "../Requirement.js"

export const SyncRequirements = [
  requirement(
    "SYNC-001",
    "MUST",
    "§4.1.3(1)",
    "Sync is chosen per app and can be turned on or off at any time; a new account syncs nothing until an app is turned on."
  ),
  requirement(
    "SYNC-002",
    "MUST",
    "§4.1.3(1)",
    "A push to an app whose sync is off is rejected with the code app-disabled, and nothing of it is stored."
  ),
  requirement(
    "SYNC-003",
    "MUST",
    "§4.1.4(2)",
    "Wi-Fi-only is a stored setting, and a device client set to it does not sync over another network."
  ),
  requirement("SYNC-005", "MUST", "§4.1.4(2)", "The home-screen backup schedule is a stored setting devices can read and change."),
  requirement(
    "SYNC-007",
    "MUST",
    "ours",
    "Every write takes a new account-wide sequence number; a pull returns the latest state of each record changed after the cursor, in order and in pages."
  ),
  requirement(
    "SYNC-008",
    "MUST",
    "ours",
    "A retried mutation is answered as a duplicate with its first answer and is never applied twice."
  ),
  requirement(
    "SYNC-009",
    "MUST",
    "ours",
    "A mutation based on a stale version is answered with a conflict carrying the current record, and overwrites nothing."
  ),
  requirement(
    "SYNC-010",
    "MUST",
    "ours",
    "Each mutation of a batch is answered on its own: one rejected or conflicting mutation does not undo or block the others."
  ),
  requirement(
    "SYNC-011",
    "MUST",
    "§4.1.4(3)",
    "A deletion reaches every device through the change feed: trash apps show the record trashed, other apps as a tombstone."
  ),
  requirement(
    "SYNC-012",
    "MUST",
    "ours",
    "A cursor older than the tombstone horizon is answered with resync-required, never with a silent gap; the device client then rebuilds its replica.",
    { capabilities: ["clock-control"] }
  ),
  requirement(
    "SYNC-013",
    "MUST",
    "ours",
    "A malformed cursor, or one issued for another app, is refused with invalid-cursor."
  ),
  requirement(
    "SYNC-014",
    "SHOULD",
    "§4.1.3(3)",
    "Every sync answer says when the device may sync next, and the device client does not sync in the background before then."
  ),
  requirement(
    "SYNC-015",
    "MUST",
    "ours",
    "Devices converge: after random interleavings of edits, retries with lost answers and pulls from several devices, every device that pulls to the head holds what the cloud holds, and no change is lost without a conflict or refusal reported."
  ),
  requirement(
    "SYNC-016",
    "MUST",
    "§4.1.3(2)",
    "A device cannot bring a trashed record back by writing it again; it is answered with a conflict showing it trashed."
  )
] as const
