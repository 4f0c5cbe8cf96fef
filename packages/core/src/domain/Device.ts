/**
 * A device of an account (a phone, tablet, TV, laptop or the web portal), and its background-sync pacing.
 */
import { Schema } from "effect"
import { AccountId, DeviceId } from "./Ids.js"

export const Device = Schema.Struct({
  accountId: AccountId,
  id: DeviceId,
  name: Schema.String.pipe(Schema.maxLength(128)),
  /** Epoch ms of its first appearance. */
  registeredAt: Schema.Number,
  lastSeenAt: Schema.Number,
  /** Before this, a new background sync of the device is refused (§4.1.3(3): the plan sets the frequency). */
  nextBackgroundSyncAt: Schema.Number,
  /** Until this, requests of the sync that started last are let through (its pull pages, say). */
  syncWindowEndsAt: Schema.Number
}).annotations({ identifier: "Device" })
export type Device = typeof Device.Type
