/**
 * The pure formatters of the export: vCard 4 (RFC 6350) and iCalendar 2.0 (RFC 5545) content lines (escaping,
 * folding at 75 octets without cutting a character, CRLF), media file names, CRC-32 and DOS times of the ZIP writer.
 * Parsing with a full library happens in the server's export test.
 */
import { CalendarEvent, Contact } from "@custos/core/domain/Payloads"
import { iCalendar, vEvent } from "@custos/core/export/ICalendar"
import { escapeText, fold, paramValue } from "@custos/core/export/internal/contentLines"
import { extensionOf, NameRegistry, safePart } from "@custos/core/export/MediaNames"
import { vCard } from "@custos/core/export/VCard"
import { crc32, dosDateTime } from "@custos/core/export/Zip"
import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"

const octets = (s: string) => new TextEncoder().encode(s).length

/** Physical lines, each checked to end in CRLF and to hold at most 75 octets; then unfolded. */
const unfold = (text: string): Array<string> => {
  assert.isTrue(text.endsWith("\r\n"))
  assert.notMatch(text.replace(/\r\n/g, ""), /[\r\n]/, "no bare CR or LF")
  const physical = text.slice(0, -2).split("\r\n")
  for (const line of physical) assert.isAtMost(octets(line), 75, line)
  const logical: Array<string> = []
  for (const line of physical) {
    if (line.startsWith(" ")) logical[logical.length - 1] += line.slice(1)
    else logical.push(line)
  }
  return logical
}

const contact = (input: unknown) => Schema.decodeUnknownSync(Contact)(input)
const event = (input: unknown) => Schema.decodeUnknownSync(CalendarEvent)(input)

describe("content lines", () => {
  it("escapes backslash, comma, semicolon and line breaks, and drops other control characters", () => {
    assert.strictEqual(escapeText("a\\b,c;d\r\ne\rf\ng\u0007h\ti"), "a\\\\b\\,c\\;d\\ne\\nf\\ng" + "h\ti")
    assert.strictEqual(escapeText("x;y", { semicolon: false }), "x;y")
  })

  it("escapes parameter values with carets and quotes them when needed", () => {
    assert.strictEqual(paramValue("work"), "work")
    assert.strictEqual(paramValue("Büro, 2. Stock"), "\"Büro, 2. Stock\"")
    assert.strictEqual(paramValue("say \"hi\"^\n"), "\"say ^'hi^'^^^n\"")
  })

  it("folds at 75 octets and never inside a character", () => {
    const value = "é".repeat(50) + "🧮".repeat(30) + "a".repeat(200)
    const line = `NOTE:${value}`
    const folded = fold(line)
    assert.deepStrictEqual(unfold(folded), [line])
    // A 74-octet line stays whole; one of 76 is folded once.
    assert.strictEqual(fold("X".repeat(75)), "X".repeat(75) + "\r\n")
    assert.strictEqual(fold("X".repeat(76)), "X".repeat(75) + "\r\n " + "X\r\n")
    for (const piece of folded.split("\r\n")) {
      // Every physical line decodes on its own: no UTF-8 sequence was cut.
      assert.doesNotThrow(() => new TextDecoder("utf-8", { fatal: true }).decode(new TextEncoder().encode(piece)))
      assert.notMatch(piece, /[\uD800-\uDBFF]$/)
    }
  })
})

