/**
 * The in-process driver: Custos core over whichever storage Layers the caller chooses. Time is Effect's clock, so
 * under `@effect/vitest` the suite moves it with `TestClock`. Calls on an account's behalf run as a device of it (the
 * `Accessor` of the access log, §4.1.5), as they would over HTTP signed in as that device; a purchase is recorded as
 * the operator.
 *
 * Files go through core's `BlobService` over the `BlobStore` of the storage Layer, and a push has the blobs its
 * records name checked against what was uploaded (`PushOptions.checkBlobs`), as the reference server's push does.
 * Moving the clock runs the jobs the server runs: the trash sweeper, tombstone compaction and the collection of files
 * no record names, a day after their upload as there.
 */
import { makeInProcessTransport } from "@custos/core/client/InProcessTransport"
import { Policies, Inventory } from "@custos/core/domain/Inventory"
import { type AccountId, DeviceId, RecordId } from "@custos/core/domain/Ids"
import { AccessLogStore } from "@custos/core/ports/AccessLogStore"
import { AccountKeyStore } from "@custos/core/ports/AccountKeyStore"
import { AccountStore } from "@custos/core/ports/AccountStore"
import { BlobId, BlobStore } from "@custos/core/ports/BlobStore"
import { Crypto } from "@custos/core/ports/Crypto"
import { DeletedContentStore } from "@custos/core/ports/DeletedContentStore"
import { KeyManagement } from "@custos/core/ports/KeyManagement"
import { DeviceStore } from "@custos/core/ports/DeviceStore"
import { MembershipStore } from "@custos/core/ports/MembershipStore"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { SyncSettingsStore } from "@custos/core/ports/SyncSettingsStore"
import { AccessLog, Accessor } from "@custos/core/services/AccessLog"
import { AccountService } from "@custos/core/services/AccountService"
import { BlobService, layerBlobService } from "@custos/core/services/BlobService"
import { layerCoreServices } from "@custos/core/services/CoreServices"
import { SyncEngine } from "@custos/core/services/SyncEngine"
import { SyncSettingsService } from "@custos/core/services/SyncSettingsService"
import { TombstoneCompaction } from "@custos/core/services/TombstoneCompaction"
import { TrashService } from "@custos/core/services/TrashService"
import { TrashSweeper } from "@custos/core/services/TrashSweeper"
import { BackupService } from "@custos/core/services/BackupService"
import { MembershipService } from "@custos/core/services/MembershipService"
import { PlanCatalogueRef } from "@custos/core/services/PlanCatalogueRef"
import { PrivacyService } from "@custos/core/services/PrivacyService"
import type { AccessEntry } from "@custos/core/domain/AccessLog"
import type { App } from "@custos/core/domain/App"
import type { RecordView } from "@custos/core/domain/Mutation"
import { Chunk, Context, Effect, Encoding, Layer, Option, Schema, Stream, TestClock } from "effect"
import { Driver, type TargetError } from "../Driver.js"
import type { Capability } from "../Requirement.js"

/** Everything core needs from outside: the storage ports (the blob store among them) and the key ports. */
export type StorageLayer<E = never> = Layer.Layer<
  | RecordStore
  | AccountStore
  | SyncSettingsStore
  | MembershipStore
  | DeviceStore
  | AccountKeyStore
  | DeletedContentStore
  | AccessLogStore
  | BlobStore
  | Crypto
  | KeyManagement,
  E
>

/** The ports a `StorageLayer` provides, by name: what a wiring module loaded at run time is checked for. */
const storagePorts: ReadonlyArray<readonly [string, Context.Tag<any, any>]> = [
  ["RecordStore", RecordStore],
  ["AccountStore", AccountStore],
  ["SyncSettingsStore", SyncSettingsStore],
  ["MembershipStore", MembershipStore],
  ["DeviceStore", DeviceStore],
  ["AccountKeyStore", AccountKeyStore],
  ["DeletedContentStore", DeletedContentStore],
  ["AccessLogStore", AccessLogStore],
  ["BlobStore", BlobStore],
  ["Crypto", Crypto],
  ["KeyManagement", KeyManagement]
]

