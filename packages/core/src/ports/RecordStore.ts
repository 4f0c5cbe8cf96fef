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
import type { RecordState, RecordWrite, StoredRecord } from "../domain/Record.js"
import type { StoreError } from "./StoreError.js"

/** What a transaction may do; its reads see its own writes. */
export interface RecordTx {
  readonly accountId: AccountId
  readonly get: (app: App, id: RecordId) => Effect.Effect<Option.Option<StoredRecord>, StoreError>
  /**
   * The records of `app` among `ids` that exist (in any state), by id: what `get` answers for each, read at once.
   * A push reads the records of its whole batch with one call.
   */
  readonly getMany: (
    app: App,
    ids: ReadonlyArray<RecordId>
  ) => Effect.Effect<ReadonlyMap<RecordId, StoredRecord>, StoreError>
  /** Stores the record under the next `seq` (returned), replacing any earlier state of the same (app, id). */
  readonly write: (record: RecordWrite) => Effect.Effect<StoredRecord, StoreError>
  readonly recallMutation: (mutationId: MutationId) => Effect.Effect<Option.Option<RememberedMutation>, StoreError>
  /** The remembered mutations among `ids`, by id: what `recallMutation` answers for each, read at once. */
  readonly recallMutations: (
    ids: ReadonlyArray<MutationId>
  ) => Effect.Effect<ReadonlyMap<MutationId, RememberedMutation>, StoreError>
  readonly rememberMutation: (mutation: RememberedMutation, at: number) => Effect.Effect<void, StoreError>
}

export interface ChangesQuery {
  readonly app: App
  /** Only records whose last change is after this `seq`. */
  readonly afterSeq: number
  readonly limit: number
}

export interface ListQuery {
  /** All apps when absent. */
  readonly app?: App | undefined
  readonly state: RecordState
  /** Only records whose `seq` is greater: the position after the last record of the previous page. */
  readonly afterSeq?: number | undefined
  readonly limit: number
}

/** A record whose retention receipt has run out. */
export interface DueRecord {
  readonly accountId: AccountId
  readonly app: App
  readonly id: RecordId
}

export interface Usage {
  /** Active and trashed records. */
  readonly records: number
  /** Their `size`s added up: bodies and referenced blobs. */
  readonly bytes: number
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
  /** Records of the account in one state, in ascending `seq`, at most `limit`. */
  readonly list: (accountId: AccountId, query: ListQuery) => Effect.Effect<ReadonlyArray<StoredRecord>, StoreError>
  /** Trashed records of any account whose `deleteBy` is at or before `before`, oldest receipt first. */
  readonly dueForPurge: (before: number, limit: number) => Effect.Effect<ReadonlyArray<DueRecord>, StoreError>
  /**
   * The account's active and trashed records whose `blobs` name `blobId`, in ascending `seq`: who may download a
   * blob, and whether one may be replaced or collected. A store answers without handing over the other records.
   */
  readonly referencing: (accountId: AccountId, blobId: string) => Effect.Effect<ReadonlyArray<DueRecord>, StoreError>
  /**
   * Every blob id the account's active and trashed records name: which uploads are still waiting for their record
   * (they count against the quota) and which blobs may be collected. Only the records' blob lists are read.
   */
  readonly referencedBlobs: (accountId: AccountId) => Effect.Effect<ReadonlySet<string>, StoreError>
  /** What the account's active and trashed records take up. */
  readonly usage: (accountId: AccountId) => Effect.Effect<Usage, StoreError>
  /**
   * Removes tombstones and remembered mutations whose time is before `before` (epoch ms), raising the horizon to
   * the highest removed tombstone `seq`. Returns how many tombstones went.
   */
  readonly compact: (accountId: AccountId, before: number) => Effect.Effect<number, StoreError>
  /**
   * Removes every record, tombstone and remembered mutation of the account, and its sequence, holding its lock:
   * the last step of deleting an account. Returns how many records went.
   */
  readonly deleteAccount: (accountId: AccountId) => Effect.Effect<number, StoreError>
}>() {}
