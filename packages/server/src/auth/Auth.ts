/**
 * Signing up, in and out, and turning a bearer token into the session it opens. Login names are compared in their
 * normal form (trimmed, lower case). An unknown login name and a wrong password get the same answer after the same
 * work, so sign-in cannot be used to find out who has an account. Each sign-up or sign-in registers the device and
 * opens a session whose token is returned once and stored only as a hash.
 */
import type { Device } from "@custos/core/domain/Device"
import type { InvalidRegion } from "@custos/core/domain/Errors"
import { type AccountId, DeviceId, isDotSegment } from "@custos/core/domain/Ids"
import { CredentialStore, LoginNameTaken } from "@custos/core/ports/CredentialStore"
import { DeviceStore } from "@custos/core/ports/DeviceStore"
import { SessionId, SessionStore } from "@custos/core/ports/SessionStore"
import type { StoreError } from "@custos/core/ports/StoreError"
import type { SessionGrant } from "@custos/core/protocol/Accounts"
import { InvalidCredentials, Unauthorized } from "@custos/core/protocol/Errors"
import type { Session } from "@custos/core/protocol/Security"
import { AccountService } from "@custos/core/services/AccountService"
import { PrivacyService } from "@custos/core/services/PrivacyService"
import { Context, Effect, Layer, Option, Redacted } from "effect"
import { PasswordHasher } from "./PasswordHasher.js"
import { hashToken, newToken, randomId } from "./Tokens.js"

export const normalLoginName = (loginName: string): string => loginName.trim().toLowerCase()

/** A session's last use is written at most this often (ms), so reading does not turn into a write per request. */
const touchEvery = 60_000

export interface SignUpInput {
  readonly loginName: string
  readonly password: Redacted.Redacted<string>
  readonly region: string
  readonly deviceName: string
}

export interface SignInInput {
  readonly loginName: string
  readonly password: Redacted.Redacted<string>
  readonly deviceName: string
  readonly deviceId?: DeviceId | undefined
}

export class Auth extends Context.Tag("@custos/server/Auth")<Auth, {
  readonly signUp: (input: SignUpInput) => Effect.Effect<SessionGrant, LoginNameTaken | InvalidRegion | StoreError>
  readonly signIn: (input: SignInInput) => Effect.Effect<SessionGrant, InvalidCredentials | StoreError>
  /** The session a bearer token opens. */
  readonly authenticate: (token: Redacted.Redacted<string>) => Effect.Effect<Session, Unauthorized | StoreError>
  /** Removes the account's sign-in credentials and sessions (part of deleting the account). */
  readonly forget: (accountId: AccountId) => Effect.Effect<number, StoreError>
}>() {
  static readonly layer = Layer.effect(
    Auth,
    Effect.gen(function*() {
      const accounts = yield* AccountService
      const privacy = yield* PrivacyService
      const credentials = yield* CredentialStore
      const sessions = yield* SessionStore
      const devices = yield* DeviceStore
      const hasher = yield* PasswordHasher
      const now = Effect.clockWith((clock) => clock.currentTimeMillis)

      const registerDevice = (accountId: AccountId, name: string, id: DeviceId | undefined) =>
        Effect.gen(function*() {
          const at = yield* now
          const known = id === undefined ? Option.none() : yield* devices.get(accountId, id)
          const device: Device = Option.match(known, {
            onSome: (d) => ({ ...d, name, lastSeenAt: at }),
            onNone: () => ({
              accountId,
              // A device the account does not know yet gets the id it asked for, unless no URL could name it.
              id: id !== undefined && !isDotSegment(id) ? id : DeviceId.make(randomId("dev")),
              name,
              registeredAt: at,
              lastSeenAt: at,
              nextBackgroundSyncAt: at,
              syncWindowEndsAt: 0
            })
          })
          yield* devices.put(device)
          return device.id
        })

      const openSession = (accountId: AccountId, deviceId: DeviceId) =>
        Effect.gen(function*() {
          const at = yield* now
          const token = newToken()
          const sessionId = SessionId.make(randomId("ses"))
          const tokenHash = hashToken(token)
          yield* sessions.create({ id: sessionId, accountId, deviceId, tokenHash, createdAt: at, lastUsedAt: at })
          return { accountId, deviceId, sessionId, token } satisfies SessionGrant
        })

      const signUp = (input: SignUpInput) =>
        Effect.gen(function*() {
          const loginName = normalLoginName(input.loginName)
          const existing = yield* credentials.findByLoginName(loginName)
          if (Option.isSome(existing)) return yield* new LoginNameTaken({ loginName })
          const passwordHash = yield* hasher.hash(input.password)
          // A random id is always valid and new; a clash would be a defect, not the person's doing.
          const account = yield* accounts.create({ region: input.region }).pipe(
            Effect.catchTags({ InvalidAccountId: Effect.die, AccountExists: Effect.die })
          )
          // Two sign-ups with one name can both pass the check above; the store lets one in, the other account goes.
          yield* credentials.create({ loginName, accountId: account.id, passwordHash, createdAt: account.createdAt })
            .pipe(Effect.tapError(() => privacy.deleteAccount(account.id).pipe(Effect.ignore)))
          const deviceId = yield* registerDevice(account.id, input.deviceName, undefined)
          return yield* openSession(account.id, deviceId)
        })

      const signIn = (input: SignInInput) =>
        Effect.gen(function*() {
          const credential = yield* credentials.findByLoginName(normalLoginName(input.loginName))
          if (Option.isNone(credential)) {
            yield* hasher.burn(input.password)
            return yield* new InvalidCredentials()
          }
          if (!(yield* hasher.verify(input.password, credential.value.passwordHash))) {
            return yield* new InvalidCredentials()
          }
          const accountId = credential.value.accountId
          const deviceId = yield* registerDevice(accountId, input.deviceName, input.deviceId)
          return yield* openSession(accountId, deviceId)
        })

      const authenticate = (token: Redacted.Redacted<string>) =>
        Effect.gen(function*() {
          if (Redacted.value(token) === "") return yield* new Unauthorized({ reason: "missing" })
          const found = yield* sessions.findByTokenHash(hashToken(token))
          if (Option.isNone(found)) return yield* new Unauthorized({ reason: "invalid" })
          const session = found.value
          const at = yield* now
          if (at - session.lastUsedAt >= touchEvery) yield* sessions.touch(session.accountId, session.id, at)
          return { accountId: session.accountId, deviceId: session.deviceId, sessionId: session.id } satisfies Session
        })

      const forget = (accountId: AccountId) =>
        Effect.gen(function*() {
          yield* credentials.removeAccount(accountId)
          return yield* sessions.revokeAll(accountId)
        })

      return { signUp, signIn, authenticate, forget }
    })
  )
}
