/**
 * Export of everything an account holds, as one ZIP archive in open formats (the portal's "download all my data"):
 * contacts as vCard 4, the calendar as iCalendar, media as the original files, everything else as JSON, each file
 * described in `README.txt` and listed with its size and SHA-256 in `manifest.json`, which comes last.
 *
 * The archive streams: records are read and opened a page at a time, media files are opened from the blob store as
 * they are written, and nothing but the list of media to come and the manifest's lines is kept, so an archive of any
 * size is made in bounded memory. Every opening of content is written to the account's access log first with the
 * purpose `export` (§4.1.5): one entry per page of records of an app, one per app naming the records whose media
 * are opened, one for the purchases. The access log itself holds no content, and it is written into the archive after
 * everything else, so the archive shows its own openings.
 *
 * Only the account's own data is read: every read names the account. A record that changes while the export runs
 * is exported as one page or the next saw it; a blob that its record names but the store does not have is listed
 * under `missing` in the manifest rather than breaking the archive off.
 */
import { Chunk, Context, DateTime, Effect, Encoding, Layer, Option, Schema, Stream } from "effect"
import type { AccessEntry } from "../domain/AccessLog.js"
import type { App } from "../domain/App.js"
import { Apps } from "../domain/App.js"
import type { AccountNotFound } from "../domain/Errors.js"
import type { AccountId, RecordId } from "../domain/Ids.js"
import { Inventory, Policies } from "../domain/Inventory.js"
import { CalendarEvent, Contact } from "../domain/Payloads.js"
import type { StoredRecord } from "../domain/Record.js"
import { encodeUtf8 } from "../domain/Sealed.js"
import { calendarEnd, calendarStart, vEvent } from "../export/ICalendar.js"
import { extensionOf, NameRegistry, safePart } from "../export/MediaNames.js"
import { vCard } from "../export/VCard.js"
import { type ZipEntry, type ZipRefused, zipStream } from "../export/Zip.js"
import { BlobId, BlobStore } from "../ports/BlobStore.js"
import { Crypto } from "../ports/Crypto.js"
import { DeviceStore } from "../ports/DeviceStore.js"
import { RecordStore } from "../ports/RecordStore.js"
import type { StoreError } from "../ports/StoreError.js"
import { AccessLog, type AccessLogPage, Accessor, maxAccessLogPage } from "./AccessLog.js"
import { AccountService } from "./AccountService.js"
import { BlobSealing } from "./BlobSealing.js"
import { MembershipService } from "./MembershipService.js"
import { RecordSealing, SealingFailed } from "./RecordSealing.js"
import { SyncSettingsService } from "./SyncSettingsService.js"

export type ExportError = SealingFailed | StoreError | ZipRefused | AccountNotFound

export interface ExportArchive {
  /** `custos-export-YYYY-MM-DD.zip`, the day (UTC) the export began. */
  readonly fileName: string
  /** The archive's bytes; content is read as they are pulled. */
  readonly stream: Stream.Stream<Uint8Array, ExportError>
}

export class ExportService extends Context.Tag("@custos/core/ExportService")<ExportService, {
  /** The account's archive; the account is checked before the first byte, content is read as the stream is. */
  readonly archive: (accountId: AccountId) => Effect.Effect<ExportArchive, AccountNotFound | StoreError>
}>() {
  static readonly layer = Layer.effect(ExportService, Effect.suspend(() => makeExportService))
}

/** Records read and opened per page. */
const PAGE = 200

export const EXPORT_FORMAT = "custos-export/1"

/** The apps written as `<app>.json`; home-screen backups go to `home-screen/backups.json`. */
const jsonApps: ReadonlyArray<App> = Apps.filter((app) => app !== "home-screen")

const fileOfApp = (app: App): string => app === "home-screen" ? "home-screen/backups.json" : `${app}.json`

interface MediaFile {
  readonly path: string
  readonly app: App
  readonly recordId: RecordId
  readonly blobId: string
  readonly size: number | undefined
  readonly sha256: string | undefined
}

interface ManifestFile {
  readonly path: string
  readonly bytes: number
  readonly sha256: string
}

type Json = Record<string, unknown>

interface Row {
  readonly record: StoredRecord
  readonly payload: unknown
}

const asObject = (value: unknown): Json => typeof value === "object" && value !== null ? value as Json : {}

