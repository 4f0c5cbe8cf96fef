/**
 * Requests a person makes about their own data (§4.1.2: retention is "per user's request"): delete everything of
 * one data type, or delete the account. Both are permanent.
 *
 * Deleting the account removes its records (tombstones included: no device of it is left to tell), settings,
 * devices, purchases and finally the account itself; what remains afterwards is nothing that names the account.
 * Each step can be repeated, so a deletion interrupted by a failure is finished by asking again.
 */
import { Context, Effect, Layer, Schema } from "effect"
import { type AccountNotFound, UnknownDataType } from "../domain/Errors.js"
import type { AccountId } from "../domain/Ids.js"
import { dataType as entryOf, DataTypeId } from "../domain/Inventory.js"
import { AccountStore } from "../ports/AccountStore.js"
import { DeletedContentStore } from "../ports/DeletedContentStore.js"
import { DeviceStore } from "../ports/DeviceStore.js"
import { MembershipStore } from "../ports/MembershipStore.js"
import { RecordStore } from "../ports/RecordStore.js"
import { StoreError } from "../ports/StoreError.js"
import { SyncSettingsStore } from "../ports/SyncSettingsStore.js"
import { AccountService } from "./AccountService.js"
import { purgeApp } from "./internal/purge.js"
import { DeletedOnPurpose } from "./DeletedOnPurpose.js"
import { Keyring } from "./Keyring.js"
import type { SealingFailed } from "./RecordSealing.js"

export interface DataTypeDeletion {
  readonly dataType: DataTypeId
  /** Records purged, or purchases removed for purchase history. */
  readonly removed: number
}

export interface AccountDeletion {
  readonly records: number
  readonly devices: number
  readonly purchases: number
}

export class PrivacyService extends Context.Tag("@custos/core/PrivacyService")<PrivacyService, {
  /**
   * Deletes every item of one data type for good. The account identifier is not deleted this way: deleting it is
   * deleting the account.
   */
  readonly deleteDataType: (
    accountId: AccountId,
    dataType: string
  ) => Effect.Effect<DataTypeDeletion, UnknownDataType | AccountNotFound | SealingFailed | StoreError>
  readonly deleteAccount: (accountId: AccountId) => Effect.Effect<AccountDeletion, AccountNotFound | StoreError>
}>() {
  static readonly layer = Layer.effect(
    PrivacyService,
    Effect.gen(function*() {
      const accounts = yield* AccountService
      const accountStore = yield* AccountStore
      const records = yield* RecordStore
      const settings = yield* SyncSettingsStore
      const devices = yield* DeviceStore
      const memberships = yield* MembershipStore
      const keyring = yield* Keyring
      const deletedOnPurpose = yield* DeletedOnPurpose
      const deletedContent = yield* DeletedContentStore

      const deleteDataType = (accountId: AccountId, input: string) =>
        Effect.gen(function*() {
          const dataType = yield* Schema.decodeUnknown(DataTypeId)(input).pipe(
            Effect.mapError(() => new UnknownDataType({ dataType: input }))
          )
          yield* accounts.get(accountId)
          const holder = entryOf(dataType).heldBy
          if (holder.kind === "app") {
            const removed = yield* purgeApp(records, accountId, holder.app, { beforePurge: deletedOnPurpose.remember })
            return { dataType, removed }
          }
          if (holder.kind === "membership") return { dataType, removed: yield* memberships.deletePurchases(accountId) }
          return yield* new UnknownDataType({ dataType: `${input} (delete the account instead)` })
        })

      const deleteAccount = (accountId: AccountId) =>
        Effect.gen(function*() {
          yield* accounts.get(accountId)
          const deviceCount = yield* devices.removeAll(accountId)
          yield* settings.delete(accountId)
          const purchases = yield* memberships.deletePurchases(accountId)
          const recordCount = yield* records.deleteAccount(accountId)
          yield* deletedContent.deleteAccount(accountId)
          yield* accountStore.delete(accountId)
          // Crypto-shredding: with the account's keys gone, nothing sealed under them opens again, backups included.
          yield* keyring.destroyAccountKeys(accountId).pipe(
            Effect.mapError((cause) => new StoreError({ operation: "Keyring.destroyAccountKeys", cause }))
          )
          // A push that was already past its account check when the records went is caught here: with the account
          // gone, no new write can start.
          const late = yield* records.deleteAccount(accountId)
          // Likewise a sync that registered its device between the first removal and the account's end.
          const lateDevices = yield* devices.removeAll(accountId)
          return { records: recordCount + late, devices: deviceCount + lateDevices, purchases }
        })

      return { deleteDataType, deleteAccount }
    })
  )
}
