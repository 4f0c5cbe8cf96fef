/**
 * What every handler shares: storage and sealing failures are logged with their cause (which the response
 * withholds), and a refusal that carries a retry time also sets the `Retry-After` header.
 */
import { HttpApp, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"

/** Sets `Retry-After` on the response of the current request. */
export const retryAfter = (seconds: number) =>
  HttpApp.appendPreResponseHandler((_request, response) =>
    Effect.succeed(HttpServerResponse.setHeader(response, "retry-after", String(Math.max(1, Math.ceil(seconds)))))
  )

const isTagged = (error: unknown): error is { readonly _tag: string } =>
  typeof error === "object" && error !== null && "_tag" in error

export const observe = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.tapError(effect, (error) => {
    if (!isTagged(error)) return Effect.void
    switch (error._tag) {
      case "StoreError":
      case "SealingFailed":
        return Effect.logError("Request failed in storage or sealing", error)
      case "SyncTooSoon": {
        const retryAt = (error as unknown as { readonly retryAt: number }).retryAt
        return Effect.clockWith((clock) => clock.currentTimeMillis).pipe(
          Effect.flatMap((now) => retryAfter((retryAt - now) / 1000))
        )
      }
      default:
        return Effect.void
    }
  })
