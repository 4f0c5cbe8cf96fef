/**
 * The reference `MembershipStore`, in memory.
 */
import { PurchaseExists } from "@custos/core/domain/Errors"
import type { AccountId } from "@custos/core/domain/Ids"
import type { StoredPurchase } from "@custos/core/domain/Membership"
import { MembershipStore } from "@custos/core/ports/MembershipStore"
import { Effect, Layer } from "effect"

export const makeMembershipStoreMemory = Effect.sync(() => {
  const purchases = new Map<AccountId, Array<StoredPurchase>>()
  return MembershipStore.of({
    addPurchase: (purchase) =>
      Effect.suspend(() => {
        const list = purchases.get(purchase.accountId) ?? []
        if (list.some((p) => p.id === purchase.id)) return Effect.fail(new PurchaseExists({ purchaseId: purchase.id }))
        purchases.set(purchase.accountId, [...list, purchase])
        return Effect.void
      }),
    purchases: (accountId) =>
      Effect.sync(() => [...(purchases.get(accountId) ?? [])].sort((a, b) => a.purchasedAt - b.purchasedAt)),
    deletePurchases: (accountId) =>
      Effect.sync(() => {
        const count = purchases.get(accountId)?.length ?? 0
        purchases.delete(accountId)
        return count
      })
  })
})

export const layerMembershipStoreMemory = Layer.effect(MembershipStore, makeMembershipStoreMemory)
