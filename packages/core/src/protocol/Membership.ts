/**
 * Memberships (§4.1.3(3)): the plan in force with its validity, what the account uses of its quota, the purchase
 * history, and the plans on offer.
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Purchase, PurchaseId } from "../domain/Membership.js"
import { Plan } from "../domain/Plan.js"
import { Authentication } from "./Security.js"
import * as Wire from "./WireErrors.js"

export const Usage = Schema.Struct({
  /** Active and trashed records. */
  records: Schema.Number,
  /** What they take up, blobs included. */
  bytes: Schema.Number
}).annotations({ identifier: "Usage" })

export const MembershipView = Schema.Struct({
  plan: Plan,
  /** The purchase that grants the plan now; absent on the free plan. */
  purchaseId: Schema.optional(PurchaseId),
  /** When the plan ends (epoch ms), if it does. */
  validUntil: Schema.optional(Schema.Number),
  usage: Usage,
  quotaBytes: Schema.Number
}).annotations({ identifier: "Membership" })
export type MembershipView = typeof MembershipView.Type

export class MembershipApi extends HttpApiGroup.make("membership")
  .add(
    HttpApiEndpoint.get("get", "/membership")
      .addSuccess(MembershipView)
      .annotate(OpenApi.Summary, "The plan in force, its end, usage and quota")
  )
  .add(
    HttpApiEndpoint.get("purchases", "/membership/purchases")
      .addSuccess(Schema.Array(Purchase))
      .annotate(OpenApi.Summary, "The account's purchase history")
  )
  .middlewareEndpoints(Authentication)
  .add(
    HttpApiEndpoint.get("plans", "/plans")
      .addSuccess(Schema.Array(Plan))
      .annotate(OpenApi.Summary, "The plans on offer, lowest first")
  )
  .addError(Wire.AccountNotFound, { status: 404 })
  .addError(Wire.StoreError, { status: 503 })
  .annotate(OpenApi.Title, "Membership")
{}
