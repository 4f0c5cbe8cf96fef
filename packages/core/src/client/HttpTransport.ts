/**
 * A `SyncTransport` over HTTP: the typed client derived from the protocol (`HttpApiClient.make(CustosApi)`), signed
 * in with one device's session token, so every push and pull runs as that device on the server.
 *
 * The server's refusals that a device client understands (batch too large, sync too soon, a bad or outdated cursor,
 * no such account, sealing or storage failures) arrive as the same error classes the sync engine fails with in
 * process. Anything else (a lost connection, a 401 for a revoked session, an answer that does not decode, a rate
 * limit) is a `TransportError`: the answer is lost, and the client retries with the same mutation ids later.
 *
 * Needs an `HttpClient` in context (fetch in a browser or an app, the node client on a server); no `node:` imports.
 */
import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Layer, Redacted } from "effect"
import { CustosApi } from "../protocol/CustosApi.js"
import { type SyncCallError, SyncTransport, TransportError } from "./SyncTransport.js"

export interface HttpTransportOptions {
  /** Where the server is, e.g. `https://cloud.example.org`; the protocol's `/v1` paths are appended. */
  readonly baseUrl: string
  /** The device's session token from sign-up or sign-in. */
  readonly token: Redacted.Redacted<string> | string
}

/** The tags of the errors a device client handles itself; everything else is a lost answer. */
const understood = new Set([
  "BatchTooLarge",
  "SyncTooSoon",
  "InvalidCursor",
  "ResyncRequired",
  "AccountNotFound",
  "SealingFailed",
  "StoreError"
])

const describe = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const e = error as { readonly _tag?: unknown; readonly code?: unknown; readonly message?: unknown }
    const tag = typeof e._tag === "string" ? e._tag : "Error"
    const code = typeof e.code === "string" ? ` (${e.code})` : ""
    return `${tag}${code}: ${typeof e.message === "string" ? e.message : String(e.message)}`
  }
  return String(error)
}

/**
 * Keeps the errors the client understands, turns the rest into `TransportError`. The typed client's error union
 * names more classes than a sync call can meet (every error of the group); they all land in one of the two.
 */
const toSyncError = <E>(error: E): Extract<E, { readonly _tag: string }> | TransportError =>
  typeof error === "object" && error !== null && "_tag" in error &&
    understood.has((error as { readonly _tag: string })._tag)
    ? error as Extract<E, { readonly _tag: string }>
    : new TransportError({ reason: describe(error) })

type Narrow<E> = Extract<E, SyncCallError | { readonly _tag: "BatchTooLarge" | "SyncTooSoon" | "InvalidCursor" | "ResyncRequired" }>

const lift = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, Narrow<E> | TransportError> =>
  Effect.mapError(effect, (error) => toSyncError(error) as Narrow<E> | TransportError)

export const makeHttpTransport = (options: HttpTransportOptions) =>
  Effect.gen(function*() {
    const client = yield* HttpApiClient.make(CustosApi, {
      baseUrl: options.baseUrl,
      transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(options.token))
    })
    return SyncTransport.of({
      push: (app, mutations, sync) =>
        lift(client.sync.push({ path: { app }, urlParams: { trigger: sync?.trigger }, payload: { mutations } })),
      pull: (app, request) =>
        lift(client.sync.changes({
          path: { app },
          urlParams: { cursor: request.cursor, limit: request.limit, trigger: request.trigger }
        })),
      settings: lift(client.settings.get())
    })
  })

export const layerHttpTransport = (options: HttpTransportOptions): Layer.Layer<SyncTransport, never, HttpClient.HttpClient> =>
  Layer.effect(SyncTransport, makeHttpTransport(options))
