/**
 * Broken on purpose: a record store that finds records by app and id alone when the account has none of its own,
 * as a store keyed without the account would. An account that uses a record id another account already has is
 * answered with the other's record: in a push (which then conflicts, showing it), a restore or a purge.
 *
 * The requirement that must catch it: ISO-001 (an account never sees or changes another's data, even under the same
 * record ids). TRASH-005 catches it too (another account's trashed record can be neither restored nor purged), so
 * does BLOB-006 (a record naming another account's file is pushed under the id of that account's record), and so
 * does SYNC-015, whose random scenarios each take a new account on one target and reuse the same record ids.
 */
import type { App } from "@custos/core/domain/App"
import type { AccountId, RecordId } from "@custos/core/domain/Ids"
import type { StoredRecord } from "@custos/core/domain/Record"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { Effect, Option } from "effect"
import { type Fault, referenceStorageWith } from "./internal/referenceStorageWith.js"

export const name = "broken: leaks records across accounts"

/** The fault, as a wrapper of the real port (to stack a test's own hooks on it). */
export const fault = {
  records: (real) => {
    /** Every account the store has been asked about: where a lookup by app and id alone also looks. */
    const accounts = new Set<AccountId>()
    const seen = (accountId: AccountId) => void accounts.add(accountId)

    /** Another account's record of the same app and id, if any. */
    const elsewhere = (accountId: AccountId, app: App, id: RecordId) =>
      Effect.gen(function*() {
        for (const other of accounts) {
          if (other === accountId) continue
          const found = yield* real.get(other, app, id)
          if (Option.isSome(found)) return found
        }
        return Option.none<StoredRecord>()
      })

    const orElsewhere = (accountId: AccountId, app: App, id: RecordId, own: Option.Option<StoredRecord>) =>
      Option.isSome(own) ? Effect.succeed(own) : elsewhere(accountId, app, id)

    return RecordStore.of({
      ...real,
      get: (accountId, app, id) => {
        seen(accountId)
        return Effect.flatMap(real.get(accountId, app, id), (own) => orElsewhere(accountId, app, id, own))
      },
      transact: (accountId, work) => {
        seen(accountId)
        return real.transact(accountId, (tx) =>
          work({
            ...tx,
            get: (app, id) => Effect.flatMap(tx.get(app, id), (own) => orElsewhere(accountId, app, id, own)),
            getMany: (app, ids) =>
              Effect.gen(function*() {
                const found = new Map(yield* tx.getMany(app, ids))
                for (const id of ids) {
                  if (found.has(id)) continue
                  const other = yield* elsewhere(accountId, app, id)
                  if (Option.isSome(other)) found.set(id, other.value)
                }
                return found
              })
          }))
      }
    })
  }
} satisfies Fault

export const storage = referenceStorageWith(fault)
