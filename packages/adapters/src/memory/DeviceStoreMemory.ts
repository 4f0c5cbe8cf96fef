/**
 * The reference `DeviceStore`, in memory.
 */
import type { Device } from "@custos/core/domain/Device"
import type { AccountId } from "@custos/core/domain/Ids"
import { DeviceStore } from "@custos/core/ports/DeviceStore"
import { Effect, Layer, Option } from "effect"

export const makeDeviceStoreMemory = Effect.sync(() => {
  const devices = new Map<AccountId, Map<string, Device>>()
  const of = (accountId: AccountId) => {
    let map = devices.get(accountId)
    if (map === undefined) devices.set(accountId, map = new Map())
    return map
  }
  return DeviceStore.of({
    put: (device) => Effect.sync(() => void of(device.accountId).set(device.id, device)),
    get: (accountId, id) => Effect.sync(() => Option.fromNullable(devices.get(accountId)?.get(id))),
    list: (accountId) =>
      Effect.sync(() => [...of(accountId).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))),
    remove: (accountId, id) => Effect.sync(() => of(accountId).delete(id)),
    removeAll: (accountId) =>
      Effect.sync(() => {
        const count = devices.get(accountId)?.size ?? 0
        devices.delete(accountId)
        return count
      })
  })
})

export const layerDeviceStoreMemory = Layer.effect(DeviceStore, makeDeviceStoreMemory)
