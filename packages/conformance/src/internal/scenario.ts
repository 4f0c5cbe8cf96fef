/**
 * Small helpers that requirement checks share: accounts with apps turned on, mutations, and pulling a whole feed.
 */
import type { App } from "@custos/core/domain/App"
import { type AccountId, DeviceId, MutationId, RecordId } from "@custos/core/domain/Ids"
import type { Mutation, RecordView } from "@custos/core/domain/Mutation"
import { Effect } from "effect"
import { Driver } from "../Driver.js"
import { samples } from "../Samples.js"

export const phone = DeviceId.make("phone")
export const tablet = DeviceId.make("tablet")
export const laptop = DeviceId.make("laptop")

let counter = 0
/** A mutation id unique in this process, so checks never collide even against a shared target. */
export const freshMutationId = (hint = "m") => MutationId.make(`${hint}-${Date.now().toString(36)}-${(++counter).toString(36)}`)

export const put = (
  id: string,
  payload: unknown,
  options: { readonly baseVersion?: number; readonly mutationId?: MutationId } = {}
): Mutation => ({
  mutationId: options.mutationId ?? freshMutationId(),
  recordId: RecordId.make(id),
  op: "put",
  payload,
  ...(options.baseVersion !== undefined ? { baseVersion: options.baseVersion } : {})
})

export const del = (
  id: string,
  options: { readonly baseVersion?: number; readonly mutationId?: MutationId } = {}
): Mutation => ({
  mutationId: options.mutationId ?? freshMutationId(),
  recordId: RecordId.make(id),
  op: "delete",
  ...(options.baseVersion !== undefined ? { baseVersion: options.baseVersion } : {})
})

export const sample = <A extends App>(app: A, n: number) => samples[app](n)

/** A new account with `apps` turned on. */
export const accountWith = (apps: ReadonlyArray<App>, region = "DE") =>
  Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* driver.createAccount(region)
    if (apps.length > 0) {
      yield* driver.updateSettings(account, { apps: Object.fromEntries(apps.map((app) => [app, true])) })
    }
    return account
  })

/** Pulls every page after `cursor`, returning the changes in the order received and the final cursor. */
export const pullAll = (account: AccountId, app: App, cursor?: string, limit?: number) =>
  Effect.gen(function*() {
    const driver = yield* Driver
    const changes: Array<RecordView> = []
    let at = cursor
    let pages = 0
    while (true) {
      const page = yield* driver.pull(account, app, { cursor: at, limit })
      changes.push(...page.changes)
      at = page.cursor
      pages++
      if (!page.hasMore) return { changes, cursor: at, pages }
      if (pages > 10_000) return yield* Effect.dieMessage("the feed never ended")
    }
  })

/** Pushes one mutation and returns its outcome. */
export const pushOne = (account: AccountId, app: App, mutation: Mutation, device = phone) =>
  Effect.gen(function*() {
    const driver = yield* Driver
    const result = yield* driver.push(account, device, app, [mutation])
    return result.outcomes[0]!
  })
