/**
 * Payload schemas: the content of one record of each synced source (§4.1.3(1)), as a device sends it. Each schema
 * is a plain `Schema.Struct`, so the encoded form is JSON; that encoded form is what core seals before a store sees
 * it (§4.1.2). Every string, array and number is bounded, and a field no schema names is refused, so nothing stray is
 * ever stored. `decodePayload` and `encodePayload` turn a parse failure into `InvalidPayload` that names the first
 * offending field; its reason never quotes the value, because payload content is private.
 */
import { Arbitrary, DateTime, type Effect, Either, ParseResult, Redacted, Schema, Struct } from "effect"
import type { FastCheck } from "effect"
import * as SchemaAST from "effect/SchemaAST"
import type { ParseOptions } from "effect/SchemaAST"
import type { App } from "./App.js"
import { compileParser, NOT_SURE } from "../internal/compiledParser.js"
import { nestedDeeperThan } from "../internal/depth.js"
import { joinPath } from "../internal/parseErrors.js"
import { InvalidPayload } from "./Errors.js"

// ---------------------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------------------

const says = (message: string) => ({ message: () => message })

/** Free text of at most `max` characters; may be empty. */
const text = (label: string, max: number) =>
  Schema.String.pipe(Schema.maxLength(max, says(`${label} must be at most ${max} characters`)))

/** Text that must hold 1 to `max` characters. */
const nonEmptyText = (label: string, max: number) =>
  Schema.String.pipe(
    Schema.minLength(1, says(`${label} must not be empty`)),
    Schema.maxLength(max, says(`${label} must be at most ${max} characters`))
  )

/** Text of 1 to `max` characters matching `regex`, which should anchor both ends. */
const patterned = (label: string, max: number, regex: RegExp, shape: string) =>
  nonEmptyText(label, max).pipe(Schema.pattern(regex, says(`${label} must be ${shape}`)))

/** A whole number in `[min, max]`. */
const int = (label: string, min: number, max: number) =>
  Schema.Number.pipe(
    Schema.int(says(`${label} must be a whole number`)),
    Schema.between(min, max, says(`${label} must be between ${min} and ${max}`))
  )

/** An array of at most `max` items. */
const list = <S extends Schema.Schema.Any>(item: S, label: string, max: number) =>
  Schema.Array(item).pipe(Schema.maxItems<Schema.Array$<S>>(max, says(`${label} may hold at most ${max} entries`)))

/** A field that may be left out; when present it is never `undefined` (JSON has no such value). */
const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/** An array field that may be left out on the wire and then reads as empty. */
const optionalList = <S extends Schema.Schema.Any>(item: S, label: string, max: number) =>
  Schema.optionalWith(list(item, label, max), { exact: true, default: () => [] })

const MIN_TIME = Date.UTC(1900, 0, 1)
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** A point in time, encoded as an ISO 8601 string in UTC, between the years 1900 and 9999. */
const instant = (label: string) =>
  Schema.compose(
    Schema.String.pipe(Schema.maxLength(64, says(`${label} must be at most 64 characters`))),
    Schema.DateTimeUtc.annotations(says(`${label} must be a date and time such as 2024-05-01T09:30:00Z`))
  ).pipe(
    Schema.filter(
      (t) => {
        const ms = DateTime.toEpochMillis(t)
        return ms >= MIN_TIME && ms <= MAX_TIME
      },
      {
        message: () => `${label} must fall between the years 1900 and 9999`,
        arbitrary: () => (fc) =>
          fc.date({ min: new Date(MIN_TIME), max: new Date(MAX_TIME), noInvalidDate: true }).map(
            DateTime.unsafeFromDate
          )
      }
    )
  )

/** One tebibyte: larger than any photo, video or recording a phone makes. */
const MAX_BYTES = 2 ** 40
/** A week: longer than any call, video or recording a phone keeps. */
const WEEK_SECONDS = 7 * 24 * 60 * 60
const WEEK_MS = WEEK_SECONDS * 1000

const ByteSize = int("A size in bytes", 0, MAX_BYTES)

const Sha256 = patterned("A SHA-256 digest", 64, /^[0-9a-f]{64}$/, "64 lowercase hexadecimal digits")