describe("vCard 4", () => {
  it("writes every field of a contact, escaped, with the record id as UID", () => {
    const card = vCard({
      id: "c-1",
      changedAt: Date.UTC(2025, 0, 2, 3, 4, 5),
      contact: contact({
        name: { given: "Ada", family: "Love;lace", formatted: "Ada Lovelace, Countess; of L." },
        phones: [{ label: "mobile", number: "+44 20 7946 0000" }, { label: "Büro", number: "030,1234" }],
        emails: [{ label: "work", address: "ada@example.org" }],
        organization: "Engines; Ltd",
        birthday: "1815-12-10",
        note: "two\nlines",
        addresses: [{ label: "home", street: "1 Main St", city: "London", country: "UK" }]
      })
    })
    const lines = unfold(card)
    assert.deepStrictEqual(lines, [
      "BEGIN:VCARD",
      "VERSION:4.0",
      "UID;VALUE=text:c-1",
      "FN:Ada Lovelace\\, Countess; of L.",
      "N:Love\\;lace;Ada;;;",
      "TEL;VALUE=text;TYPE=cell;X-LABEL=mobile:+44 20 7946 0000",
      "TEL;VALUE=text;X-LABEL=Büro:030\\,1234",
      "EMAIL;TYPE=work;X-LABEL=work:ada@example.org",
      "ADR;TYPE=home;X-LABEL=home:;;1 Main St;London;;;UK",
      "ORG:Engines\\; Ltd",
      "BDAY:18151210",
      "NOTE:two\\nlines",
      "REV:20250102T030405Z",
      "END:VCARD"
    ])
  })

  it("leaves out what the contact does not have", () => {
    const lines = unfold(vCard({ id: "c-2", changedAt: 0, contact: contact({ name: { formatted: "Grace" } }) }))
    assert.deepStrictEqual(lines.map((l) => l.split(/[;:]/)[0]), ["BEGIN", "VERSION", "UID", "FN", "N", "REV", "END"])
  })
})

describe("iCalendar 2.0", () => {
  const stamp = Date.UTC(2026, 11, 4, 5, 0, 0)

  it("writes a timed event in UTC with its recurrence, alarms and escaped text", () => {
    const lines = unfold(vEvent({
      id: "e-1",
      changedAt: Date.UTC(2025, 2, 1),
      event: event({
        title: "Review; retro, lunch",
        startsAt: "2025-03-10T09:30:00Z",
        endsAt: "2025-03-10T10:15:00Z",
        allDay: false,
        location: "Room 4",
        timeZone: "Europe/Berlin",
        recurrence: "FREQ=WEEKLY;BYDAY=MO",
        reminders: [0, 15]
      })
    }, stamp))
    assert.deepStrictEqual(lines, [
      "BEGIN:VEVENT",
      "UID:e-1",
      "DTSTAMP:20261204T050000Z",
      "LAST-MODIFIED:20250301T000000Z",
      "DTSTART:20250310T093000Z",
      "DTEND:20250310T101500Z",
      "SUMMARY:Review\\; retro\\, lunch",
      "LOCATION:Room 4",
      "X-CUSTOS-TIME-ZONE:Europe/Berlin",
      "RRULE:FREQ=WEEKLY;BYDAY=MO",
      "BEGIN:VALARM",
      "ACTION:DISPLAY",
      "DESCRIPTION:Review\\; retro\\, lunch",
      "TRIGGER:PT0M",
      "END:VALARM",
      "BEGIN:VALARM",
      "ACTION:DISPLAY",
      "DESCRIPTION:Review\\; retro\\, lunch",
      "TRIGGER:-PT15M",
      "END:VALARM",
      "END:VEVENT"
    ])
  })

  const allDay = (startsAt: string, endsAt: string, timeZone?: string) => {
    const lines = unfold(vEvent({
      id: "d",
      changedAt: 0,
      event: event({ title: "Day", startsAt, endsAt, allDay: true, ...(timeZone ? { timeZone } : {}) })
    }, stamp))
    return [lines.find((l) => l.startsWith("DTSTART")), lines.find((l) => l.startsWith("DTEND"))]
  }

  it("writes all-day events as dates with an exclusive end", () => {
    // One day, ending at the next midnight, or at the end of the day, or at the start.
    assert.deepStrictEqual(allDay("2025-08-01T00:00:00Z", "2025-08-02T00:00:00Z"), [
      "DTSTART;VALUE=DATE:20250801",
      "DTEND;VALUE=DATE:20250802"
    ])
    assert.deepStrictEqual(allDay("2025-08-01T00:00:00Z", "2025-08-01T23:59:59Z")[1], "DTEND;VALUE=DATE:20250802")
    assert.deepStrictEqual(allDay("2025-08-01T00:00:00Z", "2025-08-01T00:00:00Z")[1], "DTEND;VALUE=DATE:20250802")
    // Three days; and the days of the event's own zone, not UTC's.
    assert.deepStrictEqual(allDay("2025-08-01T00:00:00Z", "2025-08-03T12:00:00Z")[1], "DTEND;VALUE=DATE:20250804")
    assert.deepStrictEqual(allDay("2025-07-31T22:00:00Z", "2025-08-01T22:00:00Z", "Europe/Berlin"), [
      "DTSTART;VALUE=DATE:20250801",
      "DTEND;VALUE=DATE:20250802"
    ])
    // Across the end of a year.
    assert.deepStrictEqual(allDay("2025-12-31T00:00:00Z", "2025-12-31T10:00:00Z")[1], "DTEND;VALUE=DATE:20260101")
  })

  it("wraps events in one calendar", () => {
    const lines = unfold(iCalendar([], stamp))
    assert.deepStrictEqual(lines, [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//Custos//Export 1//EN",
      "CALSCALE:GREGORIAN",
      "END:VCALENDAR"
    ])
  })
})

