/**
 * The trash (§4.1.3(2), §4.1.4(3)): what deleting does in the seven trash apps. A trashed record keeps its payload
 * and its retention receipt (`deleteBy`), can be restored as a new version every device sees, or purged for good
 * by hand, by emptying the trash, or by the sweeper once its receipt runs out. Only trashed records can be
 * restored or purged; every other state is refused with `NotInTrash` and nothing changes.
 *
 * Listing the trash and restoring open content, and each is written to the account's access log first (§4.1.5): a
 * page of the trash is one opening per app in it (`trash-list`), a restore one (`trash-restore`). A purge answers
 * with the tombstone and opens nothing.
 */
import { Context, Effect, Layer, Option } from "effect"
import type { App } from "../domain/App.js"
import { type AccountNotFound, NoTrash, NotInTrash, RecordNotFound } from "../domain/Errors.js"
import type { AccountId, RecordId } from "../domain/Ids.js"
import { policyOf } from "../domain/Inventory.js"
import type { RecordView } from "../domain/Mutation.js"
import type { GalleryItem } from "../domain/Payloads.js"
import { type StoredRecord, Version } from "../domain/Record.js"
import { RecordStore } from "../ports/RecordStore.js"
import type { StoreError } from "../ports/StoreError.js"
import { AccountService } from "./AccountService.js"
import { restoreFromTrash, tombstoneOf } from "./internal/recordTransitions.js"
import { DeletedOnPurpose } from "./DeletedOnPurpose.js"
import { plainView, RecordSealing, type SealingFailed } from "./RecordSealing.js"

export interface TrashItem {
  readonly app: App
  readonly record: RecordView
}

export interface TrashQuery {
  readonly app?: App | undefined
  /** The `next` of the previous page. */
  readonly after?: number | undefined
  readonly limit?: number | undefined
}

export interface TrashPage {
  readonly items: ReadonlyArray<TrashItem>
  /** Pass back as `after` for the next page; absent on the last page. */
  readonly next?: number | undefined
}

/** How many records one purge transaction handles, so a large trash never holds the account lock for long. */
export const purgeBatchSize = 200

