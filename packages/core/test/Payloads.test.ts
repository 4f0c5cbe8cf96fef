/**
 * Tests of the payload schemas (§4.1.3(1)): every app's payload survives a trip through its encoded JSON form, a
 * hand-written example of each decodes, malformed ones are refused naming the field at fault, and a decoded Wi-Fi
 * password stays hidden.
 */
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Effect, Either, FastCheck, Redacted } from "effect"
import { inspect } from "node:util"
import { type App, Apps } from "../src/domain/App.js"
import {
  blobRefsOf,
  compiledApps,
  decodeAndEncodePayload,
  decodePayload,
  decodePayloadEither,
  encodeDecodedPayload,
  encodePayload,
  encodePayloadEither,
  folderOf,
  type GalleryItem,
  PayloadSchemas,
  type WifiNetwork
} from "../src/domain/Payloads.js"

const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

const valid: { readonly [A in App]: Record<string, unknown> } = {
  gallery: {
    fileName: "IMG_0001.jpg",
    folder: "Camera",
    mediaType: "photo",
    mimeType: "image/jpeg",
    takenAt: "2024-05-01T09:30:00.000Z",
    width: 4032,
    height: 3024,
    size: 2_345_678,
    sha256: sha,
    blob: { id: "blob-0001", size: 2_345_678, sha256: sha }
  },
  messages: {
    address: "+44 20 7946 0958",
    body: "See you at six",
    direction: "received",
    at: "2024-05-01T17:02:11.000Z",
    read: true,
    favourite: false,
    simNumber: "+44 7700 900123"
  },
  contacts: {
    name: { given: "Ada", family: "Lovelace", formatted: "Ada Lovelace" },
    phones: [{ label: "mobile", number: "+44 7700 900456" }],
    emails: [{ label: "work", address: "ada@example.org" }],
    organization: "Analytical Engines",
    birthday: "1815-12-10",
    note: "Met at the conference",
    addresses: [{ label: "home", street: "12 St James's Square", city: "London", postalCode: "SW1Y 4JH" }]
  },
  "call-history": {
    number: "+1 202 555 0143",
    direction: "outgoing",
    startedAt: "2024-05-02T08:00:00.000Z",
    durationSeconds: 312,
    simNumber: "+44 7700 900123"
  },
  notes: {
    kind: "task",
    title: "Renew passport",
    body: "Photos, form, fee",
    private: true,
    folder: "Errands",
    dueAt: "2024-06-01T12:00:00.000Z",
    done: false
  },
  recordings: {
    title: "Lecture 3",
    recordedAt: "2024-04-10T14:00:00.000Z",
    durationMs: 3_600_000,
    mimeType: "audio/mp4",
    size: 28_800_000,
    sha256: sha
  },
  calendar: {
    title: "Stand-up",
    startsAt: "2024-05-06T09:00:00.000Z",
    endsAt: "2024-05-06T09:15:00.000Z",
    allDay: false,
    location: "Room 2",
    timeZone: "Europe/London",
    recurrence: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    reminders: [10, 0]
  },
  browser: {
    kind: "favourite",
    url: "https://example.org/docs?page=2#top",
    title: "Docs",
    folder: "Work",
    addedAt: "2024-03-03T10:00:00.000Z"
  },
  wifi: {
    ssid: "Home network",
    security: "wpa2-psk",
    password: "correct horse battery",
    hidden: false,
    autoJoin: true
  },
  bluetooth: {
    name: "Car kit",
    address: "00:1a:7D:DA:71:13",
    deviceClass: "car",
    pairedAt: "2023-11-20T18:45:00.000Z"
  },
  "frequent-phrases": { text: "On my way!", position: 0 },
  "home-screen": {
    deviceModel: "Phone 12",
    takenAt: "2024-05-01T00:00:00.000Z",
    launcher: "org.example.launcher",
    grid: { columns: 5, rows: 6 },
    pages: [
      {
        index: 0,
        items: [
          { kind: "app", packageName: "org.example.mail", label: "Mail", x: 0, y: 0 },
          { kind: "widget", packageName: "org.example.clock", label: "Clock", x: 0, y: 1, spanX: 4, spanY: 2 },
          { kind: "folder", label: "Tools", x: 4, y: 0 }
        ]
      }
    ],
    dock: [{ kind: "app", packageName: "org.example.dialer", label: "Phone", x: 0, y: 0 }],
    installedApps: [
      { packageName: "org.example.mail", label: "Mail", version: "3.1.4" },
      { packageName: "org.example.dialer", label: "Phone" }
    ],
    wallpaper: { id: "wallpaper.2024-05", size: 812_000, sha256: sha }
  }
}

