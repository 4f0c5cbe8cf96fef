/**
 * The security middleware of the protocol. A session token becomes the `CurrentSession` every account handler reads
 * its account from; each account is then held to its own rate limit. The operator token is compared in constant
 * time with the configured one; without one configured, operator endpoints refuse every request.
 */
import { OperatorUnauthorized, RateLimited } from "@custos/core/protocol/Errors"
import { Authentication, OperatorAuthentication } from "@custos/core/protocol/Security"
import { Effect, Layer, Option, Redacted } from "effect"
import * as NodeCrypto from "node:crypto"
import { Auth } from "../auth/Auth.js"
import { RateLimiter } from "../RateLimiter.js"
import { observe, retryAfter } from "./Observe.js"

export interface AuthenticationOptions {
  readonly rateLimitPerMinute: number
}

export const layerAuthentication = (options: AuthenticationOptions) =>
  Layer.effect(
    Authentication,
    Effect.gen(function*() {
      const auth = yield* Auth
      const limiter = yield* RateLimiter
      return Authentication.of({
        session: (token) =>
          Effect.gen(function*() {
            const session = yield* auth.authenticate(token)
            const limited = yield* limiter.take(`account:${session.accountId}`, options.rateLimitPerMinute)
            if (Option.isSome(limited)) {
              yield* retryAfter(limited.value)
              return yield* new RateLimited({ retryAfterSeconds: limited.value })
            }
            return session
          }).pipe(observe)
      })
    })
  )

const digest = (value: string) => NodeCrypto.createHash("sha256").update(value, "utf8").digest()

export const layerOperatorAuthentication = (operatorToken: Option.Option<Redacted.Redacted<string>>) =>
  Layer.succeed(
    OperatorAuthentication,
    OperatorAuthentication.of({
      operator: (token) => {
        const given = Redacted.value(token)
        const ok = Option.match(operatorToken, {
          onNone: () => false,
          onSome: (expected) => given !== "" && NodeCrypto.timingSafeEqual(digest(given), digest(Redacted.value(expected)))
        })
        return ok ? Effect.void : Effect.fail(new OperatorUnauthorized())
      }
    })
  )
