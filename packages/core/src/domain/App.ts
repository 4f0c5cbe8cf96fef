/**
 * The twelve sources a device can sync (§4.1.3(1)): eight apps and four system settings.
 */
import { Schema } from "effect"

export const Apps = [
  "gallery",
  "messages",
  "contacts",
  "call-history",
  "notes",
  "recordings",
  "calendar",
  "browser",
  "wifi",
  "bluetooth",
  "frequent-phrases",
  "home-screen"
] as const

export const App = Schema.Literal(...Apps).annotations({
  identifier: "App",
  description: "A synced source on a device: an app or a system setting"
})
export type App = typeof App.Type

export const isApp = Schema.is(App)