/** The blob references of an opened (encoded) payload: a photo's or recording's file, a backup's wallpaper. */
const blobOf = (app: App, payload: Json): Json | undefined => {
  const ref = app === "home-screen" ? payload["wallpaper"] : app === "gallery" || app === "recordings" ?
    payload["blob"] :
    undefined
  return typeof ref === "object" && ref !== null && typeof (ref as Json)["id"] === "string" ? ref as Json : undefined
}

/** Where a media file of `app` goes, before making it unique. */
const mediaPlace = (app: App, record: StoredRecord, payload: Json): { dir: string; name: string } => {
  const str = (key: string) => typeof payload[key] === "string" ? payload[key] as string : undefined
  switch (app) {
    case "gallery":
      return {
        dir: `media/gallery/${safePart(str("folder") ?? "", "Unfiled")}`,
        name: safePart(str("fileName") ?? "", `${record.id}${extensionOf(str("mimeType"))}`)
      }
    case "recordings":
      return {
        dir: "media/recordings",
        name: safePart(`${str("title") ?? ""}`, record.id) + extensionOf(str("mimeType"))
      }
    default:
      return { dir: `media/${app}`, name: safePart(`wallpaper ${record.id}`, record.id) }
  }
}

const README = `Custos export
=============

Everything this account holds in Custos, as it was when the export began. Each file:

  README.txt               This file.
  account.json             The account: its id, region and when it was created, and its membership now.
  devices.json             The devices registered to the account.
  contacts.vcf             Contacts as vCard 4.0 (RFC 6350), for any address book.
  calendar.ics             Calendar events as iCalendar 2.0 (RFC 5545), for any calendar.
  <app>.json               The records of each app (gallery, messages, contacts, call-history, notes, recordings,
                           calendar, browser, wifi, bluetooth, frequent-phrases), in full: id, version, last change
                           and content. contacts.json and calendar.json hold what the .vcf and .ics files cannot.
                           wifi.json holds saved network passwords in plain text: keep this archive safe.
  home-screen/backups.json Home-screen backups (layout, installed apps, wallpaper).
  trash.json               Deleted records still in the trash, with the date each will be deleted for good.
  media/<app>/...          Photos, videos, recordings and wallpapers: the original bytes as uploaded. A record's
                           "files" names the file(s) that belong to it.
  purchases.json           Purchases of memberships.
  settings.json            Sync settings: which apps sync, gallery folders, Wi-Fi only, backup schedule.
  inventory.json           What Custos stores, how it protects it and how long it keeps it, per data type and app.
  access-log.json          Every opening of the account's content (this export's included), and whether the log's
                           hash chain verifies.
  manifest.json            Every file above with its size and SHA-256, record counts, and any media not found.

Times are milliseconds since 1970-01-01 UTC in the JSON files, and UTC in the vCard and iCalendar files.
`

