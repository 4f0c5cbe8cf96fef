/**
 * Contacts as vCard 4.0 (RFC 6350), the form address books import: one `VCARD` per contact, `UID` from the record id,
 * text escaped (§3.4), lines folded at 75 octets and ended with CRLF (§3.2).
 *
 * Phone numbers are written as text (`VALUE=text`), exactly as the device had them, since many are not dialable URIs
 * (short codes, sender names). A label that names a vCard type (home, work, mobile, fax, ...) becomes `TYPE`; every
 * label is also kept as written in an `X-LABEL` parameter (ours: RFC 6350 has no free label for TEL and EMAIL).
 */
import type { Contact } from "../domain/Payloads.js"
import { basicDate, contentLine, escapeText as escapeAny, type Param, utcStamp } from "./internal/contentLines.js"

/** A text value of a property that is not compound: `;` stays as it is (RFC 6350 §3.4). */
const escapeText = (value: string) => escapeAny(value, { semicolon: false })
/** One field of a compound value (`N`, `ADR`, `ORG`): `;` is escaped, since it separates the fields. */
const escapeField = (value: string) => escapeAny(value)

export interface ContactRecord {
  readonly id: string
  /** Epoch ms of the last change: the card's `REV`. */
  readonly changedAt: number
  readonly contact: Contact
}

const PHONE_TYPES: Record<string, ReadonlyArray<string>> = {
  home: ["home"],
  work: ["work"],
  mobile: ["cell"],
  cell: ["cell"],
  cellphone: ["cell"],
  fax: ["fax"],
  "home fax": ["home", "fax"],
  "work fax": ["work", "fax"],
  pager: ["pager"],
  voice: ["voice"],
  text: ["text"],
  video: ["video"],
  textphone: ["textphone"]
}

const PLACE_TYPES: Record<string, ReadonlyArray<string>> = { home: ["home"], work: ["work"] }

const labelParams = (label: string, types: Record<string, ReadonlyArray<string>>): ReadonlyArray<Param> => {
  const trimmed = label.trim()
  if (trimmed === "") return []
  const type = types[trimmed.toLowerCase()]
  return [
    ...(type === undefined ? [] : [{ name: "TYPE", value: type.join(",") }]),
    { name: "X-LABEL", value: label }
  ]
}

/** One contact as a vCard. */
export const vCard = (record: ContactRecord): string => {
  const c = record.contact
  const lines = [
    contentLine("BEGIN", "VCARD"),
    contentLine("VERSION", "4.0"),
    contentLine("UID", escapeText(record.id), [{ name: "VALUE", value: "text" }]),
    contentLine("FN", escapeText(c.name.formatted)),
    contentLine("N", [c.name.family ?? "", c.name.given ?? "", "", "", ""].map(escapeField).join(";"))
  ]
  for (const phone of c.phones) {
    lines.push(
      contentLine("TEL", escapeText(phone.number), [{ name: "VALUE", value: "text" }, ...labelParams(phone.label, PHONE_TYPES)])
    )
  }
  for (const email of c.emails) {
    lines.push(contentLine("EMAIL", escapeText(email.address), labelParams(email.label, PLACE_TYPES)))
  }
  for (const a of c.addresses) {
    const parts = ["", "", a.street ?? "", a.city ?? "", a.region ?? "", a.postalCode ?? "", a.country ?? ""]
    lines.push(contentLine("ADR", parts.map(escapeField).join(";"), labelParams(a.label, PLACE_TYPES)))
  }
  if (c.organization !== undefined) lines.push(contentLine("ORG", escapeField(c.organization)))
  if (c.birthday !== undefined) {
    const [year, month, day] = c.birthday.split("-").map(Number) as [number, number, number]
    lines.push(contentLine("BDAY", basicDate({ year, month, day })))
  }
  if (c.note !== undefined) lines.push(contentLine("NOTE", escapeText(c.note)))
  lines.push(contentLine("REV", utcStamp(record.changedAt)), contentLine("END", "VCARD"))
  return lines.join("")
}
