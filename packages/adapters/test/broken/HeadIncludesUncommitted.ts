/**
 * Broken on purpose: a record store whose `head` is the highest `seq` handed out, committed or not, as a store that
 * reads its sequence counter instead of its committed changes would (a Postgres sequence advances outside the
 * transaction). A pull that runs while a push is still writing gets a cursor past that push's changes; when the push
 * commits a moment later, its changes sit below the cursor and that device never pulls them.
 *
 * Like any store across a network, its writes take a moment before their commit (`slowWrites`: every write yields
 * to other fibers), which is when the fault shows. The reference with the same slow writes passes everything.
 *
 * The requirement that must catch it: SYNC-007 (a pull returns every change after its cursor), whose check keeps
 * pulling while other devices push.
 */
import type { AccountId } from "@custos/core/domain/Ids"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { Effect } from "effect"
import { type Fault, referenceStorageWith, withTxWrite } from "./internal/referenceStorageWith.js"

export const name = "broken: head counts uncommitted changes"

/** Writes that give other fibers a turn between the write and the transaction's commit; nothing else changes. */
export const slowWrites = {
  records: (real) => withTxWrite(real, (tx, record) => Effect.tap(tx.write(record), () => Effect.yieldNow()))
} satisfies Fault

/** The fault, as a wrapper of the real port (to stack a test's own hooks on it): slow writes, and the head. */
export const fault = {
  records: (real) => {
    /** The highest `seq` any transaction has written, by account. */
    const handedOut = new Map<AccountId, number>()
    const written = withTxWrite(real, (tx, record) =>
      tx.write(record).pipe(
        Effect.tap((stored) =>
          Effect.sync(() => void handedOut.set(tx.accountId, Math.max(handedOut.get(tx.accountId) ?? 0, stored.seq)))
        ),
        Effect.tap(() => Effect.yieldNow())
      ))
    return RecordStore.of({
      ...written,
      head: (accountId) => Effect.map(real.head(accountId), (head) => Math.max(head, handedOut.get(accountId) ?? 0))
    })
  }
} satisfies Fault

export const storage = referenceStorageWith(fault)