const makeExportService = Effect.gen(function*() {
  const accounts = yield* AccountService
  const settings = yield* SyncSettingsService
  const membership = yield* MembershipService
  const records = yield* RecordStore
  const sealing = yield* RecordSealing
  const accessLog = yield* AccessLog
  const blobStore = yield* BlobStore
  const blobSealing = yield* BlobSealing
  const devices = yield* DeviceStore
  const crypto = yield* Crypto

  /** The account's records of `app` in `state`, a page at a time, opened (and logged) for the export. */
  const opened = (accountId: AccountId, state: "active" | "trashed", app?: App): Stream.Stream<Row, SealingFailed | StoreError> =>
    Stream.paginateChunkEffect(Option.some(0), (after: Option.Option<number>) =>
      Option.match(after, {
        onNone: () => Effect.succeed([Chunk.empty<Row>(), Option.none<Option.Option<number>>()] as const),
        onSome: (afterSeq) =>
          Effect.gen(function*() {
            const page = yield* records.list(accountId, { app, state, afterSeq, limit: PAGE })
            const withContent = page.filter((r) => r.body !== undefined)
            const payloads = yield* sealing.openAll(withContent, "export")
            const rows = withContent.map((record, i): Row => ({ record, payload: payloads[i] }))
            const next = page.length < PAGE ? Option.none() : Option.some(Option.some(page[page.length - 1]!.seq as number))
            return [Chunk.unsafeFromArray(rows), next] as const
          })
      }))

  const archive = (accountId: AccountId) =>
    Effect.gen(function*() {
      const account = yield* accounts.get(accountId)
      const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      const day = DateTime.formatIso(DateTime.unsafeMake(now)).slice(0, 10)
      const text = (value: unknown) => JSON.stringify(value, null, 2) + "\n"

      const names = new NameRegistry()
      const media: Array<MediaFile> = []
      const mediaByBlob = new Map<string, string>()
      const counts: Record<string, number> = {}
      let trashCount = 0
      const files: Array<ManifestFile> = []
      const missing: Array<{ path: string; app: App; recordId: string; blobId: string }> = []

      /** The media file(s) of a record, claimed now and written after the JSON files. */
      const filesOf = (record: StoredRecord, payload: Json): ReadonlyArray<string> => {
        const ref = blobOf(record.app, payload)
        if (ref === undefined) return []
        const blobId = ref["id"] as string
        const known = mediaByBlob.get(blobId)
        if (known !== undefined) return [known]
        const place = mediaPlace(record.app, record, payload)
        const path = names.claim(place.dir, place.name)
        mediaByBlob.set(blobId, path)
        media.push({
          path,
          app: record.app,
          recordId: record.id,
          blobId,
          size: typeof ref["size"] === "number" ? ref["size"] : undefined,
          sha256: typeof ref["sha256"] === "string" ? ref["sha256"] : undefined
        })
        return [path]
      }

      const rowOf = (row: Row) => {
        const payload = asObject(row.payload)
        const attached = filesOf(row.record, payload)
        return {
          id: row.record.id,
          version: row.record.version,
          changedAt: row.record.changedAt,
          ...(row.record.trashedAt !== undefined ? { trashedAt: row.record.trashedAt } : {}),
          ...(row.record.deleteBy !== undefined ? { deleteBy: row.record.deleteBy } : {}),
          payload: row.payload,
          ...(attached.length > 0 ? { files: attached } : {})
        }
      }

      /** A JSON file `{ ...head, records: [ ... ] }` written a record per line as the pages come. */
      const jsonRecords = (
        head: Json,
        rows: Stream.Stream<Row, SealingFailed | StoreError>,
        toRow: (row: Row) => unknown
      ) => {
        let first = true
        const opening = Object.keys(head).length === 0 ?
          "{\"records\":[" :
          `${JSON.stringify(head).slice(0, -1)},"records":[`
        return Stream.concat(
          Stream.make(opening),
          Stream.concat(
            Stream.map(rows, (row) => {
              const line = (first ? "\n" : ",\n") + JSON.stringify(toRow(row))
              first = false
              return line
            }),
            Stream.sync(() => "\n]}\n")
          )
        ).pipe(Stream.map(encodeUtf8))
      }

      const counted = (app: App, rows: Stream.Stream<Row, SealingFailed | StoreError>) =>
        Stream.tap(rows, () => Effect.sync(() => {
          counts[app] = (counts[app] ?? 0) + 1
        }))

      const contactsVcf = Stream.filterMap(opened(accountId, "active", "contacts"), (row) =>
        Option.map(
          Schema.decodeUnknownOption(Contact)(row.payload),
          (contact) => encodeUtf8(vCard({ id: row.record.id, changedAt: row.record.changedAt, contact }))
        ))

      const calendarIcs = Stream.concat(
        Stream.make(encodeUtf8(calendarStart())),
        Stream.concat(
          Stream.filterMap(opened(accountId, "active", "calendar"), (row) =>
            Option.map(
              Schema.decodeUnknownOption(CalendarEvent)(row.payload),
              (event) => encodeUtf8(vEvent({ id: row.record.id, changedAt: row.record.changedAt, event }, now))
            )),
          Stream.sync(() => encodeUtf8(calendarEnd()))
        )
      )

      const entry = (name: string, data: Stream.Stream<Uint8Array, ExportError>, size?: number): ZipEntry<ExportError> =>
        ({ name, data, size, modifiedAt: now })

      const lazy = (name: string, make: Effect.Effect<string, ExportError>) =>
        entry(name, Stream.fromEffect(Effect.map(make, encodeUtf8)))

      /** The media, after the JSON files have named them: logged per app before the first is opened. */
      const mediaEntries = Stream.suspend(() => {
        const byApp = new Map<App, Array<RecordId>>()
        for (const m of media) byApp.set(m.app, [...(byApp.get(m.app) ?? []), m.recordId])
        const logged = Effect.forEach(
          [...byApp],
          ([app, recordIds]) => accessLog.write({ accountId, purpose: "export", app, recordIds }),
          { discard: true }
        )
        return Stream.concat(
          Stream.execute(logged),
          Stream.mapEffect(Stream.fromIterable(media), (m) =>
            Effect.gen(function*() {
              const blobId = Schema.decodeUnknownOption(BlobId)(m.blobId)
              const found = Option.isNone(blobId) ? false : yield* blobStore.stat(accountId, blobId.value).pipe(
                Effect.as(true),
                Effect.catchTag("BlobNotFound", () => Effect.succeed(false))
              )
              if (!found || Option.isNone(blobId)) {
                missing.push({ path: m.path, app: m.app, recordId: m.recordId, blobId: m.blobId })
                return Option.none<ZipEntry<ExportError>>()
              }
              const failed = (cause: unknown) =>
                new SealingFailed({ operation: "open", app: m.app, recordId: m.recordId, cause })
              const data = blobSealing.openStream(
                { accountId, blobId: blobId.value },
                blobStore.get(accountId, blobId.value)
              ).pipe(Stream.mapError((e): ExportError => e._tag === "StoreError" ? e : failed(e)))
              return Option.some(entry(m.path, data, m.size))
            })
          ).pipe(Stream.filterMap((found) => found))
        )
      })

      const manifest = Effect.sync(() =>
        text({
          format: EXPORT_FORMAT,
          accountId,
          exportedAt: now,
          records: { ...Object.fromEntries(Apps.map((app) => [app, counts[app] ?? 0])), trash: trashCount },
          media: media.length - missing.length,
          missing,
          files
        })
      )

      const accessLogJson = Effect.gen(function*() {
        const entries: Array<AccessEntry> = []
        let after: number | undefined = undefined
        while (true) {
          const page: AccessLogPage = yield* accessLog.list(accountId, { after, limit: maxAccessLogPage })
          entries.push(...page.entries)
          if (page.next === undefined) break
          after = page.next
        }
        const verdict = yield* accessLog.verify(accountId)
        return text({ verdict, entries })
      })

      const entries: Stream.Stream<ZipEntry<ExportError>, ExportError> = Stream.make(
        entry("README.txt", Stream.make(encodeUtf8(README))),
        lazy(
          "account.json",
          Effect.map(membership.status(accountId), (status) => text({ account, membership: status }))
        ),
        lazy("devices.json", Effect.map(devices.list(accountId), (list) => text({ devices: list }))),
        entry("contacts.vcf", contactsVcf),
        entry("calendar.ics", calendarIcs),
        ...[...jsonApps, "home-screen" as const].map((app) =>
          entry(fileOfApp(app), jsonRecords({ app }, counted(app, opened(accountId, "active", app)), rowOf))
        ),
        entry(
          "trash.json",
          jsonRecords(
            {},
            Stream.tap(opened(accountId, "trashed"), () => Effect.sync(() => void trashCount++)),
            (row) => ({ app: row.record.app, ...rowOf(row) })
          )
        )
      ).pipe(
        Stream.concat(mediaEntries),
        Stream.concat(Stream.make(
          lazy(
            "purchases.json",
            Effect.map(membership.purchases(accountId, "export"), (purchases) => text({ purchases }))
          ),
          lazy("settings.json", Effect.map(settings.get(accountId), text)),
          entry(
            "inventory.json",
            Stream.make(encodeUtf8(text({ dataTypes: Inventory, apps: Object.values(Policies) })))
          ),
          lazy("access-log.json", accessLogJson)
        )),
        // Every file so far is hashed as it streams; the manifest that lists them comes last.
        Stream.mapEffect((e) =>
          Effect.map(crypto.sha256Incremental(), (hash): ZipEntry<ExportError> => {
            let bytes = 0
            return {
              ...e,
              data: Stream.concat(
                Stream.tap(e.data instanceof Uint8Array ? Stream.make(e.data) : e.data, (chunk) =>
                  Effect.sync(() => {
                    hash.update(chunk)
                    bytes += chunk.length
                  })),
                Stream.execute(Effect.sync(() => {
                  files.push({ path: e.name, bytes, sha256: Encoding.encodeHex(hash.digest()) })
                }))
              )
            }
          })
        ),
        Stream.concat(Stream.suspend(() => Stream.make(lazy("manifest.json", manifest))))
      )

      // The stream runs after the request's handler has returned: it opens content as the one who asked.
      const actor = yield* Accessor
      return {
        fileName: `custos-export-${day}.zip`,
        stream: zipStream(entries).pipe(Stream.provideService(Accessor, actor))
      } satisfies ExportArchive
    })

  return ExportService.of({ archive })
})
