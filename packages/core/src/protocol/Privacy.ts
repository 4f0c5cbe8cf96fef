/**
 * Privacy (§4.1.2): the data inventory and per-app policy as Custos applies them, and the person's deletion
 * requests: everything of one data type, or the whole account (records, settings, devices, purchases, keys,
 * sign-in credentials and sessions). Both are permanent. And the account's access log (§4.1.5): every opening of
 * its content, read in pages and verified as a hash chain, optionally against a head the account kept from before.
 * And the export: everything of the account as one streamed ZIP archive in open formats (`services/ExportService.ts`).
 */
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { AccessEntry, AccessLogVerdict } from "../domain/AccessLog.js"
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

export const AccessLogPage = Schema.Struct({
  /** Oldest first. */
  entries: Schema.Array(AccessEntry),
  /** Pass back as `after` for the next page; absent on the last page. */
  next: Schema.optional(Schema.Number)
}).annotations({ identifier: "AccessLogPage" })
export type AccessLogPage = typeof AccessLogPage.Type

const EntryIndex = Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())

/** A head kept from an earlier verification: both parts, or neither. */
export const VerifyParams = Schema.Struct({
  anchorIndex: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.positive())).annotations({
    description: "The index of a head kept from an earlier verification (with `anchorHash`)"
  }),
  anchorHash: Schema.optional(Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/))).annotations({
    description: "The hash of that head (with `anchorIndex`)"
  })
}).pipe(Schema.filter((p) =>
  (p.anchorIndex === undefined) === (p.anchorHash === undefined) || "anchorIndex and anchorHash come together"
))

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
  .add(
    HttpApiEndpoint.get("accessLog", "/privacy/access-log")
      .setUrlParams(Schema.Struct({
        after: Schema.optional(EntryIndex),
        limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000)))
      }))
      .addSuccess(AccessLogPage)
      .annotate(OpenApi.Summary, "The account's access log: every opening of its content, oldest first, in pages")
  )
  .add(
    HttpApiEndpoint.get("verifyAccessLog", "/privacy/access-log/verify")
      .setUrlParams(VerifyParams)
      .addSuccess(AccessLogVerdict)
      .annotate(
        OpenApi.Summary,
        "Verify the account's access log chain; with a head kept from before, also that it was not cut or rewritten"
      )
  )
  .add(
    HttpApiEndpoint.get("export", "/privacy/export")
      .addSuccess(HttpApiSchema.Uint8Array({ contentType: "application/zip" }))
      .annotate(
        OpenApi.Summary,
        "Download all of the account's data as one ZIP archive (vCard, iCalendar, JSON and the original media files)"
      )
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
