/**
 * The port for sign-in credentials: a login name (unique, stored in its normal form) leads to one account and the
 * hash of its password. The hash is opaque here: the server chooses the algorithm (scrypt), core never sees a
 * password. A login name is part of the account identifier data type (§4.1.2), and goes with the account.
 */
import type { Effect, Option } from "effect"
import { Context, Schema } from "effect"
import type { AccountId } from "../domain/Ids.js"
import type { StoreError } from "./StoreError.js"

export interface Credential {
  /** The normal form: trimmed and lower case. */
  readonly loginName: string
  readonly accountId: AccountId
  /** A self-describing password hash, e.g. `scrypt$N$r$p$salt$hash`. */
  readonly passwordHash: string
  /** Epoch ms. */
  readonly createdAt: number
}

export class LoginNameTaken extends Schema.TaggedError<LoginNameTaken>()("LoginNameTaken", {
  loginName: Schema.String
}) {
  readonly code = "login-name-taken"
  override get message() {
    return `The login name "${this.loginName}" is taken; choose another one`
  }
}

export class CredentialStore extends Context.Tag("@custos/core/CredentialStore")<CredentialStore, {
  /** Stores a new credential; an existing login name fails with `LoginNameTaken` and changes nothing. */
  readonly create: (credential: Credential) => Effect.Effect<void, LoginNameTaken | StoreError>
  readonly findByLoginName: (loginName: string) => Effect.Effect<Option.Option<Credential>, StoreError>
  /** Removes every credential of the account; returns how many there were. */
  readonly removeAccount: (accountId: AccountId) => Effect.Effect<number, StoreError>
}>() {}