/**
 * The ports `storage` does not provide, by name, found by building it once (and releasing it): a wiring module is
 * typed only where it is written, and one that lacks a port would otherwise fail every check the same way.
 */
export const missingPorts = (storage: Layer.Layer<unknown, unknown>) =>
  Effect.scoped(Effect.map(Layer.build(storage), (context) =>
    storagePorts.filter(([, tag]) => Option.isNone(Context.getOption(context, tag))).map(([name]) => name)))

/** The device the suite pulls as when a check does not name one. */
const readerDevice = DeviceId.make("conformance-reader")

const capabilities: ReadonlySet<Capability> = new Set<Capability>([
  "clock-control",
  "region-browser",
  "admin-purchases",
  "storage-probe",
  "blobs"
])

/** How old a file no record names must be before the jobs collect it: a day, as on the reference server. */
const blobGraceMs = 24 * 60 * 60 * 1000

/** The id as a `BlobId`; one that is none cannot be asked for (over HTTP the typed client refuses it too). */
const blobIdOf = (id: string) =>
  Schema.decodeUnknown(BlobId)(id).pipe(
    Effect.mapError((): TargetError => ({ _tag: "DriverError", message: `${JSON.stringify(id)} is not a blob id` }))
  )

/** The chunks of a stream of bytes (a download, a stored file) as one array. */
const concat = (chunks: Chunk.Chunk<Uint8Array>) => {
  const parts = Chunk.toReadonlyArray(chunks)
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    bytes.set(part, at)
    at += part.length
  }
  return bytes
}