/** A dialable number, a short code or a sender name; punctuation as people write it is allowed. */
const PhoneNumber = patterned(
  "A phone number",
  48,
  /^[0-9A-Za-z+*#(),;./ -]+$/,
  "digits, letters, spaces and + * # ( ) , ; . / -"
)

/** A file or folder name as the device shows it; no control characters. */
const displayName = (label: string, max: number) =>
  patterned(label, max, /^[^\u0000-\u001f\u007f]+$/, "free of control characters")

const mimeType = (label: string, topTypes: string, shape: string) =>
  patterned(label, 127, new RegExp(`^(?:${topTypes})/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$`), shape)

/** An application package name such as `org.example.app`. */
const PackageName = patterned(
  "A package name",
  255,
  /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/,
  "dot-separated words such as org.example.app"
)

/** A blob that travels on its own: a photo, a video, a recording or a wallpaper (§4.1.4(1)). */
export const BlobRef = Schema.Struct({
  id: patterned("A blob id", 128, /^[A-Za-z0-9._-]+$/, "letters, digits and . _ -"),
  size: ByteSize,
  sha256: Sha256
}).annotations({
  identifier: "BlobRef",
  description: "A reference to content uploaded apart from the record: its id, size in bytes and SHA-256"
})
export type BlobRef = typeof BlobRef.Type

/** The blob, when attached, must be the very content the record describes. */
const blobMatches = (p: { readonly size: number; readonly sha256: string; readonly blob?: BlobRef }) =>
  p.blob === undefined ? true :
  p.blob.size !== p.size ? { path: ["blob", "size"], message: "The blob size must equal the content size" } :
  p.blob.sha256 !== p.sha256 ?
  { path: ["blob", "sha256"], message: "The blob digest must equal the content digest" } :
  true

const withMatchingBlob = <A extends { readonly size: number; readonly sha256: string; readonly blob?: BlobRef }>(
  p: A
): A => p.blob === undefined ? p : { ...p, blob: { ...p.blob, size: p.size, sha256: p.sha256 } }

// ---------------------------------------------------------------------------------------------------------------
// Gallery (§4.1.3(1), §4.1.4(1)): metadata here, the file itself as a blob
// ---------------------------------------------------------------------------------------------------------------

const GalleryFields = Schema.Struct({
  fileName: displayName("A file name", 255),
  /** The album on the device, e.g. "Camera"; only folders selected in the sync settings are accepted. */
  folder: displayName("A folder name", 255),
  mediaType: Schema.Literal("photo", "video"),
  mimeType: mimeType("A media type", "image|video", "an image/* or video/* MIME type"),
  takenAt: instant("The capture time"),
  width: optional(int("A width", 1, 100_000)),
  height: optional(int("A height", 1, 100_000)),
  durationMs: optional(int("A duration", 0, WEEK_MS)),
  size: ByteSize,
  sha256: Sha256,
  blob: optional(BlobRef),
  /**
   * A small preview the phone made (ours: phones already have one, so the cloud never decodes media to make its
   * own); a blob like the file itself: counted in the quota, downloadable, collected with its record.
   */
  thumbnail: optional(BlobRef)
})

export const GalleryItem = GalleryFields.pipe(
  Schema.filter(
    (item) =>
      !item.mimeType.startsWith(item.mediaType === "photo" ? "image/" : "video/") ?
        { path: ["mimeType"], message: "A photo needs an image/* MIME type and a video a video/* one" } :
        item.mediaType === "photo" && item.durationMs !== undefined ?
        { path: ["durationMs"], message: "Only a video has a duration" } :
        blobMatches(item),
    {
      arbitrary: () => () =>
        Arbitrary.make(GalleryFields).map((item) => {
          const fixed = {
            ...item,
            mimeType: item.mimeType.replace(/^[a-z]+\//, item.mediaType === "photo" ? "image/" : "video/")
          }
          return withMatchingBlob(item.mediaType === "photo" ? Struct.omit(fixed, "durationMs") : fixed)
        })
    }
  )
).annotations({
  identifier: "GalleryItem",
  description: "The metadata of a photo or video in a gallery folder; the file travels as a blob (§4.1.3(1))"
})
export type GalleryItem = typeof GalleryItem.Type

/** The gallery folder a record belongs to, checked against the folders selected for sync. */
export const folderOf = (p: GalleryItem): string => p.folder

// ---------------------------------------------------------------------------------------------------------------
// Messages (§4.1.3(1)): favourites sync too (§4.1.3)
// ---------------------------------------------------------------------------------------------------------------

export const TextMessage = Schema.Struct({
  /** The other party's number. */
  address: PhoneNumber,
  body: text("A message body", 100_000),
  direction: Schema.Literal("received", "sent"),
  at: instant("The message time"),
  read: Schema.Boolean,
  favourite: Schema.Boolean,
  /** The number of the SIM card in the device when it synced. */
  simNumber: PhoneNumber
}).annotations({
  identifier: "TextMessage",
  description: "A text message sent or received on the device, with its read and favourite marks (§4.1.3(1))"
})
export type TextMessage = typeof TextMessage.Type

// ---------------------------------------------------------------------------------------------------------------
// Contacts (§4.1.3(1))
// ---------------------------------------------------------------------------------------------------------------

const Label = text("A label", 64)

const Email = patterned("An email address", 254, /^[^\s@]+@[^\s@]+\.[^\s@]+$/, "shaped like name@example.org")

const ContactName = Schema.Struct({
  given: optional(text("A given name", 256)),
  family: optional(text("A family name", 256)),
  formatted: nonEmptyText("A display name", 512)
}).annotations({ identifier: "ContactName", description: "A contact's name parts and the name as shown" })

const ContactPhone = Schema.Struct({ label: Label, number: PhoneNumber }).annotations({
  identifier: "ContactPhone",
  description: "A labelled phone number"
})

const ContactEmail = Schema.Struct({ label: Label, address: Email }).annotations({
  identifier: "ContactEmail",
  description: "A labelled email address"
})

const PostalAddress = Schema.Struct({
  label: Label,
  street: optional(text("A street", 512)),
  city: optional(text("A city", 256)),
  region: optional(text("A region", 256)),
  postalCode: optional(text("A postal code", 32)),
  country: optional(text("A country", 256))
}).annotations({ identifier: "PostalAddress", description: "A labelled postal address" })

export const Contact = Schema.Struct({
  name: ContactName,
  phones: optionalList(ContactPhone, "Phone numbers", 100),
  emails: optionalList(ContactEmail, "Email addresses", 100),
  organization: optional(text("An organization", 256)),
  birthday: optional(
    patterned(
      "A birthday",
      10,
      /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
      "a date written YYYY-MM-DD"
    )
  ),
  note: optional(text("A contact note", 10_000)),
  addresses: optionalList(PostalAddress, "Postal addresses", 20)
}).annotations({
  identifier: "Contact",
  description: "An address-book entry; absent lists read as empty (§4.1.3(1))"
})
export type Contact = typeof Contact.Type

// ---------------------------------------------------------------------------------------------------------------
// Call history (§4.1.3(1))
// ---------------------------------------------------------------------------------------------------------------

const CallFields = Schema.Struct({
  number: PhoneNumber,
  direction: Schema.Literal("incoming", "outgoing", "missed"),
  startedAt: instant("The call start"),
  durationSeconds: int("A call duration", 0, WEEK_SECONDS),
  /** The number of the SIM card in the device when it synced. */
  simNumber: PhoneNumber
})

export const CallEntry = CallFields.pipe(
  Schema.filter(
    (call) =>
      call.direction !== "missed" || call.durationSeconds === 0 ||
      { path: ["durationSeconds"], message: "A missed call lasts 0 seconds" },
    {
      arbitrary: () => () =>
        Arbitrary.make(CallFields).map((call) => call.direction === "missed" ? { ...call, durationSeconds: 0 } : call)
    }
  )
).annotations({
  identifier: "CallEntry",
  description: "One incoming, outgoing or missed call in the call log (§4.1.3(1))"
})
export type CallEntry = typeof CallEntry.Type

// ---------------------------------------------------------------------------------------------------------------
// Notes and tasks (§4.1.3(1)), private notes included
// ---------------------------------------------------------------------------------------------------------------

const NoteFields = Schema.Struct({
  kind: Schema.Literal("note", "task"),
  title: text("A title", 1024),
  body: text("A note body", 200_000),
  private: Schema.Boolean,
  folder: optional(displayName("A folder name", 256)),
  dueAt: optional(instant("The due time")),
  done: optional(Schema.Boolean)
})

export const Note = NoteFields.pipe(
  Schema.filter(
    (note) =>
      note.kind === "task" ? true :
      note.dueAt !== undefined ? { path: ["dueAt"], message: "Only a task has a due time" } :
      note.done !== undefined ? { path: ["done"], message: "Only a task can be marked done" } :
      true,
    {
      arbitrary: () => () =>
        Arbitrary.make(NoteFields).map((note) => note.kind === "task" ? note : Struct.omit(note, "dueAt", "done"))
    }
  )
).annotations({
  identifier: "Note",
  description: "A note or a task; private notes sync like the others (§4.1.3(1))"
})
export type Note = typeof Note.Type

// ---------------------------------------------------------------------------------------------------------------
// Recordings (§4.1.3(1)): metadata here, the audio as a blob
// ---------------------------------------------------------------------------------------------------------------

const RecordingFields = Schema.Struct({
  title: text("A title", 256),
  recordedAt: instant("The recording time"),
  durationMs: int("A duration", 0, WEEK_MS),
  mimeType: mimeType("A media type", "audio", "an audio/* MIME type"),
  size: ByteSize,
  sha256: Sha256,
  blob: optional(BlobRef)
})

export const Recording = RecordingFields.pipe(
  Schema.filter(blobMatches, { arbitrary: () => () => Arbitrary.make(RecordingFields).map(withMatchingBlob) })
).annotations({
  identifier: "Recording",
  description: "The metadata of a voice recording; the audio travels as a blob (§4.1.3(1))"
})
export type Recording = typeof Recording.Type

// ---------------------------------------------------------------------------------------------------------------
// Calendar (§4.1.3(1))
// ---------------------------------------------------------------------------------------------------------------

const CalendarFields = Schema.Struct({
  title: text("A title", 1024),
  startsAt: instant("The start"),
  endsAt: instant("The end"),
  allDay: Schema.Boolean,
  location: optional(text("A location", 1024)),
  description: optional(text("A description", 20_000)),
  timeZone: optional(
    patterned(
      "A time zone",
      64,
      /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,3}$/,
      "a zone name such as Europe/Paris or UTC"
    )
  ),
  recurrence: optional(
    patterned(
      "A recurrence rule",
      1024,
      /^FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;[A-Z][A-Z-]*=[A-Za-z0-9,:+-]+)*$/,
      "a rule such as FREQ=WEEKLY;BYDAY=MO"
    )
  ),
  /** Minutes before the start, up to four weeks. */
  reminders: optionalList(int("A reminder", 0, 40_320), "Reminders", 20)
})

