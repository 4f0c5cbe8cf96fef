/**
 * Accounts, sessions and devices: sign up, sign in and out, and the person's own view of where they are signed in.
 * Signing up or in registers the device it happens on; removing a device revokes its sessions.
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Device } from "../domain/Device.js"
import { AccountId, DeviceId } from "../domain/Ids.js"
import { SessionId } from "../ports/SessionStore.js"
import { Authentication } from "./Security.js"
import * as Wire from "./WireErrors.js"

export const LoginName = Schema.String.pipe(
  Schema.minLength(3, { message: () => "a login name has at least 3 characters" }),
  Schema.maxLength(254, { message: () => "a login name has at most 254 characters" }),
  Schema.pattern(/^\S+$/, { message: () => "a login name has no spaces" })
).annotations({ description: "The name to sign in with, e.g. an email address; compared without case" })

/**
 * A login name as sign-up takes it: also free of control and format characters (NUL, ESC, direction overrides,
 * zero-width marks), which make a name look like another. Sign-in keeps the older rule, so names taken before still
 * sign in.
 */
export const NewLoginName = LoginName.pipe(
  Schema.pattern(/^[^\p{Cc}\p{Cf}]+$/u, { message: () => "a login name has no control or invisible characters" })
).annotations({ description: "The name to sign in with, e.g. an email address; compared without case" })

export const Password = Schema.Redacted(
  Schema.String.pipe(
    Schema.minLength(8, { message: () => "a password has at least 8 characters" }),
    Schema.maxLength(1024, { message: () => "a password has at most 1024 characters" })
  )
).annotations({ description: "At least 8 characters; stored only as a scrypt hash" })

export const DeviceName = Schema.String.pipe(
  Schema.minLength(1, { message: () => "a device name must not be empty" }),
  Schema.maxLength(128, { message: () => "a device name has at most 128 characters" }),
  Schema.pattern(/^[^\p{Cc}\u202a-\u202e\u2066-\u2069]+$/u, {
    message: () => "a device name has no control characters or direction overrides"
  })
).annotations({
  description: "What the person calls the device, e.g. \"Pixel 8\""
})

export const SignUp = Schema.Struct({
  loginName: NewLoginName,
  password: Password,
  /** ISO 3166-1 alpha-2; decides which apps the account may sync. */
  region: Schema.String.annotations({ description: "ISO 3166-1 alpha-2 country code, e.g. DE" }),
  deviceName: DeviceName
}).annotations({ identifier: "SignUp" })

export const SignIn = Schema.Struct({
  loginName: LoginName,
  password: Password,
  deviceName: DeviceName,
  /** Sign a known device of the account back in; a new device is registered when absent. */
  deviceId: Schema.optional(DeviceId)
}).annotations({ identifier: "SignIn" })

/** A new session. The token is shown once; the server keeps only its hash. */
export const SessionGrant = Schema.Struct({
  accountId: AccountId,
  deviceId: DeviceId,
  sessionId: SessionId,
  token: Schema.Redacted(Schema.String).annotations({ description: "Send as `Authorization: Bearer <token>`" })
}).annotations({ identifier: "SessionGrant" })
export type SessionGrant = typeof SessionGrant.Type

export const SessionInfo = Schema.Struct({
  id: SessionId,
  deviceId: DeviceId,
  createdAt: Schema.Number,
  lastUsedAt: Schema.Number,
  /** The session this request came with. */
  current: Schema.Boolean
}).annotations({ identifier: "SessionInfo" })
export type SessionInfo = typeof SessionInfo.Type

export class AccountsApi extends HttpApiGroup.make("accounts")
  .add(
    HttpApiEndpoint.del("signOut", "/sessions/current")
      .annotate(OpenApi.Summary, "Sign out: revoke the session this request came with")
  )
  .add(
    HttpApiEndpoint.get("listSessions", "/sessions")
      .addSuccess(Schema.Array(SessionInfo))
      .annotate(OpenApi.Summary, "The account's sessions")
  )
  .add(
    HttpApiEndpoint.del("revokeSession", "/sessions/:id")
      .setPath(Schema.Struct({ id: SessionId }))
      .addError(Wire.SessionNotFound, { status: 404 })
      .annotate(OpenApi.Summary, "Revoke one session of the account")
  )
  .add(
    HttpApiEndpoint.get("listDevices", "/devices")
      .addSuccess(Schema.Array(Device))
      .annotate(OpenApi.Summary, "The account's devices")
  )
  .add(
    HttpApiEndpoint.del("removeDevice", "/devices/:id")
      .setPath(Schema.Struct({ id: DeviceId }))
      .addError(Wire.DeviceNotFound, { status: 404 })
      .annotate(OpenApi.Summary, "Remove a device and revoke its sessions")
  )
  .middlewareEndpoints(Authentication)
  .add(
    HttpApiEndpoint.post("signUp", "/accounts")
      .setPayload(SignUp)
      .addSuccess(SessionGrant, { status: 201 })
      .addError(Wire.LoginNameTaken, { status: 409 })
      .addError(Wire.InvalidRegion, { status: 400 })
      .annotate(OpenApi.Summary, "Create an account and sign in its first device")
  )
  .add(
    HttpApiEndpoint.post("signIn", "/sessions")
      .setPayload(SignIn)
      .addSuccess(SessionGrant, { status: 201 })
      .addError(Wire.InvalidCredentials, { status: 401 })
      .annotate(OpenApi.Summary, "Sign in a device: a new session token")
  )
  .addError(Wire.AccountNotFound, { status: 404 })
  .addError(Wire.StoreError, { status: 503 })
  .annotate(OpenApi.Title, "Accounts and sessions")
{}
