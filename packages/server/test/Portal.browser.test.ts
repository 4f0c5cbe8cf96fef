/**
 * The web portal in a real headless Chromium (Debian's `/usr/bin/chromium`, driven by playwright-core) against the
 * in-process server on a loopback port, seeded through the typed client: sign in, the gallery (thumbnails, full
 * view, download of one photo and of a selection, a library of 1,500 items drawn a slice at a time), a recording
 * that plays, a Wi-Fi password hidden until revealed, a sync toggle with its consequence stated first (Wi-Fi: the
 * cloud copy is deleted for good; cancelling changes nothing), a restore from the trash, the membership picture,
 * the inventory page against the constant, the access log verified, the export archive; then keyboard only, and a
 * 390 px wide phone screen. No request may leave the server's origin, and the page may log no error (a CSP
 * violation is one). Screenshots go to `reports/screenshots/`.
 *
 * Without Chromium the suite is skipped, with the reason in its name, except in CI (`CI` set), where it runs and
 * fails.
 */
import { Inventory } from "@custos/core/domain/Inventory"
import { MutationId, RecordId } from "@custos/core/domain/Ids"
import { samples } from "@custos/conformance/Samples"
import { HttpClientRequest, HttpServer } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { unzipSync } from "fflate"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { deflateSync } from "node:zlib"
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core"
import { layerTestServer, raw, signUp } from "./support.js"

/** Functions given to `page.waitForFunction` and `evaluate` run in the page; this file compiles without DOM types. */
declare const document: any
declare const window: any

const chromiumPath = "/usr/bin/chromium"
const haveChromium = Fs.existsSync(chromiumPath)
const screenshots = fileURLToPath(new URL("../../../reports/screenshots/", import.meta.url))

// -------------------------------------------------------------------------------------------------------------
// Real content: a PNG and a WAV built here, so the browser has something to decode
// -------------------------------------------------------------------------------------------------------------

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (bytes: Uint8Array) => {
  let c = 0xffffffff
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
const chunk = (type: string, data: Uint8Array) => {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, "ascii")
  Buffer.from(data).copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

/** A `size`×`size` RGB PNG in one colour. */
const png = (size: number, [r, g, b]: readonly [number, number, number]) => {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const rows = Buffer.alloc(size * (1 + size * 3))
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) rows.set([r, g, b], y * (1 + size * 3) + 1 + x * 3)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", new Uint8Array())
  ])
}

