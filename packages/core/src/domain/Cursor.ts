/**
 * Sync cursors: an opaque string a device keeps per app and sends back. Inside are the app and the account-wide
 * `seq` the device has seen up to. Devices must not read or build cursors, so the format can change behind its
 * version prefix; a cursor of one app is refused for another, so it can never skip that app's changes.
 */
import { Effect, Schema } from "effect"
import { type App, isApp } from "./App.js"
import { InvalidCursor } from "./Errors.js"

export const Cursor = Schema.String.pipe(Schema.maxLength(64), Schema.brand("Cursor")).annotations({
  identifier: "Cursor",
  description: "An opaque position in an account's change feed for one app"
})
export type Cursor = typeof Cursor.Type

const version = "c1"

export const encodeCursor = (app: App, seq: number): Cursor => Cursor.make(`${version}.${app}.${seq.toString(36)}`)

/** The start of an app's feed: pulling from it returns every live record and every kept tombstone. */
export const initialCursor = (app: App): Cursor => encodeCursor(app, 0)

export const decodeCursor = (app: App, cursor: string): Effect.Effect<number, InvalidCursor> => {
  const [tag, cursorApp, digits, ...rest] = cursor.split(".")
  if (tag !== version || cursorApp === undefined || digits === undefined || rest.length > 0 || !isApp(cursorApp)) {
    return Effect.fail(new InvalidCursor({ reason: "it was not issued by this service" }))
  }
  if (cursorApp !== app) {
    return Effect.fail(new InvalidCursor({ reason: `it belongs to ${cursorApp}, not ${app}` }))
  }
  const seq = /^(0|[1-9a-z][0-9a-z]{0,10})$/.test(digits) ? parseInt(digits, 36) : NaN
  return Number.isSafeInteger(seq)
    ? Effect.succeed(seq)
    : Effect.fail(new InvalidCursor({ reason: "its position is malformed" }))
}
