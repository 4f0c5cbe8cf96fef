/**
 * Memberships (§4.1.3(3)): which plan applies to an account at a given time, recording purchases, and the plan's
 * effect on sync pacing. An upgrade extends the retention receipts of what is already in the trash at once;
 * receipts are never shortened (DESIGN.md "Trash and retention").
 *
 * Purchase details are content (§4.1.2, purchase history): listing purchases opens them, and is written to the
 * account's access log first (§4.1.5), as one opening of all the account's purchases (`purchase-list`).
 */
import { Context, Duration, Effect, Layer, Schema } from "effect"
import type { AccessPurpose } from "../domain/AccessLog.js"
import type { AccountNotFound, PurchaseExists } from "../domain/Errors.js"
import { InvalidPurchase } from "../domain/Errors.js"
import type { AccountId } from "../domain/Ids.js"
import {
  isValidAt,
  overlaps,
  type Purchase,
  PurchaseDetails,
  PurchaseId,
  type StoredPurchase,
  type Validity
} from "../domain/Membership.js"
import { findPlan, freePlan, type Plan, type PlanCatalogue, PlanId, rankOf } from "../domain/Plan.js"
import { firstProblem } from "../internal/parseErrors.js"
import { MembershipStore } from "../ports/MembershipStore.js"
import { RecordStore } from "../ports/RecordStore.js"
import { StoreError } from "../ports/StoreError.js"
import { RecordId } from "../domain/Ids.js"
import { AccessLog } from "./AccessLog.js"
import { Keyring } from "./Keyring.js"
import { AccountService } from "./AccountService.js"
import { extendReceipts } from "./internal/receipts.js"
import { PlanCatalogueRef } from "./PlanCatalogueRef.js"

export interface MembershipStatus {
  readonly plan: Plan
  /** The id of the purchase that grants the plan now; absent on the free plan. */
  readonly purchaseId?: PurchaseId | undefined
  /** When the current plan ends, if it does. */
  readonly validUntil?: number | undefined
}

export interface RecordPurchase {
  readonly accountId: AccountId
  readonly id: string
  readonly planId: string
  readonly validFrom: number
  readonly validUntil: number
  readonly details: unknown
}

/** The best plan among purchases valid at `at`, else the free plan. */
export const planAt = <P extends Validity>(
  catalogue: PlanCatalogue,
  purchases: ReadonlyArray<P>,
  at: number
): { readonly plan: Plan; readonly purchase?: P | undefined; readonly validUntil?: number | undefined } => {
  let best: P | undefined
  for (const p of purchases) {
    if (!isValidAt(p, at) || findPlan(catalogue, p.planId) === undefined) continue
    if (best === undefined || rankOf(catalogue, p.planId) > rankOf(catalogue, best.planId)) best = p
  }
  return best === undefined
    ? { plan: freePlan(catalogue) }
    : { plan: findPlan(catalogue, best.planId)!, purchase: best, validUntil: best.validUntil }
}

/**
 * The most trash days any plan gave the account at some instant of [from, to]: what a record trashed at `from`
 * and still in the trash at `to` is owed, since upgrades extend receipts and nothing shortens them.
 */
export const bestTrashDaysDuring = (
  catalogue: PlanCatalogue,
  purchases: ReadonlyArray<Validity>,
  from: number,
  to: number
): number => {
  let days = planAt(catalogue, purchases, from).plan.trashDays
  for (const p of purchases) {
    const plan = findPlan(catalogue, p.planId)
    if (plan !== undefined && overlaps(p, from, to)) days = Math.max(days, plan.trashDays)
  }
  return days
}

