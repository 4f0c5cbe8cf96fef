/**
 * What the suite needs from a target, whatever it is: Custos in process, or any implementation over HTTP. Every
 * requirement test talks to the target only through this port, so the same tests run against both.
 */
import type { SyncTransport } from "@custos/core/client/SyncTransport"
import type { AccessEntry, AccessLogVerdict } from "@custos/core/domain/AccessLog"
import type { App } from "@custos/core/domain/App"
import type { AccountId, DeviceId } from "@custos/core/domain/Ids"
import type { AppPolicy, DataTypeEntry } from "@custos/core/domain/Inventory"
import type { Purchase } from "@custos/core/domain/Membership"
import type { Mutation, RecordView } from "@custos/core/domain/Mutation"
import type { Plan } from "@custos/core/domain/Plan"
import type { SyncSettings } from "@custos/core/domain/SyncSettings"
import type { PullRequest, PullResult, PushResult, SyncOptions } from "@custos/core/services/SyncEngine"
import type { Duration, Effect } from "effect"
import { Context } from "effect"
import type { Capability } from "./Requirement.js"

/**
 * A failure as the target reported it: the domain errors keep their `_tag` and stable `code`; anything else the
 * driver could not make sense of arrives as `_tag: "DriverError"`.
 */
export interface TargetError {
  readonly _tag: string
  readonly code?: string
  readonly message: string
}

/** Bytes [start, end) of a file: `end` exclusive, the file's end when absent. */
export interface ByteRange {
  readonly start: number
  readonly end?: number | undefined
}

export class Driver extends Context.Tag("@custos/conformance/Driver")<Driver, {
  readonly name: string
  readonly capabilities: ReadonlySet<Capability>
  readonly inventory: Effect.Effect<ReadonlyArray<DataTypeEntry>, TargetError>
  readonly policies: Effect.Effect<ReadonlyArray<AppPolicy>, TargetError>
  /** A fresh account in `region`; every test makes its own, so tests never share state. */
  readonly createAccount: (region: string) => Effect.Effect<AccountId, TargetError>
  readonly settings: (account: AccountId) => Effect.Effect<SyncSettings, TargetError>
  readonly updateSettings: (account: AccountId, patch: unknown) => Effect.Effect<SyncSettings, TargetError>
  readonly push: (
    account: AccountId,
    device: DeviceId,
    app: App,
    mutations: ReadonlyArray<Mutation>,
    options?: SyncOptions
  ) => Effect.Effect<PushResult, TargetError>
  readonly pull: (
    account: AccountId,
    app: App,
    request?: PullRequest & SyncOptions,
    device?: DeviceId
  ) => Effect.Effect<PullResult, TargetError>
  /** A transport for a device client signed in as `device` of `account`. */
  readonly transport: (account: AccountId, device: DeviceId) => Effect.Effect<SyncTransport["Type"], TargetError>
  readonly trash: (
    account: AccountId,
    app?: App
  ) => Effect.Effect<ReadonlyArray<{ readonly app: App; readonly record: RecordView }>, TargetError>
  readonly restore: (account: AccountId, app: App, id: string) => Effect.Effect<RecordView, TargetError>
  readonly purge: (account: AccountId, app: App, id: string) => Effect.Effect<RecordView, TargetError>
  readonly emptyTrash: (account: AccountId, app?: App) => Effect.Effect<number, TargetError>
  readonly membership: (account: AccountId) => Effect.Effect<{
    readonly plan: Plan
    readonly validUntil?: number | undefined
    readonly usage: { readonly records: number; readonly bytes: number }
  }, TargetError>
  readonly purchases: (account: AccountId) => Effect.Effect<ReadonlyArray<Purchase>, TargetError>
  /** Records a purchase as the operator would (needs `admin-purchases`). */
  readonly recordPurchase: (input: {
    readonly account: AccountId
    readonly id: string
    readonly planId: string
    readonly validFrom: number
    readonly validUntil: number
    readonly details: unknown
  }) => Effect.Effect<Purchase, TargetError>
  /** The plans the target offers. */
  readonly plans: Effect.Effect<ReadonlyArray<Plan>, TargetError>
  readonly backups: (account: AccountId) => Effect.Effect<
    ReadonlyArray<{ readonly deviceId?: string | undefined; readonly backups: ReadonlyArray<RecordView> }>,
    TargetError
  >
  readonly deleteBackup: (account: AccountId, id: string) => Effect.Effect<void, TargetError>
  readonly deleteDataType: (account: AccountId, dataType: string) => Effect.Effect<number, TargetError>
  readonly deleteAccount: (account: AccountId) => Effect.Effect<void, TargetError>
  /**
   * Everything the target stores for the account, as the text its stores hold it (needs `storage-probe`): the
   * suite looks in it for content that should only ever be there sealed.
   */
  readonly rawStorage: (account: AccountId) => Effect.Effect<ReadonlyArray<string>, TargetError>
  /**
   * Uploads `bytes` as the file `blobId` of the account (needs `blobs`); answers the size and the lower-case hex
   * SHA-256 the target took, which a record naming the file then states.
   */
  readonly uploadBlob: (
    account: AccountId,
    blobId: string,
    bytes: Uint8Array
  ) => Effect.Effect<{ readonly size: number; readonly sha256: string }, TargetError>
  /** Downloads the file `blobId` of the account (needs `blobs`): whole, or the bytes of a range that is not empty. */
  readonly downloadBlob: (
    account: AccountId,
    blobId: string,
    range?: ByteRange
  ) => Effect.Effect<Uint8Array, TargetError>
  /** The account's access log, oldest entry first, as the account reads it (§4.1.5). */
  readonly accessLog: (account: AccountId) => Effect.Effect<ReadonlyArray<AccessEntry>, TargetError>
  /** The target's own verification of the account's access log. */
  readonly verifyAccessLog: (account: AccountId) => Effect.Effect<AccessLogVerdict, TargetError>
  /** The current time on the target's clock (epoch ms). */
  readonly now: Effect.Effect<number, TargetError>
  /** Moves the target's clock forward and runs its time-driven jobs (needs `clock-control`). */
  readonly advanceClock: (by: Duration.DurationInput) => Effect.Effect<void, TargetError>
}>() {}
