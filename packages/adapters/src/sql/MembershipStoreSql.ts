/**
 * `MembershipStore` over SQL, one implementation for SQLite and PostgreSQL. A purchase is one row of
 * `custos_purchases`: the plain columns memberships are computed from, and the details as the sealed envelope text
 * core hands over (never opened here). Recording a purchase is one `INSERT ... ON CONFLICT DO NOTHING`: when the
 * account has the id already nothing is written and the caller gets `PurchaseExists`.
 */
import { PurchaseExists } from "@custos/core/domain/Errors"
import { StoredPurchase } from "@custos/core/domain/Membership"
import { MembershipStore } from "@custos/core/ports/MembershipStore"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer, Schema } from "effect"
import { Int64, makeExclusive, storeStep } from "./internal/sqlStore.js"
import { layerMigrations } from "./SqlMigrations.js"

const PurchaseRow = Schema.Struct({
  account_id: Schema.String,
  id: Schema.String,
  plan_id: Schema.String,
  purchased_at: Int64,
  valid_from: Int64,
  valid_until: Int64,
  details: Schema.String
})

/** A row of `custos_purchases` and the stored purchase it holds. */
const PurchaseFromRow = Schema.transform(PurchaseRow, StoredPurchase, {
  strict: true,
  decode: (row) => ({
    id: row.id,
    accountId: row.account_id,
    planId: row.plan_id,
    purchasedAt: row.purchased_at,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    details: row.details
  }),
  encode: (purchase) => ({
    account_id: purchase.accountId,
    id: purchase.id,
    plan_id: purchase.planId,
    purchased_at: purchase.purchasedAt,
    valid_from: purchase.validFrom,
    valid_until: purchase.validUntil,
    details: purchase.details
  })
})

const decodePurchases = Schema.decodeUnknown(Schema.Array(PurchaseFromRow))

export const make = Effect.gen(function*() {
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()
  const exclusive = makeExclusive(sql)

  return MembershipStore.of({
    addPurchase: (purchase) =>
      Effect.gen(function*() {
        const row = yield* Schema.encode(PurchaseFromRow)(purchase)
        return yield* sql`INSERT INTO custos_purchases ${sql.insert(row)}
          ON CONFLICT (account_id, id) DO NOTHING RETURNING id`
      }).pipe(
        exclusive,
        storeStep("MembershipStore.addPurchase"),
        Effect.flatMap((inserted) =>
          inserted.length === 0 ? Effect.fail(new PurchaseExists({ purchaseId: purchase.id })) : Effect.void
        )
      ),
    // Oldest first; purchases made in the same millisecond come in id order, the same on every dialect.
    purchases: (accountId) =>
      exclusive(
        sql`SELECT account_id, id, plan_id, purchased_at, valid_from, valid_until, details FROM custos_purchases
          WHERE account_id = ${accountId} ORDER BY purchased_at, id`
      ).pipe(Effect.flatMap(decodePurchases), storeStep("MembershipStore.purchases")),
    deletePurchases: (accountId) =>
      exclusive(sql`DELETE FROM custos_purchases WHERE account_id = ${accountId} RETURNING id`).pipe(
        Effect.map((deleted) => deleted.length),
        storeStep("MembershipStore.deletePurchases")
      )
  })
})

/** `MembershipStore` over the `SqlClient` in context; runs the migrations first. */
export const layer = Layer.effect(MembershipStore, make).pipe(Layer.provide(layerMigrations))