export const layerInProcessDriver = <E>(name: string, storage: StorageLayer<E>) =>
  Layer.effect(
    Driver,
    Effect.gen(function*() {
      const context = yield* Effect.context<AccountService | SyncSettingsService | SyncEngine | BlobService>()
      const accounts = yield* AccountService
      const settings = yield* SyncSettingsService
      const engine = yield* SyncEngine
      const compaction = yield* TombstoneCompaction
      const trash = yield* TrashService
      const sweeper = yield* TrashSweeper
      const membership = yield* MembershipService
      const backups = yield* BackupService
      const privacy = yield* PrivacyService
      const records = yield* RecordStore
      const memberships = yield* MembershipStore
      const settingsStore = yield* SyncSettingsStore
      const accessLog = yield* AccessLog
      const accessLogStore = yield* AccessLogStore
      const blobs = yield* BlobService
      const blobStore = yield* BlobStore
      const asTarget = <A, Err extends TargetError>(effect: Effect.Effect<A, Err>) =>
        effect as Effect.Effect<A, TargetError>
      /** Runs `effect` as `device` of the account, or as the operator. */
      const asDevice = (device: DeviceId) => Effect.provideService(Accessor, { kind: "device", id: device })
      const asOperator = Effect.provideService(Accessor, { kind: "operator", id: "conformance-operator" })
      const asAccount = asDevice(readerDevice)
      const readAccessLog = (account: AccountId) =>
        Effect.gen(function*() {
          const entries: Array<AccessEntry> = []
          let after: number | undefined
          do {
            const page = yield* accessLog.list(account, { after, limit: 1000 })
            entries.push(...page.entries)
            after = page.next
          } while (after !== undefined)
          return entries
        })
      return Driver.of({
        name,
        capabilities,
        inventory: Effect.succeed(Inventory),
        policies: Effect.succeed(Object.values(Policies)),
        createAccount: (region) => asTarget(accounts.create({ region }).pipe(Effect.map((a) => a.id))),
        settings: (account) => asTarget(settings.get(account)),
        updateSettings: (account, patch) => asTarget(settings.update(account, patch).pipe(Effect.map((c) => c.settings))),
        push: (account, device, app, mutations, options) =>
          asTarget(asDevice(device)(engine.push(account, device, app, mutations, {
            ...options,
            checkBlobs: (stated) => blobs.checkRefs(account, app, stated)
          }))),
        pull: (account, app, request, device = readerDevice) =>
          asTarget(asDevice(device)(engine.pull(account, device, app, request))),
        transport: (account, device) =>
          makeInProcessTransport(account, device).pipe(Effect.provide(context)),
        trash: (account, app) =>
          asTarget(Effect.gen(function*() {
            const items: Array<{ readonly app: App; readonly record: RecordView }> = []
            let after: number | undefined
            do {
              const page = yield* asAccount(trash.list(account, { app, after, limit: 1000 }))
              items.push(...page.items)
              after = page.next
            } while (after !== undefined)
            return items
          })),
        restore: (account, app, id) => asTarget(asAccount(trash.restore(account, app, RecordId.make(id)))),
        purge: (account, app, id) => asTarget(asAccount(trash.purge(account, app, RecordId.make(id)))),
        emptyTrash: (account, app) => asTarget(asAccount(trash.empty(account, { app }))),
        membership: (account) =>
          asTarget(Effect.gen(function*() {
            const status = yield* membership.status(account)
            return { plan: status.plan, validUntil: status.validUntil, usage: yield* records.usage(account) }
          })),
        purchases: (account) => asTarget(asAccount(membership.purchases(account))),
        recordPurchase: ({ account, ...rest }) =>
          asTarget(asOperator(membership.recordPurchase({ accountId: account, ...rest }))),
        plans: Effect.map(PlanCatalogueRef, (catalogue) => catalogue.plans),
        backups: (account) => asTarget(asAccount(backups.list(account))),
        deleteBackup: (account, id) => asTarget(asAccount(backups.delete(account, RecordId.make(id)))),
        deleteDataType: (account, dataType) =>
          asTarget(asAccount(privacy.deleteDataType(account, dataType).pipe(Effect.map((d) => d.removed)))),
        deleteAccount: (account) => asTarget(asAccount(privacy.deleteAccount(account).pipe(Effect.asVoid))),
        rawStorage: (account) =>
          asTarget(Effect.gen(function*() {
            const raw: Array<string> = []
            for (const state of ["active", "trashed", "purged"] as const) {
              let after = 0
              while (true) {
                const page = yield* records.list(account, { state, afterSeq: after, limit: 500 })
                raw.push(...page.map((r) => JSON.stringify(r)))
                if (page.length < 500) break
                after = page[page.length - 1]!.seq
              }
            }
            raw.push(...(yield* memberships.purchases(account)).map((p) => JSON.stringify(p)))
            raw.push(JSON.stringify(yield* settingsStore.get(account)))
            // The access log names records, never their content.
            raw.push(...(yield* accessLogStore.list(account, { limit: 1_000_000 })).map((e) => JSON.stringify(e)))
            // Files as the blob store holds them, every byte (base64, which the probe decodes).
            for (const { blobId } of yield* blobStore.list(account)) {
              const bytes = concat(yield* Stream.runCollect(blobStore.get(account, blobId)))
              raw.push(JSON.stringify({ blobId, stored: Encoding.encodeBase64(bytes) }))
            }
            return raw
          })),
        uploadBlob: (account, blobId, bytes) =>
          asTarget(Effect.flatMap(blobIdOf(blobId), (id) =>
            asAccount(blobs.upload(account, id, Stream.make(bytes), { declaredSize: bytes.length })))),
        downloadBlob: (account, blobId, range) =>
          asTarget(Effect.flatMap(blobIdOf(blobId), (id) =>
            asAccount(blobs.download(account, id, range).pipe(
              Effect.flatMap((download) => Stream.runCollect(download.stream)),
              Effect.map(concat)
            )))),
        accessLog: (account) => asTarget(asAccount(readAccessLog(account))),
        verifyAccessLog: (account) => asTarget(asAccount(accessLog.verify(account))),
        now: Effect.clockWith((clock) => clock.currentTimeMillis),
        advanceClock: (by) =>
          TestClock.adjust(by).pipe(
            Effect.zipRight(asTarget(sweeper.sweep())),
            Effect.zipRight(asTarget(compaction.compactAll)),
            Effect.zipRight(asTarget(blobs.collectGarbage(blobGraceMs))),
            Effect.asVoid
          )
      })
    })
  ).pipe(Layer.provide(layerBlobService().pipe(Layer.provideMerge(layerCoreServices))), Layer.provide(storage))