/** `o` without its `key` field. */
const without = (o: Record<string, unknown>, key: string): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== key))

/** Runs the decoder and hands back its failure, failing the test if it succeeded. */
const refusal = (app: App, input: unknown) => Effect.flip(decodePayload(app, input))

const roundTrip = <A extends App>(app: A) =>
  it.effect.prop(
    `${app}: any valid payload survives encode, JSON and decode`,
    [Arbitrary.make(PayloadSchemas[app])],
    ([payload]) =>
      Effect.gen(function*() {
        const encoded = yield* encodePayload(app, payload)
        const json: unknown = JSON.parse(JSON.stringify(encoded))
        assert.deepStrictEqual(json, encoded)
        const decoded = yield* decodePayload(app, json)
        assert.deepStrictEqual(yield* encodePayload(app, decoded), encoded)
        // The push's encoder, which skips the checks the decoder just ran, writes the very same JSON.
        assert.strictEqual(JSON.stringify(yield* encodeDecodedPayload(app, decoded)), JSON.stringify(encoded))
      }),
    { fastCheck: { numRuns: 50 } }
  )

/** `value` with an unknown field added to the objects (depth first) whose flag is set. */
const withUnknownFields = (value: unknown, flags: ReadonlyArray<boolean>): unknown => {
  let next = 0
  const go = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(go)
    if (typeof v !== "object" || v === null) return v
    const extra = flags[next++ % flags.length] === true
    const out: Record<string, unknown> = {}
    for (const [key, field] of Object.entries(v)) out[key] = go(field)
    return extra ? { ...out, unknownField: "x" } : out
  }
  return go(value)
}

/** What a push must answer for `input`: the strict decoder, the check, then the encoder with every check. */
const strictAnswer = (
  app: App,
  input: unknown,
  check: (decoded: unknown) => string | undefined
): Either.Either<{ readonly decoded: unknown; readonly encoded: unknown }, unknown> =>
  Either.flatMap(decodePayloadEither(app, input), (decoded): Either.Either<
    { readonly decoded: unknown; readonly encoded: unknown },
    unknown
  > => {
    const refused = check(decoded)
    return refused !== undefined
      ? Either.left(refused)
      : Either.map(encodePayloadEither(app, decoded), (encoded) => ({ decoded, encoded }))
  })

const sameAnswer = <A extends App>(app: A) =>
  it.effect.prop(
    `${app}: a push decodes and encodes exactly as the strict decoder and encoder do, unknown fields or not`,
    [
      Arbitrary.make(PayloadSchemas[app]),
      FastCheck.array(FastCheck.boolean(), { minLength: 1, maxLength: 8 }),
      FastCheck.boolean()
    ],
    ([payload, flags, refuse]) =>
      Effect.gen(function*() {
        const encoded = yield* encodePayload(app, payload)
        const input = withUnknownFields(JSON.parse(JSON.stringify(encoded)), flags)
        const check = () => (refuse ? "refused by the check" : undefined)
        const fast = decodeAndEncodePayload(app, input, check)
        const strict = strictAnswer(app, input, check)
        if (Either.isLeft(strict)) {
          assert.isTrue(Either.isLeft(fast))
          if (Either.isLeft(fast)) assert.deepStrictEqual(fast.left, strict.left)
        } else {
          assert.isTrue(Either.isRight(fast))
          if (Either.isRight(fast)) {
            assert.strictEqual(JSON.stringify(fast.right.encoded), JSON.stringify(strict.right.encoded))
            assert.deepStrictEqual(yield* encodePayload(app, fast.right.decoded), strict.right.encoded)
          }
        }
      }),
    { fastCheck: { numRuns: 50 } }
  )

