/**
 * The sync engine (DESIGN.md "Sync"): devices push batches of mutations and pull the changes after a cursor.
 *
 * - Every write takes the next account-wide `seq` inside the account's write lock, so a pull never misses a change
 *   that commits late.
 * - Each mutation is answered on its own: applied, duplicate (a retry: the first answer again), conflict (stale
 *   `baseVersion`: the current record comes back), or rejected with a code and a reason. Nothing refused is stored.
 * - A pull returns the latest state of each changed record in `seq` order, in pages; a cursor older than the
 *   tombstone horizon is answered with `ResyncRequired`, never with a silent gap.
 * - What deleting means is the app's policy (§4.1.3(2), §4.1.4(3)): trash apps keep the payload in the trash,
 *   other apps keep only a tombstone.
 * - Content is opened in batches, each written to the account's access log first (§4.1.5): a pull page is one
 *   opening (`sync-pull`), the current records of a push's conflicts another (`sync-conflict`), and the gallery items
 *   a push deletes a third (`gallery-fingerprint`).
 */
import { Context, Effect, Either, Layer, Option } from "effect"
import type { App } from "../domain/App.js"
import { type Cursor, decodeCursorPosition, encodeCursor } from "../domain/Cursor.js"
import {
  type AccountNotFound,
  AppDisabled,
  AppUnavailableInRegion,
  BatchTooLarge,
  ContentDeletedOnPurpose,
  FolderNotSelected,
  InvalidCursor,
  InvalidMutation,
  QuotaExceeded,
  ResyncRequired,
  type SyncTooSoon
} from "../domain/Errors.js"
import { type AccountId, type DeviceId, isDotSegment, type MutationId, type RecordId } from "../domain/Ids.js"
import { isAvailableIn, policyOf } from "../domain/Inventory.js"
import {
  type Applied,
  type Mutation,
  type MutationOutcome,
  type RecordView,
  type Rejected,
  type RememberedMutation
} from "../domain/Mutation.js"
import {
  blobRefsOf,
  type BlobRef,
  decodeAndEncodePayload,
  type GalleryItem,
  type Payload
} from "../domain/Payloads.js"
import { type StoredRecord, Version } from "../domain/Record.js"
import { isEnabled } from "../domain/SyncSettings.js"
import { bodyBytes } from "../internal/body.js"
import { RecordStore, type RecordTx } from "../ports/RecordStore.js"
import type { StoreError } from "../ports/StoreError.js"
import { AccountService } from "./AccountService.js"
import { SyncSettingsService } from "./SyncSettingsService.js"
import { DeletedOnPurpose, type KnownContent } from "./DeletedOnPurpose.js"
import { MembershipService } from "./MembershipService.js"
import { RecordSealing, type SealingFailed } from "./RecordSealing.js"
import { SyncPacing, type SyncTrigger } from "./SyncPacing.js"
import { moveToTrash, tombstoneOf } from "./internal/recordTransitions.js"

/** The most mutations one push may carry. */
export const maxBatchSize = 500
/** The most changes one pull page returns, and the default page size. */
export const maxPageSize = 1000
export const defaultPageSize = 200

export interface PushResult {
  readonly outcomes: ReadonlyArray<MutationOutcome>
  /** Epoch ms before which the device should not sync again in the background. */
  readonly nextSyncAt: number
}

export interface PullRequest {
  /** Absent: from the beginning of the app's feed. */
  readonly cursor?: string | undefined
  readonly limit?: number | undefined
}

export interface PullResult {
  readonly changes: ReadonlyArray<RecordView>
  /** Where the next pull continues; store it only once the page is applied. */
  readonly cursor: Cursor
  /** More changes wait after this page: pull again at once. */
  readonly hasMore: boolean
  readonly nextSyncAt: number
}


const reject = (m: Mutation, error: { readonly code: string; readonly message: string }): Rejected => ({
  _tag: "rejected",
  mutationId: m.mutationId,
  recordId: m.recordId,
  code: error.code,
  reason: error.message
})

export interface SyncOptions {
  /** A background sync is held to the plan's frequency; one the person asks for is not. Default `user`. */
  readonly trigger?: SyncTrigger | undefined
}

/** What the records of a push state of the blobs they name, record by record. */
export type StatedBlobs = ReadonlyArray<{ readonly recordId: RecordId; readonly refs: ReadonlyArray<BlobRef> }>

/** A record whose change `PushOptions.checkBlobs` refuses, and why. */
export interface RefusedBlobs {
  readonly recordId: RecordId
  readonly error: { readonly code: string; readonly message: string }
}

