/**
 * Who is asking. Account endpoints take a bearer session token (`Authentication`), which the server turns into a
 * `CurrentSession`; every handler takes the account from it, never from the request, so no request can name
 * another account. Operator endpoints take a separate bearer token from the server's configuration
 * (`OperatorAuthentication`); it opens usage and plans, never content.
 */
import { HttpApiMiddleware, HttpApiSchema, HttpApiSecurity, OpenApi } from "@effect/platform"
import { Context, Schema } from "effect"
import type { AccountId, DeviceId } from "../domain/Ids.js"
import type { SessionId } from "../ports/SessionStore.js"
import { OperatorUnauthorized, RateLimited, Unauthorized, wire } from "./Errors.js"
import { StoreError } from "./WireErrors.js"

export interface Session {
  readonly accountId: AccountId
  readonly deviceId: DeviceId
  readonly sessionId: SessionId
}

export class CurrentSession extends Context.Tag("@custos/core/protocol/CurrentSession")<CurrentSession, Session>() {}

/** 401 with `unauthorized`. */
export const UnauthorizedError = wire(Unauthorized).annotations(HttpApiSchema.annotations({ status: 401 }))
/** 429 with `rate-limited`; the response also carries `Retry-After`. */
export const RateLimitedError = wire(RateLimited).annotations(HttpApiSchema.annotations({ status: 429 }))

export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@custos/core/protocol/Authentication", {
  provides: CurrentSession,
  failure: Schema.Union(
    UnauthorizedError,
    RateLimitedError,
    StoreError.annotations(HttpApiSchema.annotations({ status: 503 }))
  ),
  security: {
    session: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(
        OpenApi.Description,
        "The session token from signing up or signing in: `Authorization: Bearer <token>`"
      )
    )
  }
}) {}

export class OperatorAuthentication extends HttpApiMiddleware.Tag<OperatorAuthentication>()(
  "@custos/core/protocol/OperatorAuthentication",
  {
    failure: wire(OperatorUnauthorized).annotations(HttpApiSchema.annotations({ status: 401 })),
    security: {
      operator: HttpApiSecurity.bearer.pipe(
        HttpApiSecurity.annotate(OpenApi.Description, "The operator token from the server configuration")
      )
    }
  }
) {}
