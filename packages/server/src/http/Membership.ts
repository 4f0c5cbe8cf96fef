/**
 * Handlers of the membership group.
 */
import type { AccountId } from "@custos/core/domain/Ids"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { CurrentSession } from "@custos/core/protocol/Security"
import { MembershipService } from "@custos/core/services/MembershipService"
import { PlanCatalogueRef } from "@custos/core/services/PlanCatalogueRef"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { asSessionDevice } from "./Accessors.js"
import { observe } from "./Observe.js"

/** The membership of an account as the protocol shows it: plan, validity, usage and quota. */
export const membershipView = (accountId: AccountId) =>
  Effect.gen(function*() {
    const membership = yield* MembershipService
    const records = yield* RecordStore
    const status = yield* membership.status(accountId)
    const usage = yield* records.usage(accountId)
    return {
      plan: status.plan,
      purchaseId: status.purchaseId,
      validUntil: status.validUntil,
      usage: { records: usage.records, bytes: usage.bytes },
      quotaBytes: status.plan.storageBytes
    }
  })

export const MembershipLive = HttpApiBuilder.group(CustosApi, "membership", (handlers) =>
  Effect.gen(function*() {
    const membership = yield* MembershipService
    const records = yield* RecordStore
    const catalogue = yield* PlanCatalogueRef
    const view = (accountId: AccountId) =>
      membershipView(accountId).pipe(
        Effect.provideService(MembershipService, membership),
        Effect.provideService(RecordStore, records)
      )
    return handlers
      .handle("get", () => CurrentSession.pipe(Effect.flatMap((s) => view(s.accountId)), observe))
      .handle("purchases", () => CurrentSession.pipe(Effect.flatMap((s) => membership.purchases(s.accountId)), observe))
      .handle("plans", () => Effect.succeed(catalogue.plans))
      .pipe(asSessionDevice)
  }))