/** Values a device might send in place of any field: wrong types, out of range, odd times, nothing at all. */
const oddValues: ReadonlyArray<unknown> = [
  undefined,
  null,
  "",
  "x".repeat(300),
  -1,
  0,
  1.5,
  Number.NaN,
  2 ** 41,
  true,
  [],
  {},
  [null],
  "2024-05-01T09:30:00+02:00",
  "2024-05-01",
  "1899-12-31T23:59:59Z",
  "not a time",
  "photo",
  "task",
  "missed",
  "history",
  "favourite"
]

/** Every place in a JSON value (an object's field or an array's item), as a path from the top. */
const placesOf = (value: unknown, path: ReadonlyArray<string | number> = []): Array<Array<string | number>> => {
  if (Array.isArray(value)) return value.flatMap((item, i) => [[...path, i], ...placesOf(item, [...path, i])])
  if (typeof value !== "object" || value === null) return []
  return Object.entries(value).flatMap(([key, field]) => [[...path, key], ...placesOf(field, [...path, key])])
}

/** A copy of `value` with the place at `path` set to `to`; `undefined` removes a field (as JSON would). */
const withPlace = (value: unknown, path: ReadonlyArray<string | number>, to: unknown): unknown => {
  if (path.length === 0) return to
  const [head, ...rest] = path
  if (Array.isArray(value)) return value.map((item, i) => (i === head ? withPlace(item, rest, to) : item))
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) }
  if (rest.length === 0 && to === undefined) delete out[head as string]
  else out[head as string] = withPlace(out[head as string], rest, to)
  return out
}

const sameAnswerBroken = <A extends App>(app: A) =>
  it.effect.prop(
    `${app}: a push answers a broken payload exactly as the strict decoder and encoder do`,
    [
      Arbitrary.make(PayloadSchemas[app]),
      FastCheck.nat(),
      FastCheck.constantFrom(...oddValues),
      FastCheck.boolean()
    ],
    ([payload, at, odd, refuse]) =>
      Effect.gen(function*() {
        const encoded: unknown = JSON.parse(JSON.stringify(yield* encodePayload(app, payload)))
        const places = placesOf(encoded)
        const input = places.length === 0 ? odd : withPlace(encoded, places[at % places.length]!, odd)
        const check = () => (refuse ? "refused by the check" : undefined)
        const fast = decodeAndEncodePayload(app, input, check)
        const strict = strictAnswer(app, input, check)
        assert.strictEqual(Either.isRight(fast), Either.isRight(strict), JSON.stringify(input))
        if (Either.isLeft(fast) && Either.isLeft(strict)) assert.deepStrictEqual(fast.left, strict.left)
        if (Either.isRight(fast) && Either.isRight(strict)) {
          assert.strictEqual(JSON.stringify(fast.right.encoded), JSON.stringify(strict.right.encoded))
          assert.deepStrictEqual(yield* encodePayload(app, fast.right.decoded), strict.right.encoded)
        }
      }),
    { fastCheck: { numRuns: 200 } }
  )

