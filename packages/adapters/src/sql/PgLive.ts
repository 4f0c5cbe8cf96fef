/**
 * PostgreSQL as the `SqlClient` of the SQL stores, for production: several stateless instances can share one
 * database, since every account's writes are serialized by a row lock in the database, not in the process.
 *
 * `layerPg` reads `DATABASE_URL` (a secret: it stays `Redacted` until the driver gets it) and, optionally,
 * `DATABASE_MAX_CONNECTIONS` (10 by default) through Effect `Config`.
 */
import { StoreError } from "@custos/core/ports/StoreError"
import type * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Config, type ConfigError, Layer, Redacted } from "effect"

const connectFailures = <A, E, R>(layer: Layer.Layer<A, E, R>) =>
  Layer.catchAll(layer, (error) =>
    Layer.fail(error instanceof SqlError ? new StoreError({ operation: "connect to PostgreSQL", cause: error }) : error)
  ) as Layer.Layer<A, Exclude<E, SqlError> | StoreError, R>

/** `SqlClient` (and `PgClient`) configured from the environment: `DATABASE_URL`, `DATABASE_MAX_CONNECTIONS`. */
export const layerPg: Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, ConfigError.ConfigError | StoreError> =
  connectFailures(PgClient.layerConfig({
    url: Config.redacted("DATABASE_URL"),
    maxConnections: Config.integer("DATABASE_MAX_CONNECTIONS").pipe(Config.withDefault(10)),
    applicationName: Config.succeed("custos")
  }))

/** `SqlClient` (and `PgClient`) for the database at `url`, e.g. `postgres://user@host:5432/db`. */
export const layerPgFromUrl = (
  url: string | Redacted.Redacted<string>,
  options: { readonly maxConnections?: number | undefined } = {}
): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, StoreError> =>
  connectFailures(PgClient.layer({
    url: Redacted.isRedacted(url) ? url : Redacted.make(url),
    maxConnections: options.maxConnections ?? 10,
    applicationName: "custos"
  }))
