/**
 * The reference `RecordStore`: all in memory, with the same semantics every other adapter must have. A transaction
 * holds the account's lock, buffers its writes and commits them in one synchronous step when it succeeds, so a
 * reader sees all of it or none of it.
 */
import { RecordStore, type RecordTx } from "@custos/core/ports/RecordStore"
import type { App } from "@custos/core/domain/App"
import type { AccountId, MutationId, RecordId } from "@custos/core/domain/Ids"
import type { RememberedMutation } from "@custos/core/domain/Mutation"
import { type RecordWrite, Seq, type StoredRecord } from "@custos/core/domain/Record"
import { Effect, Layer, Option } from "effect"

interface AccountRecords {
  head: number
  horizon: number
  readonly records: Map<string, StoredRecord>
  /** Keys in the order of their writes; an entry is stale when its record has moved on to a later `seq`. */
  log: Array<{ readonly seq: number; readonly key: string }>
  readonly mutations: Map<MutationId, { readonly mutation: RememberedMutation; readonly at: number }>
  readonly lock: Effect.Semaphore
}

const keyOf = (app: App, id: RecordId) => `${app}\u0000${id}`

/** The first index of `log` whose seq is greater than `seq`. */
const firstAfter = (log: ReadonlyArray<{ readonly seq: number }>, seq: number) => {
  let lo = 0
  let hi = log.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (log[mid]!.seq <= seq) lo = mid + 1
    else hi = mid
  }
  return lo
}

const dropStaleEntries = (state: AccountRecords) => {
  state.log = state.log.filter((entry) => state.records.get(entry.key)?.seq === entry.seq)
}