export class MembershipService extends Context.Tag("@custos/core/MembershipService")<MembershipService, {
  readonly status: (accountId: AccountId) => Effect.Effect<MembershipStatus, AccountNotFound | StoreError>
  /** The account's purchases, opened (and logged) for `purpose`: `purchase-list` unless another is named. */
  readonly purchases: (
    accountId: AccountId,
    purpose?: AccessPurpose
  ) => Effect.Effect<ReadonlyArray<Purchase>, AccountNotFound | StoreError>
  /** Records a purchase (an operator's act); returns the status it leads to. */
  readonly recordPurchase: (
    input: RecordPurchase
  ) => Effect.Effect<Purchase, InvalidPurchase | PurchaseExists | AccountNotFound | StoreError>
  /** Trash days owed to a record trashed at `trashedAt` that is still in the trash now. */
  readonly trashDaysOwed: (accountId: AccountId, trashedAt: number) => Effect.Effect<number, StoreError>
  readonly syncInterval: (accountId: AccountId) => Effect.Effect<Duration.Duration, StoreError>
}>() {
  static readonly layer = Layer.effect(
    MembershipService,
    Effect.gen(function*() {
      const accounts = yield* AccountService
      const store = yield* MembershipStore
      const records = yield* RecordStore
      const keyring = yield* Keyring
      const accessLog = yield* AccessLog
      const catalogue = yield* PlanCatalogueRef
      const now = Effect.clockWith((clock) => clock.currentTimeMillis)

      const statusOf = (accountId: AccountId) =>
        Effect.gen(function*() {
          const purchases = yield* store.purchases(accountId)
          const { plan, purchase, validUntil } = planAt(catalogue, purchases, yield* now)
          return { plan, purchaseId: purchase?.id, validUntil }
        })

      const sealingFailure = (operation: string) => (cause: unknown) => new StoreError({ operation, cause })

      /** Opens one purchase's details; only `openPurchases` calls it, after logging. */
      const openPurchase = (stored: StoredPurchase) =>
        keyring.openFieldText({
          accountId: stored.accountId,
          app: "membership",
          recordId: RecordId.make(stored.id),
          field: "details",
          sealed: stored.details
        }).pipe(
          Effect.flatMap((text) => Schema.decodeUnknown(PurchaseDetails)(JSON.parse(text))),
          Effect.map((details): Purchase => ({ ...stored, details })),
          Effect.mapError(sealingFailure("MembershipService.openPurchase"))
        )

      const openPurchases = (accountId: AccountId, stored: ReadonlyArray<StoredPurchase>, purpose: AccessPurpose) =>
        accessLog.write({
          accountId,
          purpose,
          app: "membership",
          recordIds: stored.map((p) => RecordId.make(p.id))
        }).pipe(Effect.zipRight(Effect.forEach(stored, openPurchase)))

      const trashDaysOwed = (accountId: AccountId, trashedAt: number) =>
        Effect.gen(function*() {
          const purchases = yield* store.purchases(accountId)
          return bestTrashDaysDuring(catalogue, purchases, trashedAt, yield* now)
        })

      const recordPurchase = (input: RecordPurchase) =>
        Effect.gen(function*() {
          yield* accounts.get(input.accountId)
          const invalid = (reason: string) => new InvalidPurchase({ reason })
          const id = yield* Schema.decodeUnknown(PurchaseId)(input.id).pipe(
            Effect.mapError((e) => invalid(firstProblem(e)))
          )
          const planId = yield* Schema.decodeUnknown(PlanId)(input.planId).pipe(
            Effect.mapError((e) => invalid(firstProblem(e)))
          )
          if (findPlan(catalogue, planId) === undefined) return yield* invalid(`there is no plan "${planId}"`)
          if (planId === catalogue.free) return yield* invalid("the free plan is not sold")
          if (!Number.isSafeInteger(input.validFrom) || !Number.isSafeInteger(input.validUntil)) {
            return yield* invalid("validity times are whole epoch milliseconds")
          }
          if (input.validUntil <= input.validFrom) return yield* invalid("validUntil must be after validFrom")
          const details = yield* Schema.decodeUnknown(PurchaseDetails)(input.details, { onExcessProperty: "error" }).pipe(
            Effect.mapError((e) => invalid(firstProblem(e)))
          )
          const purchase: Purchase = {
            id,
            accountId: input.accountId,
            planId,
            purchasedAt: yield* now,
            validFrom: input.validFrom,
            validUntil: input.validUntil,
            details
          }
          const sealed = yield* keyring.sealField({
            accountId: purchase.accountId,
            app: "membership",
            recordId: RecordId.make(purchase.id),
            field: "details",
            plaintext: JSON.stringify(Schema.encodeSync(PurchaseDetails)(details))
          }).pipe(Effect.mapError(sealingFailure("MembershipService.sealPurchase")))
          yield* store.addPurchase({ ...purchase, details: sealed })
          // An upgrade that applies now extends what already waits in the trash (one that starts later is honoured
          // by the sweeper when it comes to those records).
          yield* extendReceipts(records, input.accountId, (trashedAt) => trashDaysOwed(input.accountId, trashedAt))
          return purchase
        })

      return {
        status: (accountId) => accounts.get(accountId).pipe(Effect.zipRight(statusOf(accountId))),
        purchases: (accountId, purpose = "purchase-list") =>
          accounts.get(accountId).pipe(
            Effect.zipRight(store.purchases(accountId)),
            Effect.flatMap((stored) => openPurchases(accountId, stored, purpose))
          ),
        recordPurchase,
        trashDaysOwed,
        syncInterval: (accountId) =>
          statusOf(accountId).pipe(Effect.map((s) => Duration.minutes(s.plan.syncIntervalMinutes)))
      }
    })
  )
}
