/**
 * The device side of sync (DESIGN.md "Sync"): a local replica of what the cloud holds, an outbox of the person's
 * changes, and a push-then-pull loop over a `SyncTransport`.
 *
 * - Every change is sent with the version it was based on, so the cloud can spot a concurrent change. A change
 *   the cloud answers with a conflict or a refusal is never silently dropped: it is kept in `conflicts()` or
 *   `rejections()` for the app to show, and the replica takes the cloud's state.
 * - A change whose answer was lost stays in the outbox with its mutation id and is sent again, so it is applied
 *   once however often it is retried.
 * - Wi-Fi only (§4.1.4(2)) and the next-sync time of the membership are obeyed for background syncs.
 */
import { Effect, Option, Random } from "effect"
import type { App } from "../domain/App.js"
import { isBackupDue } from "../domain/BackupSchedule.js"
import type { Cursor } from "../domain/Cursor.js"
import type { BatchTooLarge, InvalidCursor, ResyncRequired } from "../domain/Errors.js"
import type { MutationId, RecordId } from "../domain/Ids.js"
import { policyOf } from "../domain/Inventory.js"
import type { Mutation, RecordView } from "../domain/Mutation.js"
import type { RecordState } from "../domain/Record.js"
import type { SyncTrigger } from "../services/SyncPacing.js"
import { type SyncCallError, SyncTransport } from "./SyncTransport.js"

export type { SyncTrigger }

export interface LocalRecord {
  readonly id: RecordId
  readonly state: Exclude<RecordState, "purged">
  /** The cloud version this record is at or based on; 0 for a record the cloud has not seen yet. */
  readonly version: number
  readonly payload: unknown
  /** A local change waits to be sent. */
  readonly pending: boolean
}

/** A change of this device that did not land because the record changed elsewhere first. */
export interface ConflictReport {
  readonly app: App
  readonly recordId: RecordId
  readonly mutationId: MutationId
  readonly op: "put" | "delete"
  readonly payload?: unknown
  /** The record as the cloud has it now; absent if it does not exist there. */
  readonly current?: RecordView | undefined
}

/** A change of this device that the cloud refused, with its reason. */
export interface RejectionReport {
  readonly app: App
  readonly recordId: RecordId
  readonly mutationId: MutationId
  readonly op: "put" | "delete"
  readonly code: string
  readonly reason: string
}

export type Network = "wifi" | "cellular"

export interface SyncReport {
  readonly app: App
  /** Why nothing was done, when nothing was. */
  readonly skipped?: "wifi-only" | "too-early"
  readonly applied: number
  readonly duplicates: number
  readonly conflicts: number
  readonly rejected: number
  readonly pulled: number
  /** The cursor was too old and the replica was rebuilt from a full pull. */
  readonly resynced: boolean
}

export interface DeviceClientOptions {
  /** Makes this device's mutation ids unique in the account, e.g. the device id. */
  readonly mutationIdPrefix: string
  readonly batchSize?: number
  readonly pageSize?: number
}

interface OutboxEntry {
  readonly mutationId: MutationId
  readonly recordId: RecordId
  op: "put" | "delete"
  payload: unknown
  /** The version the change is based on; `previous` until the entry before it for the same record is answered. */
  base: number | "previous"
  /** Sent at least once: its id is out, so it may not be merged with later changes any more. */
  sent: boolean
}

interface AppReplica {
  readonly cloud: Map<RecordId, RecordView>
  outbox: Array<OutboxEntry>
  cursor: Cursor | undefined
  /**
   * Set while a full pull (first sync, or a resync) is under way, across syncs until it reaches the head: the ids
   * it has brought so far. When it completes, whatever it did not mention is gone from the cloud.
   */
  fullPull: Set<RecordId> | undefined
}

export interface DeviceSyncClient {
  /** Creates or replaces a record's payload (in its encoded JSON form) on this device. */
  readonly put: (app: App, id: RecordId, payload: unknown) => Effect.Effect<void>
  readonly remove: (app: App, id: RecordId) => Effect.Effect<void>
  /** Pushes the outbox, then pulls to the head of the app's feed. */
  readonly sync: (
    app: App,
    context: { readonly trigger: SyncTrigger; readonly network: Network }
  ) => Effect.Effect<SyncReport, BatchTooLarge | InvalidCursor | ResyncRequired | SyncCallError>
  /** What the person sees: the cloud's state with this device's pending changes on top. */
  readonly records: (app: App) => Effect.Effect<ReadonlyArray<LocalRecord>>
  readonly pendingCount: (app: App) => Effect.Effect<number>
  readonly conflicts: Effect.Effect<ReadonlyArray<ConflictReport>>
  readonly rejections: Effect.Effect<ReadonlyArray<RejectionReport>>
  /** The earliest time of the next background sync, once the cloud has said. */
  readonly nextSyncAt: Effect.Effect<Option.Option<number>>
  /**
   * Whether a home-screen backup is due under the schedule in the sync settings (§4.1.4(2)), given when the last
   * one was taken and the device's offset from UTC. A manual schedule is never due.
   */
  readonly homeScreenBackupDue: (
    lastBackupAt: number | undefined,
    utcOffsetMinutes?: number
  ) => Effect.Effect<boolean, SyncCallError>
}