export const makeRecordStoreMemory = Effect.sync(() => {
  const accounts = new Map<AccountId, AccountRecords>()
  const stateOf = (accountId: AccountId): AccountRecords => {
    let state = accounts.get(accountId)
    if (state === undefined) {
      state = {
        head: 0,
        horizon: 0,
        records: new Map(),
        log: [],
        mutations: new Map(),
        lock: Effect.unsafeMakeSemaphore(1)
      }
      accounts.set(accountId, state)
    }
    return state
  }

  const transact = <A, E>(accountId: AccountId, work: (tx: RecordTx) => Effect.Effect<A, E>) => {
    const state = stateOf(accountId)
    return state.lock.withPermits(1)(Effect.suspend(() => {
      const writes = new Map<string, StoredRecord>()
      const remembered = new Map<MutationId, { readonly mutation: RememberedMutation; readonly at: number }>()
      let head = state.head
      const tx: RecordTx = {
        accountId,
        get: (app, id) =>
          Effect.sync(() => {
            const key = keyOf(app, id)
            return Option.fromNullable(writes.get(key) ?? state.records.get(key))
          }),
        write: (record: RecordWrite) =>
          Effect.sync(() => {
            const stored: StoredRecord = { ...record, accountId, seq: Seq.make(++head) }
            const key = keyOf(record.app, record.id)
            writes.delete(key)
            writes.set(key, stored)
            return stored
          }),
        getMany: (app, ids) =>
          Effect.sync(() => {
            const found = new Map<RecordId, StoredRecord>()
            for (const id of ids) {
              const key = keyOf(app, id)
              const record = writes.get(key) ?? state.records.get(key)
              if (record !== undefined) found.set(id, record)
            }
            return found
          }),
        recallMutation: (mutationId) =>
          Effect.sync(() =>
            Option.fromNullable((remembered.get(mutationId) ?? state.mutations.get(mutationId))?.mutation)
          ),
        recallMutations: (ids) =>
          Effect.sync(() => {
            const found = new Map<MutationId, RememberedMutation>()
            for (const id of ids) {
              const entry = remembered.get(id) ?? state.mutations.get(id)
              if (entry !== undefined) found.set(id, entry.mutation)
            }
            return found
          }),
        rememberMutation: (mutation, at) => Effect.sync(() => void remembered.set(mutation.mutationId, { mutation, at }))
      }
      return work(tx).pipe(Effect.tap(() =>
        Effect.sync(() => {
          for (const [key, record] of writes) {
            state.records.set(key, record)
            state.log.push({ seq: record.seq, key })
          }
          for (const [id, entry] of remembered) state.mutations.set(id, entry)
          state.head = head
          if (state.log.length > 2 * state.records.size + 1024) dropStaleEntries(state)
        })
      ))
    }))
  }

  return RecordStore.of({
    transact,
    get: (accountId, app, id) => Effect.sync(() => Option.fromNullable(stateOf(accountId).records.get(keyOf(app, id)))),
    changes: (accountId, { afterSeq, app, limit }) =>
      Effect.sync(() => {
        const state = stateOf(accountId)
        const out: Array<StoredRecord> = []
        for (let i = firstAfter(state.log, afterSeq); i < state.log.length && out.length < limit; i++) {
          const entry = state.log[i]!
          const record = state.records.get(entry.key)
          if (record !== undefined && record.seq === entry.seq && record.app === app) out.push(record)
        }
        return out
      }),
    list: (accountId, { afterSeq = 0, app, limit, state }) =>
      Effect.sync(() =>
        [...stateOf(accountId).records.values()]
          .filter((r) => r.state === state && (app === undefined || r.app === app) && r.seq > afterSeq)
          .sort((a, b) => a.seq - b.seq)
          .slice(0, limit)
      ),
    dueForPurge: (before, limit) =>
      Effect.sync(() => {
        const due: Array<StoredRecord> = []
        for (const state of accounts.values()) {
          for (const r of state.records.values()) {
            if (r.state === "trashed" && r.deleteBy !== undefined && r.deleteBy <= before) due.push(r)
          }
        }
        return due
          .sort((a, b) => a.deleteBy! - b.deleteBy!)
          .slice(0, limit)
          .map((r) => ({ accountId: r.accountId, app: r.app, id: r.id }))
      }),
    referencing: (accountId, blobId) =>
      Effect.sync(() =>
        [...stateOf(accountId).records.values()]
          .filter((r) => r.state !== "purged" && (r.blobs ?? []).includes(blobId))
          .sort((a, b) => a.seq - b.seq)
          .map((r) => ({ accountId: r.accountId, app: r.app, id: r.id }))
      ),
    referencedBlobs: (accountId) =>
      Effect.sync(() => {
        const ids = new Set<string>()
        for (const r of stateOf(accountId).records.values()) {
          if (r.state !== "purged") for (const blob of r.blobs ?? []) ids.add(blob)
        }
        return ids
      }),
    usage: (accountId) =>
      Effect.sync(() => {
        let records = 0
        let bytes = 0
        for (const r of stateOf(accountId).records.values()) {
          if (r.state !== "purged") {
            records++
            bytes += r.size
          }
        }
        return { records, bytes }
      }),
    head: (accountId) => Effect.sync(() => stateOf(accountId).head),
    horizon: (accountId) => Effect.sync(() => stateOf(accountId).horizon),
    compact: (accountId, before) =>
      stateOf(accountId).lock.withPermits(1)(Effect.sync(() => {
        const state = stateOf(accountId)
        let removed = 0
        for (const [key, record] of state.records) {
          if (record.state === "purged" && record.changedAt < before) {
            state.records.delete(key)
            state.horizon = Math.max(state.horizon, record.seq)
            removed++
          }
        }
        for (const [id, entry] of state.mutations) {
          if (entry.at < before) state.mutations.delete(id)
        }
        dropStaleEntries(state)
        return removed
      })),
    deleteAccount: (accountId) =>
      stateOf(accountId).lock.withPermits(1)(Effect.sync(() => {
        const count = stateOf(accountId).records.size
        accounts.delete(accountId)
        return count
      }))
  })
})

export const layerRecordStoreMemory = Layer.effect(RecordStore, makeRecordStoreMemory)