export class TrashService extends Context.Tag("@custos/core/TrashService")<TrashService, {
  /** The trash of one app, or of every app, oldest trashing first by change order. */
  readonly list: (
    accountId: AccountId,
    options?: TrashQuery
  ) => Effect.Effect<TrashPage, NoTrash | AccountNotFound | SealingFailed | StoreError>
  readonly restore: (
    accountId: AccountId,
    app: App,
    id: RecordId
  ) => Effect.Effect<RecordView, NoTrash | NotInTrash | RecordNotFound | AccountNotFound | SealingFailed | StoreError>
  readonly purge: (
    accountId: AccountId,
    app: App,
    id: RecordId
  ) => Effect.Effect<RecordView, NoTrash | NotInTrash | RecordNotFound | AccountNotFound | SealingFailed | StoreError>
  /**
   * Purges what is in the trash (of one app, or all) at the moment of asking; records trashed while it runs stay.
   * Returns how many were purged.
   */
  readonly empty: (
    accountId: AccountId,
    options?: { readonly app?: App | undefined }
  ) => Effect.Effect<number, NoTrash | AccountNotFound | StoreError>
}>() {
  static readonly layer = Layer.effect(
    TrashService,
    Effect.gen(function*() {
      const accounts = yield* AccountService
      const records = yield* RecordStore
      const sealing = yield* RecordSealing
      const deletedOnPurpose = yield* DeletedOnPurpose
      const now = Effect.clockWith((clock) => clock.currentTimeMillis)

      const requireTrash = (app: App | undefined) =>
        app !== undefined && policyOf(app).onDelete !== "trash" ? Effect.fail(new NoTrash({ app })) : Effect.void

      /** Changes one trashed record inside the account's lock, after checking it is still in the trash. */
      const change = (
        accountId: AccountId,
        app: App,
        id: RecordId,
        next: (record: StoredRecord, now: number) => ReturnType<typeof tombstoneOf>,
        answer: (written: StoredRecord) => Effect.Effect<RecordView, SealingFailed | StoreError>
      ) =>
        Effect.gen(function*() {
          yield* requireTrash(app)
          yield* accounts.get(accountId)
          return yield* records.transact(accountId, (tx) =>
            Effect.gen(function*() {
              const current = yield* tx.get(app, id)
              if (Option.isNone(current)) return yield* new RecordNotFound({ app, recordId: id })
              if (current.value.state !== "trashed") {
                return yield* new NotInTrash({ app, recordId: id, state: current.value.state })
              }
              return yield* answer(yield* tx.write(next(current.value, yield* now)))
            })
          )
        })

      const purgeWrite = (record: StoredRecord, at: number) =>
        tombstoneOf(record, { version: Version.make(record.version + 1), now: at })

      const list = (
        accountId: AccountId,
        options: TrashQuery = {}
      ) =>
        Effect.gen(function*() {
          yield* requireTrash(options.app)
          yield* accounts.get(accountId)
          const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 1000)
          const page = yield* records.list(accountId, {
            app: options.app,
            state: "trashed",
            afterSeq: options.after,
            limit: limit + 1
          })
          const listed = page.slice(0, limit)
          const views = yield* sealing.viewAll(listed, "trash-list")
          const items = listed.map((r, i) => ({ app: r.app, record: views[i]! }))
          return page.length > limit ? { items, next: items[items.length - 1]!.record.seq } : { items }
        })

      const empty = (accountId: AccountId, options: { readonly app?: App | undefined } = {}) =>
        Effect.gen(function*() {
          yield* requireTrash(options.app)
          yield* accounts.get(accountId)
          // What was in the trash when asked: trashed before this instant, or at this very millisecond by a change
          // at or below today's head. A receipt extension rewrites a record (new seq) without trashing it again, so
          // the trashing time decides, not the seq; a later trashing has a later time, or a higher seq.
          const askedAt = yield* now
          const askedHead = yield* records.head(accountId)
          const wasThere = (r: StoredRecord) =>
            r.state === "trashed" && r.trashedAt !== undefined &&
            (r.trashedAt < askedAt || (r.trashedAt === askedAt && r.seq <= askedHead))
          let purged = 0
          let after = 0
          while (true) {
            const batch = yield* records.list(accountId, {
              app: options.app,
              state: "trashed",
              afterSeq: after,
              limit: purgeBatchSize
            })
            const due = batch.filter(wasThere)
            if (due.length > 0) {
              purged += yield* records.transact(accountId, (tx) =>
                Effect.gen(function*() {
                  let count = 0
                  const at = yield* now
                  for (const r of due) {
                    const current = yield* tx.get(r.app, r.id)
                    if (Option.isSome(current) && wasThere(current.value)) {
                      yield* tx.write(purgeWrite(current.value, at))
                      count++
                    }
                  }
                  return count
                })
              )
            }
            if (batch.length < purgeBatchSize) return purged
            after = batch[batch.length - 1]!.seq
          }
        })

      return {
        list,
        restore: (accountId, app, id) =>
          change(
            accountId,
            app,
            id,
            (r, at) => restoreFromTrash(r, { version: Version.make(r.version + 1), now: at }),
            (restored) => sealing.view(restored, "trash-restore")
          ).pipe(
            // Restored gallery content may be uploaded again; its digest comes from the opening just logged.
            Effect.tap((restored) =>
              app === "gallery" && restored.payload !== undefined
                ? deletedOnPurpose.forget(accountId, (restored.payload as GalleryItem).sha256)
                : Effect.void
            )
          ),
        purge: (accountId, app, id) => change(accountId, app, id, purgeWrite, (r) => Effect.succeed(plainView(r))),
        empty
      }
    })
  )
}