export const CalendarEvent = CalendarFields.pipe(
  Schema.filter(
    (event) =>
      !DateTime.lessThan(event.endsAt, event.startsAt) ||
      { path: ["endsAt"], message: "An event cannot end before it starts" },
    {
      arbitrary: () => () =>
        Arbitrary.make(CalendarFields).map((event) =>
          DateTime.lessThan(event.endsAt, event.startsAt) ?
            { ...event, startsAt: event.endsAt, endsAt: event.startsAt } :
            event
        )
    }
  )
).annotations({
  identifier: "CalendarEvent",
  description: "A calendar event with its recurrence and reminders; absent reminders read as none (§4.1.3(1))"
})
export type CalendarEvent = typeof CalendarEvent.Type

// ---------------------------------------------------------------------------------------------------------------
// Browser (§4.1.3(1)): history and favourite sites
// ---------------------------------------------------------------------------------------------------------------

/** The WHATWG URL parser every supported runtime has; core compiles without DOM or Node typings. */
declare const URL: new(input: string) => { readonly protocol: string }

const isWebUrl = (s: string): boolean => {
  if (/[\s\u0000-\u001f\u007f]/.test(s)) return false
  try {
    const url = new URL(s)
    return url.protocol === "http:" || url.protocol === "https:"
  } catch {
    return false
  }
}

