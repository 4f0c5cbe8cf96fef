/**
 * Conformance mode: the hook that lets a conformance suite move this server's clock (requirements that need
 * `clock-control`, e.g. RET-001's day 89 and day 91). It exists only when the server is started with `--conformance`
 * (or `CUSTOS_CONFORMANCE=true`) on a loopback address; `loadServerConfig` refuses conformance mode anywhere else.
 * It is not part of the public protocol (not in `CustosApi` nor the OpenAPI document), so other implementations
 * offer it by its wire format alone:
 *
 * - `GET /v1/conformance/clock` answers `200 {"now": <epoch ms>}`, the server's current time.
 * - `POST /v1/conformance/clock` with `{"advanceMs": <integer 0..10 years>}` moves the clock forward by that much,
 *   then runs the time-driven jobs once (trash sweeper, tombstone compaction, blob collection) and answers
 *   `200 {"now": <epoch ms>, "jobs": {...}}`. A body it cannot read is answered
 *   `400 {"_tag": "InvalidClockAdvance", "code": "invalid-clock-advance", "message": ...}`.
 * - When the server has an operator token, both need `Authorization: Bearer <operator token>`; without it they are
 *   answered `401 {"_tag": "OperatorUnauthorized", "code": "operator-unauthorized", ...}`.
 *
 * The clock is an offset over the real one, set for the whole server (`layerShiftableClock`), so sessions, pacing,
 * retention and the jobs all see the same time. Time only moves forward.
 */
import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Context, Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import * as NodeCrypto from "node:crypto"
import { runJobsOnce } from "./Jobs.js"

export const conformanceClockPath = "/v1/conformance/clock"

/** The largest single move: ten years. */
const maxAdvanceMs = 10 * 366 * 24 * 60 * 60 * 1000

export class ShiftableClock extends Context.Tag("@custos/server/ShiftableClock")<ShiftableClock, {
  /** How far the server's clock runs ahead of the real one. */
  readonly offset: Effect.Effect<Duration.Duration>
  readonly advance: (by: Duration.Duration) => Effect.Effect<void>
}>() {}

/** The server's clock as the real one plus an offset that only grows, set as the Clock of everything built on it. */
export const layerShiftableClock = Layer.unwrapEffect(Effect.gen(function*() {
  const base = yield* Effect.clock
  let offsetMs = 0
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => base.unsafeCurrentTimeMillis() + offsetMs,
    unsafeCurrentTimeNanos: () => base.unsafeCurrentTimeNanos() + BigInt(offsetMs) * 1_000_000n,
    currentTimeMillis: Effect.sync(() => base.unsafeCurrentTimeMillis() + offsetMs),
    currentTimeNanos: Effect.sync(() => base.unsafeCurrentTimeNanos() + BigInt(offsetMs) * 1_000_000n),
    sleep: (duration) => base.sleep(duration)
  }
  return Layer.merge(
    Layer.succeed(ShiftableClock, {
      offset: Effect.sync(() => Duration.millis(offsetMs)),
      advance: (by) => Effect.sync(() => void (offsetMs += Duration.toMillis(by)))
    }),
    Layer.setClock(clock)
  )
}))

const ClockAdvance = Schema.Struct({
  advanceMs: Schema.Int.pipe(Schema.between(0, maxAdvanceMs))
})

const json = (status: number, body: unknown) => HttpServerResponse.unsafeJson(body, { status })

const digest = (value: string) => NodeCrypto.createHash("sha256").update(value, "utf8").digest()

/** The clock routes, on the API's router; mount it only in conformance mode. */
export const layerConformanceClockRoutes = (operatorToken: Option.Option<Redacted.Redacted<string>>) =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function*() {
      const shiftable = yield* ShiftableClock
      const jobs = yield* Effect.context<Effect.Effect.Context<typeof runJobsOnce>>()
      const authorized = (request: HttpServerRequest.HttpServerRequest) =>
        Option.match(operatorToken, {
          onNone: () => true,
          onSome: (expected) => {
            const given = /^Bearer (.+)$/.exec(request.headers["authorization"] ?? "")?.[1] ?? ""
            return given !== "" && NodeCrypto.timingSafeEqual(digest(given), digest(Redacted.value(expected)))
          }
        })
      const unauthorized = json(401, {
        _tag: "OperatorUnauthorized",
        code: "operator-unauthorized",
        message: "The conformance clock needs the operator token of this server"
      })
      yield* router.get(
        conformanceClockPath,
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          if (!authorized(request)) return unauthorized
          return json(200, { now: yield* Clock.currentTimeMillis })
        })
      )
      yield* router.post(
        conformanceClockPath,
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          if (!authorized(request)) return unauthorized
          const body = yield* request.json.pipe(
            Effect.flatMap(Schema.decodeUnknown(ClockAdvance)),
            Effect.option
          )
          if (Option.isNone(body)) {
            return json(400, {
              _tag: "InvalidClockAdvance",
              code: "invalid-clock-advance",
              message: `The body must be {"advanceMs": n} with n a whole number of milliseconds from 0 to ${maxAdvanceMs}`
            })
          }
          yield* shiftable.advance(Duration.millis(body.value.advanceMs))
          const report = yield* runJobsOnce.pipe(Effect.provide(jobs))
          return json(200, { now: yield* Clock.currentTimeMillis, jobs: report })
        }).pipe(Effect.catchAllCause((cause) =>
          Effect.logError("The conformance clock could not run the jobs", cause).pipe(
            Effect.as(json(500, {
              _tag: "JobsFailed",
              code: "jobs-failed",
              message: "The clock moved, but the time-driven jobs failed; see the server log"
            }))
          )
        ))
      )
    })
  )
