/**
 * The record reads whose plans matter, kept apart so a test can ask the database how it runs them: `changes` must
 * be a range scan of `custos_records_changes`, `dueForPurge` one of `custos_records_due`.
 */
import type { App } from "@custos/core/domain/App"
import type { AccountId } from "@custos/core/domain/Ids"
import type * as SqlClient from "@effect/sql/SqlClient"

export const changesStatement = (
  sql: SqlClient.SqlClient,
  accountId: AccountId,
  query: { readonly app: App; readonly afterSeq: number; readonly limit: number }
) =>
  sql`SELECT * FROM custos_records
    WHERE account_id = ${accountId} AND app = ${query.app} AND seq > ${query.afterSeq}
    ORDER BY seq
    LIMIT ${Math.max(0, query.limit)}`

export const dueStatement = (sql: SqlClient.SqlClient, before: number, limit: number) =>
  sql`SELECT account_id, app, id FROM custos_records
    WHERE state = 'trashed' AND delete_by <= ${before}
    ORDER BY delete_by, account_id, app, id
    LIMIT ${Math.max(0, limit)}`
