/**
 * How a device reaches its cloud: push, pull and read the sync settings, as one signed-in device of one account.
 * In process it calls the sync engine directly; over HTTP it calls the server. A `TransportError` means the answer
 * was lost: the request may or may not have been carried out, so the client retries with the same mutation ids.
 */
import type { Effect } from "effect"
import { Context, Schema } from "effect"
import type { App } from "../domain/App.js"
import type {
  AccountNotFound,
  BatchTooLarge,
  InvalidCursor,
  ResyncRequired,
  SyncTooSoon
} from "../domain/Errors.js"
import type { Mutation } from "../domain/Mutation.js"
import type { SyncSettings } from "../domain/SyncSettings.js"
import type { StoreError } from "../ports/StoreError.js"
import type { SealingFailed } from "../services/RecordSealing.js"
import type { PullRequest, PullResult, PushResult, SyncOptions } from "../services/SyncEngine.js"

export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  reason: Schema.String
}) {
  readonly code = "transport-failure"
  override get message() {
    return `The cloud could not be reached or its answer was lost: ${this.reason}`
  }
}

/** Everything a sync call can fail with, as the device sees it. */
export type SyncCallError = TransportError | AccountNotFound | SealingFailed | StoreError

export class SyncTransport extends Context.Tag("@custos/core/SyncTransport")<SyncTransport, {
  readonly push: (
    app: App,
    mutations: ReadonlyArray<Mutation>,
    options?: SyncOptions
  ) => Effect.Effect<PushResult, BatchTooLarge | SyncTooSoon | SyncCallError>
  readonly pull: (
    app: App,
    request: PullRequest & SyncOptions
  ) => Effect.Effect<PullResult, InvalidCursor | ResyncRequired | SyncTooSoon | SyncCallError>
  readonly settings: Effect.Effect<SyncSettings, SyncCallError>
}>() {}