export interface PushOptions<E = never> extends SyncOptions {
  /**
   * Checks what the puts about to be applied state of their blobs (`BlobService.checkRefs` where blobs are kept) and
   * answers the records that misstate one: their puts are rejected with that error, as an invalid payload is, and
   * the rest of the push goes on. A failure (the store's) refuses the whole push, nothing stored. It runs inside the
   * account's write lock, after the batch, pacing and app checks, for the puts whose payloads are valid and that are
   * not retries already applied.
   */
  readonly checkBlobs?: ((stated: StatedBlobs) => Effect.Effect<ReadonlyArray<RefusedBlobs>, E>) | undefined
}

/**
 * What every mutation of one push shares: the gate, the settings, the time, the quota left, and what the batch knows
 * of its records and mutation ids (read with one call each before the first mutation, kept up to date as it writes).
 */
interface BatchContext {
  readonly tx: RecordTx
  readonly records: Map<RecordId, StoredRecord>
  readonly remembered: Map<MutationId, RememberedMutation>
  readonly deviceId: DeviceId
  readonly app: App
  readonly gate: { readonly code: string; readonly message: string } | undefined
  readonly galleryFolders: ReadonlyArray<string>
  readonly now: number
  readonly trashDays: number
  readonly quota: { usage: number; readonly limit: number }
  /** The content of the gallery items this push deletes, opened together before the first mutation. */
  readonly deleting: KnownContent | undefined
}

/**
 * A put's payload once checked and sealed, or why it is refused: worked out for the whole batch before the first
 * mutation (it depends on nothing the batch changes), so that the batch is sealed as one operation.
 */
type PreparedPut =
  | {
    readonly _tag: "sealed"
    readonly body: string
    readonly blobs: ReadonlyArray<BlobRef>
    /** A gallery item's content digest. */
    readonly gallerySha256: string | undefined
  }
  | { readonly _tag: "refused"; readonly error: { readonly code: string; readonly message: string } }

/** A conflict whose current record is opened after the batch, with the others, in one logged opening. */
interface PendingConflict {
  readonly _tag: "pending-conflict"
  readonly mutationId: Mutation["mutationId"]
  readonly recordId: Mutation["recordId"]
  readonly current: StoredRecord | undefined
}