const WebUrl = text("A web address", 4096).pipe(
  Schema.filter(isWebUrl, {
    message: () => "A web address must be an http or https URL",
    arbitrary: () => (fc) => fc.webUrl().filter((url) => url.length <= 4096 && isWebUrl(url))
  })
)

const HistoryEntry = Schema.Struct({
  kind: Schema.Literal("history"),
  url: WebUrl,
  title: text("A title", 1024),
  visitedAt: instant("The visit time")
}).annotations({ identifier: "HistoryEntry", description: "A page visited" })

const FavouriteEntry = Schema.Struct({
  kind: Schema.Literal("favourite"),
  url: WebUrl,
  title: text("A title", 1024),
  folder: optional(displayName("A folder name", 256)),
  addedAt: instant("The time it was added")
}).annotations({ identifier: "FavouriteEntry", description: "A site kept as a favourite" })

export const BrowserEntry = Schema.Union(HistoryEntry, FavouriteEntry).annotations({
  identifier: "BrowserEntry",
  description: "A browsing-history entry or a favourite site, told apart by `kind` (§4.1.3(1))"
})
export type BrowserEntry = typeof BrowserEntry.Type

// ---------------------------------------------------------------------------------------------------------------
// Wi-Fi networks (§4.1.3(1)): a system setting; the password is redacted in memory
// ---------------------------------------------------------------------------------------------------------------

const WifiSecurity = Schema.Literal("open", "wep", "wpa-psk", "wpa2-psk", "wpa3-sae", "wpa2-enterprise")
type WifiSecurity = typeof WifiSecurity.Type

const WifiFields = {
  ssid: nonEmptyText("A network name", 32),
  security: WifiSecurity,
  hidden: Schema.Boolean,
  autoJoin: Schema.Boolean
}

const WifiPassword = Schema.Redacted(text("A password", 128))

const passphrase = /^[\u0020-\u007e]{8,63}$/
const wepKey = /^([\u0020-\u007e]{5}|[\u0020-\u007e]{13}|[0-9A-Fa-f]{10}|[0-9A-Fa-f]{26})$/

/** What is wrong with `password` for `security`, if anything. A secured network may omit it. */
const passwordProblem = (security: WifiSecurity, password: string | undefined): string | undefined => {
  if (password === undefined) return undefined
  switch (security) {
    case "open":
      return "An open network has no password"
    case "wep":
      return wepKey.test(password) ? undefined : "A WEP key must be 5 or 13 characters, or 10 or 26 hex digits"
    case "wpa-psk":
    case "wpa2-psk":
    case "wpa3-sae":
      return passphrase.test(password) ? undefined : "A WPA password must be 8 to 63 printable ASCII characters"
    case "wpa2-enterprise":
      return password.length > 0 ? undefined : "An enterprise password must not be empty"
  }
}