/** A quarter second of a 440 Hz tone, 8 kHz mono 16-bit PCM. */
const wav = () => {
  const samplesCount = 2000
  const out = Buffer.alloc(44 + samplesCount * 2)
  out.write("RIFF", 0, "ascii")
  out.writeUInt32LE(36 + samplesCount * 2, 4)
  out.write("WAVEfmt ", 8, "ascii")
  out.writeUInt32LE(16, 16)
  out.writeUInt16LE(1, 20)
  out.writeUInt16LE(1, 22)
  out.writeUInt32LE(8000, 24)
  out.writeUInt32LE(16000, 28)
  out.writeUInt16LE(2, 32)
  out.writeUInt16LE(16, 34)
  out.write("data", 36, "ascii")
  out.writeUInt32LE(samplesCount * 2, 40)
  for (let i = 0; i < samplesCount; i++) out.writeInt16LE(Math.round(8000 * Math.sin(i * 2 * Math.PI * 440 / 8000)), 44 + i * 2)
  return out
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

// -------------------------------------------------------------------------------------------------------------
// Seeding through the typed client
// -------------------------------------------------------------------------------------------------------------

const libraryItems = 1500
const photos = [
  { id: "sunset", fileName: "Sunset.png", colour: [230, 120, 40] as const, takenAt: "2026-06-03T19:30:00Z" },
  { id: "forest", fileName: "Forest.png", colour: [30, 140, 60] as const, takenAt: "2026-06-02T10:00:00Z" },
  { id: "sea", fileName: "Sea.png", colour: [40, 90, 200] as const, takenAt: "2026-05-20T08:15:00Z" }
].map((p) => ({ ...p, bytes: png(64, p.colour) }))
const wifiPassword = "correct horse 7"
const trashedNote = "Spare key under the plant pot"

let mutations = 0
const put = (recordId: string, payload: unknown) => ({
  mutationId: MutationId.make(`m${++mutations}`),
  recordId: RecordId.make(recordId),
  op: "put" as const,
  baseVersion: 0,
  payload
})

const seed = Effect.gen(function*() {
  const http = yield* raw
  const person = yield* signUp("DE")
  const bearer = Redacted.value(person.grant.token)
  const { api } = person
  yield* api.settings.update({
    payload: {
      apps: {
        gallery: true, contacts: true, notes: true, wifi: true, recordings: true, calendar: true, messages: true,
        "call-history": true, bluetooth: true, "frequent-phrases": true, browser: true, "home-screen": true
      }
    }
  })
  const upload = (id: string, bytes: Uint8Array) =>
    http.execute(HttpClientRequest.put(`/v1/blobs/${id}`).pipe(
      HttpClientRequest.bearerToken(bearer),
      HttpClientRequest.bodyUint8Array(bytes, "application/octet-stream")
    )).pipe(Effect.flatMap((r) => r.status === 200 ? Effect.void : Effect.die(`upload of ${id} answered ${r.status}`)))
  const push = (app: Parameters<typeof api.sync.push>[0]["path"]["app"], muts: ReadonlyArray<ReturnType<typeof put>>) =>
    api.sync.push({ path: { app }, urlParams: {}, payload: { mutations: muts } }).pipe(
      Effect.tap((answer) => {
        const refused = answer.outcomes.find((o) => o._tag !== "applied")
        return refused === undefined ? Effect.void : Effect.die(`a seeded ${app} record was refused: ${JSON.stringify(refused)}`)
      })
    )

  for (const p of photos) yield* upload(`blob-${p.id}`, p.bytes)
  yield* push("gallery", photos.map((p) => {
    const blob = { id: `blob-${p.id}`, size: p.bytes.length, sha256: sha256(p.bytes) }
    return put(p.id, {
      fileName: p.fileName, folder: "Camera", mediaType: "photo", mimeType: "image/png", takenAt: p.takenAt,
      width: 64, height: 64, size: blob.size, sha256: blob.sha256, blob
    })
  }))
  // A large library: metadata only (their files are not needed to show that the grid pages).
  for (let start = 0; start < libraryItems; start += 500) {
    yield* push("gallery", Array.from({ length: 500 }, (_, i) => put(`lib-${start + i}`, samples.gallery(start + i))))
  }

  const audio = wav()
  yield* upload("blob-memo", audio)
  const memo = { id: "blob-memo", size: audio.length, sha256: sha256(audio) }
  yield* push("recordings", [put("memo", {
    title: "Voice memo", recordedAt: "2026-06-01T09:00:00Z", durationMs: 250, mimeType: "audio/wav",
    size: memo.size, sha256: memo.sha256, blob: memo
  })])
  yield* push("wifi", [put("home", samples.wifi(7))])
  yield* push("contacts", [put("ada", samples.contacts(1)), put("bob", samples.contacts(2))])
  yield* push("calendar", [put("meeting", samples.calendar(1))])
  yield* push("messages", [put("sms", samples.messages(1))])
  yield* push("call-history", [put("call", samples["call-history"](1))])
  yield* push("bluetooth", [put("headphones", samples.bluetooth(1))])
  yield* push("frequent-phrases", [put("phrase", samples["frequent-phrases"](1))])
  yield* push("browser", [put("page", samples.browser(1))])
  yield* push("home-screen", [put("backup", samples["home-screen"](1))])
  yield* push("notes", [put("keep", samples.notes(1)), put("spare", { kind: "note", title: trashedNote, body: "", private: false })])
  yield* api.sync.push({
    path: { app: "notes" },
    urlParams: {},
    payload: { mutations: [{ mutationId: MutationId.make(`m${++mutations}`), recordId: RecordId.make("spare"), op: "delete", baseVersion: 1 }] }
  })

  const server = yield* HttpServer.HttpServer
  if (server.address._tag !== "TcpAddress") return yield* Effect.die("the test server listens on TCP")
  return { ...person, origin: `http://127.0.0.1:${server.address.port}` }
})

// -------------------------------------------------------------------------------------------------------------
// The browser
// -------------------------------------------------------------------------------------------------------------

const launch = Effect.acquireRelease(
  Effect.promise(() =>
    chromium.launch({
      executablePath: chromiumPath,
      args: [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"
      ]
    })
  ),
  (browser: Browser) => Effect.promise(() => browser.close())
)

/** A fresh browser context that records every request and every error the page reports. */
const watched = async (browser: Browser, options: Parameters<Browser["newContext"]>[0] = {}) => {
  const context: BrowserContext = await browser.newContext({ acceptDownloads: true, ...options })
  const requests: Array<string> = []
  const errors: Array<string> = []
  context.on("request", (request) => requests.push(request.url()))
  const page = await context.newPage()
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text())
  })
  page.on("pageerror", (error) => errors.push(error.message))
  return { context, page, requests, errors }
}

