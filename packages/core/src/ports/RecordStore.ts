/**
 * The port for records and their change feed. Every write of an account takes the next account-wide `seq`, and
 * writes of one account are serialized: a transaction holds the account's write lock from its first read to its
 * commit, so a reader can never pass a `seq` that commits later (DESIGN.md "Sync"). The mutation log lives in the
 * same transaction, so "applied" and "remembered as applied" can never part.
 */
import type { Effect, Option } from "effect"
import { Context } from "effect"
import type { App } from "../domain/App.js"
import type { AccountId, MutationId, RecordId } from "../domain/Ids.js"
import type { RememberedMutation } from "../domain/Mutation.js"
import type { RecordWrite, StoredRecord } from "../domain/Record.js"
import type { StoreError } from "./StoreError.js"

/** What a transaction may do; its reads see its own writes. */
export interface RecordTx {
  readonly accountId: AccountId
  readonly get: (app: App, id: RecordId) => Effect.Effect<Option.Option<StoredRecord>, StoreError>
  /** Stores the record under the next `seq` (returned), replacing any earlier state of the same (app, id). */
  readonly write: (record: RecordWrite) => Effect.Effect<StoredRecord, StoreError>
  readonly recallMutation: (mutationId: MutationId) => Effect.Effect<Option.Option<RememberedMutation>, StoreError>
  readonly rememberMutation: (mutation: RememberedMutation, at: number) => Effect.Effect<void, StoreError>
}

export interface ChangesQuery {
  readonly app: App
  /** Only records whose last change is after this `seq`. */
  readonly afterSeq: number
  readonly limit: number
}

export class RecordStore extends Context.Tag("@custos/core/RecordStore")<RecordStore, {
  /**
   * Runs `work` holding the account's write lock. Its writes commit together when it succeeds and are discarded
   * when it fails, whatever the error.
   */
  readonly transact: <A, E>(
    accountId: AccountId,
    work: (tx: RecordTx) => Effect.Effect<A, E>
  ) => Effect.Effect<A, E | StoreError>
  readonly get: (accountId: AccountId, app: App, id: RecordId) => Effect.Effect<Option.Option<StoredRecord>, StoreError>
  /** The latest state of each record of `app` changed after `afterSeq`, in ascending `seq`, at most `limit`. */
  readonly changes: (accountId: AccountId, query: ChangesQuery) => Effect.Effect<ReadonlyArray<StoredRecord>, StoreError>
  /** The highest `seq` the account has committed; 0 before its first write. */
  readonly head: (accountId: AccountId) => Effect.Effect<number, StoreError>
  /**
   * The highest `seq` of a tombstone that compaction removed; 0 if none. A cursor below it may have missed a
   * deletion and must resync.
   */
  readonly horizon: (accountId: AccountId) => Effect.Effect<number, StoreError>
  /**
   * Removes tombstones and remembered mutations whose time is before `before` (epoch ms), raising the horizon to
   * the highest removed tombstone `seq`. Returns how many tombstones went.
   */
  readonly compact: (accountId: AccountId, before: number) => Effect.Effect<number, StoreError>
}>() {}
