/**
 * `CredentialStore` over SQL, one implementation for SQLite and PostgreSQL. A credential is one row of
 * `custos_credentials` keyed by its login name (already in normal form: core and the server normalize it, this store
 * compares byte by byte). Creating one is a single `INSERT ... ON CONFLICT DO NOTHING`: a taken name writes nothing
 * and the caller gets `LoginNameTaken`. The password hash is opaque text; no password ever reaches this store.
 */
import { AccountId } from "@custos/core/domain/Ids"
import { type Credential, CredentialStore, LoginNameTaken } from "@custos/core/ports/CredentialStore"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer, Option, Schema } from "effect"
import { Int64, makeExclusive, storeStep } from "./internal/sqlStore.js"
import { layerMigrations } from "./SqlMigrations.js"

const CredentialRow = Schema.Struct({
  login_name: Schema.String,
  account_id: AccountId,
  password_hash: Schema.String,
  created_at: Int64
})

const decodeCredentials = Schema.decodeUnknown(Schema.Array(CredentialRow))

const fromRow = (row: typeof CredentialRow.Type): Credential => ({
  loginName: row.login_name,
  accountId: row.account_id,
  passwordHash: row.password_hash,
  createdAt: row.created_at
})

export const make = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const exclusive = makeExclusive(sql)

  return CredentialStore.of({
    create: (credential) =>
      exclusive(
        sql`INSERT INTO custos_credentials ${
          sql.insert({
            login_name: credential.loginName,
            account_id: credential.accountId,
            password_hash: credential.passwordHash,
            created_at: credential.createdAt
          })
        } ON CONFLICT (login_name) DO NOTHING RETURNING login_name`
      ).pipe(
        storeStep("CredentialStore.create"),
        Effect.flatMap((inserted) =>
          inserted.length === 0 ? Effect.fail(new LoginNameTaken({ loginName: credential.loginName })) : Effect.void
        )
      ),
    findByLoginName: (loginName) =>
      exclusive(
        sql`SELECT login_name, account_id, password_hash, created_at FROM custos_credentials
          WHERE login_name = ${loginName}`
      ).pipe(
        Effect.flatMap(decodeCredentials),
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), fromRow)),
        storeStep("CredentialStore.findByLoginName")
      ),
    removeAccount: (accountId) =>
      exclusive(sql`DELETE FROM custos_credentials WHERE account_id = ${accountId} RETURNING login_name`).pipe(
        Effect.map((deleted) => deleted.length),
        storeStep("CredentialStore.removeAccount")
      )
  })
})

/** `CredentialStore` over the `SqlClient` in context; runs the migrations first. */
export const layer = Layer.effect(CredentialStore, make).pipe(Layer.provide(layerMigrations))
