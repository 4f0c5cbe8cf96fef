/**
 * Tests of the access log's hash chain (domain/AccessLog.ts; §4.1.5, DESIGN.md "Encryption at rest", last bullet):
 * the canonical encoding is the documented one and injective, and `verifyChain` detects every change, removal,
 * reordering, forged start and foreign entry, and with an anchor a cut-off or recomputed history.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  type AccessDraft,
  type AccessEntry,
  chainEntry,
  encodeAccessEntry,
  genesisHash,
  hashOf,
  verifyChain
} from "@custos/core/domain/AccessLog"
import { AccountId, RecordId } from "@custos/core/domain/Ids"
import { Effect, FastCheck, Option } from "effect"
import { createHash } from "node:crypto"

const sha256 = (data: Uint8Array) => Effect.sync(() => new Uint8Array(createHash("sha256").update(data).digest()))

const alice = AccountId.make("acc_alice")
const bob = AccountId.make("acc_bob")

const draft = (n: number, overrides: Partial<AccessDraft> = {}): AccessDraft => ({
  accountId: alice,
  at: 1_700_000_000_000 + n * 1000,
  actor: { kind: "device", id: "phone" },
  purpose: "sync-pull",
  app: "notes",
  recordIds: [RecordId.make(`n${n}`), RecordId.make(`m${n}`)],
  ...overrides
})

/** A chain of `n` entries built the way the log builds it. */
const chainOf = (n: number, make: (i: number) => AccessDraft = draft) =>
  Effect.gen(function*() {
    const entries: Array<AccessEntry> = []
    for (let i = 1; i <= n; i++) {
      const last = entries[entries.length - 1]
      entries.push(yield* chainEntry(make(i), Option.fromNullable(last), sha256))
    }
    return entries
  })

/** Recomputes an entry's hash after an edit, as an attacker with the code would. */
const rehash = (entry: Omit<AccessEntry, "hash">) => Effect.map(hashOf(entry, sha256), (hash) => ({ ...entry, hash }))

/** Rebuilds every hash and link from the first entry on, as an attacker holding the whole store would. */
const recompute = (entries: ReadonlyArray<AccessEntry>) =>
  Effect.gen(function*() {
    const out: Array<AccessEntry> = []
    for (const [i, e] of entries.entries()) {
      out.push(yield* rehash({ ...e, index: i + 1, prevHash: out[i - 1]?.hash ?? genesisHash }))
    }
    return out
  })

/** The documented encoding, written out independently of the module. */
const documented = (e: Omit<AccessEntry, "hash">): Uint8Array => {
  const part = (text: string) => {
    const bytes = Buffer.from(text, "utf8")
    const length = Buffer.alloc(4)
    length.writeUInt32BE(bytes.length)
    return Buffer.concat([length, bytes])
  }
  const count = Buffer.alloc(4)
  count.writeUInt32BE(e.recordIds.length)
  return new Uint8Array(Buffer.concat([
    part("custos/access-log/v1"),
    part(e.accountId),
    part(String(e.index)),
    part(String(e.at)),
    part(e.actor.kind),
    part(e.actor.id),
    part(e.purpose),
    part(e.app),
    count,
    ...e.recordIds.map(part),
    part(e.prevHash)
  ]))
}