const passwordArbitrary = (fc: typeof FastCheck, security: WifiSecurity) => {
  const hex = fc.constantFrom(..."0123456789abcdefABCDEF")
  switch (security) {
    case "open":
      return fc.constant(undefined)
    case "wep":
      return fc.oneof(
        fc.string({ minLength: 5, maxLength: 5 }),
        fc.string({ minLength: 13, maxLength: 13 }),
        fc.string({ unit: hex, minLength: 10, maxLength: 10 }),
        fc.string({ unit: hex, minLength: 26, maxLength: 26 })
      )
    case "wpa-psk":
    case "wpa2-psk":
    case "wpa3-sae":
      return fc.string({ minLength: 8, maxLength: 63 })
    case "wpa2-enterprise":
      return fc.string({ minLength: 1, maxLength: 128 })
  }
}

export const WifiNetwork = Schema.Struct({ ...WifiFields, password: optional(WifiPassword) }).pipe(
  Schema.filter(
    (network) => {
      const problem = passwordProblem(
        network.security,
        network.password === undefined ? undefined : Redacted.value(network.password)
      )
      return problem === undefined || { path: ["password"], message: problem }
    },
    {
      arbitrary: () => (fc) =>
        Arbitrary.make(Schema.Struct(WifiFields)).chain((network) =>
          fc.option(passwordArbitrary(fc, network.security), { nil: undefined }).map((password) =>
            password === undefined ? network : { ...network, password: Redacted.make(password) }
          )
        )
    }
  )
).annotations({
  identifier: "WifiNetwork",
  description: "A saved Wi-Fi network; the password, if given, is held redacted and fits the security type"
})
export type WifiNetwork = typeof WifiNetwork.Type

// ---------------------------------------------------------------------------------------------------------------
// Bluetooth devices (§4.1.3(1)): a system setting
// ---------------------------------------------------------------------------------------------------------------

export const BluetoothDevice = Schema.Struct({
  name: text("A device name", 248),
  address: patterned(
    "A device address",
    17,
    /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/,
    "six pairs of hex digits joined by colons, such as 00:1A:7D:DA:71:13"
  ),
  deviceClass: optional(Schema.Literal("audio", "wearable", "car", "input", "phone", "computer", "other")),
  pairedAt: instant("The pairing time")
}).annotations({
  identifier: "BluetoothDevice",
  description: "A Bluetooth device paired with the phone (§4.1.3(1))"
})
export type BluetoothDevice = typeof BluetoothDevice.Type

// ---------------------------------------------------------------------------------------------------------------
// Frequent phrases (§4.1.3(1)): a system setting of the keyboard
// ---------------------------------------------------------------------------------------------------------------

export const FrequentPhrase = Schema.Struct({
  text: nonEmptyText("A phrase", 500),
  position: int("A position", 0, 100_000)
}).annotations({
  identifier: "FrequentPhrase",
  description: "A phrase the keyboard offers, and its place in the list (§4.1.3(1))"
})
export type FrequentPhrase = typeof FrequentPhrase.Type

// ---------------------------------------------------------------------------------------------------------------
// Home screen (§4.1.3(1), §4.1.4(2)): each record is a whole backup, kept in a list of backups
// ---------------------------------------------------------------------------------------------------------------

const HomeScreenItemFields = Schema.Struct({
  kind: Schema.Literal("app", "widget", "folder"),
  packageName: optional(PackageName),
  label: text("A label", 256),
  x: int("A column", 0, 99),
  y: int("A row", 0, 99),
  spanX: optional(int("A width in cells", 1, 100)),
  spanY: optional(int("A height in cells", 1, 100))
})

const HomeScreenItem = HomeScreenItemFields.pipe(
  Schema.filter(
    (item) =>
      item.kind !== "app" || item.packageName !== undefined ||
      { path: ["packageName"], message: "An app shortcut needs its package name" },
    {
      arbitrary: () => (fc) =>
        fc.tuple(Arbitrary.make(HomeScreenItemFields), Arbitrary.make(PackageName)).map(([item, packageName]) =>
          item.kind === "app" && item.packageName === undefined ? { ...item, packageName } : item
        )
    }
  )
).annotations({ identifier: "HomeScreenItem", description: "An app shortcut, widget or folder placed on a grid" })

const HomeScreenPage = Schema.Struct({
  index: int("A page index", 0, 99),
  items: list(HomeScreenItem, "A page", 500)
}).annotations({ identifier: "HomeScreenPage", description: "One page of the home screen" })

