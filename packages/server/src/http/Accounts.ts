/**
 * Handlers of the accounts group: sign up, sign in and out, sessions and devices of the signed-in account.
 */
import { DeviceStore } from "@custos/core/ports/DeviceStore"
import { SessionStore } from "@custos/core/ports/SessionStore"
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { DeviceNotFound, SessionNotFound } from "@custos/core/protocol/Errors"
import { CurrentSession } from "@custos/core/protocol/Security"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Auth } from "../auth/Auth.js"
import { asSessionDevice } from "./Accessors.js"
import { observe } from "./Observe.js"

export const AccountsLive = HttpApiBuilder.group(CustosApi, "accounts", (handlers) =>
  Effect.gen(function*() {
    const auth = yield* Auth
    const sessions = yield* SessionStore
    const devices = yield* DeviceStore
    return handlers
      .handle("signUp", ({ payload }) => auth.signUp(payload).pipe(observe))
      .handle("signIn", ({ payload }) => auth.signIn(payload).pipe(observe))
      .handle("signOut", () =>
        Effect.gen(function*() {
          const session = yield* CurrentSession
          yield* sessions.revoke(session.accountId, session.sessionId)
        }).pipe(observe))
      .handle("listSessions", () =>
        Effect.gen(function*() {
          const session = yield* CurrentSession
          const all = yield* sessions.list(session.accountId)
          return all.map((s) => ({
            id: s.id,
            deviceId: s.deviceId,
            createdAt: s.createdAt,
            lastUsedAt: s.lastUsedAt,
            current: s.id === session.sessionId
          }))
        }).pipe(observe))
      .handle("revokeSession", ({ path }) =>
        Effect.gen(function*() {
          const session = yield* CurrentSession
          if (!(yield* sessions.revoke(session.accountId, path.id))) {
            return yield* new SessionNotFound({ sessionId: path.id })
          }
        }).pipe(observe))
      .handle("listDevices", () =>
        Effect.gen(function*() {
          const session = yield* CurrentSession
          return yield* devices.list(session.accountId)
        }).pipe(observe))
      .handle("removeDevice", ({ path }) =>
        Effect.gen(function*() {
          const session = yield* CurrentSession
          yield* sessions.revokeDevice(session.accountId, path.id)
          if (!(yield* devices.remove(session.accountId, path.id))) {
            return yield* new DeviceNotFound({ deviceId: path.id })
          }
        }).pipe(observe))
      .pipe(asSessionDevice)
  }))
