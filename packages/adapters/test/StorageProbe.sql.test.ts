/**
 * ENC-001 at the byte level (§4.1.2): after canaries are written into every app and into a purchase, no byte that
 * SQLite keeps on disk (the database file and its write-ahead log) and no row PostgreSQL holds contains them. And
 * crypto-shredding at the byte level on SQLite: once the account is deleted, no byte of either file still holds its
 * wrapped key or a sealed record of it, so the key file alone can open nothing of it again.
 */
import { layerSqlStores } from "@custos/adapters/sql/SqlStores"
import { layerEphemeralKeys } from "@custos/adapters/keys/EphemeralKeys"
import { Apps } from "@custos/core/domain/App"
import { DeviceId, MutationId, RecordId } from "@custos/core/domain/Ids"
import { AccountKeyStore } from "@custos/core/ports/AccountKeyStore"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { AccountService } from "@custos/core/services/AccountService"
import { layerCoreServices } from "@custos/core/services/CoreServices"
import { MembershipService } from "@custos/core/services/MembershipService"
import { PrivacyService } from "@custos/core/services/PrivacyService"
import { SyncEngine } from "@custos/core/services/SyncEngine"
import { SyncSettingsService } from "@custos/core/services/SyncSettingsService"
import { samples } from "@custos/conformance/Samples"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { describePg, pgDatabase, sqliteDatabase } from "./sqlTestDatabases.js"

const canary = "CanaryZx9Q"

/** Writes the canary into a text field of every app and into a purchase. */
const writeCanaries = Effect.gen(function*() {
  const account = yield* (yield* AccountService).create({ region: "DE" })
  yield* (yield* SyncSettingsService).update(account.id, { apps: Object.fromEntries(Apps.map((a) => [a, true])) })
  const engine = yield* SyncEngine
  let n = 0
  for (const app of Apps) {
    const payload: Record<string, unknown> = { ...samples[app](1) }
    for (const field of ["title", "body", "text", "name", "fileName", "ssid", "deviceModel"]) {
      if (typeof payload[field] === "string") payload[field] = field === "fileName" ? `${canary}.jpg` : canary
    }
    if (app === "contacts") payload["name"] = { formatted: canary }
    if (app === "call-history") payload["number"] = `+1 ${canary}`
    if (app === "wifi") payload["password"] = `${canary}-secret`
    const result = yield* engine.push(account.id, DeviceId.make("phone"), app, [{
      mutationId: MutationId.make(`m${++n}`),
      recordId: RecordId.make(`${app}-1`),
      op: "put",
      payload
    }])
    assert.strictEqual(result.outcomes[0]!._tag, "applied", app)
  }
  yield* (yield* MembershipService).recordPurchase({
    accountId: account.id,
    id: "order-1",
    planId: "plus",
    validFrom: 0,
    validUntil: 86_400_000,
    details: { amountMinor: 100, currency: "EUR", channel: "voucher", reference: canary }
  })
  return account.id
})

const core = <E>(client: Layer.Layer<SqlClient.SqlClient, E>) =>
  layerCoreServices.pipe(Layer.provideMerge(Layer.merge(layerEphemeralKeys, layerSqlStores)), Layer.provideMerge(client))

describe("storage probe on SQLite", () => {
  it.scoped("no byte of the database file or its log holds a canary", () =>
    Effect.gen(function*() {
      const db = yield* sqliteDatabase
      yield* writeCanaries.pipe(Effect.provide(core(db.client)))
      let read = 0
      for (const file of [db.name, `${db.name}-wal`, `${db.name}-journal`]) {
        if (!existsSync(file)) continue
        const bytes = readFileSync(file)
        read += bytes.length
        assert.strictEqual(bytes.indexOf(Buffer.from(canary)), -1, `${file} holds no canary`)
      }
      assert.isAbove(read, 4096, "the probe read the stored bytes")
    }))
})

describe("account deletion on SQLite", () => {
  it.scoped("leaves no byte of the account's wrapped key or sealed records in the database file or its log", () =>
    Effect.gen(function*() {
      const db = yield* sqliteDatabase
      yield* Effect.gen(function*() {
        const accountId = yield* writeCanaries
        const key = yield* (yield* AccountKeyStore).get(accountId, 1)
        assert.isTrue(Option.isSome(key))
        const wrapped = Buffer.from(key.pipe(Option.getOrThrow).wrapped.sealed)
        const bodies = (yield* (yield* RecordStore).list(accountId, { state: "active", limit: 100 }))
          .map((record) => Buffer.from(record.body!.slice(0, 48)))
        assert.strictEqual(bodies.length, Apps.length)
        const files = [db.name, `${db.name}-wal`].filter((file) => existsSync(file))
        const holding = (needle: Buffer) => files.filter((file) => readFileSync(file).includes(needle))
        assert.isNotEmpty(holding(wrapped), "the probe finds the wrapped key while the account lives")

        yield* (yield* PrivacyService).deleteAccount(accountId)
        assert.deepStrictEqual(holding(wrapped), [], "no file holds the wrapped key")
        for (const body of bodies) assert.deepStrictEqual(holding(body), [], "no file holds a sealed record")
      }).pipe(Effect.provide(core(db.client)))
    }))
})

await describePg("storage probe on PostgreSQL", () => {
  it.scoped("no row of any Custos table holds a canary", () =>
    Effect.gen(function*() {
      const db = yield* pgDatabase
      yield* writeCanaries.pipe(Effect.provide(core(db.client)))
      const rows = yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const tables = yield* sql<{ table_name: string }>`
          SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
        const texts: Array<string> = []
        for (const { table_name } of tables) {
          const all = yield* sql.unsafe<Record<string, unknown>>(`SELECT * FROM "${table_name}"`)
          texts.push(...all.map((row) => JSON.stringify(row)))
        }
        return texts
      }).pipe(Effect.provide(db.client))
      assert.isAbove(rows.length, Apps.length, "the probe read the stored rows")
      for (const row of rows) assert.notInclude(row, canary)
    }))
})
