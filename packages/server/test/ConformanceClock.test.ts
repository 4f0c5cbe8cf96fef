/**
 * Conformance mode: the clock hook is mounted only when asked for, only on loopback, needs the operator token,
 * moves the server's clock forward (never back) and refuses a body it cannot read with a code and a sentence.
 * Its effect on retention is checked by the clock-control requirements in `Conformance.http.test.ts`.
 */
import { layerEphemeralKeys } from "@custos/adapters/keys/EphemeralKeys"
import { assert, describe, it } from "@effect/vitest"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { ConfigProvider, Effect, Layer } from "effect"
import { PasswordHasher } from "../src/auth/PasswordHasher.js"
import { conformanceClockPath, layerConformanceClockRoutes, layerShiftableClock } from "../src/ConformanceClock.js"
import { layerCustos } from "../src/Custos.js"
import { layerHttp } from "../src/Http.js"
import { type ConformanceOffLoopback, loadServerConfig } from "../src/ServerConfig.js"
import { layerMemoryStorage } from "../src/Storage.js"
import { layerTestServer, operatorToken, testOptions } from "./support.js"

const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

const layerConformanceServer = layerHttp(testOptions).pipe(
  Layer.provide(layerConformanceClockRoutes(testOptions.operatorToken)),
  Layer.provide(layerCustos({ hasher: PasswordHasher.layerWith({ log2N: 10, r: 8, p: 1 }) })),
  Layer.provide(layerMemoryStorage),
  Layer.provide(layerEphemeralKeys),
  Layer.provideMerge(NodeHttpServer.layerTest),
  Layer.provide(layerShiftableClock)
)

/** `null` sends no token at all. */
const call = (request: HttpClientRequest.HttpClientRequest, token: string | null = operatorToken) =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const response = yield* http.execute(token === null ? request : HttpClientRequest.bearerToken(request, token))
    return { status: response.status, body: (yield* response.json) as Record<string, unknown> }
  })

const advance = (body: unknown, token: string | null = operatorToken) =>
  call(HttpClientRequest.post(conformanceClockPath).pipe(HttpClientRequest.bodyUnsafeJson(body)), token)

describe("conformance clock hook", () => {
  it.effect("conformance mode is refused off loopback, and allowed on it", () =>
    Effect.gen(function*() {
      for (const env of [{ CUSTOS_CONFORMANCE: "true" }, {}]) {
        const error = yield* Effect.flip(
          loadServerConfig({ host: "0.0.0.0", conformance: "CUSTOS_CONFORMANCE" in env ? undefined : true }).pipe(
            withEnv({ ...env, CUSTOS_BEHIND_TLS_PROXY: "true" })
          )
        )
        assert.strictEqual(error._tag, "ConformanceOffLoopback")
        assert.strictEqual((error as ConformanceOffLoopback).code, "conformance-off-loopback")
        assert.include(error.message, "0.0.0.0")
      }
      const config = yield* loadServerConfig({ host: "::1" }).pipe(withEnv({ CUSTOS_CONFORMANCE: "true" }))
      assert.isTrue(config.conformance)
      assert.isFalse((yield* loadServerConfig().pipe(withEnv({}))).conformance, "off unless asked for")
    }))

  it.effect("moves the server's clock forward and runs the jobs; reads it back", () =>
    Effect.gen(function*() {
      const before = yield* call(HttpClientRequest.get(conformanceClockPath))
      assert.strictEqual(before.status, 200)
      const start = before.body["now"] as number
      const moved = yield* advance({ advanceMs: 86_400_000 })
      assert.strictEqual(moved.status, 200)
      assert.strictEqual(moved.body["now"], start + 86_400_000)
      assert.deepStrictEqual(moved.body["jobs"], { purged: 0, extended: 0, tombstonesRemoved: 0, blobsCollected: 0 })
      assert.strictEqual((yield* call(HttpClientRequest.get(conformanceClockPath))).body["now"], start + 86_400_000)
    }).pipe(Effect.provide(layerConformanceServer)))

  it.effect("refuses a body it cannot read, a move backwards and a call without the operator token", () =>
    Effect.gen(function*() {
      for (const body of [{ advanceMs: -1 }, { advanceMs: 1.5 }, { by: "1 day" }, "soon"]) {
        const refused = yield* advance(body)
        assert.strictEqual(refused.status, 400, JSON.stringify(body))
        assert.strictEqual(refused.body["code"], "invalid-clock-advance")
        assert.isString(refused.body["message"])
      }
      for (const token of [null, "wrong"]) {
        const refused = yield* advance({ advanceMs: 1000 }, token)
        assert.strictEqual(refused.status, 401)
        assert.strictEqual(refused.body["code"], "operator-unauthorized")
      }
      assert.strictEqual((yield* call(HttpClientRequest.get(conformanceClockPath))).body["now"], 0, "nothing moved")
    }).pipe(Effect.provide(layerConformanceServer)))

  it.effect("is not there outside conformance mode", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* call(HttpClientRequest.get(conformanceClockPath))).status, 404)
      assert.strictEqual((yield* advance({ advanceMs: 1000 })).status, 404)
    }).pipe(Effect.provide(layerTestServer())))
})
