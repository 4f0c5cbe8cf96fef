/**
 * The export archive over HTTP: `GET /v1/privacy/export` streams a ZIP of everything of the signed-in account. The
 * archive is read back with fflate, its vCard and iCalendar files parsed with ical.js (both formats), and every
 * seeded record is found with its fields; media bytes are the uploaded ones; the access log names the export; and
 * another account's archive holds nothing of the first.
 */
import { MutationId, RecordId } from "@custos/core/domain/Ids"
import { samples } from "@custos/conformance/Samples"
import { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { unzipSync } from "fflate"
import ICAL from "ical.js"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { layerTestServer, purchasePlus, raw, signUp } from "./support.js"

const token = (grant: { readonly token: Redacted.Redacted<string> | string }) =>
  typeof grant.token === "string" ? grant.token : Redacted.value(grant.token)

const download = (bearer: string) =>
  Effect.gen(function*() {
    const http = yield* raw
    const response = yield* http.execute(
      HttpClientRequest.get("/v1/privacy/export").pipe(HttpClientRequest.bearerToken(bearer))
    )
    assert.strictEqual(response.status, 200)
    const bytes = new Uint8Array(yield* response.arrayBuffer)
    return { response, bytes, files: unzipSync(bytes) }
  })

const textOf = (files: Record<string, Uint8Array>, name: string) => {
  const bytes = files[name]
  assert.isDefined(bytes, `the archive holds ${name}`)
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
}

const jsonOf = (files: Record<string, Uint8Array>, name: string) => JSON.parse(textOf(files, name))

/** The top-level components ICAL.parse finds in a file that may hold one or several. */
const components = (text: string): Array<ICAL.Component> => {
  const parsed = ICAL.parse(text) as unknown
  const list = Array.isArray(parsed) && typeof parsed[0] === "string" ? [parsed] : parsed as Array<unknown>
  return list.map((jcal) => new ICAL.Component(jcal as Array<unknown>))
}

const photo = (() => {
  const bytes = new Uint8Array(300_000)
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >>> 8)) & 0xff
  return bytes
})()
const photoSha = createHash("sha256").update(photo).digest("hex")

const contacts = {
  "ada": {
    name: { given: "Ada", family: "Lovelace", formatted: "Ada Lovelace, Countess; of Lovelace" },
    phones: [
      { label: "mobile", number: "+44 20 7946 0000" },
      { label: "work", number: "+44 20 7946 0001;2,3" },
      { label: "Büro, 2. Stock", number: "030 1234" }
    ],
    emails: [{ label: "home", address: "ada@example.org" }, { label: "work", address: "countess@example.com" }],
    organization: "Analytical Engines",
    birthday: "1815-12-10",
    note: "Line one\nLine two, with a \\ backslash; and a very long tail that must be folded because it goes on " +
      "and on past seventy-five octets — with ünïcödé and emoji 🧮🧮🧮 in it",
    addresses: [{ label: "home", street: "12 St James's Square", city: "London", postalCode: "SW1Y 4JH", country: "UK" }]
  },
  "grace": {
    name: { formatted: "Grace Hopper" },
    phones: [{ label: "home", number: "+1 555 0100" }],
    emails: [],
    addresses: []
  }
}

const events = {
  "launch": {
    title: "Launch, review; and retro",
    startsAt: "2025-03-10T09:30:00.000Z",
    endsAt: "2025-03-10T10:15:00.000Z",
    allDay: false,
    location: "Room 4",
    description: "Agenda:\n1. Ship\n2. Celebrate 🎉",
    timeZone: "Europe/Berlin",
    recurrence: "FREQ=WEEKLY;BYDAY=MO;COUNT=4",
    reminders: [15, 60]
  },
  "holiday": {
    title: "Holiday",
    startsAt: "2025-08-01T00:00:00.000Z",
    endsAt: "2025-08-04T00:00:00.000Z",
    allDay: true,
    reminders: []
  }
}

