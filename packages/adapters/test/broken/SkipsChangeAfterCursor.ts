/**
 * Broken on purpose: a change feed that reads a cursor as inclusive. It asks for the changes from the cursor's own
 * `seq` on and drops the first one, taking it for the change the device already has. That is right when the
 * cursor's change is still in this app's feed (the last record of a page), and silently loses a change when it is
 * not: a cursor at the account's head after a write to another app, or a record that changed again since.
 *
 * The requirements that must catch it: SYNC-015 (a pull from any cursor a device was given returns every later
 * change), and those whose checks pull from a cursor after the record it stopped at changed again, SYNC-011 (a
 * deletion reaches every device) and TRASH-002 (a restore reaches every device), or after the last write went to
 * another app, DEL-001 (devices learn of the purge). SYNC-007 states the rule, but its check pulls only from cursors
 * whose own change is still first in the feed.
 */
import { RecordStore } from "@custos/core/ports/RecordStore"
import { Effect } from "effect"
import { type Fault, referenceStorageWith } from "./internal/referenceStorageWith.js"

export const name = "broken: skips the change after a cursor"

/** The fault, as a wrapper of the real port (to stack a test's own hooks on it). */
export const fault = {
  records: (real) =>
    RecordStore.of({
      ...real,
      changes: (accountId, query) =>
        query.afterSeq === 0
          ? real.changes(accountId, query)
          : Effect.map(
            real.changes(accountId, { ...query, afterSeq: query.afterSeq - 1, limit: query.limit + 1 }),
            (fromCursor) => fromCursor.slice(1)
          )
    })
} satisfies Fault

export const storage = referenceStorageWith(fault)
