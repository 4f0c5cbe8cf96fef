/**
 * Privacy (§4.1.2): the data inventory and per-app policy as Custos applies them, and the person's deletion
 * requests: everything of one data type, or the whole account (records, settings, devices, purchases, keys,
 * sign-in credentials and sessions). Both are permanent.
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { AppPolicy, DataTypeEntry, DataTypeId } from "../domain/Inventory.js"
import { Authentication } from "./Security.js"
import * as Wire from "./WireErrors.js"

export const DataTypeDeletion = Schema.Struct({
  dataType: DataTypeId,
  /** Records purged, or purchases removed for purchase history. */
  removed: Schema.Number
}).annotations({ identifier: "DataTypeDeletion" })

export const AccountDeletion = Schema.Struct({
  records: Schema.Number,
  devices: Schema.Number,
  purchases: Schema.Number,
  sessions: Schema.Number
}).annotations({ identifier: "AccountDeletion" })

export class PrivacyApi extends HttpApiGroup.make("privacy")
  .add(
    HttpApiEndpoint.del("deleteDataType", "/privacy/data/:dataType")
      .setPath(Schema.Struct({ dataType: Schema.String }))
      .addSuccess(DataTypeDeletion)
      .addError(Wire.UnknownDataType, { status: 404 })
      .annotate(OpenApi.Summary, "Delete everything of one data type, for good")
  )
  .add(
    HttpApiEndpoint.del("deleteAccount", "/account")
      .addSuccess(AccountDeletion)
      .annotate(OpenApi.Summary, "Delete the account and everything of it, for good")
  )
  .middlewareEndpoints(Authentication)
  .add(
    HttpApiEndpoint.get("inventory", "/privacy/inventory")
      .addSuccess(Schema.Array(DataTypeEntry.annotations({ identifier: "DataTypeEntry" })))
      .annotate(OpenApi.Summary, "The data inventory: every data type, its protection and retention")
  )
  .add(
    HttpApiEndpoint.get("policies", "/privacy/apps")
      .addSuccess(Schema.Array(AppPolicy.annotations({ identifier: "AppPolicy" })))
      .annotate(OpenApi.Summary, "What deleting and turning off sync does, per app, and where each app is offered")
  )
  .addError(Wire.AccountNotFound, { status: 404 })
  .addError(Wire.SealingFailed, { status: 500 })
  .addError(Wire.StoreError, { status: 503 })
  .annotate(OpenApi.Title, "Privacy")
{}