describe("Payloads", () => {
  describe("round trip", () => {
    for (const app of Apps) roundTrip(app)
  })

  describe("as a push decodes", () => {
    for (const app of Apps) sameAnswer(app)
    for (const app of Apps) sameAnswerBroken(app)

    it("a push refuses an unknown field beside a hidden one, and answers a throwing getter as Effect's parsers do", () => {
      const hidden = Object.defineProperty({ position: 1, bogus: "x" }, "text", { value: "hi", enumerable: false })
      const answer = decodeAndEncodePayload("frequent-phrases", hidden, () => undefined)
      assert.deepStrictEqual(answer, strictAnswer("frequent-phrases", hidden, () => undefined))
      assert.isTrue(Either.isLeft(answer))
      const throwing = Object.defineProperty({ position: 1, bogus: "x" }, "text", {
        get: () => {
          throw new Error("boom")
        },
        enumerable: true
      })
      // Effect's parsers let the getter's error through; so does a push, whose compiled parsers step aside.
      assert.throws(() => strictAnswer("frequent-phrases", throwing, () => undefined), "boom")
      assert.throws(() => decodeAndEncodePayload("frequent-phrases", throwing, () => undefined), "boom")
    })

    it("every app's payloads are decoded and encoded by compiled parsers", () => {
      assert.deepStrictEqual(compiledApps, Apps)
    })
  })

  describe("hand-written examples", () => {
    for (const app of Apps) {
      it.effect(`${app}: a valid example decodes and encodes back to itself`, () =>
        Effect.gen(function*() {
          const decoded = yield* decodePayload(app, valid[app])
          assert.deepStrictEqual(yield* encodePayload(app, decoded), valid[app])
          assert.strictEqual(
            JSON.stringify(yield* encodeDecodedPayload(app, decoded)),
            JSON.stringify(yield* encodePayload(app, decoded))
          )
        }))
    }

    it.effect("the gallery folder is read from the payload", () =>
      Effect.gen(function*() {
        const decoded = yield* decodePayload("gallery", valid.gallery)
        assert.strictEqual(folderOf(decoded as GalleryItem), "Camera")
      }))

    it.effect("a gallery item's thumbnail is a blob of its own, referenced beside the file", () =>
      Effect.gen(function*() {
        const thumbnail = { id: "thumb-0001", size: 4_096, sha256: "0".repeat(64) }
        const withThumbnail = yield* decodePayload("gallery", { ...valid.gallery, thumbnail })
        assert.deepStrictEqual(blobRefsOf("gallery", withThumbnail).map((b) => b.id), ["blob-0001", "thumb-0001"])
        assert.deepStrictEqual(blobRefsOf("gallery", yield* decodePayload("gallery", valid.gallery)).map((b) => b.id), [
          "blob-0001"
        ])
        const bad = yield* Effect.flip(decodePayload("gallery", { ...valid.gallery, thumbnail: { id: "t", size: 1 } }))
        assert.strictEqual(bad.field, "thumbnail.sha256")
      }))

    it.effect("a contact's missing lists read as empty", () =>
      Effect.gen(function*() {
        const decoded = yield* decodePayload("contacts", { name: { formatted: "Grace" } })
        assert.deepStrictEqual(decoded, { name: { formatted: "Grace" }, phones: [], emails: [], addresses: [] })
      }))

    it.effect("a browser history entry decodes", () =>
      Effect.gen(function*() {
        const entry = { kind: "history", url: "http://example.org/", title: "", visitedAt: "2024-01-01T00:00:00.000Z" }
        const decoded = yield* decodePayload("browser", entry)
        assert.deepStrictEqual(yield* encodePayload("browser", decoded), entry)
      }))
  })

  describe("invalid examples", () => {
    const cases: ReadonlyArray<readonly [string, App, unknown, string]> = [
      [
        "a contact without a formatted name",
        "contacts",
        { ...valid.contacts, name: { given: "Ada" } },
        "name.formatted"
      ],
      [
        "a contact with a bad email",
        "contacts",
        { ...valid.contacts, emails: [{ label: "work", address: "ada at example" }] },
        "emails[0].address"
      ],
      [
        "a contact with a bad phone number",
        "contacts",
        { ...valid.contacts, phones: [{ label: "home", number: "" }] },
        "phones[0].number"
      ],
      [
        "a missed call that lasted",
        "call-history",
        { ...valid["call-history"], direction: "missed", durationSeconds: 4 },
        "durationSeconds"
      ],
      [
        "an event that ends before it starts",
        "calendar",
        { ...valid.calendar, endsAt: "2024-05-06T08:59:59.000Z" },
        "endsAt"
      ],
      ["a javascript: address", "browser", { ...valid.browser, url: "javascript:alert(1)" }, "url"],
      ["an open network with a password", "wifi", { ...valid.wifi, security: "open" }, "password"],
      ["a WPA2 password of 5 characters", "wifi", { ...valid.wifi, password: "abcde" }, "password"],
      ["a bad device address", "bluetooth", { ...valid.bluetooth, address: "00:1A:7D:DA:71" }, "address"],
      ["a gallery item that is text", "gallery", { ...valid.gallery, mimeType: "text/plain" }, "mimeType"],
      ["a photo labelled as a video", "gallery", { ...valid.gallery, mediaType: "video" }, "mimeType"],
      ["a note with a due time", "notes", { ...without(valid.notes, "done"), kind: "note" }, "dueAt"],
      ["a note marked done", "notes", { ...without(valid.notes, "dueAt"), kind: "note" }, "done"],
      [
        "an app shortcut without its package",
        "home-screen",
        { ...valid["home-screen"], dock: [{ kind: "app", label: "Phone", x: 0, y: 0 }] },
        "dock[0].packageName"
      ],
      ["a missing field", "messages", without(valid.messages, "body"), "body"],
      ["an excess property", "messages", { ...valid.messages, spam: "yes" }, "spam"],
      ["a non-object", "messages", 42, "(payload)"],
      ["a non-object in a union", "browser", "https://example.org", "(payload)"]
    ]

    for (const [name, app, input, field] of cases) {
      it.effect(`refuses ${name}, naming ${field}`, () =>
        Effect.gen(function*() {
          const error = yield* refusal(app, input)
          assert.strictEqual(error._tag, "InvalidPayload")
          assert.strictEqual(error.code, "invalid-payload")
          assert.strictEqual(error.app, app)
          assert.strictEqual(error.field, field)
          assert.isAbove(error.reason.length, 0)
        }))
    }

    it.effect("gives the schema's own sentence as the reason", () =>
      Effect.gen(function*() {
        const error = yield* refusal("wifi", { ...valid.wifi, password: "abcde" })
        assert.strictEqual(error.reason, "A WPA password must be 8 to 63 printable ASCII characters")
        const missed = yield* refusal("call-history", { ...valid["call-history"], direction: "missed" })
        assert.strictEqual(missed.reason, "A missed call lasts 0 seconds")
      }))

    it.effect("never quotes the refused value in the reason", () =>
      Effect.gen(function*() {
        const error = yield* refusal("messages", { ...valid.messages, body: 12345678 })
        assert.strictEqual(error.field, "body")
        assert.notInclude(error.reason, "12345678")
        assert.notInclude(error.message, "12345678")
      }))

    it.effect("refuses absurdly large values", () =>
      Effect.gen(function*() {
        const long = yield* refusal("frequent-phrases", { text: "x".repeat(501), position: 0 })
        assert.strictEqual(long.field, "text")
        const many = yield* refusal("calendar", { ...valid.calendar, reminders: Array.from({ length: 21 }, () => 5) })
        assert.strictEqual(many.field, "reminders")
        const year = yield* refusal("messages", { ...valid.messages, at: "+275760-09-13T00:00:00.000Z" })
        assert.strictEqual(year.field, "at")
        const fraction = yield* refusal("frequent-phrases", { text: "Hi", position: 1.5 })
        assert.strictEqual(fraction.field, "position")
      }))
  })

  describe("Wi-Fi password", () => {
    it.effect("is hidden once decoded and plain only in the encoded form", () =>
      Effect.gen(function*() {
        const secret = "correct horse battery"
        const decoded = yield* decodePayload("wifi", valid.wifi)
        assert.notInclude(String(decoded), secret)
        assert.notInclude(JSON.stringify(decoded), secret)
        assert.notInclude(inspect(decoded, { depth: null }), secret)
        const password = (decoded as WifiNetwork).password
        assert.isDefined(password)
        assert.notInclude(String(password), secret)
        assert.strictEqual(password === undefined ? undefined : Redacted.value(password), secret)
        const encoded = yield* encodePayload("wifi", decoded)
        assert.strictEqual((encoded as { readonly password?: unknown }).password, secret)
      }))

    it.effect("may be left out of a secured network", () =>
      Effect.gen(function*() {
        const withoutPassword = without(valid.wifi, "password")
        const decoded = yield* decodePayload("wifi", withoutPassword)
        assert.deepStrictEqual(yield* encodePayload("wifi", decoded), withoutPassword)
      }))
  })
})
