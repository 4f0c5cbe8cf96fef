/**
 * The HTTP server: the protocol's handlers, the OpenAPI document at `/v1/openapi.json`, the docs UI at `/docs`
 * (Swagger UI, served inline: no CDN), and what every request goes through first: security headers, a body size
 * limit, and a per-address rate limit (stricter for sign-up and sign-in, which cost a password hash each).
 */
import { InvalidSettings } from "@custos/core/domain/Errors"
import { RateLimited } from "@custos/core/protocol/Errors"
import { CustosApi } from "@custos/core/protocol/CustosApi"
import * as Wire from "@custos/core/protocol/WireErrors"
import {
  HttpApiBuilder,
  HttpApiError,
  HttpApiSwagger,
  HttpApp,
  HttpMiddleware,
  HttpRouter,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { Effect, Layer, Option, Predicate, Schema } from "effect"
import { AccountsLive } from "./http/Accounts.js"
import { layerAuthentication, layerOperatorAuthentication } from "./http/Authentication.js"
import { BackupsLive } from "./http/Backups.js"
import { BlobsLive } from "./http/Blobs.js"
import { MembershipLive } from "./http/Membership.js"
import { OperatorLive } from "./http/Operator.js"
import { isPortalPath, layerPortal, portalCsp } from "./http/Portal.js"
import { readTarget, routedPath } from "./http/RequestTarget.js"
import { PrivacyLive } from "./http/Privacy.js"
import { SettingsLive } from "./http/Settings.js"
import { SyncLive } from "./http/Sync.js"
import { TrashLive } from "./http/Trash.js"
import { RateLimiter } from "./RateLimiter.js"
import type { ServerConfig } from "./ServerConfig.js"

export type HttpOptions = Pick<
  ServerConfig,
  "operatorToken" | "behindTlsProxy" | "tls" | "maxBodyBytes" | "rateLimitPerMinute" | "authRateLimitPerMinute"
>

export const docsPath = "/docs"
export const openApiPath = "/v1/openapi.json"

/** The API's Content-Security-Policy; the docs page needs its inline script and styles, nothing from elsewhere. */
const apiCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
const docsCsp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

const authPaths = new Set(["/v1/accounts", "/v1/sessions"])

const clientAddress = (request: HttpServerRequest.HttpServerRequest, behindProxy: boolean): string => {
  if (behindProxy) {
    const forwarded = request.headers["x-forwarded-for"]?.split(",")[0]?.trim()
    if (forwarded !== undefined && forwarded !== "") return forwarded
  }
  return Option.getOrElse(request.remoteAddress, () => "unknown")
}

const refusal = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson(body, { status, headers })

/** Security headers, body limit and per-address rate limit around the whole app (docs included). */
export const guard = (options: HttpOptions) => {
  const hsts = Option.isSome(options.tls) || options.behindTlsProxy
  return <E, R>(app: HttpApp.Default<E, R>) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const target = readTarget(request.url)
      const path = target.path
      const headers: Record<string, string> = {
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
        "content-security-policy": path === docsPath ? docsCsp : isPortalPath(path) ? portalCsp : apiCsp,
        ...(hsts ? { "strict-transport-security": "max-age=63072000; includeSubDomains" } : {}),
        ...(path.startsWith("/v1/") ? { "cache-control": "no-store" } : {})
      }
      yield* HttpApp.appendPreResponseHandler((_request, response) =>
        Effect.succeed(HttpServerResponse.setHeaders(response, headers))
      )

      const limiter = yield* RateLimiter
      const address = clientAddress(request, options.behindTlsProxy)
      const limited = yield* limiter.take(`address:${address}`, options.rateLimitPerMinute).pipe(
        Effect.flatMap((limited) =>
          Option.isNone(limited) && request.method === "POST" && authPaths.has(path)
            ? limiter.take(`sign-in:${address}`, options.authRateLimitPerMinute)
            : Effect.succeed(limited)
        )
      )
      if (Option.isSome(limited)) {
        const error = new RateLimited({ retryAfterSeconds: limited.value })
        const body = { _tag: error._tag, code: error.code, message: error.message, retryAfterSeconds: limited.value }
        return refusal(429, body, {
          "retry-after": String(limited.value)
        })
      }

      // A path the protocol never writes (`;`, `#`, `.` or `..` segments) is refused before it can name another
      // record (`RequestTarget.ts`).
      if (target.problem !== undefined) {
        return refusal(400, { _tag: "InvalidPath", code: "invalid-request", message: target.problem })
      }

      // The protocol takes JSON bodies and raw blob bodies only; a form body is refused before any parser (whose
      // multipart reader fails on a bad boundary in ways the API cannot type) gets to see it.
      const contentType = (request.headers["content-type"] ?? "").toLowerCase()
      if (path.startsWith("/v1/") && (contentType.startsWith("multipart/") || contentType.startsWith("application/x-www-form-urlencoded"))) {
        return refusal(415, {
          _tag: "UnsupportedMediaType",
          code: "unsupported-media-type",
          message: "Request bodies are JSON (application/json), or raw bytes for a blob upload; forms are not accepted"
        })
      }

      // A blob upload streams its body into the blob store, under the blob service's own limits (per blob and the
      // account's quota); the JSON body limit is for everything else.
      const blobUpload = request.method === "PUT" && path.startsWith("/v1/blobs/")
      const length = Number(request.headers["content-length"] ?? "0")
      if (!blobUpload && Number.isFinite(length) && length > options.maxBodyBytes) {
        return refusal(413, {
          _tag: "BodyTooLarge",
          code: "body-too-large",
          message: `A request body may be at most ${options.maxBodyBytes} bytes`
        })
      }
      return yield* blobUpload ? app : app.pipe(HttpServerRequest.withMaxBodySize(Option.some(options.maxBodyBytes)))
    })
}

