/**
 * The port for the devices of each account.
 */
import type { Effect, Option } from "effect"
import { Context } from "effect"
import type { Device } from "../domain/Device.js"
import type { AccountId, DeviceId } from "../domain/Ids.js"
import type { StoreError } from "./StoreError.js"

export class DeviceStore extends Context.Tag("@custos/core/DeviceStore")<DeviceStore, {
  /** Creates the device or replaces what is stored of it. */
  readonly put: (device: Device) => Effect.Effect<void, StoreError>
  readonly get: (accountId: AccountId, id: DeviceId) => Effect.Effect<Option.Option<Device>, StoreError>
  /** The account's devices, in id order. */
  readonly list: (accountId: AccountId) => Effect.Effect<ReadonlyArray<Device>, StoreError>
  readonly remove: (accountId: AccountId, id: DeviceId) => Effect.Effect<boolean, StoreError>
  readonly removeAll: (accountId: AccountId) => Effect.Effect<number, StoreError>
}>() {}