export const makeDeviceSyncClient = (options: DeviceClientOptions) =>
  Effect.gen(function*() {
    const transport = yield* SyncTransport
    const batchSize = options.batchSize ?? 100
    const pageSize = options.pageSize ?? 200
    const replicas = new Map<App, AppReplica>()
    const conflicts: Array<ConflictReport> = []
    const rejections: Array<RejectionReport> = []
    const lock = yield* Effect.makeSemaphore(1)
    let counter = 0
    let nextSyncAt: number | undefined

    const replicaOf = (app: App): AppReplica => {
      let replica = replicas.get(app)
      if (replica === undefined) {
        replica = { cloud: new Map(), outbox: [], cursor: undefined, fullPull: undefined }
        replicas.set(app, replica)
      }
      return replica
    }

    // Ids must never repeat for a device, also across restarts of the app with a fresh client: a random part per
    // client instance keeps a new client from reusing the ids of an old one (which the cloud would take for retries).
    let instance = ""
    for (let i = 0; i < 10; i++) instance += (yield* Random.nextIntBetween(0, 36)).toString(36)
    const newMutationId = () => `${options.mutationIdPrefix}-${instance}-${(++counter).toString(36)}` as MutationId

    /** The version a new change to `id` is based on: the cloud's, or the answer to a change still out. */
    const baseFor = (replica: AppReplica, id: RecordId): number | "previous" => {
      if (replica.outbox.some((e) => e.recordId === id)) return "previous"
      const cloud = replica.cloud.get(id)
      // A tombstone may be compacted away in the cloud; "must not exist" matches both it and its absence.
      return cloud === undefined || cloud.state === "purged" ? 0 : cloud.version
    }

    const enqueue = (app: App, id: RecordId, op: "put" | "delete", payload: unknown) =>
      Effect.sync(() => {
        const replica = replicaOf(app)
        const last = replica.outbox.findLast((e) => e.recordId === id)
        if (last !== undefined && !last.sent) {
          // Not sent yet: the new change replaces it, keeping what it was based on.
          if (op === "delete" && last.base === 0) {
            replica.outbox = replica.outbox.filter((e) => e !== last)
          } else {
            last.op = op
            last.payload = payload
          }
          return
        }
        if (op === "delete" && last === undefined && !isLive(replica.cloud.get(id))) return
        replica.outbox.push({ mutationId: newMutationId(), recordId: id, op, payload, base: baseFor(replica, id), sent: false })
      })

    const toMutation = (e: OutboxEntry): Mutation => ({
      mutationId: e.mutationId,
      recordId: e.recordId,
      op: e.op,
      baseVersion: e.base === "previous" ? 0 : e.base,
      ...(e.op === "put" ? { payload: e.payload } : {})
    })

    const push = (app: App, replica: AppReplica, trigger: SyncTrigger) =>
      Effect.gen(function*() {
        const tally = { applied: 0, duplicates: 0, conflicts: 0, rejected: 0 }
        while (true) {
          const batch: Array<OutboxEntry> = []
          const inBatch = new Set<RecordId>()
          for (const e of replica.outbox) {
            if (batch.length >= batchSize) break
            if (inBatch.has(e.recordId)) continue
            inBatch.add(e.recordId)
            batch.push(e)
          }
          if (batch.length === 0) return tally
          for (const e of batch) e.sent = true
          const result = yield* transport.push(app, batch.map(toMutation), { trigger })
          nextSyncAt = result.nextSyncAt
          for (const outcome of result.outcomes) {
            const entry = replica.outbox.find((e) => e.mutationId === outcome.mutationId)
            if (entry === undefined) continue
            replica.outbox = replica.outbox.filter((e) => e !== entry)
            const followers = replica.outbox.filter((e) => e.recordId === entry.recordId)
            switch (outcome._tag) {
              case "applied":
              case "duplicate": {
                const answer = outcome._tag === "applied" ? outcome : outcome.first
                outcome._tag === "applied" ? tally.applied++ : tally.duplicates++
                const before = replica.cloud.get(entry.recordId)
                replica.cloud.set(entry.recordId, {
                  id: entry.recordId,
                  version: answer.version,
                  seq: answer.seq,
                  state: answer.state,
                  changedAt: before?.changedAt ?? 0,
                  ...(answer.state === "active"
                    ? { payload: entry.payload }
                    : answer.state === "trashed" && before?.payload !== undefined
                    ? { payload: before.payload }
                    : {})
                })
                for (const f of followers) if (f.base === "previous") f.base = answer.version
                break
              }
              case "conflict": {
                tally.conflicts++
                if (outcome.current !== undefined) replica.cloud.set(entry.recordId, outcome.current)
                // Changes made on top of the one that lost were made on a state the cloud never had.
                replica.outbox = replica.outbox.filter((e) => !followers.includes(e))
                for (const e of [entry, ...followers]) {
                  conflicts.push({
                    app,
                    recordId: e.recordId,
                    mutationId: e.mutationId,
                    op: e.op,
                    ...(e.op === "put" ? { payload: e.payload } : {}),
                    current: outcome.current
                  })
                }
                break
              }
              case "rejected": {
                tally.rejected++
                rejections.push({
                  app,
                  recordId: entry.recordId,
                  mutationId: entry.mutationId,
                  op: entry.op,
                  code: outcome.code,
                  reason: outcome.reason
                })
                // The refused change never reached the cloud: later ones build on what the cloud has.
                for (const f of followers) {
                  if (f.base === "previous") f.base = replica.cloud.get(entry.recordId)?.version ?? 0
                }
                break
              }
            }
          }
        }
      })

    const pull = (replica: AppReplica, app: App, trigger: SyncTrigger) =>
      Effect.gen(function*() {
        let pulled = 0
        let resynced = false
        let restarts = 0
        if (replica.cursor === undefined && replica.fullPull === undefined) replica.fullPull = new Set()
        while (true) {
          const page = yield* transport.pull(app, { cursor: replica.cursor, limit: pageSize, trigger }).pipe(
            Effect.map(Option.some),
            Effect.catchTag("ResyncRequired", (error) =>
              // A full pull is only restarted when compaction overtook it; a few times in a row means something is
              // wrong, and the error goes up instead of a loop.
              replica.fullPull !== undefined && replica.cursor === undefined || ++restarts > 3
                ? Effect.fail(error)
                : Effect.succeed(Option.none()))
          )
          if (Option.isNone(page)) {
            replica.cursor = undefined
            replica.fullPull = new Set()
            resynced = true
            continue
          }
          for (const change of page.value.changes) {
            replica.fullPull?.add(change.id)
            replica.cloud.set(change.id, change)
          }
          pulled += page.value.changes.length
          replica.cursor = page.value.cursor
          nextSyncAt = page.value.nextSyncAt
          if (!page.value.hasMore) break
        }
        if (replica.fullPull !== undefined) {
          // A full pull is the whole truth: what it did not mention is gone from the cloud.
          for (const id of replica.cloud.keys()) if (!replica.fullPull.has(id)) replica.cloud.delete(id)
          replica.fullPull = undefined
        }
        return { pulled, resynced }
      })

    const sync = (app: App, context: { readonly trigger: SyncTrigger; readonly network: Network }) =>
      lock.withPermits(1)(Effect.gen(function*() {
        const idle = { app, applied: 0, duplicates: 0, conflicts: 0, rejected: 0, pulled: 0, resynced: false }
        const settings = yield* transport.settings
        if (settings.wifiOnly && context.network !== "wifi") return { ...idle, skipped: "wifi-only" as const }
        if (context.trigger === "background" && nextSyncAt !== undefined) {
          const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
          if (now < nextSyncAt) return { ...idle, skipped: "too-early" as const }
        }
        const replica = replicaOf(app)
        const run = Effect.gen(function*() {
          const pushed = yield* push(app, replica, context.trigger)
          const pulled = yield* pull(replica, app, context.trigger)
          return { ...idle, ...pushed, ...pulled }
        })
        // The cloud holds background syncs to the plan's pace; a refusal is a skip, with the time to come back.
        return yield* run.pipe(Effect.catchTag("SyncTooSoon", (refused) =>
          Effect.sync(() => {
            nextSyncAt = refused.retryAt
            return { ...idle, skipped: "too-early" as const }
          })))
      }))

    const records = (app: App) =>
      Effect.sync(() => {
        const replica = replicaOf(app)
        const out = new Map<RecordId, LocalRecord>()
        for (const [id, view] of replica.cloud) {
          if (view.state !== "purged") {
            out.set(id, { id, state: view.state, version: view.version, payload: view.payload, pending: false })
          }
        }
        for (const e of replica.outbox) {
          const version = replica.cloud.get(e.recordId)?.version ?? 0
          if (e.op === "put") {
            out.set(e.recordId, { id: e.recordId, state: "active", version, payload: e.payload, pending: true })
          } else if (policyOf(app).onDelete === "trash" && out.has(e.recordId)) {
            out.set(e.recordId, { ...out.get(e.recordId)!, state: "trashed", pending: true })
          } else {
            out.delete(e.recordId)
          }
        }
        return [...out.values()]
      })

    return {
      put: (app, id, payload) => enqueue(app, id, "put", payload),
      remove: (app, id) => enqueue(app, id, "delete", undefined),
      sync,
      records,
      pendingCount: (app) => Effect.sync(() => replicaOf(app).outbox.length),
      conflicts: Effect.sync(() => [...conflicts]),
      rejections: Effect.sync(() => [...rejections]),
      nextSyncAt: Effect.sync(() => Option.fromNullable(nextSyncAt)),
      homeScreenBackupDue: (lastBackupAt, utcOffsetMinutes = 0) =>
        Effect.gen(function*() {
          const settings = yield* transport.settings
          const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
          return isBackupDue(settings.homeScreenBackup, lastBackupAt, now, utcOffsetMinutes)
        })
    } satisfies DeviceSyncClient
  })

const isLive = (view: RecordView | undefined) => view !== undefined && view.state === "active"
