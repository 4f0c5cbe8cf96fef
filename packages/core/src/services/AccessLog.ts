/**
 * The access log as a service (§4.1.5, made checkable as DESIGN.md "Encryption at rest" says in its last bullet):
 * the openers of content (`RecordSealing`, the purchase opening of `MembershipService`) write one entry per batch
 * here before they open anything, and the account reads its log and verifies its chain.
 *
 * Who opens is the `Accessor` of the request or job, set at the edge that started it: the in-process transport sets
 * the device, the server the signed-in session's device. Anything that sets nothing is a job of Custos itself.
 */
import { Context, Effect, Layer } from "effect"
import {
  type AccessActor,
  type AccessApp,
  type AccessEntry,
  type AccessLogVerdict,
  type AccessPurpose,
  type ChainHead,
  chainEntry,
  verifyChain
} from "../domain/AccessLog.js"
import type { AccountNotFound } from "../domain/Errors.js"
import type { AccountId, RecordId } from "../domain/Ids.js"
import { AccessLogStore } from "../ports/AccessLogStore.js"
import { Crypto } from "../ports/Crypto.js"
import type { StoreError } from "../ports/StoreError.js"
import { AccountService } from "./AccountService.js"

/** Whose request or job the current fiber runs: the "who" of every entry written from it. */
export class Accessor extends Context.Reference<Accessor>()("@custos/core/Accessor", {
  defaultValue: (): AccessActor => ({ kind: "job", id: "core" })
}) {}

/** One opening about to happen. */
export interface Opening {
  readonly accountId: AccountId
  readonly purpose: AccessPurpose
  readonly app: AccessApp
  /** The records to be opened; an opening of nothing is not written. */
  readonly recordIds: ReadonlyArray<RecordId>
}

export interface AccessLogPage {
  readonly entries: ReadonlyArray<AccessEntry>
  /** Pass back as `after` for the next page; absent on the last page. */
  readonly next?: number | undefined
}

export const defaultAccessLogPage = 100
export const maxAccessLogPage = 1000

export class AccessLog extends Context.Tag("@custos/core/AccessLog")<AccessLog, {
  /**
   * Writes the entry for an opening, as the current `Accessor`, at the current time, before the content is opened:
   * when writing fails, the caller fails and opens nothing.
   */
  readonly write: (opening: Opening) => Effect.Effect<void, StoreError>
  /** The account's log, oldest entry first. */
  readonly list: (
    accountId: AccountId,
    page?: { readonly after?: number | undefined; readonly limit?: number | undefined }
  ) => Effect.Effect<AccessLogPage, AccountNotFound | StoreError>
  /**
   * Verifies the account's whole chain. With `anchor`, a head the account kept from an earlier verification, it also
   * shows that the log was neither cut short nor recomputed since.
   */
  readonly verify: (
    accountId: AccountId,
    options?: { readonly anchor?: ChainHead | undefined }
  ) => Effect.Effect<AccessLogVerdict, AccountNotFound | StoreError>
}>() {
  static readonly layer = Layer.effect(
    AccessLog,
    Effect.gen(function*() {
      const store = yield* AccessLogStore
      const crypto = yield* Crypto
      const accounts = yield* AccountService

      const write = (opening: Opening) =>
        opening.recordIds.length === 0 ? Effect.void : Effect.gen(function*() {
          const actor = yield* Accessor
          yield* store.append(opening.accountId, (last) =>
            Effect.gen(function*() {
              // The time is read holding the account's lock, so times never go backwards along the chain.
              const at = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
              return yield* chainEntry({ ...opening, actor, at }, last, crypto.sha256)
            }))
        })

      const list = (
        accountId: AccountId,
        page: { readonly after?: number | undefined; readonly limit?: number | undefined } = {}
      ) =>
        Effect.gen(function*() {
          yield* accounts.get(accountId)
          const limit = Math.min(Math.max(Math.trunc(page.limit ?? defaultAccessLogPage), 1), maxAccessLogPage)
          const entries = yield* store.list(accountId, { after: page.after, limit: limit + 1 })
          return entries.length > limit
            ? { entries: entries.slice(0, limit), next: entries[limit - 1]!.index }
            : { entries }
        })

      const verify = (accountId: AccountId, options: { readonly anchor?: ChainHead | undefined } = {}) =>
        Effect.gen(function*() {
          yield* accounts.get(accountId)
          const entries: Array<AccessEntry> = []
          let after = 0
          while (true) {
            const page = yield* store.list(accountId, { after, limit: maxAccessLogPage })
            entries.push(...page)
            const last = page[page.length - 1]?.index ?? after
            // A store that does not move forward (a damaged one) ends the reading; the chain check then tells.
            if (page.length < maxAccessLogPage || !(last > after)) break
            after = last
          }
          return yield* verifyChain(entries, crypto.sha256, { accountId, anchor: options.anchor })
        })

      return { write, list, verify }
    })
  )
}
