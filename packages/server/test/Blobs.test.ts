/**
 * Blobs over HTTP against the in-process server: a 5 MiB upload streams past the small JSON body limit, downloads
 * whole once its record is pushed (404 before), ranged reads answer 206 with `Content-Range`, a range outside the
 * blob 416, and another account's blob id 404.
 */
import { MutationId, RecordId } from "@custos/core/domain/Ids"
import { samples } from "@custos/conformance/Samples"
import { HttpClientRequest, type HttpClientResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { createHash } from "node:crypto"
import { parseRange } from "../src/http/Blobs.js"
import { layerTestServer, raw, signUp } from "./support.js"

const content = (length: number) => {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + (i >>> 9) * 7) & 0xff
  return bytes
}

const bytesOf = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.map(response.arrayBuffer, (buffer) => Buffer.from(buffer))

const token = (grant: { readonly token: Redacted.Redacted<string> | string }) =>
  typeof grant.token === "string" ? grant.token : Redacted.value(grant.token)

const get = (path: string, bearer: string, range?: string) =>
  Effect.flatMap(raw, (http) =>
    http.execute(HttpClientRequest.get(path).pipe(
      HttpClientRequest.bearerToken(bearer),
      range === undefined ? (r) => r : HttpClientRequest.setHeader("range", range)
    )))