/** The longest message of one issue a refusal repeats; what a client sent is never repeated in it. */
const ISSUE_MESSAGE_MAX = 300
/** The most issues a refusal lists. */
const ISSUES_MAX = 10

/**
 * An issue's message without the value the client sent ("Expected string, actual <the whole body>"): a body of the
 * wrong content type arrives as one string, which may hold a password, and any value may be megabytes long.
 */
const withoutValue = (message: string): string => {
  const cut = message.replace(/,?\s*actual\b[\s\S]*$/, "")
  return cut.length > ISSUE_MESSAGE_MAX ? `${cut.slice(0, ISSUE_MESSAGE_MAX - 1)}…` : cut
}

/** Whether `defect` is the stack running out, as formatting a value nested thousands deep makes it. */
const isStackOverflow = (defect: unknown): boolean =>
  defect instanceof RangeError && /call stack/i.test(defect.message)

/** An issue's path with each key as a refusal repeats it (`issueKey`). */
const shortKeys = (path: ReadonlyArray<PropertyKey>): ReadonlyArray<PropertyKey> =>
  path.map((key) => typeof key === "string" ? Wire.issueKey(key) : key)

/**
 * Every refusal under `/v1/` carries a `code` and a sentence. A settings patch the protocol cannot read is answered
 * with the error the endpoint declares, 400 `invalid-settings` naming the first problem, as core answers it in
 * process; any other request that does not decode keeps its `HttpApiDecodeError` (and its issues) with the code
 * `invalid-request`, as does a body that cannot be read (not JSON, the wrong content type); a path or method that
 * nothing serves (under `/v1/` or not, e.g. one a client's `..` segments led out of it) is 404 `route-not-found`.
 */