describe("export over HTTP", () => {
  it.effect("holds every app's data in open formats, media as uploaded, and logs the export", () =>
    Effect.gen(function*() {
      const http = yield* raw
      const alice = yield* signUp()
      const bearer = token(alice.grant)
      const api = alice.api
      const all = {
        gallery: true,
        messages: true,
        contacts: true,
        "call-history": true,
        notes: true,
        recordings: true,
        calendar: true,
        browser: true,
        wifi: true,
        bluetooth: true,
        "frequent-phrases": true,
        "home-screen": true
      }
      yield* api.settings.update({ payload: { apps: all } })

      const uploaded = yield* http.execute(HttpClientRequest.put("/v1/blobs/photo-1").pipe(
        HttpClientRequest.bearerToken(bearer),
        HttpClientRequest.bodyUint8Array(photo, "application/octet-stream")
      ))
      assert.strictEqual(uploaded.status, 200)
      const blob = { id: "photo-1", size: photo.length, sha256: photoSha }

      let m = 0
      const push = (app: string, records: Record<string, unknown>) =>
        Effect.gen(function*() {
          const pushed = yield* api.sync.push({
            path: { app: app as never },
            urlParams: {},
            payload: {
              mutations: Object.entries(records).map(([id, payload]) => ({
                mutationId: MutationId.make(`m-${++m}`),
                recordId: RecordId.make(id),
                op: "put" as const,
                baseVersion: 0,
                payload
              }))
            }
          })
          for (const outcome of pushed.outcomes) assert.strictEqual(outcome._tag, "applied", JSON.stringify(outcome))
        })

      yield* push("contacts", contacts)
      yield* push("calendar", events)
      yield* push("gallery", {
        "p1": { ...samples.gallery(1), fileName: "Sunset: at/the beach?.jpg", size: blob.size, sha256: photoSha, blob }
      })
      for (const app of ["messages", "call-history", "notes", "browser", "wifi", "bluetooth", "frequent-phrases"]) {
        yield* push(app, { [`${app}-1`]: samples[app as "notes"](1), [`${app}-2`]: samples[app as "notes"](2) })
      }
      yield* push("home-screen", { "backup-1": samples["home-screen"](1) })
      // A note in the trash.
      yield* api.sync.push({
        path: { app: "notes" },
        urlParams: {},
        payload: {
          mutations: [{ mutationId: MutationId.make("del-1"), recordId: RecordId.make("notes-2"), op: "delete", baseVersion: 1 }]
        }
      })
      yield* purchasePlus(alice.grant.accountId)

      const { bytes, files, response } = yield* download(bearer)
      assert.strictEqual(response.headers["content-type"], "application/zip")
      assert.match(
        response.headers["content-disposition"] ?? "",
        /^attachment; filename="custos-export-\d{4}-\d{2}-\d{2}\.zip"$/
      )

      // Debian's unzip checks every entry's CRC and structure.
      const dir = mkdtempSync(join(tmpdir(), "custos-export-"))
      try {
        writeFileSync(join(dir, "export.zip"), bytes)
        const tested = execFileSync("unzip", ["-t", join(dir, "export.zip")], { encoding: "utf8" })
        assert.match(tested, /No errors detected/)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }

      // vCard: every contact with its fields.
      const cards = components(textOf(files, "contacts.vcf"))
      assert.strictEqual(cards.length, 2)
      const card = (uid: string) => cards.find((c) => c.getFirstPropertyValue("uid") === uid)!
      const ada = card("ada")
      assert.isDefined(ada)
      assert.strictEqual(ada.getFirstPropertyValue("version"), "4.0")
      assert.strictEqual(ada.getFirstPropertyValue("fn"), contacts.ada.name.formatted)
      assert.deepStrictEqual(ada.getFirstProperty("n")!.getValues()[0], ["Lovelace", "Ada", "", "", ""])
      assert.deepStrictEqual(
        ada.getAllProperties("tel").map((p) => p.getFirstValue()),
        contacts.ada.phones.map((p) => p.number)
      )
      assert.deepStrictEqual(
        ada.getAllProperties("tel").map((p) => p.getParameter("x-label")),
        contacts.ada.phones.map((p) => p.label)
      )
      assert.strictEqual(ada.getAllProperties("tel")[0]!.getParameter("type"), "cell")
      assert.deepStrictEqual(
        ada.getAllProperties("email").map((p) => p.getFirstValue()),
        ["ada@example.org", "countess@example.com"]
      )
      assert.strictEqual(ada.getFirstPropertyValue("note"), contacts.ada.note)
      assert.strictEqual(ada.getFirstPropertyValue("org"), "Analytical Engines")
      assert.deepStrictEqual(
        ada.getFirstProperty("adr")!.getFirstValue(),
        ["", "", "12 St James's Square", "London", "", "SW1Y 4JH", "UK"]
      )
      assert.include(String(ada.getFirstPropertyValue("bday")), "1815")
      assert.strictEqual(card("grace").getFirstPropertyValue("fn"), "Grace Hopper")
      for (const line of textOf(files, "contacts.vcf").split("\r\n")) {
        assert.isAtMost(new TextEncoder().encode(line).length, 75)
      }

      // iCalendar: every event with its fields.
      const [calendar] = components(textOf(files, "calendar.ics"))
      const vevents = calendar!.getAllSubcomponents("vevent").map((c) => new ICAL.Event(c))
      assert.strictEqual(vevents.length, 2)
      const launch = vevents.find((e) => e.uid === "launch")!
      assert.strictEqual(launch.summary, events.launch.title)
      assert.strictEqual(launch.location, "Room 4")
      assert.strictEqual(launch.description, events.launch.description)
      assert.strictEqual(launch.startDate.toJSDate().toISOString(), events.launch.startsAt)
      assert.strictEqual(launch.endDate.toJSDate().toISOString(), events.launch.endsAt)
      assert.isTrue(launch.isRecurring())
      const rule = launch.component.getFirstPropertyValue("rrule") as ICAL.Recur
      assert.strictEqual(rule.freq, "WEEKLY")
      assert.strictEqual(rule.count, 4)
      assert.deepStrictEqual(rule.parts["BYDAY"], ["MO"])
      const iterator = launch.iterator()
      const occurrences: Array<string> = []
      for (let next = iterator.next(); next !== null && next !== undefined; next = iterator.next()) {
        occurrences.push(next.toJSDate().toISOString())
      }
      assert.deepStrictEqual(occurrences, [
        "2025-03-10T09:30:00.000Z",
        "2025-03-17T09:30:00.000Z",
        "2025-03-24T09:30:00.000Z",
        "2025-03-31T09:30:00.000Z"
      ])
      const triggers = launch.component.getAllSubcomponents("valarm").map((a) =>
        (a.getFirstPropertyValue("trigger") as ICAL.Duration).toSeconds()
      )
      assert.deepStrictEqual(triggers, [-15 * 60, -60 * 60])
      const holiday = vevents.find((e) => e.uid === "holiday")!
      assert.isTrue(holiday.startDate.isDate)
      assert.strictEqual(holiday.startDate.toString(), "2025-08-01")
      assert.strictEqual(holiday.endDate.toString(), "2025-08-04")
      assert.isDefined(calendar!.getFirstSubcomponent("vevent")!.getFirstPropertyValue("dtstamp"))

      // JSON of the other apps, the trash and the rest.
      const manifest = jsonOf(files, "manifest.json")
      for (const app of ["messages", "call-history", "browser", "wifi", "bluetooth", "frequent-phrases"]) {
        const doc = jsonOf(files, `${app}.json`)
        assert.strictEqual(doc.app, app)
        assert.deepStrictEqual(doc.records.map((r: { id: string }) => r.id).sort(), [`${app}-1`, `${app}-2`])
        assert.strictEqual(manifest.records[app], 2)
      }
      const notes = jsonOf(files, "notes.json")
      assert.deepStrictEqual(notes.records.map((r: { id: string }) => r.id), ["notes-1"])
      assert.strictEqual(notes.records[0].payload.title, "Note 1")
      const trash = jsonOf(files, "trash.json")
      assert.deepStrictEqual(trash.records.map((r: { app: string; id: string }) => [r.app, r.id]), [["notes", "notes-2"]])
      assert.isNumber(trash.records[0].deleteBy)
      assert.strictEqual(jsonOf(files, "wifi.json").records[0].payload.password, "correct horse 1")
      assert.strictEqual(jsonOf(files, "home-screen/backups.json").records[0].id, "backup-1")
      assert.deepStrictEqual(
        jsonOf(files, "purchases.json").purchases.map((p: { id: string }) => p.id),
        ["order-1"]
      )
      assert.isTrue(jsonOf(files, "settings.json").enabled.includes("gallery"))
      assert.strictEqual(jsonOf(files, "account.json").account.id, alice.grant.accountId)
      assert.isAbove(jsonOf(files, "inventory.json").dataTypes.length, 10)
      assert.strictEqual(jsonOf(files, "contacts.json").records.length, 2)

      // The photo: the original bytes under a safe name, named by its record and listed with its digest.
      const gallery = jsonOf(files, "gallery.json")
      const photoPath = gallery.records[0].files[0]
      assert.strictEqual(photoPath, "media/gallery/Camera/Sunset_ at_the beach_.jpg")
      assert.isTrue(Buffer.from(files[photoPath]!).equals(Buffer.from(photo)))
      const listed = manifest.files.find((f: { path: string }) => f.path === photoPath)
      assert.deepStrictEqual(listed, { path: photoPath, bytes: photo.length, sha256: photoSha })
      assert.deepStrictEqual(manifest.missing, [])
      for (const f of manifest.files as Array<{ path: string; bytes: number; sha256: string }>) {
        assert.strictEqual(files[f.path]!.length, f.bytes, f.path)
        assert.strictEqual(createHash("sha256").update(files[f.path]!).digest("hex"), f.sha256, f.path)
      }
      assert.sameMembers(
        Object.keys(files),
        [...manifest.files.map((f: { path: string }) => f.path), "manifest.json"]
      )

      // The access log, in the archive and through the API, names the export as the signed-in device.
      const logged = jsonOf(files, "access-log.json")
      assert.strictEqual(logged.verdict.ok, true)
      assert.strictEqual(logged.verdict.entries, logged.entries.length)
      const exportEntries = logged.entries.filter((e: { purpose: string }) => e.purpose === "export")
      const exportedApps = new Set(exportEntries.map((e: { app: string }) => e.app))
      for (const app of ["contacts", "calendar", "gallery", "notes", "wifi", "home-screen", "membership"]) {
        assert.isTrue(exportedApps.has(app), `the log names the export of ${app}`)
      }
      assert.isTrue(
        exportEntries.every((e: { actor: { kind: string; id: string } }) =>
          e.actor.kind === "device" && e.actor.id === alice.grant.deviceId
        )
      )
      const page = yield* api.privacy.accessLog({ urlParams: { limit: 1000 } })
      assert.isTrue(page.entries.some((e) => e.purpose === "export" && e.app === "gallery" && e.recordIds.includes(RecordId.make("p1"))))

      // Another account's archive holds nothing of Alice's.
      const mallory = yield* signUp()
      const other = yield* download(token(mallory.grant))
      const everything = Object.values(other.files).map((b) => Buffer.from(b).toString("latin1")).join("\n")
      for (const needle of ["Lovelace", "Hopper", "Launch", "Sunset", "Note 1", "correct horse", "order-1"]) {
        assert.notInclude(everything, needle)
      }
      assert.isFalse(Object.keys(other.files).some((name) => name.startsWith("media/")))
      assert.strictEqual(components(textOf(other.files, "contacts.vcf")).length, 0)
      assert.deepStrictEqual(jsonOf(other.files, "manifest.json").records.contacts, 0)
    }).pipe(Effect.provide(layerTestServer()), Effect.scoped))

  it.effect("is refused without a session", () =>
    Effect.gen(function*() {
      const http = yield* raw
      const anonymous = yield* http.execute(HttpClientRequest.get("/v1/privacy/export"))
      assert.strictEqual(anonymous.status, 401)
      assert.strictEqual(((yield* anonymous.json) as { code: string }).code, "unauthorized")
    }).pipe(Effect.provide(layerTestServer()), Effect.scoped))
})
