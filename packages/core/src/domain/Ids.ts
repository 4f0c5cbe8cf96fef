/**
 * Branded identifiers. Account ids are stored plain (§4.1.2, "Identifiers"); every other id is opaque.
 */
import { Schema } from "effect"

/**
 * Whether `id` is `.` or `..`: a URL path resolves those segments away (browsers and most HTTP clients do it before
 * sending), so an id like that could never be named in a request path, and `/v1/trash/notes/..` would reach
 * `/v1/trash/` instead of the record. The id schemas below still read such ids, as stored data may hold them; what
 * creates an id (a push creating a record, an account created under a chosen id) refuses them.
 */
export const isDotSegment = (id: string): boolean => id === "." || id === ".."

const idMaxLength = 128
const idCharacters = /^[A-Za-z0-9._:-]+$/

/**
 * Whether `text` passes every check of the id schemas below (1 to 128 letters, digits or `. _ : -`), as one
 * predicate: for code that checks many ids at once, such as the SQL stores reading rows, without a Schema's cost.
 */
export const isIdText = (text: string): boolean =>
  text.length >= 1 && text.length <= idMaxLength && idCharacters.test(text)

const idString = (name: string, description: string) =>
  Schema.String.pipe(
    Schema.minLength(1, { message: () => `${name} must not be empty` }),
    Schema.maxLength(idMaxLength, { message: () => `${name} must be at most ${idMaxLength} characters` }),
    Schema.pattern(idCharacters, {
      message: () => `${name} may contain only letters, digits and . _ : -`
    })
  ).annotations({ description })

export const AccountId = idString("account id", "The plain identifier of an account").pipe(
  Schema.brand("AccountId")
)
export type AccountId = typeof AccountId.Type

export const DeviceId = idString("device id", "A device registered to an account").pipe(Schema.brand("DeviceId"))
export type DeviceId = typeof DeviceId.Type

export const RecordId = idString("record id", "A record of one app, chosen by the device that created it").pipe(
  Schema.brand("RecordId")
)
export type RecordId = typeof RecordId.Type

export const MutationId = idString("mutation id", "A client-chosen id that makes a retried write idempotent").pipe(
  Schema.brand("MutationId")
)
export type MutationId = typeof MutationId.Type
