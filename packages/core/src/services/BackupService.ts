/**
 * Home-screen backups (§4.1.4(3)): each is a whole snapshot, uploaded as a home-screen record by the device that
 * took it, listed per device, and deleted permanently one by one from the backup list.
 */
import { Context, Effect, Layer, Option } from "effect"
import { type AccountNotFound, RecordNotFound } from "../domain/Errors.js"
import type { AccountId, DeviceId, RecordId } from "../domain/Ids.js"
import type { RecordView } from "../domain/Mutation.js"
import { Version } from "../domain/Record.js"
import { RecordStore } from "../ports/RecordStore.js"
import type { StoreError } from "../ports/StoreError.js"
import { AccountService } from "./AccountService.js"
import { tombstoneOf } from "./internal/recordTransitions.js"
import { RecordSealing, type SealingFailed } from "./RecordSealing.js"

export interface DeviceBackups {
  /** The device that took the backups; absent for backups of unknown origin. */
  readonly deviceId?: DeviceId | undefined
  /** Newest first. */
  readonly backups: ReadonlyArray<RecordView>
}

export class BackupService extends Context.Tag("@custos/core/BackupService")<BackupService, {
  readonly list: (
    accountId: AccountId
  ) => Effect.Effect<ReadonlyArray<DeviceBackups>, AccountNotFound | SealingFailed | StoreError>
  readonly delete: (
    accountId: AccountId,
    backupId: RecordId
  ) => Effect.Effect<void, RecordNotFound | AccountNotFound | StoreError>
}>() {
  static readonly layer = Layer.effect(
    BackupService,
    Effect.gen(function*() {
      const accounts = yield* AccountService
      const records = yield* RecordStore
      const sealing = yield* RecordSealing

      const list = (accountId: AccountId) =>
        Effect.gen(function*() {
          yield* accounts.get(accountId)
          const all = []
          let after = 0
          while (true) {
            const page = yield* records.list(accountId, { app: "home-screen", state: "active", afterSeq: after, limit: 500 })
            all.push(...page)
            if (page.length < 500) break
            after = page[page.length - 1]!.seq
          }
          const newestFirst = all.sort((a, b) => b.changedAt - a.changedAt)
          // The whole list is one opening in the access log (§4.1.5).
          const views = yield* sealing.viewAll(newestFirst, "backup-list")
          const byDevice = new Map<DeviceId | undefined, Array<RecordView>>()
          newestFirst.forEach((r, i) => byDevice.set(r.changedBy, [...(byDevice.get(r.changedBy) ?? []), views[i]!]))
          return [...byDevice].map(([deviceId, backups]) => ({ deviceId, backups }))
        })

      const remove = (accountId: AccountId, backupId: RecordId) =>
        Effect.gen(function*() {
          yield* accounts.get(accountId)
          yield* records.transact(accountId, (tx) =>
            Effect.gen(function*() {
              const current = yield* tx.get("home-screen", backupId)
              if (Option.isNone(current) || current.value.state === "purged") {
                return yield* new RecordNotFound({ app: "home-screen", recordId: backupId })
              }
              const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
              yield* tx.write(tombstoneOf(current.value, { version: Version.make(current.value.version + 1), now }))
            })
          )
        })

      return { list, delete: remove }
    })
  )
}
