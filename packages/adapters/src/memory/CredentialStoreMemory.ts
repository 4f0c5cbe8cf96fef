/**
 * The reference `CredentialStore`, in memory.
 */
import type { AccountId } from "@custos/core/domain/Ids"
import { type Credential, CredentialStore, LoginNameTaken } from "@custos/core/ports/CredentialStore"
import { Effect, Layer, Option } from "effect"

export const makeCredentialStoreMemory = Effect.sync(() => {
  const byLoginName = new Map<string, Credential>()
  return CredentialStore.of({
    create: (credential) =>
      Effect.suspend(() => {
        if (byLoginName.has(credential.loginName)) {
          return Effect.fail(new LoginNameTaken({ loginName: credential.loginName }))
        }
        byLoginName.set(credential.loginName, credential)
        return Effect.void
      }),
    findByLoginName: (loginName) => Effect.sync(() => Option.fromNullable(byLoginName.get(loginName))),
    removeAccount: (accountId: AccountId) =>
      Effect.sync(() => {
        let removed = 0
        for (const [name, credential] of byLoginName) {
          if (credential.accountId === accountId) {
            byLoginName.delete(name)
            removed++
          }
        }
        return removed
      })
  })
})

export const layerCredentialStoreMemory = Layer.effect(CredentialStore, makeCredentialStoreMemory)
