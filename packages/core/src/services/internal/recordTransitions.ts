/**
 * The state changes of a record, written once: to the trash with its retention receipt, back from the trash, and
 * to a tombstone. Every path that deletes, restores or purges (sync, trash, sweeper, settings, privacy) uses these.
 */
import { Duration } from "effect"
import type { DeviceId } from "../../domain/Ids.js"
import type { RecordWrite, StoredRecord, Version } from "../../domain/Record.js"

interface Change {
  readonly version: Version
  readonly now: number
  readonly by?: DeviceId | undefined
}

const changed = (change: Change) => ({
  version: change.version,
  changedAt: change.now,
  ...(change.by !== undefined ? { changedBy: change.by } : {})
})

/** Trashing keeps the payload (it still counts toward the quota) and gives a receipt under today's plan. */
export const moveToTrash = (record: StoredRecord, change: Change & { readonly trashDays: number }): RecordWrite => ({
  ...withoutSeq(record),
  ...changed(change),
  state: "trashed",
  trashedAt: change.now,
  deleteBy: change.now + Duration.toMillis(Duration.days(change.trashDays))
})

export const restoreFromTrash = (record: StoredRecord, change: Change): RecordWrite => {
  const { deleteBy: _deleteBy, trashedAt: _trashedAt, ...rest } = withoutSeq(record)
  return { ...rest, ...changed(change), state: "active" }
}

/** Purging keeps only what the change feed needs: payload, size and blob references are gone. */
export const tombstoneOf = (record: StoredRecord, change: Change): RecordWrite => ({
  accountId: record.accountId,
  app: record.app,
  id: record.id,
  state: "purged",
  size: 0,
  ...changed(change)
})

const withoutSeq = (record: StoredRecord): RecordWrite => {
  const { seq: _seq, changedBy: _by, ...rest } = record
  return rest
}
