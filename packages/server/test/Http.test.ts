/**
 * What every response carries and what the server serves besides the API: security headers, the OpenAPI document
 * and a docs page that loads nothing from elsewhere, body and rate limits.
 */
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { assert, describe, it } from "@effect/vitest"
import { HttpClientRequest, OpenApi } from "@effect/platform"
import { Effect, Option } from "effect"
import * as Fs from "node:fs"
import { openApiFile, renderOpenApi } from "../scripts/write-openapi.js"
import { layerTestServer, raw } from "./support.js"

describe("HTTP surface", () => {
  it.effect("sets security headers on answers and refusals, without HSTS on plain loopback HTTP", () =>
    Effect.gen(function*() {
      const http = yield* raw
      for (const response of [yield* http.get("/v1/plans"), yield* http.get("/v1/settings")]) {
        assert.strictEqual(response.headers["x-content-type-options"], "nosniff")
        assert.strictEqual(response.headers["x-frame-options"], "DENY")
        assert.strictEqual(response.headers["referrer-policy"], "no-referrer")
        assert.include(response.headers["content-security-policy"], "default-src 'none'")
        assert.strictEqual(response.headers["cache-control"], "no-store")
        assert.isUndefined(response.headers["strict-transport-security"])
      }
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("sends HSTS when it stands behind a TLS proxy", () =>
    Effect.gen(function*() {
      const response = yield* (yield* raw).get("/v1/plans")
      assert.include(response.headers["strict-transport-security"], "max-age=")
    }).pipe(Effect.provide(layerTestServer({ behindTlsProxy: true }))))

  it.effect("serves the OpenAPI document and a docs page with its scripts inline, nothing from a CDN", () =>
    Effect.gen(function*() {
      const http = yield* raw
      const spec = (yield* (yield* http.get("/v1/openapi.json")).json) as { paths: Record<string, unknown> }
      assert.property(spec.paths, "/v1/apps/{app}/push")
      const docs = yield* http.get("/docs")
      assert.strictEqual(docs.status, 200)
      const html = yield* docs.text
      assert.include(html, "SwaggerUIBundle")
      assert.notMatch(html, /<script[^>]+src=/)
      assert.notMatch(html, /<link[^>]+href="https?:/)
      assert.include(docs.headers["content-security-policy"], "script-src 'unsafe-inline'")
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("refuses a body over the limit with 413", () =>
    Effect.gen(function*() {
      const response = yield* (yield* raw).execute(
        HttpClientRequest.post("/v1/accounts").pipe(HttpClientRequest.bodyText("x".repeat(2048), "application/json"))
      )
      assert.strictEqual(response.status, 413)
      assert.strictEqual(((yield* response.json) as Record<string, unknown>)["code"], "body-too-large")
    }).pipe(Effect.provide(layerTestServer({ maxBodyBytes: 1024 }))))

  it.effect("refuses form bodies with 415, a bad multipart boundary included, and reads JSON that does not parse as 400", () =>
    Effect.gen(function*() {
      const http = yield* raw
      for (const contentType of ["multipart/form-data", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"]) {
        const response = yield* http.execute(
          HttpClientRequest.post("/v1/accounts").pipe(HttpClientRequest.bodyText("[1,2]", contentType))
        )
        assert.strictEqual(response.status, 415, contentType)
        assert.strictEqual(((yield* response.json) as Record<string, unknown>)["code"], "unsupported-media-type")
      }
      const broken = yield* http.execute(
        HttpClientRequest.post("/v1/accounts").pipe(HttpClientRequest.bodyText("{\"login", "application/json"))
      )
      assert.strictEqual(broken.status, 400)
      assert.strictEqual(((yield* broken.json) as Record<string, unknown>)["code"], "invalid-request")
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("limits requests per address with 429 and Retry-After", () =>
    Effect.gen(function*() {
      const http = yield* raw
      const statuses: Array<number> = []
      let retryAfter: string | undefined
      for (let i = 0; i < 5; i++) {
        const response = yield* http.get("/v1/plans")
        statuses.push(response.status)
        if (response.status === 429) retryAfter = response.headers["retry-after"]
      }
      assert.deepStrictEqual(statuses, [200, 200, 200, 429, 429])
      assert.isTrue(Number(retryAfter) >= 1)
    }).pipe(Effect.provide(layerTestServer({ rateLimitPerMinute: 3 }))))

  it.effect("limits sign-in attempts per address more strictly", () =>
    Effect.gen(function*() {
      const http = yield* raw
      const attempt = http.execute(HttpClientRequest.post("/v1/sessions").pipe(HttpClientRequest.bodyUnsafeJson({
        loginName: "nobody@example.org",
        password: "wrong password",
        deviceName: "Phone"
      })))
      const statuses: Array<number> = []
      for (let i = 0; i < 3; i++) statuses.push((yield* attempt).status)
      assert.deepStrictEqual(statuses, [401, 401, 429])
      assert.strictEqual((yield* http.get("/v1/plans")).status, 200)
    }).pipe(Effect.provide(layerTestServer({ authRateLimitPerMinute: 2 }))))

  it("the checked-in openapi.json is what the protocol derives (run `pnpm openapi` after changing it)", () => {
    assert.strictEqual(Fs.readFileSync(openApiFile, "utf8"), renderOpenApi())
  })

  it("gives every error one status across the whole protocol", () => {
    const spec = OpenApi.fromApi(CustosApi)
    const statuses = new Map<string, Set<string>>()
    for (const path of Object.values(spec.paths)) {
      for (const operation of Object.values(path as Record<string, { responses?: Record<string, unknown> }>)) {
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          if (status.startsWith("2")) continue
          for (const ref of JSON.stringify(response).matchAll(/#\/components\/schemas\/([A-Za-z]+)/g)) {
            const set = statuses.get(ref[1]!) ?? new Set()
            set.add(status)
            statuses.set(ref[1]!, set)
          }
        }
      }
    }
    const ambiguous = [...statuses].filter(([, set]) => set.size > 1).map(([name]) => name)
    assert.deepStrictEqual(ambiguous, [])
    assert.deepStrictEqual([...statuses.get("ResyncRequired")!], ["410"])
    assert.deepStrictEqual([...statuses.get("SyncTooSoon")!], ["429"])
    assert.isTrue(Option.isSome(Option.fromNullable(statuses.get("StoreError"))))
  })
})