export const codedRefusals = HttpApiBuilder.middleware((app) =>
  // The app's error type says `never`, but a request that does not decode or route fails here before it is encoded.
  (app as Effect.Effect<HttpServerResponse.HttpServerResponse, unknown, HttpServerRequest.HttpServerRequest>).pipe(
    Effect.catchIf(
      (error): error is HttpApiError.HttpApiDecodeError => error instanceof HttpApiError.HttpApiDecodeError,
      (error) =>
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
          const issue = error.issues[0]
          const field = issue === undefined ? "" : Wire.issueField(issue.path)
          const first = issue === undefined ? "it is not what the protocol describes" : withoutValue(issue.message)
          const reason = field === "" ? first : `${field}: ${first}`
          if (request.method !== "PATCH" || routedPath(request.url) !== "/v1/settings") {
            return Effect.succeed(HttpServerResponse.unsafeJson({
              _tag: "HttpApiDecodeError",
              code: "invalid-request",
              message: `The request does not match the protocol (${openApiPath}): ${reason}`,
              issues: error.issues.slice(0, ISSUES_MAX).map((issue) => ({
                _tag: issue._tag,
                path: shortKeys(issue.path),
                message: withoutValue(issue.message)
              }))
            }, { status: 400 }))
          }
          return Schema.encode(Wire.InvalidSettings)(new InvalidSettings({ reason })).pipe(
            Effect.map((body) => HttpServerResponse.unsafeJson(body, { status: 400 })),
            Effect.orDie
          )
        })
    ),
    Effect.catchIf(
      // By tag: the node server's copy of the platform may make its own instances of these classes.
      (error): error is HttpServerError.RouteNotFound => Predicate.isTagged(error, "RouteNotFound"),
      () =>
        Effect.succeed(HttpServerResponse.unsafeJson({
          _tag: "RouteNotFound",
          code: "route-not-found",
          message: "Nothing is served at this method and path; the protocol is described at /v1/openapi.json"
        }, { status: 404 }))
    ),
    // A body that cannot be read is a defect of the body parser, not a failure; so is JSON nested so deep that
    // describing what is wrong with it runs out of stack.
    Effect.catchSomeDefect((defect) =>
      Predicate.isTagged(defect, "RequestError") &&
        routedPath((defect as unknown as HttpServerError.RequestError).request.url).startsWith("/v1/")
        ? Option.some(Effect.succeed(HttpServerResponse.unsafeJson({
          _tag: "UnreadableBody",
          code: "invalid-request",
          message: "The request body could not be read: it is not valid JSON, or not what its content type says"
        }, { status: 400 })))
        : isStackOverflow(defect)
        ? Option.some(Effect.succeed(HttpServerResponse.unsafeJson({
          _tag: "UnreadableBody",
          code: "invalid-request",
          message: "The request body is nested too deeply to be read"
        }, { status: 400 })))
        : Option.none()
    )
  ) as typeof app)

/** The handlers of every group, with the security middleware. */
export const layerApi = (options: HttpOptions) =>
  HttpApiBuilder.api(CustosApi).pipe(
    Layer.provide([
      AccountsLive,
      SettingsLive,
      SyncLive,
      TrashLive,
      BackupsLive,
      BlobsLive,
      MembershipLive,
      PrivacyLive,
      OperatorLive,
      codedRefusals
    ]),
    Layer.provide(layerAuthentication({ rateLimitPerMinute: options.rateLimitPerMinute })),
    Layer.provide(layerOperatorAuthentication(options.operatorToken))
  )

/**
 * The longest path parameter the router matches. Its default (100 characters) is shorter than an id may be (128),
 * so a record or blob with a longer id could be stored but never named in a path again; with room for an id whose
 * characters are all percent-encoded, every id the protocol takes reaches its handler, which checks it.
 */
const maxParamLength = 3 * 128

/** Serves the API, its OpenAPI document, the docs UI and the web portal on the `HttpServer` in context. */
export const layerHttp = (options: HttpOptions) =>
  HttpApiBuilder.serve((app) => HttpMiddleware.logger(guard(options)(app))).pipe(
    // Paths match exactly as written, so what the guard reads is what is served: `/V1/Sessions`, `/v1/sessions/`
    // and `//v1/sessions` are no paths of the protocol.
    Layer.provide(HttpRouter.setRouterConfig({
      maxParamLength,
      caseSensitive: true,
      ignoreTrailingSlash: false,
      ignoreDuplicateSlashes: false
    })),
    Layer.provide(HttpApiSwagger.layer({ path: docsPath })),
    Layer.provide(layerPortal()),
    Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: openApiPath })),
    Layer.provide(layerApi(options))
  )
