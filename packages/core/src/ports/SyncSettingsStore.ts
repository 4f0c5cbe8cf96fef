/**
 * The port for each account's sync settings. `modify` is atomic per account: two devices changing settings at
 * once both land, one after the other, and a failed update changes nothing.
 */
import type { Effect, Option } from "effect"
import { Context } from "effect"
import type { AccountId } from "../domain/Ids.js"
import type { SyncSettings } from "../domain/SyncSettings.js"
import type { StoreError } from "./StoreError.js"

export class SyncSettingsStore extends Context.Tag("@custos/core/SyncSettingsStore")<SyncSettingsStore, {
  /** The stored settings; none until the account first changes them. */
  readonly get: (accountId: AccountId) => Effect.Effect<Option.Option<SyncSettings>, StoreError>
  readonly modify: <E>(
    accountId: AccountId,
    f: (current: Option.Option<SyncSettings>) => Effect.Effect<SyncSettings, E>
  ) => Effect.Effect<SyncSettings, E | StoreError>
  readonly delete: (accountId: AccountId) => Effect.Effect<void, StoreError>
}>() {}
