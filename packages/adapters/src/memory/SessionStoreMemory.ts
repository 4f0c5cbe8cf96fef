/**
 * The reference `SessionStore`, in memory.
 */
import type { AccountId } from "@custos/core/domain/Ids"
import { type Session, SessionStore } from "@custos/core/ports/SessionStore"
import { Effect, Layer, Option } from "effect"

export const makeSessionStoreMemory = Effect.sync(() => {
  const sessions = new Map<string, Session>()
  const ofAccount = (accountId: AccountId) => [...sessions.values()].filter((s) => s.accountId === accountId)
  const removeWhere = (keep: (s: Session) => boolean) => {
    let removed = 0
    for (const [id, session] of sessions) {
      if (!keep(session)) {
        sessions.delete(id)
        removed++
      }
    }
    return removed
  }
  return SessionStore.of({
    create: (session) => Effect.sync(() => void sessions.set(session.id, session)),
    findByTokenHash: (tokenHash) =>
      Effect.sync(() => Option.fromNullable([...sessions.values()].find((s) => s.tokenHash === tokenHash))),
    list: (accountId) =>
      Effect.sync(() => ofAccount(accountId).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))),
    touch: (accountId, id, at) =>
      Effect.sync(() => {
        const session = sessions.get(id)
        if (session !== undefined && session.accountId === accountId) sessions.set(id, { ...session, lastUsedAt: at })
      }),
    revoke: (accountId, id) =>
      Effect.sync(() => removeWhere((s) => !(s.accountId === accountId && s.id === id)) > 0),
    revokeDevice: (accountId, deviceId) =>
      Effect.sync(() => removeWhere((s) => !(s.accountId === accountId && s.deviceId === deviceId))),
    revokeAll: (accountId) => Effect.sync(() => removeWhere((s) => s.accountId !== accountId))
  })
})

export const layerSessionStoreMemory = Layer.effect(SessionStore, makeSessionStoreMemory)
