/**
 * The access log (§4.1.5 "a promise not to access or analyze your synchronized data", made checkable as DESIGN.md
 * "Encryption at rest" says in its last bullet). Every opening of content is written, before the content is
 * opened, as one entry of the account's own log: who (the device, operator or job whose request it was), what app,
 * which records (ids only, never content), why, and when. One entry covers one batch: a pull page of 200 records is
 * one entry naming 200 ids.
 *
 * The entries form a hash chain (Schneier & Kelsey, "Secure Logs on Untrusted Machines"): the hash of an entry is
 * SHA-256 over the canonical encoding below, which holds every field and the hash of the entry before (64 zeros
 * before the first). Changing, removing or reordering an entry breaks the chain, and `verifyChain` names the first
 * entry where it breaks and why. What a chain alone cannot show is that its newest entries were cut off, or that the
 * whole chain was recomputed by whoever holds the store; the account catches both by keeping the head it saw last
 * and verifying against it (`anchor`).
 *
 * Canonical encoding, so that a device can check the chain on its own: each part is a u32 big-endian byte length
 * followed by its UTF-8 bytes; numbers are written as their decimal text, the record ids as a u32 count followed by
 * each id as a part:
 *   "custos/access-log/v1" ‖ accountId ‖ index ‖ at ‖ actor.kind ‖ actor.id ‖ purpose ‖ app ‖ recordIds ‖ prevHash
 * and `hash` is the lowercase hex of SHA-256 over it.
 */
import { Effect, Option, Schema } from "effect"
import { App } from "./App.js"
import { AccountId, RecordId } from "./Ids.js"
import { ByteWriter } from "./Sealed.js"

/** Whose request opened the content: a device of the account, an operator, or a job of Custos itself. */
export const AccessActor = Schema.Struct({
  kind: Schema.Literal("device", "operator", "job"),
  id: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(128))
}).annotations({ identifier: "AccessActor" })
export type AccessActor = typeof AccessActor.Type

/** Why content was opened. */
export const AccessPurpose = Schema.Literal(
  /** A device pulled changes: the page it was sent. */
  "sync-pull",
  /** A push was answered with conflicts: the current records sent back with them. */
  "sync-conflict",
  /** The trash was listed. */
  "trash-list",
  /** A record was restored from the trash and sent back. */
  "trash-restore",
  /** Home-screen backups were listed. */
  "backup-list",
  /** Purchases were listed. */
  "purchase-list",
  /** Gallery content being deleted was fingerprinted, so that it is not uploaded again as new (GAL-002). */
  "gallery-fingerprint",
  /** A blob (a photo, a recording, a wallpaper) was downloaded. */
  "blob-download",
  /** The digest sealed with a blob was opened, to check the one a record being pushed states of it. */
  "blob-check",
  /** The account's data was exported. */
  "export",
  /** Content was re-sealed under the account's new key version (a key rotation job). */
  "key-rotation"
).annotations({ identifier: "AccessPurpose" })
export type AccessPurpose = typeof AccessPurpose.Type

/** The app whose content was opened, or `membership` for purchase details. */
export const AccessApp = Schema.Union(App, Schema.Literal("membership")).annotations({ identifier: "AccessApp" })
export type AccessApp = typeof AccessApp.Type

const Hash = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{64}$/, { message: () => "a hash is 64 lowercase hex digits" })
)

export const AccessEntry = Schema.Struct({
  accountId: AccountId,
  /** 1, 2, 3, ... per account. */
  index: Schema.Int.pipe(Schema.positive()),
  /** Epoch ms. */
  at: Schema.Int.pipe(Schema.nonNegative()),
  actor: AccessActor,
  purpose: AccessPurpose,
  app: AccessApp,
  /** The records opened: ids only, never content. */
  recordIds: Schema.Array(RecordId),
  /** The hash of the entry before; 64 zeros for the first. */
  prevHash: Hash,
  hash: Hash
}).annotations({ identifier: "AccessEntry" })
export type AccessEntry = typeof AccessEntry.Type

/** What an opener states about an opening; the chain adds the index and the hashes. */
export type AccessDraft = Omit<AccessEntry, "index" | "prevHash" | "hash">

/** The newest entry of a chain, as much of it as the next entry and a later check need. */
export const ChainHead = Schema.Struct({
  index: Schema.Int.pipe(Schema.positive()),
  hash: Hash
}).annotations({ identifier: "ChainHead" })
export type ChainHead = typeof ChainHead.Type

/** Why a chain does not verify. */
export const ChainBreak = Schema.Literal(
  /** An entry names another account. */
  "foreign-entry",
  /** An entry is missing: the next one comes too early. */
  "removed",
  /** Entries are out of order, or one appears twice. */
  "reordered",
  /** An entry's fields do not hash to its hash. */
  "changed",
  /** The first entry does not start from the zero hash, or a later one claims to. */
  "forged-genesis",
  /** An entry does not follow from the one before: that one was changed and re-hashed, or replaced. */
  "broken-link",
  /** The chain is shorter than the head the account saw before. */
  "truncated",
  /** The chain no longer holds the head the account saw before: its history was recomputed. */
  "rewritten"
).annotations({ identifier: "ChainBreak" })
export type ChainBreak = typeof ChainBreak.Type

