/**
 * Sync cursors: an opaque string a device keeps per app and sends back. Inside are the app, the account-wide `seq`
 * the device has seen up to, and the tombstone horizon when the cursor was issued. Devices must not read or build
 * cursors, so the format can change behind its version prefix; a cursor of one app is refused for another, so it
 * can never skip that app's changes.
 *
 * Why the horizon: a device whose first full pull starts after some tombstones were compacted never had those
 * records, so its cursors may lie below the horizon without having missed anything. Only a tombstone compacted
 * after the cursor was issued, and after its position, can have been missed.
 */
import { Effect, Schema } from "effect"
import { type App, isApp } from "./App.js"
import { InvalidCursor } from "./Errors.js"

export const Cursor = Schema.String.pipe(Schema.maxLength(64), Schema.brand("Cursor")).annotations({
  identifier: "Cursor",
  description: "An opaque position in an account's change feed for one app"
})
export type Cursor = typeof Cursor.Type

export interface CursorPosition {
  /** Changes up to this `seq` were seen. */
  readonly seq: number
  /** The horizon when the cursor was issued. */
  readonly horizon: number
}

const version = "c2"

export const encodeCursor = (app: App, seq: number, horizon = 0): Cursor =>
  Cursor.make(`${version}.${app}.${seq.toString(36)}.${horizon.toString(36)}`)

/** The start of an app's feed: pulling from it returns every live record and every kept tombstone. */
export const initialCursor = (app: App): Cursor => encodeCursor(app, 0)

const number36 = (digits: string): number =>
  /^(0|[1-9a-z][0-9a-z]{0,10})$/.test(digits) ? parseInt(digits, 36) : NaN

export const decodeCursorPosition = (app: App, cursor: string): Effect.Effect<CursorPosition, InvalidCursor> => {
  const [tag, cursorApp, seqDigits, horizonDigits, ...rest] = cursor.split(".")
  if (
    tag !== version || cursorApp === undefined || seqDigits === undefined || horizonDigits === undefined ||
    rest.length > 0 || !isApp(cursorApp)
  ) {
    return Effect.fail(new InvalidCursor({ reason: "it was not issued by this service" }))
  }
  if (cursorApp !== app) {
    return Effect.fail(new InvalidCursor({ reason: `it belongs to ${cursorApp}, not ${app}` }))
  }
  const seq = number36(seqDigits)
  const horizon = number36(horizonDigits)
  return Number.isSafeInteger(seq) && Number.isSafeInteger(horizon)
    ? Effect.succeed({ seq, horizon })
    : Effect.fail(new InvalidCursor({ reason: "its position is malformed" }))
}

/** The `seq` a cursor stands at. */
export const decodeCursor = (app: App, cursor: string): Effect.Effect<number, InvalidCursor> =>
  Effect.map(decodeCursorPosition(app, cursor), (position) => position.seq)
