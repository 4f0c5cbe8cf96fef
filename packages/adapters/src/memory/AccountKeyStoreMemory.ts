/**
 * The reference `AccountKeyStore`, in memory: wrapped account keys per account and version, and a destroyed marker
 * per shredded account (DESIGN.md "Encryption at rest", crypto-shredding). Nothing survives the process.
 */
import type { AccountId } from "@custos/core/domain/Ids"
import {
  AccountKeyStore,
  AccountKeysDestroyed,
  AccountKeyVersionExists,
  type StoredAccountKey
} from "@custos/core/ports/AccountKeyStore"
import { Effect, Layer, Option } from "effect"

const byPosition = (a: StoredAccountKey, b: StoredAccountKey) =>
  a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : a.version - b.version

/** A copy, so a caller mutating bytes it was given cannot change what is stored. */
const copy = (key: StoredAccountKey): StoredAccountKey => ({
  accountId: key.accountId,
  version: key.version,
  wrapped: { masterVersion: key.wrapped.masterVersion, sealed: new Uint8Array(key.wrapped.sealed) }
})

export const makeAccountKeyStoreMemory = Effect.sync(() => {
  const keys = new Map<AccountId, Map<number, StoredAccountKey>>()
  const destroyed = new Set<AccountId>()

  const live = (accountId: AccountId) =>
    destroyed.has(accountId)
      ? Effect.fail(new AccountKeysDestroyed({ accountId }))
      : Effect.succeed(keys.get(accountId) ?? new Map<number, StoredAccountKey>())

  return AccountKeyStore.of({
    get: (accountId, version) =>
      Effect.suspend(() => live(accountId)).pipe(
        Effect.map((versions) => Option.map(Option.fromNullable(versions.get(version)), copy))
      ),
    versions: (accountId) =>
      Effect.suspend(() => live(accountId)).pipe(Effect.map((versions) => [...versions.keys()].sort((a, b) => a - b))),
    put: (key) =>
      Effect.suspend(() => live(key.accountId)).pipe(
        Effect.flatMap((versions) => {
          if (versions.has(key.version)) {
            return Effect.fail(new AccountKeyVersionExists({ accountId: key.accountId, version: key.version }))
          }
          versions.set(key.version, copy(key))
          keys.set(key.accountId, versions)
          return Effect.void
        })
      ),
    rewrap: (key, expectedMasterVersion) =>
      Effect.sync(() => {
        const current = keys.get(key.accountId)?.get(key.version)
        if (current === undefined || current.wrapped.masterVersion !== expectedMasterVersion) return false
        keys.get(key.accountId)!.set(key.version, copy(key))
        return true
      }),
    list: ({ after, limit }) =>
      Effect.sync(() =>
        [...keys.values()]
          .flatMap((versions) => [...versions.values()])
          .filter((key) =>
            after === undefined ||
            key.accountId > after.accountId ||
            (key.accountId === after.accountId && key.version > after.version)
          )
          .sort(byPosition)
          .slice(0, limit)
          .map(copy)
      ),
    destroy: (accountId) =>
      Effect.sync(() => {
        const count = keys.get(accountId)?.size ?? 0
        keys.delete(accountId)
        destroyed.add(accountId)
        return count
      })
  })
})

export const layerAccountKeyStoreMemory = Layer.effect(AccountKeyStore, makeAccountKeyStoreMemory)