const InstalledApp = Schema.Struct({
  packageName: PackageName,
  label: text("A label", 256),
  version: optional(text("A version", 64))
}).annotations({ identifier: "InstalledApp", description: "An app installed when the backup was taken" })

export const HomeScreenBackup = Schema.Struct({
  deviceModel: nonEmptyText("A device model", 128),
  takenAt: instant("The backup time"),
  launcher: nonEmptyText("A launcher", 256),
  grid: Schema.Struct({
    columns: int("A column count", 1, 100),
    rows: int("A row count", 1, 100)
  }).annotations({ identifier: "HomeScreenGrid", description: "The cell grid of each page" }),
  pages: list(HomeScreenPage, "Pages", 100),
  dock: list(HomeScreenItem, "The dock", 50),
  installedApps: list(InstalledApp, "Installed apps", 10_000),
  wallpaper: optional(BlobRef)
}).annotations({
  identifier: "HomeScreenBackup",
  description: "A snapshot of the home-screen layout, the installed apps and the wallpaper (§4.1.4(2))"
})
export type HomeScreenBackup = typeof HomeScreenBackup.Type

// ---------------------------------------------------------------------------------------------------------------
// By app
// ---------------------------------------------------------------------------------------------------------------

/** The payload type of each app. */
export interface PayloadMap {
  readonly gallery: GalleryItem
  readonly messages: TextMessage
  readonly contacts: Contact
  readonly "call-history": CallEntry
  readonly notes: Note
  readonly recordings: Recording
  readonly calendar: CalendarEvent
  readonly browser: BrowserEntry
  readonly wifi: WifiNetwork
  readonly bluetooth: BluetoothDevice
  readonly "frequent-phrases": FrequentPhrase
  readonly "home-screen": HomeScreenBackup
}

export type PayloadOf<A extends App> = PayloadMap[A]
export type Payload = PayloadOf<App>

export const PayloadSchemas: { readonly [A in App]: Schema.Schema<PayloadOf<A>, any, never> } = {
  gallery: GalleryItem,
  messages: TextMessage,
  contacts: Contact,
  "call-history": CallEntry,
  notes: Note,
  recordings: Recording,
  calendar: CalendarEvent,
  browser: BrowserEntry,
  wifi: WifiNetwork,
  bluetooth: BluetoothDevice,
  "frequent-phrases": FrequentPhrase,
  "home-screen": HomeScreenBackup
}

const schemaOf = (app: App): Schema.Schema<Payload, unknown> =>
  PayloadSchemas[app] as unknown as Schema.Schema<Payload, unknown>

/** Report only the first problem, and refuse any field the schema does not name. */
const parseOptions: ParseOptions = { errors: "first", onExcessProperty: "error" }

/** The first problem as `InvalidPayload`; default messages lose their ", actual …" part so no content leaks. */
const toInvalidPayload = (app: App) => (error: ParseResult.ParseError): InvalidPayload => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const field = issue === undefined ? "" : joinPath(issue.path)
  const reason = issue === undefined ?
    "The payload is not valid" :
    issue._tag === "Missing" ?
    "This field is required" :
    issue._tag === "Unexpected" ?
    "This field is not part of the payload" :
    field === "" && issue._tag === "Type" ?
    "The payload must be an object" :
    issue.message.replace(/, actual [\s\S]*$/, "")
  return new InvalidPayload({ app, field: field === "" ? "(payload)" : field, reason })
}

/**
 * `ast` without its refinements (filters), for encoding a value that has just been decoded, and so has passed every
 * one of them: encoding runs a refinement's whole type side again at each level, which costs more than the decoding
 * did. Transformations (defaults, dates, the Wi-Fi password's `Redacted`) stay, so the encoded form is the same.
 */
const withoutRefinements = (ast: SchemaAST.AST): SchemaAST.AST => {
  switch (ast._tag) {
    case "Refinement":
      return withoutRefinements(ast.from)
    case "TypeLiteral":
      return new SchemaAST.TypeLiteral(
        ast.propertySignatures.map((ps) =>
          new SchemaAST.PropertySignature(
            ps.name,
            withoutRefinements(ps.type),
            ps.isOptional,
            ps.isReadonly,
            ps.annotations
          )
        ),
        ast.indexSignatures.map((is) =>
          new SchemaAST.IndexSignature(is.parameter, withoutRefinements(is.type), is.isReadonly)
        ),
        ast.annotations
      )
    case "TupleType":
      return new SchemaAST.TupleType(
        ast.elements.map((e) => new SchemaAST.OptionalType(withoutRefinements(e.type), e.isOptional, e.annotations)),
        ast.rest.map((r) => new SchemaAST.Type(withoutRefinements(r.type), r.annotations)),
        ast.isReadonly,
        ast.annotations
      )
    case "Union":
      return SchemaAST.Union.make(ast.types.map(withoutRefinements), ast.annotations)
    case "Transformation":
      return new SchemaAST.Transformation(
        withoutRefinements(ast.from),
        withoutRefinements(ast.to),
        ast.transformation,
        ast.annotations
      )
    case "Declaration":
      return new SchemaAST.Declaration(
        ast.typeParameters.map(withoutRefinements),
        ast.decodeUnknown,
        ast.encodeUnknown,
        ast.annotations
      )
    case "Suspend": {
      let inner: SchemaAST.AST | undefined
      return new SchemaAST.Suspend(() => inner ??= withoutRefinements(ast.f()), ast.annotations)
    }
    default:
      return ast
  }
}

