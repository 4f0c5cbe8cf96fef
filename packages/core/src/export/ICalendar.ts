/**
 * Calendar events as iCalendar 2.0 (RFC 5545): one `VEVENT` per event in a `VCALENDAR`, `UID` from the record id,
 * `DTSTAMP` the time of the export, text escaped (§3.3.11), lines folded at 75 octets and ended with CRLF (§3.1).
 *
 * - A timed event is written in UTC (`...Z`): its instants are exact, and a `TZID` would need a `VTIMEZONE`
 *   definition Custos does not have (ours). The event's zone, when it has one, is kept in `X-CUSTOS-TIME-ZONE`.
 * - An all-day event gets `VALUE=DATE` days, taken in its zone when it names a known one (else UTC). `DTEND` is the
 *   day after the last day, as RFC 5545 counts it: an end on the start day, or exactly at a midnight, closes there.
 * - A recurrence rule is written as `RRULE` as it came (its shape was checked on the way in); each reminder becomes a
 *   display alarm that many minutes before the start.
 */
import { DateTime, Option } from "effect"
import type { CalendarEvent } from "../domain/Payloads.js"
import { basicDate, contentLine, escapeText, utcStamp } from "./internal/contentLines.js"

export interface EventRecord {
  readonly id: string
  /** Epoch ms of the last change: the event's `LAST-MODIFIED`. */
  readonly changedAt: number
  readonly event: CalendarEvent
}

export const PRODID = "-//Custos//Export 1//EN"

/** The local day of an instant, in `zone` when it is a known zone, else in UTC. */
const dayOf = (instant: DateTime.Utc, zone: string | undefined) => {
  const zoned = zone === undefined ? Option.none() : DateTime.makeZoned(instant, { timeZone: zone })
  const p = Option.isSome(zoned) ? DateTime.toParts(zoned.value) : DateTime.toPartsUtc(instant)
  return p
}

const nextDay = (p: { readonly year: number; readonly month: number; readonly day: number }) => {
  const utc = DateTime.add(DateTime.unsafeMake({ year: p.year, month: p.month, day: p.day }), { days: 1 })
  return DateTime.toPartsUtc(utc)
}

const sameOrBefore = (
  a: { readonly year: number; readonly month: number; readonly day: number },
  b: { readonly year: number; readonly month: number; readonly day: number }
) => basicDate(a) <= basicDate(b)

/** One event as a `VEVENT`, stamped at `stampMs`. */
export const vEvent = (record: EventRecord, stampMs: number): string => {
  const e = record.event
  const lines = [
    contentLine("BEGIN", "VEVENT"),
    contentLine("UID", escapeText(record.id)),
    contentLine("DTSTAMP", utcStamp(stampMs)),
    contentLine("LAST-MODIFIED", utcStamp(record.changedAt))
  ]
  if (e.allDay) {
    const first = dayOf(e.startsAt, e.timeZone)
    const endParts = dayOf(e.endsAt, e.timeZone)
    const atMidnight = endParts.hours === 0 && endParts.minutes === 0 && endParts.seconds === 0 &&
      endParts.millis === 0
    const end = sameOrBefore(endParts, first) ? nextDay(first) : atMidnight ? endParts : nextDay(endParts)
    lines.push(
      contentLine("DTSTART", basicDate(first), [{ name: "VALUE", value: "DATE" }]),
      contentLine("DTEND", basicDate(end), [{ name: "VALUE", value: "DATE" }])
    )
  } else {
    lines.push(
      contentLine("DTSTART", utcStamp(DateTime.toEpochMillis(e.startsAt))),
      contentLine("DTEND", utcStamp(DateTime.toEpochMillis(e.endsAt)))
    )
  }
  lines.push(contentLine("SUMMARY", escapeText(e.title)))
  if (e.location !== undefined) lines.push(contentLine("LOCATION", escapeText(e.location)))
  if (e.description !== undefined) lines.push(contentLine("DESCRIPTION", escapeText(e.description)))
  if (e.timeZone !== undefined) lines.push(contentLine("X-CUSTOS-TIME-ZONE", escapeText(e.timeZone)))
  if (e.recurrence !== undefined) lines.push(contentLine("RRULE", e.recurrence))
  for (const minutes of e.reminders) {
    lines.push(
      contentLine("BEGIN", "VALARM"),
      contentLine("ACTION", "DISPLAY"),
      contentLine("DESCRIPTION", escapeText(e.title === "" ? "Reminder" : e.title)),
      contentLine("TRIGGER", minutes === 0 ? "PT0M" : `-PT${minutes}M`),
      contentLine("END", "VALARM")
    )
  }
  lines.push(contentLine("END", "VEVENT"))
  return lines.join("")
}

/** The lines that open a calendar; events follow, then `calendarEnd`. */
export const calendarStart = (): string =>
  [
    contentLine("BEGIN", "VCALENDAR"),
    contentLine("VERSION", "2.0"),
    contentLine("PRODID", escapeText(PRODID)),
    contentLine("CALSCALE", "GREGORIAN")
  ].join("")

export const calendarEnd = (): string => contentLine("END", "VCALENDAR")

/** A whole calendar of `records`. */
export const iCalendar = (records: ReadonlyArray<EventRecord>, stampMs: number): string =>
  calendarStart() + records.map((r) => vEvent(r, stampMs)).join("") + calendarEnd()
