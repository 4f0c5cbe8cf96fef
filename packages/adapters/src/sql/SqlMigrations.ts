/**
 * The schema of the SQL stores and the migrations that build it, run by the adapter itself: every store Layer
 * depends on `layerMigrations`, so nobody can forget them. They are versioned in `custos_migrations` (forward only),
 * so running them again changes nothing. One set serves SQLite and PostgreSQL; the only difference is that
 * PostgreSQL compares ids byte by byte (`COLLATE "C"`), as SQLite does, so ids sort the same everywhere.
 *
 * Several processes may start at once: on PostgreSQL the run holds a transaction-scoped advisory lock, so one
 * migrates while the others wait and then find nothing left to do; on SQLite the database's write lock does the same.
 */
import { StoreError } from "@custos/core/ports/StoreError"
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Cause, Effect, Layer } from "effect"

/** The table that records which migrations ran. */
export const migrationsTable = "custos_migrations"

/** Any 64-bit number; it names the advisory lock the PostgreSQL migration run holds. */
const migrationLockKey = 7_316_807_010_231_001

const createTables = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const key = sql.onDialectOrElse({
    pg: () => sql.unsafe(`TEXT COLLATE "C"`),
    orElse: () => sql.unsafe("TEXT")
  })

  yield* sql`CREATE TABLE custos_accounts (
    id ${key} PRIMARY KEY,
    region TEXT NOT NULL,
    created_at BIGINT NOT NULL
  )`

  yield* sql`CREATE TABLE custos_sync_settings (
    account_id ${key} PRIMARY KEY,
    settings TEXT NOT NULL
  )`

  // One row per account: its write lock, the last seq it handed out, and its tombstone horizon.
  yield* sql`CREATE TABLE custos_account_heads (
    account_id ${key} PRIMARY KEY,
    head BIGINT NOT NULL,
    horizon BIGINT NOT NULL
  )`

  yield* sql`CREATE TABLE custos_records (
    account_id ${key} NOT NULL,
    app ${key} NOT NULL,
    id ${key} NOT NULL,
    version INTEGER NOT NULL,
    seq BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'trashed', 'purged')),
    body TEXT,
    changed_at BIGINT NOT NULL,
    changed_by TEXT,
    trashed_at BIGINT,
    delete_by BIGINT,
    size BIGINT NOT NULL,
    blobs TEXT,
    PRIMARY KEY (account_id, app, id)
  )`
  // The change feed of one app: `changes` is a range scan of this index in seq order.
  yield* sql`CREATE INDEX custos_records_changes ON custos_records (account_id, app, seq)`
  // `list` (by state, in seq order), `usage` and compaction.
  yield* sql`CREATE INDEX custos_records_state ON custos_records (account_id, state, seq)`
  // `dueForPurge`: only trashed records, in the order of their receipts; the index holds every column it returns.
  yield* sql`CREATE INDEX custos_records_due ON custos_records (delete_by, account_id, app, id)
    WHERE state = 'trashed'`

  yield* sql`CREATE TABLE custos_mutations (
    account_id ${key} NOT NULL,
    mutation_id ${key} NOT NULL,
    app TEXT NOT NULL,
    record_id TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('put', 'delete')),
    outcome TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (account_id, mutation_id)
  )`
  yield* sql`CREATE INDEX custos_mutations_at ON custos_mutations (account_id, at)`
})

/** Purchases, devices and wrapped account keys, which until now only had memory stores. */
const createAccountTables = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const key = sql.onDialectOrElse({
    pg: () => sql.unsafe(`TEXT COLLATE "C"`),
    orElse: () => sql.unsafe("TEXT")
  })
  const bytes = sql.onDialectOrElse({
    pg: () => sql.unsafe("BYTEA"),
    orElse: () => sql.unsafe("BLOB")
  })

  // `details` is the sealed envelope text of the purchase details; the other columns are what memberships need.
  yield* sql`CREATE TABLE custos_purchases (
    account_id ${key} NOT NULL,
    id ${key} NOT NULL,
    plan_id TEXT NOT NULL,
    purchased_at BIGINT NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_until BIGINT NOT NULL,
    details TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
  )`
  yield* sql`CREATE INDEX custos_purchases_order ON custos_purchases (account_id, purchased_at, id)`

  yield* sql`CREATE TABLE custos_devices (
    account_id ${key} NOT NULL,
    id ${key} NOT NULL,
    name TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    next_background_sync_at BIGINT NOT NULL,
    sync_window_ends_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, id)
  )`

  // One row per account that ever had a key: its key lock, and the destroyed marker that outlives its keys.
  yield* sql`CREATE TABLE custos_account_key_states (
    account_id ${key} PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('live', 'destroyed'))
  )`
  // Account keys, only ever wrapped under a master key version (`sealed` is nonce, ciphertext and tag).
  yield* sql`CREATE TABLE custos_account_keys (
    account_id ${key} NOT NULL REFERENCES custos_account_key_states (account_id),
    version INTEGER NOT NULL CHECK (version > 0),
    master_version INTEGER NOT NULL,
    sealed ${bytes} NOT NULL,
    PRIMARY KEY (account_id, version)
  )`
})