describe("access log chain", () => {
  it.effect("entries chain from the zero hash, each hash is SHA-256 of the documented encoding", () =>
    Effect.gen(function*() {
      const entries = yield* chainOf(3)
      assert.deepStrictEqual(entries.map((e) => e.index), [1, 2, 3])
      assert.strictEqual(entries[0]!.prevHash, genesisHash)
      assert.strictEqual(genesisHash, "0".repeat(64))
      for (const [i, e] of entries.entries()) {
        if (i > 0) assert.strictEqual(e.prevHash, entries[i - 1]!.hash)
        const { hash, ...unsigned } = e
        assert.deepStrictEqual(encodeAccessEntry(unsigned), documented(unsigned))
        assert.strictEqual(hash, createHash("sha256").update(documented(unsigned)).digest("hex"))
      }
    }))

  it.effect("a chain that was not touched verifies, and reports its head; an empty one verifies too", () =>
    Effect.gen(function*() {
      const entries = yield* chainOf(5)
      assert.deepStrictEqual(yield* verifyChain(entries, sha256), {
        ok: true,
        entries: 5,
        head: { index: 5, hash: entries[4]!.hash }
      })
      assert.deepStrictEqual(yield* verifyChain([], sha256), { ok: true, entries: 0 })
    }))

  it.effect("changing any field of any entry is detected at that entry", () =>
    Effect.gen(function*() {
      const entries = yield* chainOf(4)
      const edits: ReadonlyArray<(e: AccessEntry) => AccessEntry> = [
        (e) => ({ ...e, at: e.at + 1 }),
        (e) => ({ ...e, actor: { kind: "operator", id: e.actor.id } }),
        (e) => ({ ...e, actor: { kind: e.actor.kind, id: "laptop" } }),
        (e) => ({ ...e, purpose: "export" }),
        (e) => ({ ...e, app: "contacts" }),
        (e) => ({ ...e, recordIds: e.recordIds.slice(1) }),
        (e) => ({ ...e, recordIds: [...e.recordIds, RecordId.make("extra")] }),
        (e) => ({ ...e, recordIds: [...e.recordIds].reverse() }),
        (e) => ({ ...e, hash: e.hash.replace(/^./, (c) => c === "0" ? "1" : "0") })
      ]
      for (const [k, edit] of edits.entries()) {
        for (let i = 0; i < entries.length; i++) {
          const tampered = entries.map((e, j) => j === i ? edit(e) : e)
          const verdict = yield* verifyChain(tampered, sha256)
          assert.isFalse(verdict.ok, `edit ${k} of entry ${i + 1}`)
          assert.strictEqual(verdict.brokenAt, i + 1, `edit ${k} of entry ${i + 1}`)
          assert.strictEqual(verdict.reason, "changed", `edit ${k} of entry ${i + 1}`)
        }
      }
    }))

  it.effect("an entry changed and re-hashed breaks the link of the next one", () =>
    Effect.gen(function*() {
      const entries = yield* chainOf(4)
      const forged = yield* rehash({ ...entries[1]!, recordIds: [RecordId.make("innocent")] })
      const verdict = yield* verifyChain([entries[0]!, forged, entries[2]!, entries[3]!], sha256)
      assert.deepStrictEqual([verdict.ok, verdict.brokenAt, verdict.reason], [false, 3, "broken-link"])
    }))

  it.effect("removing an entry is detected, in the middle and at the start", () =>
    Effect.gen(function*() {
      const entries = yield* chainOf(5)
      const middle = yield* verifyChain(entries.filter((e) => e.index !== 3), sha256)
      assert.deepStrictEqual([middle.ok, middle.brokenAt, middle.reason], [false, 3, "removed"])
      const first = yield* verifyChain(entries.slice(1), sha256)
      assert.deepStrictEqual([first.ok, first.brokenAt, first.reason], [false, 1, "removed"])
    }))

  it.effect("removing an entry and renumbering the rest is detected", () =>
    Effect.gen(function*() {
      const entries = yield* chainOf(5)
      const renumbered = entries.filter((e) => e.index !== 3).map((e, i) => ({ ...e, index: i + 1 }))
      const verdict = yield* verifyChain(renumbered, sha256)
      assert.deepStrictEqual([verdict.ok, verdict.brokenAt, verdict.reason], [false, 3, "changed"])
      // Even with every renumbered entry re-hashed, the first one after the gap does not follow from its new parent.
      const rehashed = [...renumbered.slice(0, 2), ...(yield* Effect.forEach(renumbered.slice(2), rehash))]
      const again = yield* verifyChain(rehashed, sha256)
      assert.deepStrictEqual([again.ok, again.brokenAt, again.reason], [false, 3, "broken-link"])
    }))

  it.effect("reordering or repeating entries is detected", () =>
    Effect.gen(function*() {
      const entries = yield* chainOf(5)
      const swapped = [entries[0]!, entries[2]!, entries[1]!, entries[3]!, entries[4]!]
      const verdict = yield* verifyChain(swapped, sha256)
      assert.deepStrictEqual([verdict.ok, verdict.brokenAt, verdict.reason], [false, 2, "reordered"])
      const repeated = [entries[0]!, entries[1]!, entries[1]!, entries[2]!]
      const twice = yield* verifyChain(repeated, sha256)
      assert.deepStrictEqual([twice.ok, twice.brokenAt, twice.reason], [false, 3, "reordered"])
    }))

  it.effect("a forged start is detected: a first entry not from the zero hash, or a later one claiming it", () =>
    Effect.gen(function*() {
      const entries = yield* chainOf(3)
      const notFromZero = yield* rehash({ ...entries[0]!, prevHash: "1".repeat(64) })
      const first = yield* verifyChain([notFromZero, ...entries.slice(1)], sha256)
      assert.deepStrictEqual([first.ok, first.brokenAt, first.reason], [false, 1, "forged-genesis"])
      const restart = yield* rehash({ ...entries[2]!, prevHash: genesisHash })
      const later = yield* verifyChain([entries[0]!, entries[1]!, restart], sha256)
      assert.deepStrictEqual([later.ok, later.brokenAt, later.reason], [false, 3, "forged-genesis"])
    }))

  it.effect("an entry of another account is detected, even one that hashes right", () =>
    Effect.gen(function*() {
      const entries = yield* chainOf(3)
      const foreign = yield* rehash({ ...entries[2]!, accountId: bob })
      const verdict = yield* verifyChain([entries[0]!, entries[1]!, foreign], sha256)
      assert.deepStrictEqual([verdict.ok, verdict.brokenAt, verdict.reason], [false, 3, "foreign-entry"])
      const asBob = yield* verifyChain(entries, sha256, { accountId: bob })
      assert.deepStrictEqual([asBob.ok, asBob.brokenAt, asBob.reason], [false, 1, "foreign-entry"])
    }))

  it.effect("a chain cut short or recomputed verifies on its own, and is caught against a head seen before", () =>
    Effect.gen(function*() {
      const entries = yield* chainOf(5)
      const seen = (yield* verifyChain(entries, sha256)).head!

      const cut = entries.slice(0, 3)
      assert.isTrue((yield* verifyChain(cut, sha256)).ok, "the honest limit of a bare hash chain")
      const truncated = yield* verifyChain(cut, sha256, { anchor: seen })
      assert.deepStrictEqual([truncated.ok, truncated.brokenAt, truncated.reason], [false, 4, "truncated"])

      const rewritten = yield* recompute(entries.map((e) => e.index === 2 ? { ...e, purpose: "export" as const } : e))
      assert.isTrue((yield* verifyChain(rewritten, sha256)).ok, "a full recomputation is self-consistent")
      const caught = yield* verifyChain(rewritten, sha256, { anchor: seen })
      assert.deepStrictEqual([caught.ok, caught.brokenAt, caught.reason], [false, 5, "rewritten"])

      const grown = [...entries, yield* chainEntry(draft(6), Option.some(seen), sha256)]
      const fine = yield* verifyChain(grown, sha256, { anchor: seen })
      assert.isTrue(fine.ok, "a log that only grew since still holds the head seen before")
      assert.strictEqual(fine.head?.index, 6)
    }))

  it("the encoding is injective: different entries never share an encoding", () => {
    const text = FastCheck.string({ minLength: 0, maxLength: 6 })
    const entry = FastCheck.record({
      accountId: FastCheck.constantFrom("a", "ab", "b"),
      index: FastCheck.integer({ min: 1, max: 12 }),
      at: FastCheck.integer({ min: 0, max: 12 }),
      kind: FastCheck.constantFrom(...(["device", "operator", "job"] as const)),
      id: text,
      purpose: FastCheck.constantFrom(...(["sync-pull", "export"] as const)),
      app: FastCheck.constantFrom(...(["notes", "membership"] as const)),
      recordIds: FastCheck.array(text, { maxLength: 3 }),
      prevHash: FastCheck.constantFrom(genesisHash, "1".repeat(64))
    })
    const toEntry = (e: typeof entry extends FastCheck.Arbitrary<infer T> ? T : never) => ({
      accountId: AccountId.make(e.accountId),
      index: e.index,
      at: e.at,
      actor: { kind: e.kind, id: e.id },
      purpose: e.purpose,
      app: e.app,
      recordIds: e.recordIds.map((id) => id as RecordId),
      prevHash: e.prevHash
    })
    FastCheck.assert(
      FastCheck.property(entry, entry, (a, b) => {
        const same = Buffer.from(encodeAccessEntry(toEntry(a))).equals(Buffer.from(encodeAccessEntry(toEntry(b))))
        return same === (JSON.stringify(a) === JSON.stringify(b))
      }),
      { numRuns: 2000 }
    )
    const split = (recordIds: Array<string>) =>
      encodeAccessEntry(toEntry({
        accountId: "a",
        index: 1,
        at: 0,
        kind: "device",
        id: "x",
        purpose: "export",
        app: "notes",
        recordIds,
        prevHash: genesisHash
      }))
    assert.notDeepEqual(split(["a", "b"]), split(["ab"]))
    assert.notDeepEqual(split(["a,b"]), split(["a", "b"]))
  })
})