/**
 * `decodeAndEncodePayload`'s answer for a payload as it is, from parsers compiled from the app's schema
 * (`internal/compiledParser.ts`); `undefined` when they are not sure (a field missing, unknown or invalid), and then
 * Effect's parsers answer. `undefined` for a schema they do not compile.
 */
const compiledDecodeAndEncode = (app: App) => {
  const decode = compileParser(schemaOf(app).ast, true)
  const encode = compileParser(withoutRefinements(schemaOf(app).ast), false)
  if (decode === undefined || encode === undefined) return undefined
  return (input: unknown): { readonly decoded: Payload; readonly encoded: unknown } | undefined => {
    try {
      const decoded = decode(input)
      if (decoded === NOT_SURE) return undefined
      const encoded = encode(decoded)
      return encoded === NOT_SURE ? undefined : { decoded: decoded as Payload, encoded }
    } catch {
      // A getter of an in-process caller's object that throws: Effect's parsers answer as they would.
      return undefined
    }
  }
}

/** Each app's decoder and encoder, built once: a push decodes and encodes every payload it carries. */
const parsers = Object.fromEntries(
  (Object.keys(PayloadSchemas) as ReadonlyArray<App>).map((app) => [app, {
    compiled: compiledDecodeAndEncode(app),
    decode: ParseResult.decodeUnknownEither(schemaOf(app), parseOptions),
    // Drops fields the schema does not name instead of refusing them: see `decodeAndEncodePayload`.
    decodeDropping: ParseResult.decodeUnknownEither(schemaOf(app), { errors: "first" }),
    encode: ParseResult.encodeEither(schemaOf(app), parseOptions),
    // A decoded payload holds only the fields its schema names, so there are no extra ones to look for either.
    encodeDecoded: ParseResult.encodeEither(Schema.make(withoutRefinements(schemaOf(app).ast)), { errors: "first" }),
    invalid: toInvalidPayload(app)
  }])
) as unknown as {
  readonly [A in App]: {
    readonly compiled:
      | ((input: unknown) => { readonly decoded: Payload; readonly encoded: unknown } | undefined)
      | undefined
    readonly decode: (input: unknown) => Either.Either<Payload, ParseResult.ParseIssue>
    readonly decodeDropping: (input: unknown) => Either.Either<Payload, ParseResult.ParseIssue>
    readonly encode: (payload: Payload) => Either.Either<unknown, ParseResult.ParseIssue>
    readonly encodeDecoded: (payload: Payload) => Either.Either<unknown, ParseResult.ParseIssue>
    readonly invalid: (error: ParseResult.ParseError) => InvalidPayload
  }
}

/** The apps whose payloads a push decodes and encodes with compiled parsers (`compiledDecodeAndEncode`). */
export const compiledApps: ReadonlyArray<App> = (Object.keys(parsers) as ReadonlyArray<App>).filter((app) =>
  parsers[app].compiled !== undefined
)

/**
 * How deep a payload may nest objects and arrays; every payload schema nests far less. A refused payload deeper than
 * this is refused for its depth: describing it field by field would recurse as deep as it goes.
 */
export const MAX_PAYLOAD_DEPTH = 32

/** Decodes the encoded (JSON) form of `app`'s payload, at once (every payload schema is synchronous). */
export const decodePayloadEither = (app: App, input: unknown): Either.Either<Payload, InvalidPayload> => {
  const parser = parsers[app]
  return Either.mapLeft(parser.decode(input), (issue) =>
    nestedDeeperThan(input, MAX_PAYLOAD_DEPTH)
      ? new InvalidPayload({
        app,
        field: "(payload)",
        reason: `The payload nests objects or arrays more than ${MAX_PAYLOAD_DEPTH} levels deep`
      })
      : parser.invalid(new ParseResult.ParseError({ issue })))
}

/** Encodes `app`'s payload to its JSON-safe form (see `encodePayload`), at once. */
export const encodePayloadEither = (app: App, payload: Payload): Either.Either<unknown, InvalidPayload> => {
  const parser = parsers[app]
  return Either.mapLeft(parser.encode(payload), (issue) => parser.invalid(new ParseResult.ParseError({ issue })))
}

