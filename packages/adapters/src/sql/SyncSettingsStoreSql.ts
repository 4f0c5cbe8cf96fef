/**
 * `SyncSettingsStore` over SQL, one implementation for SQLite and PostgreSQL. Settings are one JSON text per
 * account, decoded with the `SyncSettings` Schema on read. `modify` runs in a transaction that holds the account's
 * write lock, the same one record transactions take: two modifies of one account run one after the other, a failed
 * one rolls back, and one nested in a record transaction (or the other way round) cannot deadlock on lock order.
 */
import type { AccountId } from "@custos/core/domain/Ids"
import { SyncSettings } from "@custos/core/domain/SyncSettings"
import { SyncSettingsStore } from "@custos/core/ports/SyncSettingsStore"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer, Option, Schema } from "effect"
import { lockAccount, makeExclusive, storeStep, transactionStep } from "./internal/sqlStore.js"
import { layerMigrations } from "./SqlMigrations.js"

const SettingsJson = Schema.parseJson(SyncSettings)
const SettingsRow = Schema.Struct({ settings: SettingsJson })

export const make = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const exclusive = makeExclusive(sql)

  const read = (accountId: AccountId) =>
    sql`SELECT settings FROM custos_sync_settings WHERE account_id = ${accountId}`.pipe(
      Effect.flatMap((rows) =>
        rows.length === 0
          ? Effect.succeedNone
          : Schema.decodeUnknown(SettingsRow)(rows[0]).pipe(Effect.map((row) => Option.some(row.settings)))
      )
    )

  return SyncSettingsStore.of({
    get: (accountId) => exclusive(read(accountId)).pipe(storeStep("SyncSettingsStore.get")),
    modify: (accountId, f) =>
      Effect.gen(function*() {
        const current = yield* Effect.zipRight(lockAccount(sql, accountId), read(accountId)).pipe(
          storeStep("SyncSettingsStore.modify")
        )
        const next = yield* f(current)
        yield* Schema.encode(SettingsJson)(next).pipe(
          Effect.flatMap((settings) =>
            sql`INSERT INTO custos_sync_settings (account_id, settings) VALUES (${accountId}, ${settings})
              ON CONFLICT (account_id) DO UPDATE SET settings = excluded.settings`
          ),
          storeStep("SyncSettingsStore.modify")
        )
        return next
      }).pipe(sql.withTransaction, transactionStep("SyncSettingsStore.modify")),
    delete: (accountId) =>
      exclusive(sql`DELETE FROM custos_sync_settings WHERE account_id = ${accountId}`).pipe(
        Effect.asVoid,
        storeStep("SyncSettingsStore.delete")
      )
  })
})

/** `SyncSettingsStore` over the `SqlClient` in context; runs the migrations first. */
export const layer = Layer.effect(SyncSettingsStore, make).pipe(Layer.provide(layerMigrations))