const shot = (page: Page, name: string) => {
  Fs.mkdirSync(screenshots, { recursive: true })
  return page.screenshot({ path: Path.join(screenshots, `${name}.png`), fullPage: false })
}

const signIn = async (page: Page, origin: string, loginName: string, password: string) => {
  await page.goto(`${origin}/`)
  await page.fill("#login", loginName)
  await page.fill("#password", password)
  await page.click("button[type=submit]")
  await page.waitForSelector("#gallery-grid .tile")
}

/** Every request went to the server's own origin (blob: and data: URLs are made in the page). */
const assertSameOrigin = (requests: ReadonlyArray<string>, origin: string) => {
  const outside = requests.filter((url) => !url.startsWith(`${origin}/`) && !/^(blob|data):/.test(url))
  assert.deepStrictEqual(outside, [], "no request leaves the server's origin")
  assert.isAbove(requests.length, 5)
}

const browserTest = haveChromium || process.env["CI"] ? describe : describe.skip
const title = haveChromium || process.env["CI"] ?
  "the web portal in headless Chromium" :
  `the web portal in headless Chromium (skipped: ${chromiumPath} is missing)`

browserTest(title, () => {
  it.live("signs in, shows and downloads photos, plays a recording, toggles sync, restores from the trash, exports", () =>
    Effect.gen(function*() {
      const person = yield* seed
      const browser = yield* launch
      const { origin } = person
      const result = yield* Effect.promise(async () => {
        const { context, page, requests, errors } = await watched(browser, { viewport: { width: 1280, height: 900 } })
        const cspHeader = (await page.request.get(`${origin}/`)).headers()["content-security-policy"]
        await signIn(page, origin, person.loginName, person.password)

        // The gallery: the newest first, its count, only a slice of the 1,503 tiles drawn, thumbnails decoded.
        await page.waitForFunction(() => /^1503 items/.test(document.querySelector("main p.muted")?.textContent ?? ""))
        const firstTiles = await page.locator("#gallery-grid .tile").count()
        const firstLabel = await page.locator("#gallery-grid .thumb").first().getAttribute("aria-label")
        await page.waitForFunction(() => {
          const img = document.querySelector("#gallery-grid .thumb img")
          return img !== null && img.complete && img.naturalWidth === 64
        })
        await shot(page, "01-gallery")
        for (let i = 0; i < 5; i++) {
          await page.mouse.wheel(0, 20_000)
          await page.waitForTimeout(100)
        }
        await page.waitForFunction((n) => document.querySelectorAll("#gallery-grid .tile").length > n, firstTiles)
        const laterTiles = await page.locator("#gallery-grid .tile").count()
        await page.evaluate(() => window.scrollTo(0, 0))

        // The full view, and a download of that photo.
        await page.locator("#gallery-grid .thumb").first().click()
        await page.waitForFunction(() => {
          const img = document.querySelector("#viewer img.full")
          return img !== null && img.complete && img.naturalWidth === 64
        })
        await shot(page, "02-photo")
        const [download] = await Promise.all([page.waitForEvent("download"), page.click("#viewer button.primary")])
        const downloaded = Fs.readFileSync(await download.path())
        const downloadedName = download.suggestedFilename()
        await page.keyboard.press("Escape")

        // A selection of two, downloaded as two files.
        await page.getByLabel("Select Forest.png").check()
        await page.getByLabel("Select Sea.png").check()
        const selection: Array<string> = []
        const onDownload = (d: { suggestedFilename(): string }) => selection.push(d.suggestedFilename())
        page.on("download", onDownload)
        await page.getByRole("button", { name: "Download 2 selected" }).click()
        await page.waitForFunction(() => /Downloaded 2 files/.test(document.getElementById("status")?.textContent ?? ""))
        await page.waitForTimeout(200)
        page.off("download", onDownload)

        // A recording plays; a Wi-Fi password stays hidden until revealed.
        await page.goto(`${origin}/#/apps/recordings`)
        await page.getByRole("button", { name: "Play" }).click()
        await page.waitForFunction(() => {
          const audio = document.querySelector("audio")
          return audio !== null && audio.src.startsWith("blob:") && audio.readyState >= 1 && audio.duration > 0.2
        })
        await page.goto(`${origin}/#/apps/wifi`)
        await page.waitForSelector("tr[data-id=home]")
        const hiddenText = await page.locator("main").innerText()
        await page.getByRole("button", { name: "Reveal" }).click()
        const revealedText = await page.locator("tr[data-id=home]").innerText()
        await shot(page, "03-wifi")
        await page.goto(`${origin}/#/apps/contacts`)
        await page.waitForSelector("tr[data-id=ada]")
        const contactsText = await page.locator("main").innerText()

        // Sync settings: cancelling changes nothing; turning Wi-Fi off states first that its cloud copy goes for good.
        await page.goto(`${origin}/#/settings`)
        await page.click("#sync-notes")
        await page.waitForSelector("#confirm[open]")
        await page.click("#confirm-cancel")
        const notesStillChecked = await page.isChecked("#sync-notes")
        await page.click("#sync-wifi")
        await page.waitForSelector("#confirm[open]")
        const warning = await page.locator("#confirm-text").innerText()
        await shot(page, "04-wifi-warning")
        await page.click("#confirm-ok")
        await page.waitForFunction(() => /deleted for good: Wi-Fi networks/.test(document.getElementById("status")?.textContent ?? ""))

        // The trash: the deleted note with its delete-by date; restore it.
        await page.goto(`${origin}/#/trash`)
        const trashRow = page.locator("tr[data-id=spare]")
        await trashRow.waitFor()
        const trashRowText = await trashRow.innerText()
        await shot(page, "05-trash")
        await trashRow.getByRole("button", { name: /^Restore/ }).click()
        await page.waitForFunction(() => /The trash is empty/.test(document.getElementById("trash-summary")?.textContent ?? ""))

        // Membership, privacy: the picture of usage, the inventory, the access log verified.
        await page.goto(`${origin}/#/membership`)
        await page.waitForSelector("#usage svg.ring")
        await shot(page, "06-membership")
        await page.goto(`${origin}/#/privacy`)
        await page.waitForSelector("#inventory tbody tr")
        const inventoryRows = await page.locator("#inventory tbody tr").evaluateAll((rows: Array<any>) =>
          rows.map((row) => row.getAttribute("data-type")))
        await page.click("#verify-log")
        await page.waitForFunction(() => /The log verifies/.test(document.getElementById("log-verdict")?.textContent ?? ""))
        await shot(page, "07-privacy")

        const [zip] = await Promise.all([page.waitForEvent("download"), page.click("#export")])
        const archiveName = zip.suggestedFilename()
        const archive = unzipSync(Fs.readFileSync(await zip.path()))
        await context.close()
        return {
          cspHeader, requests, errors, firstTiles, laterTiles, firstLabel, downloaded, downloadedName, selection,
          hiddenText, revealedText, contactsText, notesStillChecked, warning, trashRowText, inventoryRows, archive,
          archiveName
        }
      })

      assert.include(result.cspHeader, "script-src 'self'")
      assert.notInclude(result.cspHeader, "unsafe-inline")
      assert.isBelow(result.firstTiles, 1503, "the grid draws a slice, not every tile at once")
      assert.isAbove(result.laterTiles, result.firstTiles, "scrolling draws more")
      assert.include(result.firstLabel, "Sunset.png")
      assert.strictEqual(result.downloadedName, "Sunset.png")
      assert.deepStrictEqual([...result.downloaded], [...photos[0]!.bytes])
      assert.deepStrictEqual(result.selection.sort(), ["Forest.png", "Sea.png"])
      assert.notInclude(result.hiddenText, wifiPassword)
      assert.include(result.revealedText, wifiPassword)
      assert.include(result.contactsText, "Ada Example 1")
      assert.isTrue(result.notesStillChecked)
      assert.include(result.warning, "for good")
      assert.match(result.trashRowText, new RegExp(trashedNote))
      assert.match(result.trashRowText, /in (29|30) days/)
      assert.deepStrictEqual(result.inventoryRows, Inventory.map((e) => e.id))
      // The archive the button downloads: every part, the contacts as vCard, the photo's own bytes.
      assert.match(result.archiveName, /^custos-export-\d{4}-\d{2}-\d{2}\.zip$/)
      const files = Object.keys(result.archive)
      for (const part of ["README.txt", "manifest.json", "contacts.vcf", "calendar.ics", "notes.json"]) {
        assert.include(files, part)
      }
      assert.include(new TextDecoder().decode(result.archive["contacts.vcf"]), "FN:Ada Example 1")
      const photoFile = files.find((f) => f.startsWith("media/gallery/") && f.endsWith("/Sunset.png"))
      assert.isDefined(photoFile, `the photo is in the archive: ${files.join(", ")}`)
      assert.deepStrictEqual([...result.archive[photoFile!]!], [...photos[0]!.bytes])
      assertSameOrigin(result.requests, origin)
      assert.deepStrictEqual(result.errors, [], "the page reported no error")

      // What the browser did, as the server sees it.
      const settings = yield* person.api.settings.get()
      assert.isFalse(settings.enabled.includes("wifi"))
      assert.isTrue(settings.enabled.includes("notes"))
      const wifi = yield* person.api.sync.changes({ path: { app: "wifi" }, urlParams: {} })
      assert.isTrue(wifi.changes.every((r) => r.state === "purged"))
      const notes = yield* person.api.sync.changes({ path: { app: "notes" }, urlParams: {} })
      assert.strictEqual(notes.changes.find((r) => r.id === "spare")?.state, "active")
      assert.strictEqual((yield* person.api.trash.list({ urlParams: {} })).items.length, 0)
    }).pipe(Effect.scoped, Effect.provide(layerTestServer())), { timeout: 240_000 })

  it.live("works with the keyboard alone: sign in, move between sections, open and download a photo, restore, toggle", () =>
    Effect.gen(function*() {
      const person = yield* seed
      const browser = yield* launch
      const { origin } = person
      const result = yield* Effect.promise(async () => {
        const { context, page, requests, errors } = await watched(browser, { viewport: { width: 1280, height: 900 } })
        const focused = () => page.evaluate(() => {
          const el = document.activeElement
          return `${el?.tagName.toLowerCase()}|${el?.id ?? ""}|${el?.getAttribute("aria-label") ?? el?.textContent?.trim() ?? ""}`
        })
        /** Presses Tab (or Shift+Tab) until the focused element matches, at most 60 times. */
        const tabTo = async (pattern: RegExp, key = "Tab") => {
          for (let i = 0; i < 60; i++) {
            await page.keyboard.press(key)
            if (pattern.test(await focused())) return
          }
          throw new Error(`no element matching ${pattern} could be reached with ${key}`)
        }

        await page.goto(`${origin}/`)
        await page.waitForSelector("#login")
        const startFocus = await focused()
        await page.keyboard.type(person.loginName)
        await page.keyboard.press("Tab")
        await page.keyboard.type(person.password)
        await page.keyboard.press("Enter")
        await page.waitForSelector("#gallery-grid .tile")

        // Into the gallery: the first tile opens the full view; the download button is reachable; Escape closes it.
        await tabTo(/^button\|\|Open Photo Sunset\.png/)
        await page.keyboard.press("Enter")
        await page.waitForSelector("#viewer[open] img.full")
        await tabTo(/^button\|\|Download$/, "Shift+Tab")
        const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")])
        const downloadedName = download.suggestedFilename()
        await page.keyboard.press("Escape")
        const viewerClosed = await page.evaluate(() => !document.getElementById("viewer").open)

        // To the trash through the navigation, and restore the note.
        await tabTo(/^a\|\|Trash$/, "Shift+Tab")
        await page.keyboard.press("Enter")
        await page.waitForSelector("tr[data-id=spare]")
        const headingFocused = await page.evaluate(() => document.activeElement?.tagName === "H1")
        await tabTo(/^button\|\|Restore Spare key/)
        await page.keyboard.press("Enter")
        await page.waitForFunction(() => /The trash is empty/.test(document.getElementById("trash-summary")?.textContent ?? ""))

        // Sync settings: turn notes off with Space, read the consequence, confirm with the keyboard.
        await tabTo(/^a\|\|Sync settings$/, "Shift+Tab")
        await page.keyboard.press("Enter")
        await page.waitForSelector("#sync-notes")
        await tabTo(/^input\|sync-notes\|/)
        await page.keyboard.press("Space")
        await page.waitForSelector("#confirm[open]")
        const dialogFocus = await focused()
        const consequence = await page.locator("#confirm-text").innerText()
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await page.waitForFunction(() => /^Saved/.test(document.getElementById("status")?.textContent ?? ""))
        await shot(page, "08-keyboard-settings")
        await context.close()
        return { requests, errors, startFocus, downloadedName, viewerClosed, headingFocused, dialogFocus, consequence }
      })
      assert.match(result.startFocus, /^input\|login\|/)
      assert.strictEqual(result.downloadedName, "Sunset.png")
      assert.isTrue(result.viewerClosed)
      assert.isTrue(result.headingFocused, "a new section moves the focus to its heading")
      assert.match(result.dialogFocus, /^button\|confirm-cancel\|/, "a confirmation starts on Cancel")
      assert.include(result.consequence, "what is already in the cloud is kept")
      assertSameOrigin(result.requests, origin)
      assert.deepStrictEqual(result.errors, [])

      const notes = yield* person.api.sync.changes({ path: { app: "notes" }, urlParams: {} })
      assert.strictEqual(notes.changes.find((r) => r.id === "spare")?.state, "active")
      assert.isFalse((yield* person.api.settings.get()).enabled.includes("notes"))
    }).pipe(Effect.scoped, Effect.provide(layerTestServer())), { timeout: 240_000 })

  it.live("fits a phone's 390 px wide screen in every section, without scrolling sideways", () =>
    Effect.gen(function*() {
      const person = yield* seed
      const browser = yield* launch
      const { origin } = person
      const sections = [
        "gallery", "apps/contacts", "apps/messages", "apps/wifi", "apps/home-screen", "settings", "trash",
        "membership", "privacy", "devices"
      ]
      const result = yield* Effect.promise(async () => {
        const { context, page, requests, errors } = await watched(browser, {
          viewport: { width: 390, height: 844 },
          deviceScaleFactor: 2,
          isMobile: true,
          hasTouch: true
        })
        await signIn(page, origin, person.loginName, person.password)
        const widths: Record<string, number> = {}
        for (const section of sections) {
          await page.goto(`${origin}/#/${section}`)
          await page.waitForFunction(() => document.querySelector("main h1") !== null &&
            document.querySelector("main")?.textContent?.includes("Loading") === false)
          widths[section] = await page.evaluate(() => document.documentElement.scrollWidth)
          await shot(page, `phone-${section.replace("/", "-")}`)
        }
        await page.goto(`${origin}/#/gallery`)
        await page.locator("#gallery-grid .thumb").first().tap()
        await page.waitForSelector("#viewer[open] img.full")
        const viewerWidth = await page.evaluate(() => document.getElementById("viewer").getBoundingClientRect().width)
        await shot(page, "phone-photo")
        await context.close()
        return { requests, errors, widths, viewerWidth }
      })
      for (const section of sections) {
        assert.isAtMost(result.widths[section]!, 390, `${section} fits the screen's width`)
      }
      assert.isAtMost(result.viewerWidth, 390)
      assertSameOrigin(result.requests, origin)
      assert.deepStrictEqual(result.errors, [])
    }).pipe(Effect.scoped, Effect.provide(layerTestServer())), { timeout: 240_000 })
})
