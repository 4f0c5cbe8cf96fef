/**
 * What deleting, turning sync off and a membership do (§4.1.3(2), §4.1.3(3), §4.1.4(3)), as DESIGN.md "Per-app
 * policy" and "Trash and retention" decide: TRASH-*, RET-*, MEM-*, QUOTA-*, REGION-*, DEL-*, GAL-*.
 */
import { requirement } from "../Requirement.js"

export const TrashRequirements = [
  requirement(
    "TRASH-001",
    "MUST",
    "§4.1.3(2)",
    "Deleting a record of a trash app (gallery, messages, contacts, call history, notes, recordings, calendar) moves it to the trash, listed per app and in total with its delete-by date."
  ),
  requirement(
    "TRASH-002",
    "MUST",
    "§4.1.3(2)",
    "A trashed record can be restored during its retention, as a new version every device sees."
  ),
  requirement(
    "TRASH-003",
    "MUST",
    "§4.1.3(2)",
    "A trashed record purged by hand is gone for good: it cannot be restored and only a tombstone without content remains."
  ),
  requirement("TRASH-004", "MUST", "ours", "Emptying the trash purges what was in it when asked, not what is trashed afterwards."),
  requirement(
    "TRASH-005",
    "MUST",
    "ours",
    "Only a trashed record can be restored or purged: anything else is refused with not-in-trash or record-not-found and nothing changes."
  ),
  requirement(
    "TRASH-006",
    "MUST",
    "§4.1.4(3)",
    "Apps without a trash (browser, Wi-Fi, Bluetooth, frequent phrases) delete permanently, and trash operations on them are refused with no-trash."
  )
] as const

export const RetentionRequirements = [
  requirement(
    "RET-001",
    "MUST",
    "§4.1.3(2)",
    "An item trashed under a 90-day plan can be restored on day 89 and is purged for good by day 91.",
    { capabilities: ["clock-control", "admin-purchases"] }
  ),
  requirement(
    "RET-002",
    "MUST",
    "ours",
    "A downgrade or a lapsed membership never shortens a retention receipt already given.",
    { capabilities: ["clock-control", "admin-purchases"] }
  ),
  requirement(
    "RET-003",
    "MUST",
    "ours",
    "An upgrade extends the retention receipts of records already in the trash to the new plan's days.",
    { capabilities: ["clock-control", "admin-purchases"] }
  ),
  requirement(
    "RET-004",
    "MUST",
    "ours",
    "Trashing a record again after a restore starts a new retention receipt.",
    { capabilities: ["clock-control"] }
  ),
  requirement(
    "RET-005",
    "MUST",
    "§4.1.3(2)",
    "Without a membership, a trashed item is kept at least 30 days and at most 180 days.",
    { capabilities: ["clock-control"] }
  )
] as const

export const MembershipRequirements = [
  requirement(
    "MEM-001",
    "MUST",
    "§4.1.3(3)",
    "Plans differ in storage, sync frequency and trash retention, and every plan keeps trash between 30 and 180 days."
  ),
  requirement(
    "MEM-002",
    "MUST",
    "§4.1.3(3)",
    "Purchase records of a membership are kept and listable by the account.",
    { capabilities: ["admin-purchases"] }
  ),
  requirement(
    "MEM-003",
    "MUST",
    "§4.1.3(3)",
    "A membership applies during its validity period only; the free plan applies when none is valid.",
    { capabilities: ["admin-purchases", "clock-control"] }
  ),
  requirement(
    "MEM-004",
    "MUST",
    "§4.1.3(3)",
    "A background sync earlier than the plan allows is refused with sync-too-soon and the time to retry; a sync the person asks for is not.",
    // A sync that was let in stays open for two minutes (SyncPacing's window): the refusal shows only once it closed.
    { capabilities: ["clock-control"] }
  )
] as const

export const QuotaRequirements = [
  requirement("QUOTA-001", "MUST", "§4.1.3(3)", "Storage usage counts active and trashed records and the blobs they reference."),
  requirement(
    "QUOTA-002",
    "MUST",
    "§4.1.3(3)",
    "A write that would exceed the plan's storage is rejected with quota-exceeded, stating usage and quota, and nothing of it is stored."
  ),
  requirement(
    "QUOTA-003",
    "MUST",
    "ours",
    "Deleting and purging are always allowed, also over quota, and nothing is deleted automatically because of the quota."
  )
] as const

export const RegionRequirements = [
  requirement(
    "REGION-001",
    "MUST",
    "§4.1.3(1)",
    "Browser sync can be turned on only for accounts in India, Russia or the EEA; elsewhere it is refused with a reason."
  ),
  requirement("REGION-002", "MUST", "§4.1.1", "Every app other than the browser can be synced in every region.")
] as const

export const DeletionRequirements = [
  requirement(
    "DEL-001",
    "MUST",
    "§4.1.4(3)",
    "Turning off Wi-Fi or frequent-phrase sync deletes their cloud data for good at once, and devices learn of it."
  ),
  requirement("DEL-002", "MUST", "§4.1.3(1)", "Turning off sync of any other app keeps its cloud data."),
  requirement(
    "DEL-003",
    "MUST",
    "§4.1.4(3)",
    "Home-screen backups are whole snapshots, listed per device, and deleted permanently one by one."
  ),
  requirement("DEL-004", "SHOULD", "§4.1.4(2)", "The device client takes home-screen backups on the schedule in the sync settings."),
  requirement("DEL-005", "MUST", "§4.1.2", "A person can delete all data of one data type; it is gone for good."),
  requirement(
    "DEL-006",
    "MUST",
    "§4.1.2",
    "A person can delete their account; afterwards nothing of it can be read and the account no longer exists."
  ),
  requirement(
    "DEL-007",
    "MUST",
    "§4.1.4(3)",
    "Every app behaves on deletion and on turning sync off exactly as the published per-app policy says."
  )
] as const

export const GalleryRequirements = [
  requirement(
    "GAL-001",
    "MUST",
    "§4.1.4(2)",
    "Only gallery items from folders selected in the settings are accepted; others are rejected with folder-not-selected."
  ),
  requirement(
    "GAL-002",
    "MUST",
    "ours",
    "A photo deleted on purpose does not come back when a device uploads it again as a new item: it is rejected with deleted-on-purpose until the person restores it or re-adds it explicitly."
  )
] as const