describe("blobs over HTTP", () => {
  it.effect("a 5 MiB upload streams in, and downloads whole or by range once its record is pushed", () =>
    Effect.gen(function*() {
      const http = yield* raw
      const alice = yield* signUp()
      const mallory = yield* signUp()
      const bearer = token(alice.grant)
      const bytes = content(5 * 1024 * 1024)
      const sha256 = createHash("sha256").update(bytes).digest("hex")

      const uploaded = yield* http.execute(HttpClientRequest.put("/v1/blobs/photo-5mib").pipe(
        HttpClientRequest.bearerToken(bearer),
        HttpClientRequest.bodyUint8Array(bytes, "application/octet-stream")
      ))
      assert.strictEqual(uploaded.status, 200)
      assert.deepStrictEqual(yield* uploaded.json, { id: "photo-5mib", size: bytes.length, sha256 })

      const before = yield* get("/v1/blobs/photo-5mib", bearer)
      assert.strictEqual(before.status, 404)
      assert.strictEqual(((yield* before.json) as { code: string }).code, "blob-not-found")

      yield* alice.api.settings.update({ payload: { apps: { gallery: true } } })
      const blob = { id: "photo-5mib", size: bytes.length, sha256 }
      const pushed = yield* alice.api.sync.push({
        path: { app: "gallery" },
        urlParams: {},
        payload: {
          mutations: [{
            mutationId: MutationId.make("m-photo"),
            recordId: RecordId.make("photo-1"),
            op: "put",
            baseVersion: 0,
            payload: { ...samples.gallery(1), size: blob.size, sha256, blob }
          }]
        }
      })
      assert.strictEqual(pushed.outcomes[0]?._tag, "applied")

      const whole = yield* get("/v1/blobs/photo-5mib", bearer)
      assert.strictEqual(whole.status, 200)
      assert.strictEqual(whole.headers["content-length"], String(bytes.length))
      assert.strictEqual(whole.headers["accept-ranges"], "bytes")
      assert.isTrue(Buffer.from(bytes).equals(yield* bytesOf(whole)))

      const start = 65_536 - 10
      const ranged = yield* get("/v1/blobs/photo-5mib", bearer, `bytes=${start}-${start + 99_999}`)
      assert.strictEqual(ranged.status, 206)
      assert.strictEqual(ranged.headers["content-range"], `bytes ${start}-${start + 99_999}/${bytes.length}`)
      assert.isTrue(Buffer.from(bytes.subarray(start, start + 100_000)).equals(yield* bytesOf(ranged)))

      const tail = yield* get("/v1/blobs/photo-5mib", bearer, "bytes=-5")
      assert.strictEqual(tail.status, 206)
      assert.isTrue(Buffer.from(bytes.subarray(bytes.length - 5)).equals(yield* bytesOf(tail)))

      const outside = yield* get("/v1/blobs/photo-5mib", bearer, `bytes=${bytes.length}-`)
      assert.strictEqual(outside.status, 416)
      assert.strictEqual(outside.headers["content-range"], `bytes */${bytes.length}`)
      assert.strictEqual(((yield* outside.json) as { code: string }).code, "blob-range-invalid")

      const foreign = yield* get("/v1/blobs/photo-5mib", token(mallory.grant))
      assert.strictEqual(foreign.status, 404)

      const anonymous = yield* http.execute(HttpClientRequest.get("/v1/blobs/photo-5mib"))
      assert.strictEqual(anonymous.status, 401)
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("a record that misstates the size or digest of an uploaded blob is rejected and not stored", () =>
    Effect.gen(function*() {
      const http = yield* raw
      const alice = yield* signUp()
      const mallory = yield* signUp()
      const bytes = content(200_000)
      const sha256 = createHash("sha256").update(bytes).digest("hex")
      const upload = (bearer: string, id: string) =>
        http.execute(HttpClientRequest.put(`/v1/blobs/${id}`).pipe(
          HttpClientRequest.bearerToken(bearer),
          HttpClientRequest.bodyUint8Array(bytes, "application/octet-stream")
        ))
      assert.strictEqual((yield* upload(token(alice.grant), "photo-a")).status, 200)
      assert.strictEqual((yield* upload(token(mallory.grant), "photo-m")).status, 200)
      yield* alice.api.settings.update({ payload: { apps: { gallery: true } } })
      let n = 0
      const pushPhoto = (blob: { readonly id: string; readonly size: number; readonly sha256: string }) =>
        alice.api.sync.push({
          path: { app: "gallery" },
          urlParams: {},
          payload: {
            mutations: [{
              mutationId: MutationId.make(`m-ref-${++n}`),
              recordId: RecordId.make(`photo-${n}`),
              op: "put",
              baseVersion: 0,
              payload: { ...samples.gallery(n), size: blob.size, sha256: blob.sha256, blob }
            }]
          }
        })
      const refusals = [
        // A record that understates its blob would count less against the quota than it stores.
        [{ id: "photo-a", size: 1, sha256 }, `it holds ${bytes.length} bytes, the record says 1`],
        [{ id: "photo-a", size: bytes.length + 1, sha256 }, `it holds ${bytes.length} bytes, the record says`],
        // A record that misstates its blob's digest would export, and be remembered as deleted, as other content.
        [{ id: "photo-a", size: bytes.length, sha256: "0".repeat(64) }, "its SHA-256 is not the one the record says"]
      ] as const
      for (const [blob, reason] of refusals) {
        const outcome = (yield* pushPhoto(blob)).outcomes[0]
        assert.strictEqual(outcome?._tag, "rejected", blob.id)
        assert.strictEqual(outcome?._tag === "rejected" ? outcome.code : undefined, "invalid-blob-ref")
        assert.include(outcome?._tag === "rejected" ? outcome.reason : "", reason)
      }
      const pulled = yield* alice.api.sync.changes({ path: { app: "gallery" }, urlParams: {} })
      assert.deepStrictEqual(pulled.changes, [], "no rejected record is stored")
      const accepted = yield* pushPhoto({ id: "photo-a", size: bytes.length, sha256 })
      assert.strictEqual(accepted.outcomes[0]?._tag, "applied")
      const usage = yield* alice.api.membership.get()
      assert.isAtLeast(usage.usage.bytes, bytes.length, "the blob counts at its real size")

      // A blob not uploaded (here: only another account has one under the id) counts at the size stated, and can
      // no longer be uploaded under that id once the record names it.
      const unbacked = yield* pushPhoto({ id: "photo-m", size: 5_000, sha256 })
      assert.strictEqual(unbacked.outcomes[0]?._tag, "applied")
      const late = yield* upload(token(alice.grant), "photo-m")
      assert.strictEqual(late.status, 409)
      assert.strictEqual(((yield* late.json) as { code: string }).code, "blob-in-use")
      assert.strictEqual((yield* get("/v1/blobs/photo-m", token(alice.grant))).status, 404, "nothing to download")
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("other JSON bodies keep their small limit", () =>
    Effect.gen(function*() {
      const http = yield* raw
      const { grant } = yield* signUp()
      const response = yield* http.execute(HttpClientRequest.post("/v1/apps/notes/push").pipe(
        HttpClientRequest.bearerToken(token(grant)),
        HttpClientRequest.bodyUint8Array(content(300 * 1024), "application/json")
      ))
      assert.strictEqual(response.status, 413)
    }).pipe(Effect.provide(layerTestServer())))

  it("reads one byte range from a Range header", () => {
    assert.deepStrictEqual(parseRange("bytes=0-9"), { start: 0, end: 10 })
    assert.deepStrictEqual(parseRange("bytes=5-"), { start: 5 })
    assert.deepStrictEqual(parseRange("bytes=-7"), { suffix: 7 })
    assert.isUndefined(parseRange(undefined))
    assert.isUndefined(parseRange("bytes=0-1,5-6"))
    assert.isUndefined(parseRange("items=0-1"))
    // A last byte before the first makes no range: the whole blob is served.
    assert.isUndefined(parseRange("bytes=5-2"))
    // Past what a number holds exactly: to the end, all of it, or (a first byte) past the end.
    assert.deepStrictEqual(parseRange("bytes=0-99999999999999999999"), { start: 0 })
    assert.deepStrictEqual(parseRange("bytes=-99999999999999999999"), { suffix: Number.MAX_SAFE_INTEGER })
    assert.deepStrictEqual(parseRange("bytes=99999999999999999999-"), { start: Number.MAX_SAFE_INTEGER })
  })
})
