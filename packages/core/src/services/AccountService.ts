/**
 * Creating and finding accounts. Account ids are random and carry no personal data (§4.1.2: the id is the one
 * field stored plain).
 */
import { Context, Effect, Layer, Option, Random, Schema } from "effect"
import { type Account, Region } from "../domain/Account.js"
import type { AccountExists } from "../domain/Errors.js"
import { AccountNotFound, InvalidAccountId, InvalidRegion } from "../domain/Errors.js"
import { firstProblem } from "../internal/parseErrors.js"
import { AccountId, isDotSegment } from "../domain/Ids.js"
import { AccountStore } from "../ports/AccountStore.js"
import type { StoreError } from "../ports/StoreError.js"

export interface CreateAccount {
  /** ISO 3166-1 alpha-2; lower case is accepted. */
  readonly region: string
  /** A chosen id, e.g. from an identity provider; a random one otherwise. */
  readonly id?: string | undefined
}

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"

const randomId = Effect.gen(function*() {
  let id = "acc_"
  for (let i = 0; i < 26; i++) id += alphabet[yield* Random.nextIntBetween(0, alphabet.length)]
  return AccountId.make(id)
})

export class AccountService extends Context.Tag("@custos/core/AccountService")<AccountService, {
  readonly create: (input: CreateAccount) => Effect.Effect<
    Account,
    InvalidRegion | InvalidAccountId | AccountExists | StoreError
  >
  readonly get: (id: AccountId) => Effect.Effect<Account, AccountNotFound | StoreError>
}>() {
  static readonly layer = Layer.effect(
    AccountService,
    Effect.gen(function*() {
      const store = yield* AccountStore
      const get = (id: AccountId) =>
        store.get(id).pipe(
          Effect.flatMap(Option.match({
            onNone: () => Effect.fail(new AccountNotFound({ accountId: id })),
            onSome: Effect.succeed
          }))
        )
      const create = (input: CreateAccount) =>
        Effect.gen(function*() {
          // Two ASCII letters before anything else: upper-casing first would turn "\u0131t" (a dotless i) into IT.
          const asked = /^[A-Za-z]{2}$/.test(input.region) ? input.region.toUpperCase() : input.region
          const region = yield* Schema.decodeUnknown(Region)(asked).pipe(
            Effect.mapError(() =>
              new InvalidRegion({
                region: input.region.length > 16 ? `${input.region.slice(0, 15)}\u2026` : input.region
              })
            )
          )
          const id = input.id === undefined
            ? yield* randomId
            : yield* Schema.decodeUnknown(AccountId)(input.id).pipe(
              Effect.mapError((error) => new InvalidAccountId({ reason: firstProblem(error) })),
              Effect.filterOrFail(
                (id) => !isDotSegment(id),
                () => new InvalidAccountId({ reason: `an account id must not be "." or ".."` })
              )
            )
          const createdAt = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
          const account: Account = { id, region, createdAt }
          yield* store.create(account)
          return account
        })
      return { create, get }
    })
  )
}
