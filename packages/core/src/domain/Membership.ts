/**
 * Purchases and the memberships they grant (§4.1.3(3)). A purchase is kept as a record of the purchase-history
 * data type; it grants its plan for [validFrom, validUntil). At any instant the best plan among the valid
 * purchases applies, or the free plan when none is valid.
 */
import { Schema } from "effect"
import { AccountId } from "./Ids.js"
import { PlanId } from "./Plan.js"

export const PurchaseId = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9._:-]{1,128}$/, { message: () => "a purchase id is 1 to 128 letters, digits or . _ : -" }),
  Schema.brand("PurchaseId")
)
export type PurchaseId = typeof PurchaseId.Type

/** What was paid, where: content of the purchase-history data type, sealed at rest like other content. */
export const PurchaseDetails = Schema.Struct({
  /** Minor units (cents), so amounts add up exactly. */
  amountMinor: Schema.Int.pipe(Schema.nonNegative()),
  currency: Schema.String.pipe(Schema.pattern(/^[A-Z]{3}$/, { message: () => "a currency is an ISO 4217 code" })),
  /** The shop or channel the purchase came through, e.g. "app-store" or "voucher". */
  channel: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(64)),
  /** The channel's own reference, for support. */
  reference: Schema.optional(Schema.String.pipe(Schema.maxLength(256)))
}).annotations({ identifier: "PurchaseDetails" })
export type PurchaseDetails = typeof PurchaseDetails.Type

export const Purchase = Schema.Struct({
  id: PurchaseId,
  accountId: AccountId,
  planId: PlanId,
  /** Epoch ms. */
  purchasedAt: Schema.Number,
  validFrom: Schema.Number,
  validUntil: Schema.Number,
  details: PurchaseDetails
}).annotations({ identifier: "Purchase" })
export type Purchase = typeof Purchase.Type

/** A purchase as a store keeps it: the plain columns memberships need, and its details sealed. */
export const StoredPurchase = Schema.Struct({
  ...Purchase.fields,
  /** The sealed `PurchaseDetails` (envelope text). */
  details: Schema.String
}).annotations({ identifier: "StoredPurchase" })
export type StoredPurchase = typeof StoredPurchase.Type

/** The part of a purchase that decides memberships. */
export type Validity = Pick<Purchase, "planId" | "validFrom" | "validUntil">

export const isValidAt = (purchase: Validity, at: number): boolean =>
  purchase.validFrom <= at && at < purchase.validUntil

/** Whether the purchase was valid at some instant of [from, to]. */
export const overlaps = (purchase: Validity, from: number, to: number): boolean =>
  purchase.validFrom <= to && from < purchase.validUntil
