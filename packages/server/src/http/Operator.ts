/**
 * Handlers of the operator group: purchases and an account list with region, plan and usage. No content is read.
 */
import { AccountStore } from "@custos/core/ports/AccountStore"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { MembershipService } from "@custos/core/services/MembershipService"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { asOperator } from "./Accessors.js"
import { observe } from "./Observe.js"

export const OperatorLive = HttpApiBuilder.group(CustosApi, "operator", (handlers) =>
  Effect.gen(function*() {
    const membership = yield* MembershipService
    const accounts = yield* AccountStore
    const records = yield* RecordStore
    return handlers
      .handle("recordPurchase", ({ payload }) => membership.recordPurchase(payload).pipe(observe))
      .handle("accounts", ({ urlParams }) =>
        Effect.gen(function*() {
          const limit = urlParams.limit ?? 100
          const page = yield* accounts.list({ afterId: urlParams.after, limit: limit + 1 })
          const shown = page.slice(0, limit)
          const summaries = yield* Effect.forEach(shown, (account) =>
            Effect.gen(function*() {
              const status = yield* membership.status(account.id)
              const usage = yield* records.usage(account.id)
              return {
                id: account.id,
                region: account.region,
                createdAt: account.createdAt,
                plan: status.plan.id,
                validUntil: status.validUntil,
                usage: { records: usage.records, bytes: usage.bytes },
                quotaBytes: status.plan.storageBytes
              }
            }))
          return { accounts: summaries, next: page.length > limit ? shown[shown.length - 1]?.id : undefined }
        }).pipe(observe))
      .pipe(asOperator)
  }))
