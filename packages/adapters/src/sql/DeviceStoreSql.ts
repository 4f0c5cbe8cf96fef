/**
 * `DeviceStore` over SQL, one implementation for SQLite and PostgreSQL. A device is one row of `custos_devices`,
 * keyed by (account, device id); `put` is an upsert, so registering a device and moving its sync pacing on are the
 * same single statement. Ids sort byte by byte in both dialects, so `list` comes in the same order everywhere.
 */
import { Device } from "@custos/core/domain/Device"
import { DeviceStore } from "@custos/core/ports/DeviceStore"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer, Option, Schema } from "effect"
import { Int64, makeExclusive, storeStep } from "./internal/sqlStore.js"
import { layerMigrations } from "./SqlMigrations.js"

const DeviceRow = Schema.Struct({
  account_id: Schema.String,
  id: Schema.String,
  name: Schema.String,
  registered_at: Int64,
  last_seen_at: Int64,
  next_background_sync_at: Int64,
  sync_window_ends_at: Int64
})

/** A row of `custos_devices` and the device it holds. */
const DeviceFromRow = Schema.transform(DeviceRow, Device, {
  strict: true,
  decode: (row) => ({
    accountId: row.account_id,
    id: row.id,
    name: row.name,
    registeredAt: row.registered_at,
    lastSeenAt: row.last_seen_at,
    nextBackgroundSyncAt: row.next_background_sync_at,
    syncWindowEndsAt: row.sync_window_ends_at
  }),
  encode: (device) => ({
    account_id: device.accountId,
    id: device.id,
    name: device.name,
    registered_at: device.registeredAt,
    last_seen_at: device.lastSeenAt,
    next_background_sync_at: device.nextBackgroundSyncAt,
    sync_window_ends_at: device.syncWindowEndsAt
  })
})

const decodeDevices = Schema.decodeUnknown(Schema.Array(DeviceFromRow))

const columns = "account_id, id, name, registered_at, last_seen_at, next_background_sync_at, sync_window_ends_at"

export const make = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const exclusive = makeExclusive(sql)
  const selected = sql.unsafe(columns)

  return DeviceStore.of({
    put: (device) =>
      Effect.gen(function*() {
        const row = yield* Schema.encode(DeviceFromRow)(device)
        yield* sql`INSERT INTO custos_devices ${sql.insert(row)}
          ON CONFLICT (account_id, id) DO UPDATE SET
            name = excluded.name,
            registered_at = excluded.registered_at,
            last_seen_at = excluded.last_seen_at,
            next_background_sync_at = excluded.next_background_sync_at,
            sync_window_ends_at = excluded.sync_window_ends_at`
      }).pipe(exclusive, storeStep("DeviceStore.put")),
    get: (accountId, id) =>
      exclusive(sql`SELECT ${selected} FROM custos_devices WHERE account_id = ${accountId} AND id = ${id}`).pipe(
        Effect.flatMap(decodeDevices),
        Effect.map((devices) => Option.fromNullable(devices[0])),
        storeStep("DeviceStore.get")
      ),
    list: (accountId) =>
      exclusive(sql`SELECT ${selected} FROM custos_devices WHERE account_id = ${accountId} ORDER BY id`).pipe(
        Effect.flatMap(decodeDevices),
        storeStep("DeviceStore.list")
      ),
    remove: (accountId, id) =>
      exclusive(sql`DELETE FROM custos_devices WHERE account_id = ${accountId} AND id = ${id} RETURNING id`).pipe(
        Effect.map((deleted) => deleted.length > 0),
        storeStep("DeviceStore.remove")
      ),
    removeAll: (accountId) =>
      exclusive(sql`DELETE FROM custos_devices WHERE account_id = ${accountId} RETURNING id`).pipe(
        Effect.map((deleted) => deleted.length),
        storeStep("DeviceStore.removeAll")
      )
  })
})

/** `DeviceStore` over the `SqlClient` in context; runs the migrations first. */
export const layer = Layer.effect(DeviceStore, make).pipe(Layer.provide(layerMigrations))
