/**
 * Operator endpoints, behind the operator token (a separate credential from the server's configuration): record a
 * purchase, list accounts with their region, plan and usage. Nothing here returns content (§4.1.5).
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Region } from "../domain/Account.js"
import { AccountId } from "../domain/Ids.js"
import { Purchase, PurchaseDetails, PurchaseId } from "../domain/Membership.js"
import { PlanId } from "../domain/Plan.js"
import { Usage } from "./Membership.js"
import { OperatorAuthentication } from "./Security.js"
import * as Wire from "./WireErrors.js"

export const RecordPurchaseRequest = Schema.Struct({
  accountId: AccountId,
  id: PurchaseId,
  planId: PlanId,
  /** Epoch ms; the plan applies in [validFrom, validUntil). */
  validFrom: Schema.Number,
  validUntil: Schema.Number,
  details: PurchaseDetails
}).annotations({ identifier: "RecordPurchase" })

export const AccountSummary = Schema.Struct({
  id: AccountId,
  region: Region,
  createdAt: Schema.Number,
  plan: PlanId,
  validUntil: Schema.optional(Schema.Number),
  usage: Usage,
  quotaBytes: Schema.Number
}).annotations({ identifier: "AccountSummary" })

export const AccountPage = Schema.Struct({
  accounts: Schema.Array(AccountSummary),
  /** Pass back as `after` for the next page; absent on the last page. */
  next: Schema.optional(AccountId)
}).annotations({ identifier: "AccountPage" })

export class OperatorApi extends HttpApiGroup.make("operator")
  .add(
    HttpApiEndpoint.post("recordPurchase", "/operator/purchases")
      .setPayload(RecordPurchaseRequest)
      .addSuccess(Purchase, { status: 201 })
      .addError(Wire.InvalidPurchase, { status: 400 })
      .addError(Wire.PurchaseExists, { status: 409 })
      .annotate(OpenApi.Summary, "Record a purchase: the account gets its plan for the validity period")
  )
  .add(
    HttpApiEndpoint.get("accounts", "/operator/accounts")
      .setUrlParams(Schema.Struct({
        after: Schema.optional(AccountId),
        limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000)))
      }))
      .addSuccess(AccountPage)
      .annotate(OpenApi.Summary, "Accounts with region, plan and usage; never content")
  )
  .middleware(OperatorAuthentication)
  .addError(Wire.AccountNotFound, { status: 404 })
  .addError(Wire.StoreError, { status: 503 })
  .annotate(OpenApi.Title, "Operator")
{}
