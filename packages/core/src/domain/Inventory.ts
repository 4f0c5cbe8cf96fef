/**
 * The data inventory (§4.1.2) and the per-app policy (§4.1.3, §4.1.4; DESIGN.md "Per-app policy") as one typed
 * constant. Encryption at rest, retention, deletion, region checks and the privacy pages all read it: this is the
 * source of truth, not a document.
 */
import { Schema } from "effect"
import { App } from "./App.js"

export const DataTypes = [
  "account-id",
  "purchase-history",
  "contacts",
  "browsing-history",
  "text-messages",
  "photos-videos",
  "call-history",
  "notes",
  "recordings",
  "frequent-phrases",
  "calendar-events",
  "home-screen-settings",
  "wifi-settings",
  "bluetooth"
] as const

export const DataTypeId = Schema.Literal(...DataTypes).annotations({ identifier: "DataTypeId" })
export type DataTypeId = typeof DataTypeId.Type

export const DataCategory = Schema.Literal(
  "identifiers",
  "purchases",
  "contacts",
  "browsing-history",
  "user-content",
  "other-data"
)
export type DataCategory = typeof DataCategory.Type

/** Protection at rest: `plain` is field-level plaintext under access control; `aes-128` is sealed per field. */
export const AtRestProtection = Schema.Literal("plain", "aes-128")
export type AtRestProtection = typeof AtRestProtection.Type

/** Who holds the data: an app's records, the account itself, or the membership's purchase records. */
export const Holder = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("app"), app: App }),
  Schema.Struct({ kind: Schema.Literal("account") }),
  Schema.Struct({ kind: Schema.Literal("membership") })
)
export type Holder = typeof Holder.Type

export const DataTypeEntry = Schema.Struct({
  id: DataTypeId,
  name: Schema.String,
  category: DataCategory,
  /** Linked to the person through an account or device identifier (§4.1.2 note 1). */
  identification: Schema.Literal("identified"),
  /** The data is collected to provide the service to the person (§4.1.2 note 2). */
  purpose: Schema.Literal("app-functionality"),
  inTransit: Schema.Literal("https"),
  atRest: AtRestProtection,
  /** Kept until the person deletes it, by the app's rules (trash, purge on disable, backup list). */
  retention: Schema.Literal("until-user-deletes"),
  heldBy: Holder,
  section: Schema.String
})
export type DataTypeEntry = typeof DataTypeEntry.Type

const entry = (
  id: DataTypeId,
  name: string,
  category: DataCategory,
  heldBy: Holder,
  atRest: AtRestProtection = "aes-128"
): DataTypeEntry => ({
  id,
  name,
  category,
  identification: "identified",
  purpose: "app-functionality",
  inTransit: "https",
  atRest,
  retention: "until-user-deletes",
  heldBy,
  section: "§4.1.2"
})

const app = (name: App): Holder => ({ kind: "app", app: name })

export const Inventory: ReadonlyArray<DataTypeEntry> = [
  entry("account-id", "Account identifier", "identifiers", { kind: "account" }, "plain"),
  entry("purchase-history", "Purchase history", "purchases", { kind: "membership" }),
  entry("contacts", "Contacts", "contacts", app("contacts")),
  entry("browsing-history", "Browsing history and favourite sites", "browsing-history", app("browser")),
  entry("text-messages", "Text messages", "user-content", app("messages")),
  entry("photos-videos", "Photos and videos", "user-content", app("gallery")),
  entry("call-history", "Call history", "user-content", app("call-history")),
  entry("notes", "Notes and tasks", "user-content", app("notes")),
  entry("recordings", "Recordings", "user-content", app("recordings")),
  entry("frequent-phrases", "Frequent phrases", "user-content", app("frequent-phrases")),
  entry("calendar-events", "Calendar events", "other-data", app("calendar")),
  entry("home-screen-settings", "Home-screen settings and wallpaper", "other-data", app("home-screen")),
  entry("wifi-settings", "Wi-Fi networks", "other-data", app("wifi")),
  entry("bluetooth", "Bluetooth devices", "other-data", app("bluetooth"))
]

export const dataType = (id: DataTypeId): DataTypeEntry => Inventory.find((e) => e.id === id)!

/** What deleting a record in the app does in the cloud. */
export const DeleteBehaviour = Schema.Literal(
  /** Moved to the trash, restorable until its retention receipt expires (§4.1.3(2), §4.1.4(3)). */
  "trash",
  /** Purged at once; only a tombstone remains for the change feed. */
  "permanent",
  /** Whole backups are deleted one by one from the backup list (§4.1.4(3)). */
  "backup-delete"
)
export type DeleteBehaviour = typeof DeleteBehaviour.Type

/** What turning sync off does to the cloud copy. */
export const DisableBehaviour = Schema.Literal("keep", "purge")
export type DisableBehaviour = typeof DisableBehaviour.Type

export const PayloadKind = Schema.Literal("structured", "metadata-and-blob", "backup-snapshot")
export type PayloadKind = typeof PayloadKind.Type

/** Where an app may be synced: everywhere, or only for accounts whose region is in the list. */
export const RegionRule = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("everywhere") }),
  Schema.Struct({ kind: Schema.Literal("only"), regions: Schema.String, countries: Schema.Array(Schema.String) })
)
export type RegionRule = typeof RegionRule.Type