export class SyncEngine extends Context.Tag("@custos/core/SyncEngine")<SyncEngine, {
  readonly push: <E = never>(
    accountId: AccountId,
    deviceId: DeviceId,
    app: App,
    mutations: ReadonlyArray<Mutation>,
    options?: PushOptions<E>
  ) => Effect.Effect<PushResult, BatchTooLarge | SyncTooSoon | AccountNotFound | SealingFailed | StoreError | E>
  readonly pull: (
    accountId: AccountId,
    deviceId: DeviceId,
    app: App,
    request?: PullRequest & SyncOptions
  ) => Effect.Effect<
    PullResult,
    InvalidCursor | ResyncRequired | SyncTooSoon | AccountNotFound | SealingFailed | StoreError
  >
}>() {
  static readonly layer = Layer.effect(
    SyncEngine,
    Effect.gen(function*() {
      const accounts = yield* AccountService
      const settingsService = yield* SyncSettingsService
      const membership = yield* MembershipService
      const pacing = yield* SyncPacing
      const records = yield* RecordStore
      const sealing = yield* RecordSealing
      const deletedOnPurpose = yield* DeletedOnPurpose

      const push = <E = never>(
        accountId: AccountId,
        deviceId: DeviceId,
        app: App,
        mutations: ReadonlyArray<Mutation>,
        options: PushOptions<E> = {}
      ) =>
        Effect.gen(function*() {
          if (mutations.length > maxBatchSize) {
            return yield* new BatchTooLarge({ size: mutations.length, limit: maxBatchSize })
          }
          const account = yield* accounts.get(accountId)
          const nextSyncAt = yield* pacing.admit(accountId, deviceId, options.trigger ?? "user")
          // Settings and plan are read inside the account's write lock: a change that turns the app off and purges its data
          // takes the same lock, so a push either lands before the purge (and is purged) or sees the app off.
          const outcomes = yield* records.transact(accountId, (tx) =>
            Effect.gen(function*() {
              const settings = yield* settingsService.get(accountId)
              const status = yield* membership.status(accountId)
              const usage = yield* records.usage(accountId)
              const gate = !isEnabled(settings, app)
                ? new AppDisabled({ app })
                : !isAvailableIn(app, account.region)
                ? new AppUnavailableInRegion({ app, region: account.region })
                : undefined
              const known = yield* knownTo(tx, app, mutations)
              const batch: BatchContext = {
                tx,
                ...known,
                deviceId,
                app,
                gate,
                galleryFolders: settings.galleryFolders,
                now: yield* Effect.clockWith((clock) => clock.currentTimeMillis),
                trashDays: status.plan.trashDays,
                quota: { usage: usage.bytes, limit: status.plan.storageBytes },
                deleting: app === "gallery" && gate === undefined
                  ? yield* deletedOnPurpose.contentOf(deletionTargets(known, mutations))
                  : undefined
              }
              const prepared = gate === undefined
                ? yield* preparePuts(
                  tx.accountId,
                  app,
                  settings.galleryFolders,
                  mutations,
                  known.remembered,
                  options.checkBlobs
                )
                : []
              const answers: Array<MutationOutcome | PendingConflict> = []
              for (let i = 0; i < mutations.length; i++) {
                answers.push(yield* applyOne(batch, mutations[i]!, prepared[i]))
              }
              const current = answers.flatMap((a) =>
                a._tag === "pending-conflict" && a.current !== undefined ? [a.current] : []
              )
              const views = yield* sealing.viewAll(current, "sync-conflict")
              let next = 0
              return answers.map((a): MutationOutcome =>
                a._tag !== "pending-conflict" ? a : {
                  _tag: "conflict",
                  mutationId: a.mutationId,
                  recordId: a.recordId,
                  ...(a.current !== undefined ? { current: views[next++]! } : {})
                }
              )
            })
          )
          return { outcomes, nextSyncAt }
        })

      /**
       * Checks the payload of every put of the batch that can reach it (not a retry already remembered when the batch
       * began), and what those that pass state of their blobs (`checkBlobs`), then seals them all with one call: what
       * `applyOne` uses, by position.
       */
      const preparePuts = <E>(
        accountId: AccountId,
        app: App,
        galleryFolders: ReadonlyArray<string>,
        mutations: ReadonlyArray<Mutation>,
        remembered: ReadonlyMap<MutationId, RememberedMutation>,
        checkBlobs: ((stated: StatedBlobs) => Effect.Effect<ReadonlyArray<RefusedBlobs>, E>) | undefined
      ) =>
        Effect.gen(function*() {
          const prepared: Array<PreparedPut | undefined> = []
          let toSeal: Array<{ readonly at: number; readonly encoded: unknown; readonly decoded: Payload }> = []
          for (let at = 0; at < mutations.length; at++) {
            const m = mutations[at]!
            if (m.op !== "put" || m.payload === undefined || remembered.has(m.mutationId)) {
              prepared.push(undefined)
              continue
            }
            const checked = checkPayload(app, galleryFolders, m.payload)
            if (Either.isLeft(checked)) {
              prepared.push({ _tag: "refused", error: checked.left })
              continue
            }
            prepared.push(undefined)
            toSeal.push({ at, ...checked.right })
          }
          if (checkBlobs !== undefined) {
            const stated = toSeal
              .map(({ at, decoded }) => ({ recordId: mutations[at]!.recordId, refs: blobRefsOf(app, decoded) }))
              .filter(({ refs }) => refs.length > 0)
            const refused = stated.length > 0 ? yield* checkBlobs(stated) : []
            if (refused.length > 0) {
              const errors = new Map(refused.map(({ error, recordId }) => [recordId, error]))
              toSeal = toSeal.filter(({ at }) => {
                const error = errors.get(mutations[at]!.recordId)
                if (error !== undefined) prepared[at] = { _tag: "refused", error }
                return error === undefined
              })
            }
          }
          const bodies = yield* sealing.sealAll(
            toSeal.map(({ at, encoded }) => ({ ids: { accountId, app, recordId: mutations[at]!.recordId }, encoded }))
          )
          toSeal.forEach(({ at, decoded }, i) => {
            prepared[at] = {
              _tag: "sealed",
              body: bodies[i]!,
              blobs: blobRefsOf(app, decoded),
              gallerySha256: app === "gallery" ? (decoded as GalleryItem).sha256 : undefined
            }
          })
          return prepared
        })

      const applyOne = (batch: BatchContext, m: Mutation, prepared: PreparedPut | undefined) =>
        Effect.gen(function*() {
          const { app, deviceId, now, tx } = batch
          const remembered = Option.fromNullable(batch.remembered.get(m.mutationId))
          if (Option.isSome(remembered)) {
            const first = remembered.value
            return first.app === app && first.recordId === m.recordId && first.op === m.op
              ? { _tag: "duplicate", mutationId: m.mutationId, recordId: m.recordId, first: first.outcome } as const
              : reject(m, new InvalidMutation({ reason: "this mutation id was already used for another change" }))
          }
          if (batch.gate !== undefined) return reject(m, batch.gate)

          let body: string | undefined
          let gallerySha256: string | undefined
          let blobs: ReadonlyArray<BlobRef> = []
          if (m.op === "put") {
            if (m.payload === undefined) {
              return reject(m, new InvalidMutation({ reason: "a put needs a payload" }))
            }
            if (prepared === undefined) return yield* Effect.dieMessage("SyncEngine: a put reached no prepared payload")
            if (prepared._tag === "refused") return reject(m, prepared.error)
            body = prepared.body
            blobs = prepared.blobs
            gallerySha256 = prepared.gallerySha256
          } else if (m.payload !== undefined) {
            return reject(m, new InvalidMutation({ reason: "a delete carries no payload" }))
          }

          const current = Option.fromNullable(batch.records.get(m.recordId))
          // No record is created under an id a URL path cannot name; one stored under it before stays writable.
          if (m.op === "put" && Option.isNone(current) && isDotSegment(m.recordId)) {
            return reject(m, new InvalidMutation({ reason: `a record id must not be "." or ".."` }))
          }
          const conflict: PendingConflict = {
            _tag: "pending-conflict",
            mutationId: m.mutationId,
            recordId: m.recordId,
            current: Option.getOrUndefined(current)
          }
          if (m.baseVersion !== undefined && !matchesBase(current, m.baseVersion)) return conflict

          const next = Option.match(current, {
            onNone: () => Version.make(1),
            onSome: (r) => Version.make(r.version + 1)
          })
          let written: StoredRecord
          if (m.op === "put") {
            // A trashed record comes back only through an explicit restore, never through a stale device's put.
            if (Option.isSome(current) && current.value.state === "trashed") return conflict
            // Nor does gallery content deleted on purpose come back as a new item, unless the person re-adds it.
            const isNew = Option.isNone(current) || current.value.state === "purged"
            if (gallerySha256 !== undefined && isNew) {
              if (m.readd !== true && (yield* deletedOnPurpose.isDeleted(tx.accountId, gallerySha256))) {
                return reject(m, new ContentDeletedOnPurpose({ recordId: m.recordId }))
              }
            }
            const size = bodyBytes(body!) + blobs.reduce((sum, blob) => sum + blob.size, 0)
            const growth = size - Option.match(current, { onNone: () => 0, onSome: (r) => r.size })
            if (growth > 0 && batch.quota.usage + growth > batch.quota.limit) {
              return reject(
                m,
                new QuotaExceeded({ usageBytes: batch.quota.usage, quotaBytes: batch.quota.limit, neededBytes: growth })
              )
            }
            written = yield* tx.write({
              accountId: tx.accountId,
              app,
              id: m.recordId,
              version: next,
              state: "active",
              body: body!,
              changedAt: now,
              changedBy: deviceId,
              size,
              ...(blobs.length > 0 ? { blobs: blobs.map((blob) => blob.id) } : {})
            })
            batch.records.set(m.recordId, written)
            batch.quota.usage += growth
            // The mark goes only once the re-added item is really written.
            if (gallerySha256 !== undefined && isNew && m.readd === true) {
              yield* deletedOnPurpose.forget(tx.accountId, gallerySha256)
            }
          } else {
            if (Option.isNone(current)) {
              return reject(m, new InvalidMutation({ reason: "there is no such record to delete" }))
            }
            const record = current.value
            if (record.state !== "active") {
              // Deleting what is already deleted changes nothing; the answer says where it stands.
              return applied(m, record)
            }
            yield* deletedOnPurpose.remember(record, batch.deleting)
            written = yield* tx.write(
              policyOf(app).onDelete === "trash"
                ? moveToTrash(record, { version: next, now, by: deviceId, trashDays: batch.trashDays })
                : tombstoneOf(record, { version: next, now, by: deviceId })
            )
            batch.records.set(m.recordId, written)
            batch.quota.usage -= record.size - written.size
          }
          const outcome = applied(m, written)
          const remember: RememberedMutation = { mutationId: m.mutationId, app, recordId: m.recordId, op: m.op, outcome }
          yield* tx.rememberMutation(remember, now)
          batch.remembered.set(m.mutationId, remember)
          return outcome
        })

      const pull = (accountId: AccountId, deviceId: DeviceId, app: App, request: PullRequest & SyncOptions = {}) =>
        Effect.gen(function*() {
          yield* accounts.get(accountId)
          const position = request.cursor === undefined
            ? undefined
            : yield* decodeCursorPosition(app, request.cursor)
          const afterSeq = position?.seq ?? 0
          const nextSyncAt = yield* pacing.admit(accountId, deviceId, request.trigger ?? "user")
          const asked = request.limit !== undefined && Number.isFinite(request.limit) ? request.limit : defaultPageSize
          const limit = Math.min(Math.max(Math.trunc(asked), 1), maxPageSize)
          // The head is read before the changes: everything at or below it has committed, so a page that ends the
          // feed may move the cursor up to it without passing a change that commits later.
          const head = yield* records.head(accountId)
          const page = yield* records.changes(accountId, { app, afterSeq, limit: limit + 1 })
          // The horizon is read after the changes: if compaction removed a tombstone this cursor had not seen,
          // before or during the read, the horizon now says so.
          const horizon = yield* records.horizon(accountId)
          if (afterSeq > head) {
            return yield* new InvalidCursor({ reason: "it is ahead of this account's changes (another account's?)" })
          }
          // Only a tombstone compacted after the cursor was issued, and past its position, can have been missed; a
          // pull without a cursor starts afresh and misses nothing.
          if (position !== undefined && horizon > Math.max(position.seq, position.horizon)) {
            return yield* new ResyncRequired({ horizon })
          }
          const hasMore = page.length > limit
          const changes = hasMore ? page.slice(0, limit) : page
          const last = changes.length > 0 ? changes[changes.length - 1]!.seq : afterSeq
          const cursor = encodeCursor(app, hasMore ? last : Math.max(last, head), position?.horizon ?? horizon)
          return { changes: yield* sealing.viewAll(changes, "sync-pull"), cursor, hasMore, nextSyncAt }
        })

      return { push, pull }
    })
  )
}

