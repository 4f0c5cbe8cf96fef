/**
 * What vCard (RFC 6350 §3) and iCalendar (RFC 5545 §3.1) share: content lines of `NAME;PARAM=VALUE:value`, ended by
 * CRLF and folded so that no line passes 75 octets, text values escaped with backslashes, and parameter values
 * escaped with carets (RFC 6868).
 */
import { DateTime } from "effect"
import { encodeUtf8 } from "../../domain/Sealed.js"

export const CRLF = "\r\n"

/**
 * A TEXT value: `\` and `,` escaped, every line break (CRLF, CR, LF) as `\n`, and control characters other than the
 * tab left out, since neither format can carry them (ours: the JSON files of the export keep them). `;` is escaped
 * too unless `semicolon` is false: iCalendar escapes it in every text (RFC 5545 §3.3.11), vCard only in the fields of
 * a compound value such as `N` or `ADR` (RFC 6350 §3.4), and some readers keep a needless `\;` as it is.
 */
export const escapeText = (value: string, options: { readonly semicolon?: boolean } = {}): string =>
  value
    .replace(/\r\n|\r|\n/g, "\n")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
    .replace(
      options.semicolon === false ? /[\\,\n]/g : /[\\;,\n]/g,
      (c) => (c === "\n" ? "\\n" : `\\${c}`)
    )

/**
 * A parameter value (RFC 6868): `^` as `^^`, a line break as `^n`, `"` as `^'`, control characters left out, and the
 * whole quoted when it holds `:`, `;`, `,` or a space.
 */
export const paramValue = (value: string): string => {
  const escaped = value
    .replace(/\r\n|\r|\n/g, "\n")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
    .replace(/[\^\n"]/g, (c) => (c === "^" ? "^^" : c === "\n" ? "^n" : "^'"))
  return /[:;, \t]/.test(escaped) || escaped === "" ? `"${escaped}"` : escaped
}

/**
 * The line folded at 75 octets (CRLF not counted): each continuation starts with one space, and no UTF-8 sequence,
 * nor a character made of two UTF-16 units, is cut. Ends with CRLF.
 */
export const fold = (line: string): string => {
  const out: Array<string> = []
  let current = ""
  let octets = 0
  let limit = 75
  for (const ch of line) {
    const n = encodeUtf8(ch).length
    if (octets + n > limit) {
      out.push(current)
      current = " "
      octets = 1
      limit = 75
    }
    current += ch
    octets += n
  }
  out.push(current)
  return out.join(CRLF) + CRLF
}

export interface Param {
  readonly name: string
  readonly value: string
}

/** One content line, folded, with CRLF. `value` is written as given: escape it first when it is text. */
export const contentLine = (name: string, value: string, params: ReadonlyArray<Param> = []): string =>
  fold(`${name}${params.map((p) => `;${p.name}=${paramValue(p.value)}`).join("")}:${value}`)

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** `YYYYMMDDTHHMMSSZ`: an instant in UTC (the basic form both formats read). */
export const utcStamp = (epochMs: number): string => {
  const p = DateTime.toPartsUtc(DateTime.unsafeMake(epochMs))
  return `${pad(p.year, 4)}${pad(p.month)}${pad(p.day)}T${pad(p.hours)}${pad(p.minutes)}${pad(p.seconds)}Z`
}

/** `YYYYMMDD` of the parts. */
export const basicDate = (p: { readonly year: number; readonly month: number; readonly day: number }): string =>
  `${pad(p.year, 4)}${pad(p.month)}${pad(p.day)}`
