/**
 * Blobs (DESIGN.md "Protocol"): the content a record references, uploaded and downloaded apart from it. The upload
 * body streams (it is sealed as it arrives, never held whole) and has its own size limit, apart from the JSON body
 * limit; a download serves `Range: bytes=a-b`, `bytes=a-` and `bytes=-n` with 206 and `Content-Range`, and answers
 * 416 for a range outside the blob. A blob is downloadable only once a record of the account that references it
 * has committed (see `services/BlobService.ts`).
 */
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { BlobId, BlobNotFound as BlobNotFoundError, BlobRangeInvalid as BlobRangeInvalidError, BlobTooLarge as BlobTooLargeError } from "../ports/BlobStore.js"
import { QuotaExceeded as QuotaExceededError } from "../domain/Errors.js"
import { BlobInUse as BlobInUseError } from "../services/BlobService.js"
import { wire } from "./Errors.js"
import { Authentication } from "./Security.js"
import * as Wire from "./WireErrors.js"

export const BlobNotFound = wire(BlobNotFoundError)
export const BlobTooLarge = wire(BlobTooLargeError)
export const BlobRangeInvalid = wire(BlobRangeInvalidError, {
  description: "The range is not within the blob; the response carries `Content-Range: bytes */<size>`"
})
export const BlobInUse = wire(BlobInUseError)
export const QuotaExceeded = wire(QuotaExceededError)

export const BlobUploaded = Schema.Struct({
  id: BlobId,
  /** Plaintext bytes stored. */
  size: Schema.Int.pipe(Schema.nonNegative()),
  /** Lower-case hex SHA-256 of the content: what the record's `BlobRef` states. */
  sha256: Schema.String
}).annotations({ identifier: "BlobUploaded" })
export type BlobUploaded = typeof BlobUploaded.Type

const BlobPath = Schema.Struct({ blobId: BlobId })

export class BlobsApi extends HttpApiGroup.make("blobs")
  .add(
    HttpApiEndpoint.put("upload", "/blobs/:blobId")
      .setPath(BlobPath)
      .setPayload(HttpApiSchema.Uint8Array({ contentType: "application/octet-stream" }))
      .addSuccess(BlobUploaded)
      .addError(BlobTooLarge, { status: 413 })
      .addError(QuotaExceeded, { status: 507 })
      .addError(BlobInUse, { status: 409 })
      .annotate(
        OpenApi.Summary,
        "Upload a blob (streamed); it can be downloaded once a record referencing it is pushed"
      )
  )
  .add(
    HttpApiEndpoint.get("download", "/blobs/:blobId")
      .setPath(BlobPath)
      .setHeaders(Schema.Struct({ range: Schema.optional(Schema.String) }))
      .addSuccess(HttpApiSchema.Uint8Array({ contentType: "application/octet-stream" }))
      .addError(BlobNotFound, { status: 404 })
      .addError(BlobRangeInvalid, { status: 416 })
      .annotate(
        OpenApi.Summary,
        "Download a blob a record of the account references, whole or a `Range: bytes=a-b` of it (206)"
      )
  )
  .middleware(Authentication)
  .addError(Wire.AccountNotFound, { status: 404 })
  .addError(Wire.SealingFailed, { status: 500 })
  .addError(Wire.StoreError, { status: 503 })
  .annotate(OpenApi.Title, "Blobs")
{}