/** The current records of a push's batch and its mutation ids already remembered: two reads, whatever its size. */
const knownTo = (tx: RecordTx, app: App, mutations: ReadonlyArray<Mutation>) =>
  Effect.all({
    records: Effect.map(tx.getMany(app, mutations.map((m) => m.recordId)), (found) => new Map(found)),
    remembered: Effect.map(tx.recallMutations(mutations.map((m) => m.mutationId)), (found) => new Map(found))
  })

/**
 * The live records a push's deletes will move to the trash, as far as can be told before applying it: those whose
 * base version matches. A delete that turns out otherwise (an earlier mutation of the batch changed its record) opens
 * its record on its own.
 */
const deletionTargets = (
  known: { readonly records: ReadonlyMap<RecordId, StoredRecord>; readonly remembered: ReadonlyMap<MutationId, unknown> },
  mutations: ReadonlyArray<Mutation>
) => {
  const targets: Array<StoredRecord> = []
  for (const m of mutations) {
    if (m.op !== "delete" || m.payload !== undefined) continue
    if (known.remembered.has(m.mutationId)) continue
    const current = known.records.get(m.recordId)
    if (current === undefined || current.state !== "active") continue
    if (m.baseVersion === undefined || m.baseVersion === current.version) targets.push(current)
  }
  return targets
}

/**
 * A put's payload decoded (every field checked), its gallery folder checked against the selected ones, and encoded to
 * the form that is sealed; or the first reason it is refused, in that order.
 */
const checkPayload = (app: App, galleryFolders: ReadonlyArray<string>, payload: unknown) =>
  decodeAndEncodePayload(app, payload, (decoded) => {
    if (app !== "gallery") return undefined
    const item = decoded as GalleryItem
    return galleryFolders.includes(item.folder) ? undefined : new FolderNotSelected({ folder: item.folder })
  })

/** Whether `current` is what a mutation based on `baseVersion` expects; 0 expects no live record. */
const matchesBase = (current: Option.Option<StoredRecord>, baseVersion: number): boolean =>
  baseVersion === 0
    ? Option.isNone(current) || current.value.state === "purged"
    : Option.isSome(current) && current.value.version === baseVersion

const applied = (m: Mutation, record: StoredRecord): Applied => ({
  _tag: "applied",
  mutationId: m.mutationId,
  recordId: m.recordId,
  version: record.version,
  seq: record.seq,
  state: record.state
})

