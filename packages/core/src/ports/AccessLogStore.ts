/**
 * The port for the access log (§4.1.5, DESIGN.md "Encryption at rest", last bullet): per account, an append-only
 * hash chain of the openings of its content (domain/AccessLog.ts). Appends of one account are serialized: `build`
 * runs holding the account's lock and sees the newest entry, so no two entries ever share an index or a `prevHash`.
 * Entries are kept exactly as built; nothing but deleting the account removes them, and nothing changes them.
 */
import type { Effect, Option } from "effect"
import { Context } from "effect"
import type { AccessEntry, ChainHead } from "../domain/AccessLog.js"
import type { AccountId } from "../domain/Ids.js"
import type { StoreError } from "./StoreError.js"

export interface AccessLogQuery {
  /** Only entries with a greater index: the index of the last entry of the previous page. */
  readonly after?: number | undefined
  readonly limit: number
}

export class AccessLogStore extends Context.Tag("@custos/core/AccessLogStore")<AccessLogStore, {
  /**
   * Appends the entry `build` makes from the account's newest entry (none before the first), holding the account's
   * lock from reading the newest entry to storing the new one. The entry must name the account and the next index
   * (the newest's plus one, 1 for the first); anything else fails with `StoreError` and nothing is stored. When
   * `build` fails, nothing is stored.
   */
  readonly append: <E>(
    accountId: AccountId,
    build: (last: Option.Option<ChainHead>) => Effect.Effect<AccessEntry, E>
  ) => Effect.Effect<AccessEntry, E | StoreError>
  /** The account's entries in ascending index, at most `limit`. */
  readonly list: (accountId: AccountId, query: AccessLogQuery) => Effect.Effect<ReadonlyArray<AccessEntry>, StoreError>
  /** Removes the account's whole log: the last step of deleting the account. Returns how many entries went. */
  readonly deleteAccount: (accountId: AccountId) => Effect.Effect<number, StoreError>
}>() {}
