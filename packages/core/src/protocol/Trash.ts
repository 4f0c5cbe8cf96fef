/**
 * The trash (§4.1.3(2), §4.1.4(3)) of the seven trash apps: list with retention receipts, restore, purge one item
 * for good, empty.
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { App } from "../domain/App.js"
import { RecordId } from "../domain/Ids.js"
import { RecordView } from "../domain/Mutation.js"
import { Authentication } from "./Security.js"
import * as Wire from "./WireErrors.js"

export const TrashItem = Schema.Struct({ app: App, record: RecordView }).annotations({ identifier: "TrashItem" })

export const TrashPage = Schema.Struct({
  items: Schema.Array(TrashItem),
  /** Pass back as `after` for the next page; absent on the last page. */
  next: Schema.optional(Schema.Number)
}).annotations({ identifier: "TrashPage" })

export const TrashItemPath = Schema.Struct({ app: App, id: RecordId })

export const EmptyTrashResult = Schema.Struct({ purged: Schema.Number }).annotations({ identifier: "EmptyTrashResult" })

export class TrashApi extends HttpApiGroup.make("trash")
  .add(
    HttpApiEndpoint.get("list", "/trash")
      .setUrlParams(Schema.Struct({
        app: Schema.optional(App),
        after: Schema.optional(Schema.NumberFromString),
        limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000)))
      }))
      .addSuccess(TrashPage)
      .annotate(OpenApi.Summary, "The trash of one app or of all, with each item's purge date")
  )
  .add(
    HttpApiEndpoint.post("restore", "/trash/:app/:id/restore")
      .setPath(TrashItemPath)
      .addSuccess(RecordView)
      .addError(Wire.NotInTrash, { status: 409 })
      .addError(Wire.RecordNotFound, { status: 404 })
      .annotate(OpenApi.Summary, "Restore an item: a new version every device sees")
  )
  .add(
    HttpApiEndpoint.del("purge", "/trash/:app/:id")
      .setPath(TrashItemPath)
      .addSuccess(RecordView)
      .addError(Wire.NotInTrash, { status: 409 })
      .addError(Wire.RecordNotFound, { status: 404 })
      .annotate(OpenApi.Summary, "Delete an item of the trash for good")
  )
  .add(
    HttpApiEndpoint.del("empty", "/trash")
      .setUrlParams(Schema.Struct({ app: Schema.optional(App) }))
      .addSuccess(EmptyTrashResult)
      .annotate(OpenApi.Summary, "Empty the trash of one app or of all, for good")
  )
  .middleware(Authentication)
  .addError(Wire.NoTrash, { status: 400 })
  .addError(Wire.AccountNotFound, { status: 404 })
  .addError(Wire.SealingFailed, { status: 500 })
  .addError(Wire.StoreError, { status: 503 })
  .annotate(OpenApi.Title, "Trash")
{}
