/**
 * Push and pull (DESIGN.md "Sync"): a device pushes batches of mutations of one app, each answered on its own, and
 * pulls the changes after its cursor in pages. The device is the one the session belongs to. A background sync
 * earlier than the plan allows is answered 429 with `Retry-After`; a cursor older than the tombstone horizon is
 * answered 410 and the device pulls again from the start.
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { App } from "../domain/App.js"
import { Cursor } from "../domain/Cursor.js"
import { Mutation, MutationOutcome, RecordView } from "../domain/Mutation.js"
import { Authentication } from "./Security.js"
import * as Wire from "./WireErrors.js"

export const SyncTrigger = Schema.Literal("background", "user").annotations({
  identifier: "SyncTrigger",
  description: "`background` syncs are held to the plan's frequency; `user` (the default) syncs are not"
})

export const AppPath = Schema.Struct({ app: App })

/**
 * A push body; a field the protocol does not name is refused, not ignored: a misspelt `baseVersion` would otherwise
 * turn a conditional write into a blind one that overwrites whatever is there.
 */
export const PushRequest = Schema.Struct({
  mutations: Schema.Array(Mutation).annotations({ description: "At most 500 mutations" })
}).annotations({ identifier: "PushRequest", parseOptions: { onExcessProperty: "error" } })

export const PushResult = Schema.Struct({
  outcomes: Schema.Array(MutationOutcome),
  /** Epoch ms before which the device should not sync again in the background. */
  nextSyncAt: Schema.Number
}).annotations({ identifier: "PushResult" })

export const PullResult = Schema.Struct({
  changes: Schema.Array(RecordView),
  /** Where the next pull continues; store it only once the page is applied. */
  cursor: Cursor,
  /** More changes wait after this page: pull again at once. */
  hasMore: Schema.Boolean,
  nextSyncAt: Schema.Number
}).annotations({ identifier: "PullResult" })

const Limit = Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000))

export class SyncApi extends HttpApiGroup.make("sync")
  .add(
    HttpApiEndpoint.post("push", "/apps/:app/push")
      .setPath(AppPath)
      .setUrlParams(Schema.Struct({ trigger: Schema.optional(SyncTrigger) }))
      .setPayload(PushRequest)
      .addSuccess(PushResult)
      .addError(Wire.BatchTooLarge, { status: 413 })
      .annotate(OpenApi.Summary, "Push a batch of mutations of one app; each is answered on its own")
  )
  .add(
    HttpApiEndpoint.get("changes", "/apps/:app/changes")
      .setPath(AppPath)
      .setUrlParams(Schema.Struct({
        cursor: Schema.optional(Schema.String),
        limit: Schema.optional(Limit),
        trigger: Schema.optional(SyncTrigger)
      }))
      .addSuccess(PullResult)
      .addError(Wire.InvalidCursor, { status: 400 })
      .addError(Wire.ResyncRequired, { status: 410 })
      .annotate(OpenApi.Summary, "Pull the changes of one app after a cursor, in pages")
  )
  .middleware(Authentication)
  .addError(Wire.SyncTooSoon, { status: 429 })
  .addError(Wire.AccountNotFound, { status: 404 })
  .addError(Wire.SealingFailed, { status: 500 })
  .addError(Wire.StoreError, { status: 503 })
  .annotate(OpenApi.Title, "Sync")
{}
