/**
 * `SessionStore` over SQL, one implementation for SQLite and PostgreSQL. A session is one row of `custos_sessions`
 * holding the SHA-256 hash of its bearer token, never the token. The hash is unique (a second session with the same
 * hash would make a token open two sessions, so the database refuses it as a `StoreError`) and indexed, so a
 * request's token lookup is one index probe. Every statement but that lookup names the account, so one account can
 * never touch another's sessions; `create` of an id that exists replaces that session, as the memory store does.
 */
import { Session, SessionStore } from "@custos/core/ports/SessionStore"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer, Option, Schema } from "effect"
import { Int64, makeExclusive, storeStep } from "./internal/sqlStore.js"
import { layerMigrations } from "./SqlMigrations.js"

const SessionRow = Schema.Struct({
  id: Schema.String,
  account_id: Schema.String,
  device_id: Schema.String,
  token_hash: Schema.String,
  created_at: Int64,
  last_used_at: Int64
})

/** A row of `custos_sessions` and the session it holds. */
const SessionFromRow = Schema.transform(SessionRow, Session, {
  strict: true,
  decode: (row) => ({
    id: row.id,
    accountId: row.account_id,
    deviceId: row.device_id,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at
  }),
  encode: (session) => ({
    id: session.id,
    account_id: session.accountId,
    device_id: session.deviceId,
    token_hash: session.tokenHash,
    created_at: session.createdAt,
    last_used_at: session.lastUsedAt
  })
})

const decodeSessions = Schema.decodeUnknown(Schema.Array(SessionFromRow))

const columns = "id, account_id, device_id, token_hash, created_at, last_used_at"

export const make = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const exclusive = makeExclusive(sql)
  const selected = sql.unsafe(columns)

  return SessionStore.of({
    create: (session) =>
      Effect.gen(function*() {
        const row = yield* Schema.encode(SessionFromRow)(session)
        yield* sql`INSERT INTO custos_sessions ${sql.insert(row)}
          ON CONFLICT (id) DO UPDATE SET
            account_id = excluded.account_id,
            device_id = excluded.device_id,
            token_hash = excluded.token_hash,
            created_at = excluded.created_at,
            last_used_at = excluded.last_used_at`
      }).pipe(exclusive, storeStep("SessionStore.create")),
    findByTokenHash: (tokenHash) =>
      exclusive(sql`SELECT ${selected} FROM custos_sessions WHERE token_hash = ${tokenHash}`).pipe(
        Effect.flatMap(decodeSessions),
        Effect.map((sessions) => Option.fromNullable(sessions[0])),
        storeStep("SessionStore.findByTokenHash")
      ),
    list: (accountId) =>
      exclusive(
        sql`SELECT ${selected} FROM custos_sessions WHERE account_id = ${accountId} ORDER BY created_at, id`
      ).pipe(Effect.flatMap(decodeSessions), storeStep("SessionStore.list")),
    touch: (accountId, id, at) =>
      exclusive(
        sql`UPDATE custos_sessions SET last_used_at = ${at} WHERE account_id = ${accountId} AND id = ${id}`
      ).pipe(Effect.asVoid, storeStep("SessionStore.touch")),
    revoke: (accountId, id) =>
      exclusive(sql`DELETE FROM custos_sessions WHERE account_id = ${accountId} AND id = ${id} RETURNING id`).pipe(
        Effect.map((deleted) => deleted.length > 0),
        storeStep("SessionStore.revoke")
      ),
    revokeDevice: (accountId, deviceId) =>
      exclusive(
        sql`DELETE FROM custos_sessions WHERE account_id = ${accountId} AND device_id = ${deviceId} RETURNING id`
      ).pipe(Effect.map((deleted) => deleted.length), storeStep("SessionStore.revokeDevice")),
    revokeAll: (accountId) =>
      exclusive(sql`DELETE FROM custos_sessions WHERE account_id = ${accountId} RETURNING id`).pipe(
        Effect.map((deleted) => deleted.length),
        storeStep("SessionStore.revokeAll")
      )
  })
})

/** `SessionStore` over the `SqlClient` in context; runs the migrations first. */
export const layer = Layer.effect(SessionStore, make).pipe(Layer.provide(layerMigrations))
