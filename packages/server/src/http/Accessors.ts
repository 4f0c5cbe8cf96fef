/**
 * Who a request is, for the access log (§4.1.5): every handler of a group runs with the `Accessor` that the entries
 * it writes name. A request signed in with a session is its device; an operator request is the operator; a request
 * without either (sign-up, sign-in, the inventory) opens no content and keeps the default.
 *
 * The security middleware can provide only the one service it declares (`CurrentSession`), so the accessor is set
 * by wrapping the handlers of a whole group once, where the group is built: `return handlers....pipe(asSessionDevice)`.
 */
import { CurrentSession } from "@custos/core/protocol/Security"
import { Accessor } from "@custos/core/services/AccessLog"
import type { HttpApiBuilder, HttpApiEndpoint } from "@effect/platform"
import { Chunk, Effect, Option } from "effect"

type AnyHandlers = HttpApiBuilder.Handlers<any, any, any, any>

/** The same handlers, each run through `wrap`. */
const mapHandlers = <H extends AnyHandlers>(
  handlers: H,
  wrap: (effect: Effect.Effect<any, any, any>) => Effect.Effect<any, any, any>
): H => {
  const copy = Object.create(Object.getPrototypeOf(handlers))
  copy.group = handlers.group
  copy.handlers = Chunk.map(handlers.handlers, (item) => ({
    ...item,
    handler: ((request: any) => wrap(item.handler(request))) as HttpApiEndpoint.HttpApiEndpoint.Handler<any, any, any>
  }))
  return copy
}

/** Every handler of the group that runs for a signed-in session runs as that session's device. */
export const asSessionDevice = <H extends AnyHandlers>(handlers: H): H =>
  mapHandlers(handlers, (effect) =>
    Effect.flatMap(Effect.serviceOption(CurrentSession), (session) =>
      Option.match(session, {
        onNone: () => effect,
        onSome: (s) => Effect.provideService(effect, Accessor, { kind: "device", id: s.deviceId })
      })))

/** The operator's identity in the access log: the operator token names no one in particular. */
export const operatorAccessor = { kind: "operator", id: "operator" } as const

/** Every handler of the group runs as the operator (the group sits behind the operator token). */
export const asOperator = <H extends AnyHandlers>(handlers: H): H =>
  mapHandlers(handlers, Effect.provideService(Accessor, operatorAccessor))
