/**
 * The port for wrapped account keys: the middle of the key hierarchy of DESIGN.md "Encryption at rest". Each
 * account has numbered key versions (1, 2, ...), each stored only wrapped under a master key; the highest version
 * is the one new data is sealed with. `destroy` is crypto-shredding: every version goes, a marker stays, and the
 * account can never get keys again, so everything sealed for it is unreadable for good.
 */
import type { Effect, Option } from "effect"
import { Context, Schema } from "effect"
import type { AccountId } from "../domain/Ids.js"
import type { WrappedKey } from "./KeyManagement.js"
import type { StoreError } from "./StoreError.js"

export interface StoredAccountKey {
  readonly accountId: AccountId
  readonly version: number
  readonly wrapped: WrappedKey
}

/** The account's keys were destroyed: nothing sealed for it can be opened, and no new key is made for it. */
export class AccountKeysDestroyed extends Schema.TaggedError<AccountKeysDestroyed>()("AccountKeysDestroyed", {
  accountId: Schema.String
}) {
  readonly code = "account-keys-destroyed"
  override get message() {
    return `The keys of account ${this.accountId} have been destroyed; data sealed for it can no longer be opened`
  }
}

/** `put` of a version the account has already: another writer created it first. Nothing was changed. */
export class AccountKeyVersionExists extends Schema.TaggedError<AccountKeyVersionExists>()(
  "AccountKeyVersionExists",
  { accountId: Schema.String, version: Schema.Number }
) {
  readonly code = "account-key-version-exists"
  override get message() {
    return `Account ${this.accountId} already has key version ${this.version}`
  }
}

export class AccountKeyStore extends Context.Tag("@custos/core/AccountKeyStore")<AccountKeyStore, {
  readonly get: (
    accountId: AccountId,
    version: number
  ) => Effect.Effect<Option.Option<StoredAccountKey>, AccountKeysDestroyed | StoreError>
  /** The account's key versions, ascending; empty before its first key. */
  readonly versions: (accountId: AccountId) => Effect.Effect<ReadonlyArray<number>, AccountKeysDestroyed | StoreError>
  /** Adds a new version; never overwrites one. */
  readonly put: (
    key: StoredAccountKey
  ) => Effect.Effect<void, AccountKeyVersionExists | AccountKeysDestroyed | StoreError>
  /**
   * Replaces the wrapping of an existing version (master key rotation): only if it is still wrapped under
   * `expectedMasterVersion`. Returns false, changing nothing, when it is not (another instance re-wrapped it) or
   * it no longer exists.
   */
  readonly rewrap: (
    key: StoredAccountKey,
    expectedMasterVersion: number
  ) => Effect.Effect<boolean, StoreError>
  /** Live keys of every account in (account id, version) order, after the given position: a page for rotation. */
  readonly list: (options: {
    readonly after?: { readonly accountId: AccountId; readonly version: number } | undefined
    readonly limit: number
  }) => Effect.Effect<ReadonlyArray<StoredAccountKey>, StoreError>
  /** Destroys every version of the account's key and marks it destroyed; returns how many went. Idempotent. */
  readonly destroy: (accountId: AccountId) => Effect.Effect<number, StoreError>
}>() {}