/** Sign-in credentials and sessions, and the fingerprints of gallery content deleted on purpose. */
const createSignInTables = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const key = sql.onDialectOrElse({
    pg: () => sql.unsafe(`TEXT COLLATE "C"`),
    orElse: () => sql.unsafe("TEXT")
  })

  // The login name in its normal form; the password hash is self-describing (`scrypt$...`), never a password.
  yield* sql`CREATE TABLE custos_credentials (
    login_name ${key} PRIMARY KEY,
    account_id ${key} NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
  )`
  yield* sql`CREATE INDEX custos_credentials_account ON custos_credentials (account_id)`

  // Only the SHA-256 of a session's bearer token is kept; a token opens at most one session.
  yield* sql`CREATE TABLE custos_sessions (
    id ${key} PRIMARY KEY,
    account_id ${key} NOT NULL,
    device_id ${key} NOT NULL,
    token_hash ${key} NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
  )`
  yield* sql`CREATE INDEX custos_sessions_account ON custos_sessions (account_id, device_id)`

  yield* sql`CREATE TABLE custos_deleted_content (
    account_id ${key} NOT NULL,
    fingerprint ${key} NOT NULL,
    deleted_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, fingerprint)
  )`
})

/** The access log (§4.1.5): one row per entry of an account's hash chain, kept exactly as it was appended. */
const createAccessLogTable = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const key = sql.onDialectOrElse({
    pg: () => sql.unsafe(`TEXT COLLATE "C"`),
    orElse: () => sql.unsafe("TEXT")
  })

  // `record_ids` is a JSON array of the ids opened, in their order; the hashes are lowercase hex SHA-256.
  yield* sql`CREATE TABLE custos_access_log (
    account_id ${key} NOT NULL,
    idx BIGINT NOT NULL CHECK (idx > 0),
    at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    app TEXT NOT NULL,
    record_ids TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (account_id, idx)
  )`
})

/**
 * On PostgreSQL, holds off every write to `custos_records` until the migrations commit (they run in one transaction),
 * while reads go on: what a migration fills from the records and the triggers that keep it from then on see the same
 * rows. A no-op elsewhere.
 */
const lockRecords = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.onDialectOrElse({
    pg: () => Effect.asVoid(sql`LOCK TABLE custos_records IN SHARE ROW EXCLUSIVE MODE`),
    orElse: () => Effect.void
  }))

/**
 * On PostgreSQL: the PL/pgSQL trigger function `fn` with `body`, and the statement triggers `<triggers>_insert`,
 * `_update` and `_delete` on `custos_records` that run it over their transition tables (`new_rows`, `old_rows`). The
 * function is bound to the schema the migrations build in, so it finds its tables whoever writes, by whatever
 * search_path (`SET search_path FROM CURRENT` would keep a `"$user"` entry, resolved per caller).
 */
