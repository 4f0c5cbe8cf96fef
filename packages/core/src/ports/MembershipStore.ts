/**
 * The port for purchases, the records memberships are derived from. Their details arrive sealed (purchase history
 * is an AES-typed data type, §4.1.2); stores keep the envelope text. A purchase id is unique per account:
 * recording it twice fails with `PurchaseExists` and changes nothing, so an operator's retry is safe.
 */
import type { Effect } from "effect"
import { Context } from "effect"
import type { AccountId } from "../domain/Ids.js"
import type { StoredPurchase } from "../domain/Membership.js"
import type { PurchaseExists } from "../domain/Errors.js"
import type { StoreError } from "./StoreError.js"

export class MembershipStore extends Context.Tag("@custos/core/MembershipStore")<MembershipStore, {
  readonly addPurchase: (purchase: StoredPurchase) => Effect.Effect<void, PurchaseExists | StoreError>
  /** The account's purchases, oldest first. */
  readonly purchases: (accountId: AccountId) => Effect.Effect<ReadonlyArray<StoredPurchase>, StoreError>
  /** Removes every purchase of the account (deleting the purchase-history data type, or the account). */
  readonly deletePurchases: (accountId: AccountId) => Effect.Effect<number, StoreError>
}>() {}
