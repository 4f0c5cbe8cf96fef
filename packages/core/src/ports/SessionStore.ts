/**
 * The port for sign-in sessions. A session belongs to one device of one account; the bearer token that opens it is
 * never stored, only its SHA-256 hash, so a copy of the store opens no session. Every method but the token lookup
 * is scoped to an account: one account can never see or revoke another's sessions.
 */
import type { Effect, Option } from "effect"
import { Context, Schema } from "effect"
import { AccountId, DeviceId } from "../domain/Ids.js"
import type { StoreError } from "./StoreError.js"

export const SessionId = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9._:-]{1,128}$/, { message: () => "a session id is 1 to 128 letters, digits or . _ : -" }),
  Schema.brand("SessionId")
).annotations({ description: "A sign-in session of a device" })
export type SessionId = typeof SessionId.Type

export const Session = Schema.Struct({
  id: SessionId,
  accountId: AccountId,
  deviceId: DeviceId,
  /** Hex SHA-256 of the bearer token. */
  tokenHash: Schema.String,
  /** Epoch ms. */
  createdAt: Schema.Number,
  lastUsedAt: Schema.Number
}).annotations({ identifier: "StoredSession" })
export type Session = typeof Session.Type

export class SessionStore extends Context.Tag("@custos/core/SessionStore")<SessionStore, {
  readonly create: (session: Session) => Effect.Effect<void, StoreError>
  readonly findByTokenHash: (tokenHash: string) => Effect.Effect<Option.Option<Session>, StoreError>
  /** The account's sessions, oldest first. */
  readonly list: (accountId: AccountId) => Effect.Effect<ReadonlyArray<Session>, StoreError>
  /** Records a use of the session; nothing happens if it was revoked meanwhile. */
  readonly touch: (accountId: AccountId, id: SessionId, at: number) => Effect.Effect<void, StoreError>
  /** Revokes one session of the account; false if it has no such session. */
  readonly revoke: (accountId: AccountId, id: SessionId) => Effect.Effect<boolean, StoreError>
  /** Revokes every session of one device of the account; returns how many. */
  readonly revokeDevice: (accountId: AccountId, deviceId: DeviceId) => Effect.Effect<number, StoreError>
  /** Revokes every session of the account; returns how many. */
  readonly revokeAll: (accountId: AccountId) => Effect.Effect<number, StoreError>
}>() {}