const pgStatementTriggers = (options: { readonly fn: string; readonly triggers: string; readonly body: string }) =>
  Effect.gen(function*() {
    const { body, fn, triggers } = options
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const [row] = yield* sql<{ schema: string }>`SELECT current_schema() AS schema`
    const schema = `"${row!.schema.replaceAll('"', '""')}"`
    yield* sql.unsafe(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, ${schema} AS $$ ${body} $$`)
    yield* sql.unsafe(`CREATE TRIGGER ${triggers}_insert AFTER INSERT ON custos_records
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`)
    yield* sql.unsafe(`CREATE TRIGGER ${triggers}_update AFTER UPDATE ON custos_records
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`)
    yield* sql.unsafe(`CREATE TRIGGER ${triggers}_delete AFTER DELETE ON custos_records
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`)
  })

/**
 * What each account's active and trashed records take up, kept by the database itself: triggers on `custos_records`
 * add every insert, update and delete to the account's row of `custos_account_usage`, so a push checks its quota
 * with one primary-key read instead of adding up every record of the account. Whatever writes the records (a push,
 * the sweeper, compaction, deleting the account, a hand-run statement), the figures follow, in the same
 * transaction. The counts of records already stored are taken once, here.
 *
 * SQLite runs a trigger per row; PostgreSQL one per statement over its transition tables, so a batch of 500 records
 * adjusts the account's row once, not 500 times.
 */
const trackUsage = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const key = sql.onDialectOrElse({
    pg: () => sql.unsafe(`TEXT COLLATE "C"`),
    orElse: () => sql.unsafe("TEXT")
  })

  // Writers wait until the migration commits: a write committed between the count below and the triggers taking
  // over would be counted by neither. (SQLite has one writer at a time, and the migration is it.)
  yield* lockRecords
  yield* sql`CREATE TABLE custos_account_usage (
    account_id ${key} PRIMARY KEY,
    records BIGINT NOT NULL,
    bytes BIGINT NOT NULL
  )`
  yield* sql`INSERT INTO custos_account_usage (account_id, records, bytes)
    SELECT account_id, count(*), sum(size) FROM custos_records WHERE state <> 'purged' GROUP BY account_id`

  yield* sql.onDialectOrElse({
    pg: () =>
      pgStatementTriggers({
        fn: "custos_adjust_usage",
        triggers: "custos_usage",
        body: `
        BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO custos_account_usage AS u (account_id, records, bytes)
              SELECT account_id, count(*), sum(size) FROM new_rows WHERE state <> 'purged' GROUP BY account_id
              ON CONFLICT (account_id) DO UPDATE
                SET records = u.records + excluded.records, bytes = u.bytes + excluded.bytes;
          ELSIF TG_OP = 'UPDATE' THEN
            INSERT INTO custos_account_usage AS u (account_id, records, bytes)
              SELECT account_id, sum(records), sum(bytes) FROM (
                SELECT account_id, 1 AS records, size AS bytes FROM new_rows WHERE state <> 'purged'
                UNION ALL
                SELECT account_id, -1, -size FROM old_rows WHERE state <> 'purged'
              ) AS changed GROUP BY account_id
              ON CONFLICT (account_id) DO UPDATE
                SET records = u.records + excluded.records, bytes = u.bytes + excluded.bytes;
          ELSE
            UPDATE custos_account_usage AS u SET records = u.records - gone.records, bytes = u.bytes - gone.bytes
              FROM (
                SELECT account_id, count(*) AS records, sum(size) AS bytes FROM old_rows WHERE state <> 'purged'
                GROUP BY account_id
              ) AS gone
              WHERE u.account_id = gone.account_id;
          END IF;
          RETURN NULL;
        END`
      }),
    orElse: () =>
      Effect.all([
        sql.unsafe(`CREATE TRIGGER custos_usage_insert AFTER INSERT ON custos_records WHEN NEW.state <> 'purged'
          BEGIN
            INSERT INTO custos_account_usage (account_id, records, bytes) VALUES (NEW.account_id, 1, NEW.size)
              ON CONFLICT (account_id) DO UPDATE SET records = records + 1, bytes = bytes + excluded.bytes;
          END`),
        sql.unsafe(`CREATE TRIGGER custos_usage_update AFTER UPDATE ON custos_records
          WHEN OLD.state <> 'purged' OR NEW.state <> 'purged'
          BEGIN
            INSERT INTO custos_account_usage (account_id, records, bytes) VALUES (
              NEW.account_id,
              (NEW.state <> 'purged') - (OLD.state <> 'purged'),
              (CASE WHEN NEW.state <> 'purged' THEN NEW.size ELSE 0 END)
                - (CASE WHEN OLD.state <> 'purged' THEN OLD.size ELSE 0 END)
            )
              ON CONFLICT (account_id) DO UPDATE
                SET records = records + excluded.records, bytes = bytes + excluded.bytes;
          END`),
        sql.unsafe(`CREATE TRIGGER custos_usage_delete AFTER DELETE ON custos_records WHEN OLD.state <> 'purged'
          BEGIN
            UPDATE custos_account_usage SET records = records - 1, bytes = bytes - OLD.size
              WHERE account_id = OLD.account_id;
          END`)
      ], { discard: true })
  })
})

/**
 * Which active and trashed records name which blob, kept by the database itself: triggers on `custos_records` add a
 * row of `custos_record_blobs` per blob id in a record's `blobs` list and remove it when the list changes, the record
 * is purged or deleted. A download finds the records that name its blob with one index lookup, and an upload or a
 * collection lists an account's referenced blobs without reading any record. Existing records are indexed once, here.
 *
 * A `blobs` value that is not a JSON array of strings (only a hand-made change can write one) is left out of the
 * index rather than failing the write; reading that record still fails as corrupt.
 */
const indexBlobReferences = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const key = sql.onDialectOrElse({
    pg: () => sql.unsafe(`TEXT COLLATE "C"`),
    orElse: () => sql.unsafe("TEXT")
  })

  yield* lockRecords
  yield* sql`CREATE TABLE custos_record_blobs (
    account_id ${key} NOT NULL,
    blob_id ${key} NOT NULL,
    app ${key} NOT NULL,
    record_id ${key} NOT NULL,
    PRIMARY KEY (account_id, blob_id, app, record_id)
  )`

  yield* sql.onDialectOrElse({
    pg: () =>
      Effect.all([
        // The blob ids of a `blobs` value; none when it is not a JSON array of strings.
        sql.unsafe(`CREATE FUNCTION custos_blob_ids(blobs TEXT) RETURNS SETOF TEXT LANGUAGE plpgsql IMMUTABLE AS $$
          DECLARE parsed JSONB;
          BEGIN
            IF blobs IS NULL THEN RETURN; END IF;
            BEGIN
              parsed := blobs::jsonb;
            EXCEPTION WHEN OTHERS THEN
              RETURN;
            END;
            IF jsonb_typeof(parsed) <> 'array' THEN RETURN; END IF;
            RETURN QUERY SELECT value #>> '{}' FROM jsonb_array_elements(parsed) WHERE jsonb_typeof(value) = 'string';
          END
        $$`),
        pgStatementTriggers({
          fn: "custos_index_blob_references",
          triggers: "custos_blob_references",
          body: `
          BEGIN
            IF TG_OP <> 'INSERT' THEN
              DELETE FROM custos_record_blobs AS b USING (
                SELECT o.account_id, id.blob_id, o.app, o.id FROM old_rows AS o
                  CROSS JOIN LATERAL custos_blob_ids(o.blobs) AS id(blob_id)
                  WHERE o.state <> 'purged'
              ) AS gone (account_id, blob_id, app, record_id)
              WHERE b.account_id = gone.account_id AND b.blob_id = gone.blob_id AND b.app = gone.app
                AND b.record_id = gone.record_id;
            END IF;
            IF TG_OP <> 'DELETE' THEN
              INSERT INTO custos_record_blobs (account_id, blob_id, app, record_id)
                SELECT n.account_id, id.blob_id, n.app, n.id FROM new_rows AS n
                  CROSS JOIN LATERAL custos_blob_ids(n.blobs) AS id(blob_id)
                  WHERE n.state <> 'purged'
                ON CONFLICT DO NOTHING;
            END IF;
            RETURN NULL;
          END`
        }),
        sql.unsafe(`INSERT INTO custos_record_blobs (account_id, blob_id, app, record_id)
          SELECT r.account_id, id.blob_id, r.app, r.id FROM custos_records AS r
            CROSS JOIN LATERAL custos_blob_ids(r.blobs) AS id(blob_id)
            WHERE r.state <> 'purged'
          ON CONFLICT DO NOTHING`)
      ], { discard: true }),
    orElse: () => {
      // The blob ids of a `blobs` value `v`; none when it is not a JSON array (strings only are kept).
      const arrayOrEmpty = (v: string) =>
        `CASE WHEN json_valid(${v}) THEN (CASE WHEN json_type(${v}) = 'array' THEN ${v} ELSE '[]' END) ELSE '[]' END`
      const idsOf = (v: string) => `SELECT value FROM json_each(${arrayOrEmpty(v)}) WHERE type = 'text'`
      // A trigger's `INSERT OR IGNORE` would take the conflict policy of the statement that fired it (an upsert,
      // which aborts); an upsert clause of its own is kept, so a blob id named twice is indexed once.
      const add = (row: string, when: string) =>
        `INSERT INTO custos_record_blobs (account_id, blob_id, app, record_id)
          SELECT ${row}.account_id, value, ${row}.app, ${row}.id FROM (${idsOf(`${row}.blobs`)}) WHERE ${when}
          ON CONFLICT DO NOTHING;`
      const remove = (row: string, when: string) =>
        `DELETE FROM custos_record_blobs WHERE ${when} AND account_id = ${row}.account_id AND app = ${row}.app
          AND record_id = ${row}.id AND blob_id IN (${idsOf(`${row}.blobs`)});`
      return Effect.all([
        sql.unsafe(`CREATE TRIGGER custos_blob_references_insert AFTER INSERT ON custos_records
          WHEN NEW.state <> 'purged' AND NEW.blobs IS NOT NULL
          BEGIN ${add("NEW", "true")} END`),
        sql.unsafe(`CREATE TRIGGER custos_blob_references_update AFTER UPDATE ON custos_records
          WHEN OLD.blobs IS NOT NEW.blobs OR (OLD.state <> 'purged') <> (NEW.state <> 'purged')
          BEGIN
            ${remove("OLD", "OLD.state <> 'purged'")}
            ${add("NEW", "NEW.state <> 'purged'")}
          END`),
        sql.unsafe(`CREATE TRIGGER custos_blob_references_delete AFTER DELETE ON custos_records
          WHEN OLD.state <> 'purged' AND OLD.blobs IS NOT NULL
          BEGIN ${remove("OLD", "true")} END`),
        sql.unsafe(`INSERT INTO custos_record_blobs (account_id, blob_id, app, record_id)
          SELECT r.account_id, ids.value, r.app, r.id FROM custos_records AS r, json_each(${arrayOrEmpty("r.blobs")}) AS ids
          WHERE r.state <> 'purged' AND r.blobs IS NOT NULL AND ids.type = 'text'
          ON CONFLICT DO NOTHING`)
      ], { discard: true })
    }
  })
})

/** Every migration, by `NNNN_name`; append new ones, never change a released one. */
export const migrations = Migrator.fromRecord({
  "0001_create_tables": createTables,
  "0002_create_account_tables": createAccountTables,
  "0003_create_sign_in_tables": createSignInTables,
  "0004_create_access_log": createAccessLogTable,
  "0005_track_usage": trackUsage,
  "0006_index_blob_references": indexBlobReferences
})

const runMigrator = Migrator.make({})({ loader: migrations, table: migrationsTable })

/**
 * Brings the schema up to date and returns the migrations it ran. Fails with `StoreError` if the database is out of
 * reach, a migration fails (nothing of it stays), or the dialect is neither SQLite nor PostgreSQL.
 */
export const migrate: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  StoreError,
  SqlClient.SqlClient
> = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const supported = sql.onDialectOrElse({ sqlite: () => true, pg: () => true, orElse: () => false })
  if (!supported) {
    return yield* new StoreError({
      operation: "SqlMigrations.migrate",
      cause: new Error("Custos stores records in SQLite or PostgreSQL only")
    })
  }
  // On PostgreSQL the Migrator probes for its table with a query that fails when the table is missing, which
  // would abort the surrounding transaction; so under the lock the table is created first, as the Migrator would.
  const lock: Effect.Effect<void, SqlError> = sql.onDialectOrElse({
    pg: () =>
      Effect.zipRight(
        sql`SELECT pg_advisory_xact_lock(${migrationLockKey})`,
        sql`CREATE TABLE IF NOT EXISTS ${sql(migrationsTable)} (
          migration_id integer primary key,
          created_at timestamp with time zone not null default now(),
          name text not null
        )`
      ).pipe(Effect.asVoid),
    orElse: () => Effect.void
  })
  return yield* sql.withTransaction(Effect.zipRight(lock, runMigrator))
}).pipe(
  // A failed migration is a defect inside the Migrator; it means the same as an unreachable database here.
  Effect.catchAllCause((cause) =>
    Cause.isInterruptedOnly(cause)
      ? Effect.failCause(cause as Cause.Cause<never>)
      : Effect.fail(
        Cause.failureOption(cause).pipe((failure) =>
          failure._tag === "Some" && failure.value instanceof StoreError
            ? failure.value
            : new StoreError({ operation: "SqlMigrations.migrate", cause: Cause.squash(cause) })
        )
      )
  )
)

/** Runs the migrations when built; every SQL store Layer depends on it, and Layers build it once. */
export const layerMigrations: Layer.Layer<never, StoreError, SqlClient.SqlClient> = Layer.effectDiscard(migrate)
