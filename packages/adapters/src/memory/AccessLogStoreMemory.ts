/**
 * The reference `AccessLogStore` (§4.1.5, DESIGN.md "Encryption at rest": the access log), in memory: one lock per
 * account serializes its appends, entries are copied in and out so no caller can change a stored one, and an append
 * that does not continue the chain (wrong account, wrong index) is refused.
 *
 * `layerAccessLogStoreMemoryWithTamper` adds a test hook that rewrites an account's stored entries in place, as an
 * attacker with write access to the store would: the tests of `verify` use it to show every change is detected.
 */
import type { AccessEntry } from "@custos/core/domain/AccessLog"
import type { AccountId } from "@custos/core/domain/Ids"
import { AccessLogStore } from "@custos/core/ports/AccessLogStore"
import { StoreError } from "@custos/core/ports/StoreError"
import { Context, Effect, Layer, Option } from "effect"

interface AccountLog {
  entries: Array<AccessEntry>
  readonly lock: Effect.Semaphore
}

const copy = (entry: AccessEntry): AccessEntry => ({
  ...entry,
  actor: { ...entry.actor },
  recordIds: [...entry.recordIds]
})

/** FOR TESTS ONLY: changes what the memory store holds, bypassing the chain, to check that `verify` notices. */
export class AccessLogTamper extends Context.Tag("@custos/adapters/memory/AccessLogTamper")<AccessLogTamper, {
  readonly rewrite: (
    accountId: AccountId,
    f: (entries: ReadonlyArray<AccessEntry>) => ReadonlyArray<AccessEntry>
  ) => Effect.Effect<void>
}>() {}

const make = Effect.sync(() => {
  const logs = new Map<AccountId, AccountLog>()
  const logOf = (accountId: AccountId): AccountLog => {
    let log = logs.get(accountId)
    if (log === undefined) logs.set(accountId, log = { entries: [], lock: Effect.unsafeMakeSemaphore(1) })
    return log
  }

  const store = AccessLogStore.of({
    append: (accountId, build) => {
      const log = logOf(accountId)
      return log.lock.withPermits(1)(Effect.gen(function*() {
        const newest = log.entries[log.entries.length - 1]
        const entry = yield* build(
          newest === undefined ? Option.none() : Option.some({ index: newest.index, hash: newest.hash })
        )
        const expected = (newest?.index ?? 0) + 1
        if (entry.accountId !== accountId || entry.index !== expected) {
          return yield* new StoreError({
            operation: "AccessLogStore.append",
            cause: new Error(`the entry must be entry ${expected} of ${accountId}`)
          })
        }
        log.entries.push(copy(entry))
        return copy(entry)
      }))
    },
    list: (accountId, query) =>
      Effect.sync(() => {
        const after = query.after ?? 0
        return (logs.get(accountId)?.entries ?? [])
          .filter((e) => e.index > after)
          .slice(0, Math.max(0, query.limit))
          .map(copy)
      }),
    deleteAccount: (accountId) => {
      const log = logOf(accountId)
      return log.lock.withPermits(1)(Effect.sync(() => {
        const count = log.entries.length
        log.entries = []
        if (logs.get(accountId) === log) logs.delete(accountId)
        return count
      }))
    }
  })

  const tamper = AccessLogTamper.of({
    rewrite: (accountId, f) =>
      Effect.sync(() => {
        const log = logOf(accountId)
        log.entries = f(log.entries.map(copy)).map(copy)
      })
  })

  return { store, tamper }
})

export const makeAccessLogStoreMemory = Effect.map(make, ({ store }) => store)

export const layerAccessLogStoreMemory = Layer.effect(AccessLogStore, makeAccessLogStoreMemory)

/** The memory store and, beside it, the hook that tampers with it (tests only). */
export const layerAccessLogStoreMemoryWithTamper = Layer.effectContext(
  Effect.map(make, ({ store, tamper }) =>
    Context.make(AccessLogStore, store).pipe(Context.add(AccessLogTamper, tamper)))
)