export const AccessLogVerdict = Schema.Struct({
  ok: Schema.Boolean,
  /** How many entries were checked. */
  entries: Schema.Int.pipe(Schema.nonNegative()),
  /** The newest entry, when the chain verifies and is not empty: keep it, and verify against it next time. */
  head: Schema.optional(ChainHead),
  /** The index (position, from 1) of the first entry where the chain breaks. */
  brokenAt: Schema.optional(Schema.Int.pipe(Schema.positive())),
  reason: Schema.optional(ChainBreak),
  /** The break in a sentence. */
  detail: Schema.optional(Schema.String)
}).annotations({ identifier: "AccessLogVerdict" })
export type AccessLogVerdict = typeof AccessLogVerdict.Type

/** The `prevHash` of the first entry: 32 zero bytes, in hex. */
export const genesisHash = "0".repeat(64)

/** A SHA-256 implementation: the `Crypto` port's, or any other (a device verifying on its own). */
export type Sha256 = (data: Uint8Array) => Effect.Effect<Uint8Array>

const label = "custos/access-log/v1"

/** The canonical encoding of an entry without its own hash: what its hash is taken over. */
export const encodeAccessEntry = (entry: Omit<AccessEntry, "hash">): Uint8Array => {
  const writer = new ByteWriter()
    .text(label)
    .text(entry.accountId)
    .text(String(entry.index))
    .text(String(entry.at))
    .text(entry.actor.kind)
    .text(entry.actor.id)
    .text(entry.purpose)
    .text(entry.app)
    .u32(entry.recordIds.length)
  for (const id of entry.recordIds) writer.text(id)
  return writer.text(entry.prevHash).done()
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")

/** The hash an entry must carry: hex SHA-256 of its canonical encoding. */
export const hashOf = (entry: Omit<AccessEntry, "hash">, sha256: Sha256): Effect.Effect<string> =>
  Effect.map(sha256(encodeAccessEntry(entry)), hex)

/** The entry that follows `last` (or starts the chain) with what `draft` states. */
export const chainEntry = (
  draft: AccessDraft,
  last: Option.Option<ChainHead>,
  sha256: Sha256
): Effect.Effect<AccessEntry> => {
  const unsigned = {
    accountId: draft.accountId,
    index: Option.match(last, { onNone: () => 1, onSome: (head) => head.index + 1 }),
    at: draft.at,
    actor: { kind: draft.actor.kind, id: draft.actor.id },
    purpose: draft.purpose,
    app: draft.app,
    recordIds: [...draft.recordIds],
    prevHash: Option.match(last, { onNone: () => genesisHash, onSome: (head) => head.hash })
  }
  return Effect.map(hashOf(unsigned, sha256), (hash) => ({ ...unsigned, hash }))
}

export interface VerifyOptions {
  /** The account the log belongs to; by default the account of the first entry. */
  readonly accountId?: AccountId | undefined
  /** A head the account saw before: the chain must still hold it, unchanged. */
  readonly anchor?: ChainHead | undefined
}

const broken = (
  entries: number,
  brokenAt: number,
  reason: ChainBreak,
  detail: string
): AccessLogVerdict => ({ ok: false, entries, brokenAt, reason, detail })

/**
 * Checks a whole chain, oldest entry first: every entry is the account's, the indexes run 1, 2, 3, ..., every hash
 * matches its entry, the first starts from the zero hash and every other from the hash of the one before. Returns
 * the first break, or `ok` with the head; with an `anchor`, a chain that no longer holds it is broken too.
 */
export const verifyChain = (
  entries: ReadonlyArray<AccessEntry>,
  sha256: Sha256,
  options: VerifyOptions = {}
): Effect.Effect<AccessLogVerdict> =>
  Effect.gen(function*() {
    const n = entries.length
    const accountId = options.accountId ?? entries[0]?.accountId
    for (let i = 0; i < n; i++) {
      const entry = entries[i]!
      const position = i + 1
      if (entry.accountId !== accountId) {
        return broken(n, position, "foreign-entry", `entry ${position} belongs to another account`)
      }
      if (entry.index !== position) {
        const later = entries.slice(i + 1).some((e) => e.index === position)
        return entry.index > position && !later
          ? broken(n, position, "removed", `entry ${position} is missing: entry ${entry.index} comes in its place`)
          : broken(n, position, "reordered", `entry ${entry.index} stands where entry ${position} belongs`)
      }
      if ((yield* hashOf(entry, sha256)) !== entry.hash) {
        return broken(n, position, "changed", `entry ${position} was changed after it was written`)
      }
      if (i === 0 ? entry.prevHash !== genesisHash : entry.prevHash === genesisHash) {
        return broken(
          n,
          position,
          "forged-genesis",
          i === 0 ? "the first entry does not start from the zero hash" : `entry ${position} claims to start the chain`
        )
      }
      if (i > 0 && entry.prevHash !== entries[i - 1]!.hash) {
        return broken(n, position, "broken-link", `entry ${position} does not follow from entry ${i}`)
      }
    }
    const anchor = options.anchor
    if (anchor !== undefined) {
      if (anchor.index > n) {
        return broken(n, n + 1, "truncated", `the log ends at entry ${n}, but entry ${anchor.index} was seen before`)
      }
      if (entries[anchor.index - 1]?.hash !== anchor.hash) {
        return broken(n, anchor.index, "rewritten", `entry ${anchor.index} is not the one seen before`)
      }
    }
    const last = entries[n - 1]
    return last === undefined
      ? { ok: true, entries: 0 }
      : { ok: true, entries: n, head: { index: last.index, hash: last.hash } }
  })