export const AppPolicy = Schema.Struct({
  app: App,
  label: Schema.String,
  kind: Schema.Literal("app", "system-setting"),
  dataTypes: Schema.NonEmptyArray(DataTypeId),
  payload: PayloadKind,
  onDelete: DeleteBehaviour,
  onSyncDisabled: DisableBehaviour,
  availability: RegionRule,
  sections: Schema.Array(Schema.String)
})
export type AppPolicy = typeof AppPolicy.Type

/** The European Economic Area: the 27 EU states plus Iceland, Liechtenstein and Norway. */
export const EEA: ReadonlyArray<string> = [
  "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
  "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"
]

const everywhere: RegionRule = { kind: "everywhere" }

const policy = (p: AppPolicy): AppPolicy => p

export const Policies: { readonly [A in App]: AppPolicy } = {
  gallery: policy({
    app: "gallery",
    label: "Gallery",
    kind: "app",
    dataTypes: ["photos-videos"],
    payload: "metadata-and-blob",
    onDelete: "trash",
    onSyncDisabled: "keep",
    availability: everywhere,
    sections: ["§4.1.3(1)", "§4.1.3(2)", "§4.1.4(1)", "§4.1.4(2)"]
  }),
  messages: policy({
    app: "messages",
    label: "Messages",
    kind: "app",
    dataTypes: ["text-messages"],
    payload: "structured",
    onDelete: "trash",
    onSyncDisabled: "keep",
    availability: everywhere,
    sections: ["§4.1.3(1)", "§4.1.3(2)", "§4.1.4(3)"]
  }),
  contacts: policy({
    app: "contacts",
    label: "Contacts",
    kind: "app",
    dataTypes: ["contacts"],
    payload: "structured",
    onDelete: "trash",
    onSyncDisabled: "keep",
    availability: everywhere,
    sections: ["§4.1.3(1)", "§4.1.3(2)", "§4.1.4(3)"]
  }),
  "call-history": policy({
    app: "call-history",
    label: "Call history",
    kind: "app",
    dataTypes: ["call-history"],
    payload: "structured",
    onDelete: "trash",
    onSyncDisabled: "keep",
    availability: everywhere,
    sections: ["§4.1.3(1)", "§4.1.4(3)"]
  }),
  notes: policy({
    app: "notes",
    label: "Notes",
    kind: "app",
    dataTypes: ["notes"],
    payload: "structured",
    onDelete: "trash",
    onSyncDisabled: "keep",
    availability: everywhere,
    sections: ["§4.1.3(1)", "§4.1.3(2)", "§4.1.4(3)"]
  }),
  recordings: policy({
    app: "recordings",
    label: "Recordings",
    kind: "app",
    dataTypes: ["recordings"],
    payload: "metadata-and-blob",
    onDelete: "trash",
    onSyncDisabled: "keep",
    availability: everywhere,
    sections: ["§4.1.3(1)", "§4.1.3(2)", "§4.1.4(3)"]
  }),
  calendar: policy({
    app: "calendar",
    label: "Calendar",
    kind: "app",
    dataTypes: ["calendar-events"],
    payload: "structured",
    onDelete: "trash",
    onSyncDisabled: "keep",
    availability: everywhere,
    sections: ["§4.1.3(1)", "§4.1.4(3)"]
  }),
  browser: policy({
    app: "browser",
    label: "Browser",
    kind: "app",
    dataTypes: ["browsing-history"],
    payload: "structured",
    onDelete: "permanent",
    onSyncDisabled: "keep",
    availability: { kind: "only", regions: "India, Russia and the EEA", countries: ["IN", "RU", ...EEA] },
    sections: ["§4.1.3(1)"]
  }),
  wifi: policy({
    app: "wifi",
    label: "Wi-Fi",
    kind: "system-setting",
    dataTypes: ["wifi-settings"],
    payload: "structured",
    onDelete: "permanent",
    onSyncDisabled: "purge",
    availability: everywhere,
    sections: ["§4.1.3(1)", "§4.1.4(3)"]
  }),
  bluetooth: policy({
    app: "bluetooth",
    label: "Bluetooth",
    kind: "system-setting",
    dataTypes: ["bluetooth"],
    payload: "structured",
    onDelete: "permanent",
    onSyncDisabled: "keep",
    availability: everywhere,
    sections: ["§4.1.3(1)"]
  }),
  "frequent-phrases": policy({
    app: "frequent-phrases",
    label: "Frequent phrases",
    kind: "system-setting",
    dataTypes: ["frequent-phrases"],
    payload: "structured",
    onDelete: "permanent",
    onSyncDisabled: "purge",
    availability: everywhere,
    sections: ["§4.1.3(1)", "§4.1.4(3)"]
  }),
  "home-screen": policy({
    app: "home-screen",
    label: "Home screen",
    kind: "system-setting",
    dataTypes: ["home-screen-settings"],
    payload: "backup-snapshot",
    onDelete: "backup-delete",
    onSyncDisabled: "keep",
    availability: everywhere,
    sections: ["§4.1.3(1)", "§4.1.4(2)", "§4.1.4(3)"]
  })
}

export const policyOf = (app: App): AppPolicy => Policies[app]

/** Whether an account in `region` (ISO 3166-1 alpha-2) may sync `app`. */
export const isAvailableIn = (app: App, region: string): boolean => {
  const rule = Policies[app].availability
  return rule.kind === "everywhere" || rule.countries.includes(region.toUpperCase())
}

/** The data types whose content must be sealed before any store sees it. */
export const sealedDataTypes: ReadonlyArray<DataTypeId> = Inventory.filter((e) => e.atRest === "aes-128").map((e) =>
  e.id
)
