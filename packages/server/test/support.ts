/**
 * An in-process Custos server for tests: the real HTTP stack on a random loopback port (`NodeHttpServer.layerTest`)
 * over memory stores and a master key that lives as long as the test. Passwords are hashed with a lower scrypt cost
 * here only, to keep the tests quick; the parameters in production are tested on their own.
 */
import { layerEphemeralKeys } from "@custos/adapters/keys/EphemeralKeys"
import { CustosApi } from "@custos/core/protocol/CustosApi"
import type { SessionGrant } from "@custos/core/protocol/Accounts"
import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer, Option, Redacted } from "effect"
import { PasswordHasher } from "../src/auth/PasswordHasher.js"
import { layerCustos } from "../src/Custos.js"
import { type HttpOptions, layerHttp } from "../src/Http.js"
import { layerMemoryStorage } from "../src/Storage.js"

export const operatorToken = "operator-test-token"

export const testOptions: HttpOptions = {
  operatorToken: Option.some(Redacted.make(operatorToken)),
  behindTlsProxy: false,
  tls: Option.none(),
  maxBodyBytes: 256 * 1024,
  rateLimitPerMinute: 100_000,
  authRateLimitPerMinute: 100_000
}

/** The server, with the core services it runs on also in context, for tests that look behind the API. */
export const layerTestServer = (options: Partial<HttpOptions> = {}) =>
  layerHttp({ ...testOptions, ...options }).pipe(
    Layer.provideMerge(layerCustos({ hasher: PasswordHasher.layerWith({ log2N: 10, r: 8, p: 1 }) })),
    Layer.provide(layerMemoryStorage),
    Layer.provide(layerEphemeralKeys),
    Layer.provideMerge(NodeHttpServer.layerTest)
  )

/** The typed client, signed in with `token` when given. */
export const client = (token?: Redacted.Redacted<string> | string) =>
  HttpApiClient.make(CustosApi, {
    transformClient: token === undefined
      ? undefined
      : HttpClient.mapRequest(HttpClientRequest.bearerToken(token))
  })

export const operatorClient = client(operatorToken)

/** The operator records a purchase of Plus for a day from the epoch (`order-1`, a voucher of 4.99 EUR). */
export const purchasePlus = (accountId: string) =>
  Effect.flatMap(operatorClient, (operator) =>
    operator.operator.recordPurchase({
      payload: {
        accountId,
        id: "order-1",
        planId: "plus",
        validFrom: 0,
        validUntil: 86_400_000,
        details: { amountMinor: 499, currency: "EUR", channel: "voucher" }
      } as never
    }))

let counter = 0

/** Signs up a new account (a fresh login name each time) and returns its grant and a client signed in with it. */
export const signUp = (region = "DE", password = "correct horse battery") =>
  Effect.gen(function*() {
    const loginName = `person${++counter}-${Math.random().toString(36).slice(2, 8)}@example.org`
    const grant: SessionGrant = yield* (yield* client()).accounts.signUp({
      payload: { loginName, password: Redacted.make(password), region, deviceName: "Phone" }
    })
    return { loginName, password, grant, api: yield* client(grant.token) }
  })

/** The raw HTTP client of the test server, for statuses and headers. */
export const raw = HttpClient.HttpClient
