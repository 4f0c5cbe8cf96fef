/**
 * Handlers of the blobs group. The upload reads the raw request stream, so the body is sealed and stored as it
 * arrives and never held whole; its size limit is the blob service's (per blob and the account's quota), not the
 * JSON body limit, from which `guard` exempts this route. The download streams the opened content, whole (200) or
 * the one range asked (206 with `Content-Range`); a range outside the blob is 416 with `Content-Range: bytes
 * *\/<size>`. Several ranges in one header are not served as multipart: the whole blob is answered instead, as
 * HTTP allows.
 */
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { CurrentSession } from "@custos/core/protocol/Security"
import { BlobService, type DownloadRange } from "@custos/core/services/BlobService"
import { HttpApiBuilder, HttpApp, HttpServerResponse } from "@effect/platform"
import { Effect, Stream } from "effect"
import { asSessionDevice } from "./Accessors.js"
import { observe } from "./Observe.js"

/**
 * The one range of a `Range` header, or undefined to serve the whole blob: absent, several ranges, not bytes, or a
 * range whose last byte comes before its first (RFC 9110 §14.1.1 makes that no range at all). Positions past what a
 * number holds exactly mean "past the end": a last byte beyond the blob is its end (§14.1.2), a suffix longer than
 * the blob is all of it, a first byte beyond it is unsatisfiable.
 */
export const parseRange = (header: string | undefined): DownloadRange | undefined => {
  if (header === undefined) return undefined
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (match === null) return undefined
  const [, first = "", last = ""] = match
  if (first === "" && last === "") return undefined
  const position = (digits: string) => Math.min(Number(digits), Number.MAX_SAFE_INTEGER)
  if (first === "") return { suffix: position(last) }
  const start = position(first)
  if (last === "") return { start }
  const end = position(last)
  if (end < start) return undefined
  return end >= Number.MAX_SAFE_INTEGER - 1 ? { start } : { start, end: end + 1 }
}

/** Sets `Content-Range: bytes *\/<size>` on the 416 answer. */
const unsatisfiable = (size: number) =>
  HttpApp.appendPreResponseHandler((_request, response) =>
    Effect.succeed(HttpServerResponse.setHeader(response, "content-range", `bytes */${size}`))
  )

export const BlobsLive = HttpApiBuilder.group(CustosApi, "blobs", (handlers) =>
  Effect.gen(function*() {
    const blobs = yield* BlobService
    return handlers
      .handleRaw("upload", ({ path, request }) =>
        CurrentSession.pipe(
          Effect.flatMap((session) => {
            const length = Number(request.headers["content-length"])
            return blobs.upload(
              session.accountId,
              path.blobId,
              // A body that breaks off (the client went away) ends the upload; nothing of it is kept.
              Stream.orDie(request.stream),
              { declaredSize: Number.isSafeInteger(length) && length >= 0 ? length : undefined }
            )
          }),
          Effect.map((uploaded) => ({ id: path.blobId, ...uploaded })),
          observe
        ))
      .handle("download", ({ headers, path }) =>
        CurrentSession.pipe(
          Effect.flatMap((session) => blobs.download(session.accountId, path.blobId, parseRange(headers.range))),
          Effect.tapError((error) => error._tag === "BlobRangeInvalid" ? unsatisfiable(error.size) : Effect.void),
          Effect.map((download) => {
            const common = { "accept-ranges": "bytes" }
            const stream = download.stream.pipe(
              Stream.tapError((error) => Effect.logError("A blob download broke off", error))
            )
            return download.range === undefined
              ? HttpServerResponse.stream(stream, {
                status: 200,
                contentType: "application/octet-stream",
                contentLength: download.size,
                headers: common
              })
              : HttpServerResponse.stream(stream, {
                status: 206,
                contentType: "application/octet-stream",
                contentLength: download.range.end - download.range.start,
                headers: {
                  ...common,
                  "content-range": `bytes ${download.range.start}-${download.range.end - 1}/${download.size}`
                }
              })
          }),
          observe
        ))
      .pipe(asSessionDevice)
  }))
