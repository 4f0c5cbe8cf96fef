/**
 * Home-screen backups (§4.1.4(3)): listed per device, deleted permanently one by one.
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { DeviceId, RecordId } from "../domain/Ids.js"
import { RecordView } from "../domain/Mutation.js"
import { Authentication } from "./Security.js"
import * as Wire from "./WireErrors.js"

export const DeviceBackups = Schema.Struct({
  /** The device that took the backups; absent for backups of unknown origin. */
  deviceId: Schema.optional(DeviceId),
  /** Newest first. */
  backups: Schema.Array(RecordView)
}).annotations({ identifier: "DeviceBackups" })

export class BackupsApi extends HttpApiGroup.make("backups")
  .add(
    HttpApiEndpoint.get("list", "/backups")
      .addSuccess(Schema.Array(DeviceBackups))
      .annotate(OpenApi.Summary, "Home-screen backups, per device")
  )
  .add(
    HttpApiEndpoint.del("delete", "/backups/:id")
      .setPath(Schema.Struct({ id: RecordId }))
      .addError(Wire.RecordNotFound, { status: 404 })
      .annotate(OpenApi.Summary, "Delete one backup for good")
  )
  .middleware(Authentication)
  .addError(Wire.AccountNotFound, { status: 404 })
  .addError(Wire.SealingFailed, { status: 500 })
  .addError(Wire.StoreError, { status: 503 })
  .annotate(OpenApi.Title, "Backups")
{}
