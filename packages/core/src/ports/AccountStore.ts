/**
 * The port for accounts. Ids are unique: creating an existing id fails with `AccountExists` and changes nothing.
 */
import type { Effect, Option } from "effect"
import { Context } from "effect"
import type { Account } from "../domain/Account.js"
import type { AccountExists } from "../domain/Errors.js"
import type { AccountId } from "../domain/Ids.js"
import type { StoreError } from "./StoreError.js"

export class AccountStore extends Context.Tag("@custos/core/AccountStore")<AccountStore, {
  readonly create: (account: Account) => Effect.Effect<void, AccountExists | StoreError>
  readonly get: (id: AccountId) => Effect.Effect<Option.Option<Account>, StoreError>
  /** Accounts in ascending id order, after `afterId` when given: a page for jobs that visit every account. */
  readonly list: (
    options: { readonly afterId?: AccountId | undefined; readonly limit: number }
  ) => Effect.Effect<ReadonlyArray<Account>, StoreError>
  /** Removes the account; true if it existed. */
  readonly delete: (id: AccountId) => Effect.Effect<boolean, StoreError>
}>() {}
