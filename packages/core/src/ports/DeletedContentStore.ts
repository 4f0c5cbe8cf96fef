/**
 * The port for the keyed fingerprints of gallery content a person deleted on purpose (DESIGN.md "Trash and
 * retention": a deleted photo must not come back because a phone still holds it and uploads it again). A
 * fingerprint is an HMAC under the account's key, so it tells nothing about the content to anyone without it.
 */
import type { Effect } from "effect"
import { Context } from "effect"
import type { AccountId } from "../domain/Ids.js"
import type { StoreError } from "./StoreError.js"

export class DeletedContentStore extends Context.Tag("@custos/core/DeletedContentStore")<DeletedContentStore, {
  /** Remembers a fingerprint; remembering it again changes nothing. */
  readonly remember: (accountId: AccountId, fingerprint: string, at: number) => Effect.Effect<void, StoreError>
  readonly isDeleted: (accountId: AccountId, fingerprint: string) => Effect.Effect<boolean, StoreError>
  readonly forget: (accountId: AccountId, fingerprint: string) => Effect.Effect<void, StoreError>
  readonly deleteAccount: (accountId: AccountId) => Effect.Effect<number, StoreError>
}>() {}