/**
 * `encodePayloadEither` of a payload `decodePayloadEither` has just returned for the same app, without running its
 * checks a second time (it passed them all when it was decoded): what a push does with every payload it carries.
 */
export const encodeDecodedPayload = (app: App, decoded: Payload): Either.Either<unknown, InvalidPayload> => {
  const parser = parsers[app]
  return Either.mapLeft(parser.encodeDecoded(decoded), (issue) => parser.invalid(new ParseResult.ParseError({ issue })))
}

/**
 * Whether every field of every object in `input` is still there, at the same place, in `encoded`: the encoded form
 * of what a decoder that drops unknown fields made of it. The payload schemas rename no field and make no object of
 * something else, so a field missing from `encoded` is one the decoder dropped; an answer of `false` when there is
 * none only costs the strict decoding.
 */
const keepsEveryField = (input: unknown, encoded: unknown): boolean => {
  if (typeof input !== "object" || input === null) return true
  if (typeof encoded !== "object" || encoded === null) return false
  if (Array.isArray(input)) {
    if (!Array.isArray(encoded) || encoded.length !== input.length) return false
    for (let i = 0; i < input.length; i++) if (!keepsEveryField(input[i], encoded[i])) return false
    return true
  }
  if (Array.isArray(encoded)) return false
  const from = input as Record<PropertyKey, unknown>
  const to = encoded as Record<PropertyKey, unknown>
  for (const key of Reflect.ownKeys(from)) {
    if (!Object.prototype.hasOwnProperty.call(to, key) || !keepsEveryField(from[key], to[key])) return false
  }
  return true
}

/**
 * What a push does with a payload: `decodePayloadEither`, then `check` of the decoded payload, then
 * `encodeDecodedPayload`; the first failure, in that order, or both forms. A payload the compiled parsers accept as
 * it is takes them alone (`compiledDecodeAndEncode`). Otherwise, since refusing unknown fields is most of the cost
 * of Effect's decoding, it is first decoded dropping them and kept only if its encoded form shows that none was
 * dropped; anything else (an unknown field, any failure) goes through the strict decoder, so every answer is the
 * one the steps above give.
 */
export const decodeAndEncodePayload = <E>(
  app: App,
  input: unknown,
  check: (decoded: Payload) => E | undefined
): Either.Either<{ readonly decoded: Payload; readonly encoded: unknown }, InvalidPayload | E> => {
  const parser = parsers[app]
  const compiled = parser.compiled?.(input)
  if (compiled !== undefined) {
    const refused = check(compiled.decoded)
    return refused !== undefined ? Either.left(refused) : Either.right(compiled)
  }
  const dropping = parser.decodeDropping(input)
  if (Either.isRight(dropping)) {
    const encoded = parser.encodeDecoded(dropping.right)
    if (Either.isRight(encoded) && keepsEveryField(input, encoded.right)) {
      const refused = check(dropping.right)
      return refused !== undefined
        ? Either.left(refused)
        : Either.right({ decoded: dropping.right, encoded: encoded.right })
    }
  }
  return Either.flatMap(decodePayloadEither(app, input), (decoded): Either.Either<
    { readonly decoded: Payload; readonly encoded: unknown },
    InvalidPayload | E
  > => {
    const refused = check(decoded)
    return refused !== undefined
      ? Either.left(refused)
      : Either.map(encodeDecodedPayload(app, decoded), (encoded) => ({ decoded, encoded }))
  })
}

/** Decodes the encoded (JSON) form of `app`'s payload. */
export const decodePayload = (app: App, input: unknown): Effect.Effect<Payload, InvalidPayload> =>
  decodePayloadEither(app, input)

/**
 * Encodes `app`'s payload to its JSON-safe form, the form that is sealed and stored. The Wi-Fi password appears in
 * plain text only here, by design: this form never leaves core unsealed.
 */
export const encodePayload = (app: App, payload: Payload): Effect.Effect<unknown, InvalidPayload> =>
  encodePayloadEither(app, payload)

/**
 * The blobs a payload references: a gallery item's file and its thumbnail, a recording's audio, a backup's
 * wallpaper.
 */
export const blobRefsOf = (app: App, payload: Payload): ReadonlyArray<BlobRef> => {
  switch (app) {
    case "gallery": {
      const { blob, thumbnail } = payload as GalleryItem
      return [blob, thumbnail].filter((ref): ref is BlobRef => ref !== undefined)
    }
    case "recordings": {
      const blob = (payload as Recording).blob
      return blob === undefined ? [] : [blob]
    }
    case "home-screen": {
      const wallpaper = (payload as HomeScreenBackup).wallpaper
      return wallpaper === undefined ? [] : [wallpaper]
    }
    default:
      return []
  }
}
