/**
 * The reference `AccountStore`, in memory.
 */
import type { Account } from "@custos/core/domain/Account"
import { AccountExists } from "@custos/core/domain/Errors"
import type { AccountId } from "@custos/core/domain/Ids"
import { AccountStore } from "@custos/core/ports/AccountStore"
import { Effect, Layer, Option } from "effect"

export const makeAccountStoreMemory = Effect.sync(() => {
  const accounts = new Map<AccountId, Account>()
  return AccountStore.of({
    create: (account) =>
      Effect.suspend(() => {
        if (accounts.has(account.id)) return Effect.fail(new AccountExists({ accountId: account.id }))
        accounts.set(account.id, account)
        return Effect.void
      }),
    get: (id) => Effect.sync(() => Option.fromNullable(accounts.get(id))),
    list: ({ afterId, limit }) =>
      Effect.sync(() =>
        [...accounts.values()]
          .filter((account) => afterId === undefined || account.id > afterId)
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .slice(0, limit)
      ),
    delete: (id) => Effect.sync(() => accounts.delete(id))
  })
})

export const layerAccountStoreMemory = Layer.effect(AccountStore, makeAccountStoreMemory)
