/**
 * How errors travel: every error of the protocol is a `Schema.TaggedError` with a stable `code` and a `message`
 * sentence (the domain errors of `domain/Errors.ts` and the protocol's own below). On the wire it is one JSON object
 * with `_tag`, `code`, `message` and the error's fields, so clients in any language get the code and the sentence;
 * the derived Effect client decodes it back into the same class. Fields that could leak internals (the `cause` of a
 * storage failure) are withheld from the wire: the server logs them instead.
 *
 * HTTP statuses are attached where the errors are added to the protocol (`.addError(X, { status })`), never on the
 * domain classes.
 */
import { Schema } from "effect"

/** What a protocol error class looks like: a tagged error schema with a code and a sentence. */
export interface ErrorClass<Self extends { readonly _tag: string; readonly code: string; readonly message: string }>
  extends Schema.Schema<Self, any, never>
{
  readonly _tag: string
  readonly fields: Schema.Struct.Fields
  new(props: any): Self
}

/** The fields every error carries on the wire. */
const WireFields = {
  code: Schema.String.annotations({ description: "A stable machine-readable code, e.g. `resync-required`" }),
  message: Schema.String.annotations({ description: "A sentence for people" })
}

/**
 * The wire form of an error class: its fields plus `code` and `message`. Fields named in `withhold` are not sent;
 * a decoded error gets the text "withheld" in their place.
 */
export const wire = <Self extends { readonly _tag: string; readonly code: string; readonly message: string }>(
  cls: ErrorClass<Self>,
  options: { readonly withhold?: ReadonlyArray<string>; readonly description?: string } = {}
): Schema.Schema<Self, { readonly _tag: string; readonly code: string; readonly message: string }> => {
  const withhold = new Set(options.withhold ?? [])
  const kept = Object.fromEntries(Object.entries(cls.fields).filter(([name]) => !withhold.has(name)))
  const Wire = Schema.Struct({ _tag: Schema.Literal(cls._tag), ...WireFields, ...kept }).annotations({
    identifier: cls._tag,
    ...(options.description === undefined ? {} : { description: options.description })
  })
  return Schema.transform(Wire, Schema.typeSchema(cls), {
    strict: false,
    decode: (encoded: Record<string, unknown>) => {
      const props: Record<string, unknown> = {}
      for (const name of Object.keys(cls.fields)) props[name] = withhold.has(name) ? "withheld" : encoded[name]
      return new cls(props)
    },
    encode: (error: Self) => {
      const out: Record<string, unknown> = { _tag: cls._tag, code: error.code, message: error.message }
      for (const name of Object.keys(kept)) out[name] = (error as unknown as Record<string, unknown>)[name]
      return out
    }
  }) as any
}

/** No valid session or operator token came with the request. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  reason: Schema.Literal("missing", "invalid")
}) {
  readonly code = "unauthorized"
  override get message() {
    return this.reason === "missing"
      ? "This request needs a bearer token: sign in first"
      : "The bearer token is not valid: it expired, was revoked or never existed; sign in again"
  }
}

/** Sign-in refused. The same answer for an unknown login name and a wrong password, so neither can be probed. */
export class InvalidCredentials extends Schema.TaggedError<InvalidCredentials>()("InvalidCredentials", {}) {
  readonly code = "invalid-credentials"
  override get message() {
    return "The login name or the password is wrong"
  }
}

/** Too many requests from one account or one network address in a short time. */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  /** Seconds to wait before trying again (also sent as `Retry-After`). */
  retryAfterSeconds: Schema.Number
}) {
  readonly code = "rate-limited"
  override get message() {
    return `Too many requests; try again in ${this.retryAfterSeconds} seconds`
  }
}

export class SessionNotFound extends Schema.TaggedError<SessionNotFound>()("SessionNotFound", {
  sessionId: Schema.String
}) {
  readonly code = "session-not-found"
  override get message() {
    return `There is no session ${this.sessionId} of this account`
  }
}

export class DeviceNotFound extends Schema.TaggedError<DeviceNotFound>()("DeviceNotFound", {
  deviceId: Schema.String
}) {
  readonly code = "device-not-found"
  override get message() {
    return `There is no device ${this.deviceId} of this account`
  }
}

/** A request was refused because the operator token was missing or wrong. */
export class OperatorUnauthorized extends Schema.TaggedError<OperatorUnauthorized>()("OperatorUnauthorized", {}) {
  readonly code = "operator-unauthorized"
  override get message() {
    return "This request needs the operator token configured on the server"
  }
}
