/**
 * `AccountStore` over SQL, one implementation for SQLite and PostgreSQL. Creating an account is one
 * `INSERT ... ON CONFLICT DO NOTHING`: if the id exists nothing is written and the caller gets `AccountExists`.
 * Ids sort byte by byte in both dialects, so `list` pages in the same order everywhere.
 */
import { Account } from "@custos/core/domain/Account"
import { AccountExists } from "@custos/core/domain/Errors"
import { AccountStore } from "@custos/core/ports/AccountStore"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer, Option, Schema } from "effect"
import { Int64, makeExclusive, storeStep } from "./internal/sqlStore.js"
import { layerMigrations } from "./SqlMigrations.js"

const AccountRow = Schema.Struct({ id: Schema.String, region: Schema.String, created_at: Int64 })

/** A row of `custos_accounts` and the account it holds. */
const AccountFromRow = Schema.transform(AccountRow, Account, {
  strict: true,
  decode: (row) => ({ id: row.id, region: row.region, createdAt: row.created_at }),
  encode: (account) => ({ id: account.id, region: account.region, created_at: account.createdAt })
})

const decodeAccounts = Schema.decodeUnknown(Schema.Array(AccountFromRow))

export const make = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const exclusive = makeExclusive(sql)

  return AccountStore.of({
    create: (account) =>
      Effect.gen(function*() {
        const row = yield* Schema.encode(AccountFromRow)(account)
        return yield* sql`INSERT INTO custos_accounts ${sql.insert(row)} ON CONFLICT (id) DO NOTHING RETURNING id`
      }).pipe(
        exclusive,
        storeStep("AccountStore.create"),
        Effect.flatMap((inserted) =>
          inserted.length === 0 ? Effect.fail(new AccountExists({ accountId: account.id })) : Effect.void
        )
      ),
    get: (id) =>
      exclusive(sql`SELECT id, region, created_at FROM custos_accounts WHERE id = ${id}`).pipe(
        Effect.flatMap(decodeAccounts),
        Effect.map((accounts) => accounts.length === 0 ? Option.none() : Option.some(accounts[0]!)),
        storeStep("AccountStore.get")
      ),
    list: ({ afterId, limit }) =>
      exclusive(
        afterId === undefined
          ? sql`SELECT id, region, created_at FROM custos_accounts ORDER BY id LIMIT ${Math.max(0, limit)}`
          : sql`SELECT id, region, created_at FROM custos_accounts WHERE id > ${afterId}
              ORDER BY id LIMIT ${Math.max(0, limit)}`
      ).pipe(Effect.flatMap(decodeAccounts), storeStep("AccountStore.list")),
    delete: (id) =>
      exclusive(sql`DELETE FROM custos_accounts WHERE id = ${id} RETURNING id`).pipe(
        Effect.map((deleted) => deleted.length > 0),
        storeStep("AccountStore.delete")
      )
  })
})

/** `AccountStore` over the `SqlClient` in context; runs the migrations first. */
export const layer = Layer.effect(AccountStore, make).pipe(Layer.provide(layerMigrations))
