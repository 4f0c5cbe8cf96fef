/**
 * ACCESS-*: the promise not to access synced data (§4.1.5), made checkable as DESIGN.md "Encryption at rest" says in
 * its last bullet: every opening of content is written to the account's own hash-chained access log, which the
 * account reads and verifies.
 */
import { requirement } from "../Requirement.js"

export const AccessRequirements = [
  requirement(
    "ACCESS-001",
    "MUST",
    "§4.1.5",
    "Every read of content (a pull, a trash listing, a backup listing, a purchase listing) appears in the account's access log, one entry per batch, with who, which app, which records, why and when; nothing content-free is logged as a read.",
    { capabilities: ["admin-purchases"] }
  ),
  requirement(
    "ACCESS-002",
    "MUST",
    "§4.1.5",
    "The account can verify its access log: every entry hashes to its hash and follows from the one before, and the target's own verification agrees."
  ),
  requirement(
    "ACCESS-003",
    "MUST",
    "§4.1.5",
    "The access log belongs to its account: another account never sees its entries, and every account's chain starts on its own."
  )
] as const