describe("media names", () => {
  it("makes parts safe and keeps them recognisable", () => {
    assert.strictEqual(safePart("Sunset: at/the beach?.jpg", "x"), "Sunset_ at_the beach_.jpg")
    assert.strictEqual(safePart("..hidden..", "x"), "hidden")
    assert.strictEqual(safePart("  ", "fallback"), "fallback")
    assert.strictEqual(safePart("", ".."), "_..")
    assert.strictEqual(safePart("...", "."), "_.")
    assert.strictEqual(safePart("CON.txt", "x"), "_CON.txt")
    assert.strictEqual(safePart("e\u0301te\u0301.png", "x"), "été.png")
    const long = safePart("a".repeat(300) + ".jpeg", "x")
    assert.strictEqual([...long].length, 100)
    assert.isTrue(long.endsWith(".jpeg"))
  })

  it("hands out unique names, whatever the letter case", () => {
    const names = new NameRegistry()
    assert.strictEqual(names.claim("media/gallery/Camera", "IMG.jpg"), "media/gallery/Camera/IMG.jpg")
    assert.strictEqual(names.claim("media/gallery/Camera", "img.JPG"), "media/gallery/Camera/img (2).JPG")
    assert.strictEqual(names.claim("media/gallery/Camera", "IMG.jpg"), "media/gallery/Camera/IMG (3).jpg")
    assert.strictEqual(names.claim("media/gallery/Other", "IMG.jpg"), "media/gallery/Other/IMG.jpg")
  })

  it("knows the usual extensions", () => {
    assert.strictEqual(extensionOf("audio/mp4"), ".m4a")
    assert.strictEqual(extensionOf("image/x-unknown"), "")
  })
})

describe("ZIP helpers", () => {
  it("computes CRC-32 as ZIP does, in one go or in pieces", () => {
    const bytes = new TextEncoder().encode("123456789")
    assert.strictEqual(crc32(bytes), 0xcbf43926)
    assert.strictEqual(crc32(bytes.subarray(5), crc32(bytes.subarray(0, 5))), 0xcbf43926)
    assert.strictEqual(crc32(new Uint8Array(0)), 0)
  })

  it("writes DOS times, clamped to what DOS can say", () => {
    assert.deepStrictEqual(dosDateTime(Date.UTC(2025, 2, 10, 9, 30, 14)), {
      time: (9 << 11) | (30 << 5) | 7,
      date: (45 << 9) | (3 << 5) | 10
    })
    assert.deepStrictEqual(dosDateTime(0), { time: 0, date: (1 << 5) | 1 })
  })
})
