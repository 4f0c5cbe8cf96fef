/**
 * An account: a person, identified by a plain id (§4.1.2), living in a region that decides which apps it may sync
 * (§4.1.3(1) note).
 */
import { Schema } from "effect"
import { AccountId } from "./Ids.js"

/** An ISO 3166-1 alpha-2 country code, upper case. */
export const Region = Schema.String.pipe(
  Schema.pattern(/^[A-Z]{2}$/, { message: () => "a region is an ISO 3166-1 alpha-2 country code such as DE" }),
  Schema.brand("Region")
)
export type Region = typeof Region.Type

export const Account = Schema.Struct({
  id: AccountId,
  region: Region,
  /** Epoch milliseconds. */
  createdAt: Schema.Number
}).annotations({ identifier: "Account" })
export type Account = typeof Account.Type
