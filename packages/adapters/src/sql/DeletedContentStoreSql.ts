/**
 * `DeletedContentStore` over SQL, one implementation for SQLite and PostgreSQL: the keyed fingerprints of gallery
 * content deleted on purpose (DESIGN.md "Trash and retention"), one row per (account, fingerprint) in
 * `custos_deleted_content`. Remembering a fingerprint again keeps the first time it was remembered. A fingerprint
 * is an HMAC under the account's key, so the table tells nothing about the content to whoever reads it.
 */
import { DeletedContentStore } from "@custos/core/ports/DeletedContentStore"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer } from "effect"
import { makeExclusive, storeStep } from "./internal/sqlStore.js"
import { layerMigrations } from "./SqlMigrations.js"

export const make = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const exclusive = makeExclusive(sql)

  return DeletedContentStore.of({
    remember: (accountId, fingerprint, at) =>
      exclusive(
        sql`INSERT INTO custos_deleted_content (account_id, fingerprint, deleted_at)
          VALUES (${accountId}, ${fingerprint}, ${at}) ON CONFLICT (account_id, fingerprint) DO NOTHING`
      ).pipe(Effect.asVoid, storeStep("DeletedContentStore.remember")),
    isDeleted: (accountId, fingerprint) =>
      exclusive(
        sql`SELECT 1 AS found FROM custos_deleted_content
          WHERE account_id = ${accountId} AND fingerprint = ${fingerprint}`
      ).pipe(Effect.map((rows) => rows.length > 0), storeStep("DeletedContentStore.isDeleted")),
    forget: (accountId, fingerprint) =>
      exclusive(
        sql`DELETE FROM custos_deleted_content WHERE account_id = ${accountId} AND fingerprint = ${fingerprint}`
      ).pipe(Effect.asVoid, storeStep("DeletedContentStore.forget")),
    deleteAccount: (accountId) =>
      exclusive(sql`DELETE FROM custos_deleted_content WHERE account_id = ${accountId} RETURNING fingerprint`).pipe(
        Effect.map((deleted) => deleted.length),
        storeStep("DeletedContentStore.deleteAccount")
      )
  })
})

/** `DeletedContentStore` over the `SqlClient` in context; runs the migrations first. */
export const layer = Layer.effect(DeletedContentStore, make).pipe(Layer.provide(layerMigrations))
