/**
 * The reference wiring (memory stores and blobs, node:crypto, a master key in memory) with one port replaced by a
 * wrapped copy of itself. Each broken implementation in this folder plants its single fault this way, so everything
 * but the fault is the reference.
 */
import { layerBlobStoreMemory } from "@custos/adapters/blobs/BlobStoreMemory"
import { layerNodeCrypto } from "@custos/adapters/crypto/NodeCrypto"
import { layerKeyManagementMemory } from "@custos/adapters/keys/KeyManagementMemory"
import { layerAccessLogStoreMemory } from "@custos/adapters/memory/AccessLogStoreMemory"
import { layerAccountKeyStoreMemory } from "@custos/adapters/memory/AccountKeyStoreMemory"
import { layerAccountStoreMemory } from "@custos/adapters/memory/AccountStoreMemory"
import { layerDeletedContentStoreMemory } from "@custos/adapters/memory/DeletedContentStoreMemory"
import { layerDeviceStoreMemory } from "@custos/adapters/memory/DeviceStoreMemory"
import { layerMembershipStoreMemory } from "@custos/adapters/memory/MembershipStoreMemory"
import { layerRecordStoreMemory } from "@custos/adapters/memory/RecordStoreMemory"
import { layerSyncSettingsStoreMemory } from "@custos/adapters/memory/SyncSettingsStoreMemory"
import type { StorageLayer } from "@custos/conformance/drivers/InProcessDriver"
import { Crypto } from "@custos/core/ports/Crypto"
import { RecordStore, type RecordTx } from "@custos/core/ports/RecordStore"
import { type Context, Effect, Layer } from "effect"

/** Where the fault goes: a function from the real service to the broken one, called once per built Layer. */
export interface Fault {
  readonly records?: ((real: RecordStore["Type"]) => RecordStore["Type"]) | undefined
  readonly crypto?: ((real: Crypto["Type"]) => Crypto["Type"]) | undefined
}

const wrapped = <I, S>(tag: Context.Tag<I, S>, real: Layer.Layer<I>, wrap: ((real: S) => S) | undefined) =>
  wrap === undefined ? real : Layer.effect(tag, Effect.map(tag, wrap)).pipe(Layer.provide(real))

export const referenceStorageWith = (fault: Fault): StorageLayer =>
  Layer.mergeAll(
    layerAccountStoreMemory,
    wrapped(RecordStore, layerRecordStoreMemory, fault.records),
    layerSyncSettingsStoreMemory,
    layerMembershipStoreMemory,
    layerDeviceStoreMemory,
    layerAccountKeyStoreMemory,
    layerDeletedContentStoreMemory,
    layerAccessLogStoreMemory,
    layerBlobStoreMemory,
    layerKeyManagementMemory.pipe(Layer.provideMerge(wrapped(Crypto, layerNodeCrypto, fault.crypto)))
  )

/** `real` with every transaction's `write` replaced by `write(tx, record)`, `tx` being the real transaction. */
export const withTxWrite = (
  real: RecordStore["Type"],
  write: (tx: RecordTx, record: Parameters<RecordTx["write"]>[0]) => ReturnType<RecordTx["write"]>
): RecordStore["Type"] =>
  RecordStore.of({
    ...real,
    transact: (accountId, work) => real.transact(accountId, (tx) => work({ ...tx, write: (record) => write(tx, record) }))
  })
