/**
 * The reference `DeletedContentStore`, in memory.
 */
import type { AccountId } from "@custos/core/domain/Ids"
import { DeletedContentStore } from "@custos/core/ports/DeletedContentStore"
import { Effect, Layer } from "effect"

export const makeDeletedContentStoreMemory = Effect.sync(() => {
  const deleted = new Map<AccountId, Map<string, number>>()
  const of = (accountId: AccountId) => {
    let set = deleted.get(accountId)
    if (set === undefined) deleted.set(accountId, set = new Map())
    return set
  }
  return DeletedContentStore.of({
    remember: (accountId, fingerprint, at) =>
      Effect.sync(() => {
        if (!of(accountId).has(fingerprint)) of(accountId).set(fingerprint, at)
      }),
    isDeleted: (accountId, fingerprint) => Effect.sync(() => deleted.get(accountId)?.has(fingerprint) ?? false),
    forget: (accountId, fingerprint) => Effect.sync(() => void deleted.get(accountId)?.delete(fingerprint)),
    deleteAccount: (accountId) =>
      Effect.sync(() => {
        const count = deleted.get(accountId)?.size ?? 0
        deleted.delete(accountId)
        return count
      })
  })
})

export const layerDeletedContentStoreMemory = Layer.effect(DeletedContentStore, makeDeletedContentStoreMemory)
