/**
 * Tests of the key hierarchy (core/services/Keyring.ts) over node:crypto, the in-memory master key and the
 * in-memory account key store, as DESIGN.md "Encryption at rest" decides it: a field opens only at the exact
 * (account, app, record, field, key version) it was sealed for; account key rotation keeps old data readable while
 * new writes use the new version; master key rotation re-wraps every account key and loses nothing; destroying an
 * account's keys makes its data unreadable with a typed error, in every instance at once.
 */
import { layerNodeCrypto, makeNodeCrypto } from "@custos/adapters/crypto/NodeCrypto"
import { layerKeyManagementMemory } from "@custos/adapters/keys/KeyManagementMemory"
import { layerAccountKeyStoreMemory } from "@custos/adapters/memory/AccountKeyStoreMemory"
import { AccountId, RecordId } from "@custos/core/domain/Ids"
import { encodeAccountKeyAad, envelopeFromText, envelopeToText, MalformedEnvelope } from "@custos/core/domain/Sealed"
import { AccountKeysDestroyed, AccountKeyStore, type StoredAccountKey } from "@custos/core/ports/AccountKeyStore"
import { Crypto, DecryptionFailed, InvalidKeyMaterial } from "@custos/core/ports/Crypto"
import { KeyManagement, MasterKeyInUse, MasterKeyVersionUnknown } from "@custos/core/ports/KeyManagement"
import { Keyring, type KeyringOptions, KeyVersionNotFound, type OpenFieldInput } from "@custos/core/services/Keyring"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Layer, Redacted, Ref } from "effect"
import { hkdfSync } from "node:crypto"
import { openVersion2, sealVersion1 } from "./sealedFormats.js"

/** A fresh key hierarchy per test; the ports stay reachable so tests can look at what is stored. */
const fresh = (options: KeyringOptions = {}) =>
  Keyring.layer(options).pipe(
    Layer.provideMerge(Layer.mergeAll(layerKeyManagementMemory, layerAccountKeyStoreMemory)),
    Layer.provideMerge(layerNodeCrypto)
  )

/** A second Keyring over the same stores: another server instance, with its own empty cache. */
const anotherInstance = Effect.provide(Keyring, Keyring.layer())

const alice = AccountId.make("acc_alice")
const bob = AccountId.make("acc_bob")
const note = RecordId.make("note-1")

const field = (over: Partial<OpenFieldInput> = {}) => ({
  accountId: alice,
  app: "notes" as const,
  recordId: note,
  field: "body",
  ...over
})

const allKeys = Effect.gen(function*() {
  const store = yield* AccountKeyStore
  return yield* store.list({ limit: 1000 })
})

/**
 * Fixed figures of the stored formats, made once with node:crypto and, for version 1, with the envelope and AAD code
 * as it was before version 2 existed: an account key, a context with a non-ASCII field name and a key version above
 * 2^31, fixed salts and nonces. A change of the format code that would strand stored data breaks these.
 */
const vectorKey = Buffer.from("8f1c2a93b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f", "hex")
const vectorContext = { accountId: AccountId.make("acc_vectors"), recordId: "note-7", field: "notiz-ü", version: 0x80000005 }
const vectorPlaintext = '{"title":"Einkauf","body":"Milch, Eier ü"}'
const vectorEnvelopes = {
  "version 1, AES-128-GCM":
    "AQGAAAAFoKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6uwfTKo/zCcXNxzkT4XjGWXFcnVLPpgXaRuMzyZm0NQF354Od/d8FDo8t+1/Gl21bZd8d84RK12xE4nYL",
  "version 2, AES-128-GCM":
    "AgGAAAAFwMHCw8TFxsfIycrL0NHS09TV1tfY2drbp5FWNyoI+JAJ48VHEKz6nMYzu+FDGfzizu+Aeefd09jX9F4s0KpxyEh31EmchlJK33j5eENgTZ0fOJc=",
  "version 2, AES-256-GCM":
    "AgKAAAAFwMHCw8TFxsfIycrL0NHS09TV1tfY2drbAhEsiSnw0M/0tcoLZB+OyYIOHhyqC0fBpL+y9lVhPHKq9DirwVUFPKO2SMDjdp7y27vWCe+78qEo2SE="
}

const keyVersionOf = (sealed: string) => Either.getOrThrow(envelopeFromText(sealed)).keyVersion

describe("Keyring", () => {
  it.effect("seals a field to envelope text that opens back, with AES-128-GCM and key version 1 by default", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const sealed = yield* keyring.sealField({ ...field(), plaintext: "Milk, eggs" })
      const envelope = Either.getOrThrow(envelopeFromText(sealed))
      assert.strictEqual(envelope.algorithm, "aes-128-gcm")
      assert.strictEqual(envelope.keyVersion, 1)
      assert.notInclude(sealed, "Milk")
      assert.strictEqual(yield* keyring.openFieldText({ ...field(), sealed }), "Milk, eggs")
      const bytes = Uint8Array.of(0, 1, 2, 255)
      const sealedBytes = yield* keyring.sealField({ ...field({ field: "raw" }), plaintext: bytes })
      assert.deepStrictEqual(yield* keyring.openField({ ...field({ field: "raw" }), sealed: sealedBytes }), bytes)
    }).pipe(Effect.provide(fresh())))

  it.effect("seals with AES-256-GCM when configured, and a 128-bit keyring still opens it", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const sealed = yield* keyring.sealField({ ...field(), plaintext: "secret" })
      assert.strictEqual(Either.getOrThrow(envelopeFromText(sealed)).algorithm, "aes-256-gcm")
      const other = yield* Effect.provide(Keyring, Keyring.layer({ algorithm: "aes-128-gcm" }))
      assert.strictEqual(yield* other.openFieldText({ ...field(), sealed }), "secret")
    }).pipe(Effect.provide(fresh({ algorithm: "aes-256-gcm" }))))

  it.effect("gives the same plaintext a different envelope every time (fresh salt and nonce)", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const a = yield* keyring.sealField({ ...field(), plaintext: "same" })
      const b = yield* keyring.sealField({ ...field(), plaintext: "same" })
      assert.notStrictEqual(a, b)
      const [ea, eb] = [a, b].map((s) => Either.getOrThrow(envelopeFromText(s)))
      assert.notDeepEqual(ea!.salt, eb!.salt)
    }).pipe(Effect.provide(fresh())))

  it.effect("refuses a value moved to another record, field, app or account", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      // Bob has keys of his own, so the refusal below is the AAD and key check, not a missing key.
      yield* keyring.sealField({ ...field({ accountId: bob }), plaintext: "bob's" })
      const sealed = yield* keyring.sealField({ ...field(), plaintext: "alice's wifi password" })
      const moves: ReadonlyArray<[string, OpenFieldInput]> = [
        ["another record", { ...field({ recordId: RecordId.make("note-2") }), sealed }],
        ["another field", { ...field({ field: "title" }), sealed }],
        ["another app", { ...field({ app: "wifi" }), sealed }],
        ["another account", { ...field({ accountId: bob }), sealed }],
        ["field/record boundary", { ...field({ recordId: RecordId.make("note-1b"), field: "ody" }), sealed }]
      ]
      for (const [why, input] of moves) {
        const error = yield* Effect.flip(keyring.openField(input))
        assert.instanceOf(error, DecryptionFailed, why)
      }
    }).pipe(Effect.provide(fresh())))

  it.effect("refuses a value whose envelope names another key version or algorithm", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      yield* keyring.rotateAccountKey(alice)
      yield* keyring.rotateAccountKey(alice)
      const sealed = yield* keyring.sealField({ ...field(), plaintext: "x" })
      const envelope = Either.getOrThrow(envelopeFromText(sealed))
      assert.strictEqual(envelope.keyVersion, 2)
      const relabelled = envelopeToText({ ...envelope, keyVersion: 1 })
      assert.instanceOf(yield* Effect.flip(keyring.openField({ ...field(), sealed: relabelled })), DecryptionFailed)
      const downgraded = envelopeToText({ ...envelope, algorithm: "aes-256-gcm" })
      assert.instanceOf(yield* Effect.flip(keyring.openField({ ...field(), sealed: downgraded })), DecryptionFailed)
      const unknown = envelopeToText({ ...envelope, keyVersion: 9 })
      const notFound = yield* Effect.flip(keyring.openField({ ...field(), sealed: unknown }))
      assert.instanceOf(notFound, KeyVersionNotFound)
      assert.strictEqual(notFound.code, "key-version-not-found")
    }).pipe(Effect.provide(fresh())))

  it.effect("refuses every single-byte change of an envelope with a typed error", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const sealed = yield* keyring.sealField({ ...field(), plaintext: "short note" })
      const bytes = Buffer.from(sealed, "base64")
      for (let i = 0; i < bytes.length; i++) {
        const bad = Buffer.from(bytes)
        bad[i] = bad[i]! ^ 0x01
        const error = yield* Effect.flip(keyring.openField({ ...field(), sealed: bad.toString("base64") }))
        assert.isTrue(
          error instanceof DecryptionFailed || error instanceof MalformedEnvelope ||
            error instanceof KeyVersionNotFound,
          `byte ${i}: ${error._tag}`
        )
      }
      const cut = Buffer.from(bytes.subarray(0, bytes.length - 1)).toString("base64")
      assert.instanceOf(yield* Effect.flip(keyring.openField({ ...field(), sealed: cut })), DecryptionFailed)
      const garbage = yield* Effect.flip(keyring.openField({ ...field(), sealed: "not an envelope" }))
      assert.instanceOf(garbage, MalformedEnvelope)
    }).pipe(Effect.provide(fresh())))

  it.effect("seals version 2 envelopes: the value's key is RFC 8452's derivation of its salt under HKDF(account key)", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      for (const algorithm of ["aes-128-gcm", "aes-256-gcm"] as const) {
        const own = yield* Effect.provide(Keyring, Keyring.layer({ algorithm }))
        const sealed = yield* own.sealField({ ...field(), plaintext: "Milk, eggs" })
        const envelope = Either.getOrThrow(envelopeFromText(sealed))
        assert.strictEqual(envelope.version, 2)
        assert.strictEqual(envelope.salt.length, 12)
        // Opened here with node:crypto alone, from the documented format.
        const { key, version } = yield* keyring.accountKey(alice)
        const plain = openVersion2(Redacted.value(key), envelope, { ...field(), keyVersion: version })
        assert.strictEqual(plain, "Milk, eggs")
      }
    }).pipe(Effect.provide(fresh())))

  it.effect("opens fixed envelopes of both formats under a fixed account key: the stored bytes do not drift", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const master = yield* KeyManagement
      const store = yield* AccountKeyStore
      const { accountId, version } = vectorContext
      const wrapped = yield* master.wrap(vectorKey, encodeAccountKeyAad(accountId, version))
      yield* store.put({ accountId, version, wrapped })
      const input = {
        accountId,
        app: "notes" as const,
        recordId: RecordId.make(vectorContext.recordId),
        field: vectorContext.field
      }
      const opened = yield* keyring.openFields(Object.values(vectorEnvelopes).map((sealed) => ({ ...input, sealed })))
      assert.deepStrictEqual(
        opened.map((o) => Either.isRight(o) ? Buffer.from(o.right).toString() : o.left._tag),
        Object.values(vectorEnvelopes).map(() => vectorPlaintext)
      )
      // The version 2 figures follow from the documented derivation alone.
      for (const [name, text] of Object.entries(vectorEnvelopes)) {
        const envelope = Either.getOrThrow(envelopeFromText(text))
        if (envelope.version !== 2) continue
        const context = { ...vectorContext, app: "notes", accountId, keyVersion: version }
        assert.strictEqual(openVersion2(vectorKey, envelope, context), vectorPlaintext, name)
      }
    }).pipe(Effect.provide(fresh())))

  it.effect("still opens version 1 envelopes, whose key per value is HKDF(account key, salt, \"custos/record/v1\")", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const { key, version } = yield* keyring.accountKey(alice)
      /** A version 1 envelope as sealed before envelope version 2, made here with node:crypto alone. */
      const version1 = (plaintext: string, algorithm: "aes-128-gcm" | "aes-256-gcm", context = field()) =>
        sealVersion1(Redacted.value(key), { ...context, keyVersion: version }, algorithm, plaintext)
      for (const algorithm of ["aes-128-gcm", "aes-256-gcm"] as const) {
        const sealed = version1("from before", algorithm)
        assert.strictEqual(yield* keyring.openFieldText({ ...field(), sealed }), "from before")
        // Bound like any envelope: another record does not open it.
        const moved = yield* Effect.flip(keyring.openField({ ...field({ recordId: RecordId.make("note-2") }), sealed }))
        assert.instanceOf(moved, DecryptionFailed)
      }
      // Relabelled as version 2 it does not open: the salt and the AAD no longer match; nor does a version 2 value
      // relabelled as version 1.
      const bytes = Buffer.from(version1("x", "aes-128-gcm"), "base64")
      bytes[0] = 2
      const relabelled = yield* Effect.flip(keyring.openField({ ...field(), sealed: bytes.toString("base64") }))
      assert.instanceOf(relabelled, DecryptionFailed)
      const longer = yield* keyring.sealField({ ...field(), plaintext: "a longer value, so both parse" })
      const current = Buffer.from(longer, "base64")
      current[0] = 1
      const downgraded = yield* Effect.flip(keyring.openField({ ...field(), sealed: current.toString("base64") }))
      assert.instanceOf(downgraded, DecryptionFailed)
      // A batch mixing both versions, two accounts and two key versions opens in order; a bad value fails alone.
      const old = version1("old", "aes-128-gcm")
      const first = yield* keyring.sealField({ ...field(), plaintext: "first" })
      yield* keyring.rotateAccountKey(alice)
      const second = yield* keyring.sealField({ ...field(), plaintext: "second" })
      const bobs = yield* keyring.sealField({ ...field({ accountId: bob }), plaintext: "bob's" })
      const opened = yield* keyring.openFields([
        { ...field(), sealed: second },
        { ...field(), sealed: old },
        { ...field({ accountId: bob }), sealed: bobs },
        { ...field({ field: "title" }), sealed: first },
        { ...field(), sealed: "not an envelope" },
        { ...field(), sealed: first }
      ])
      const shown = opened.map((o) => Either.isRight(o) ? Buffer.from(o.right).toString() : o.left._tag)
      assert.deepStrictEqual(shown, ["second", "old", "bob's", "DecryptionFailed", "MalformedEnvelope", "first"])
      assert.deepStrictEqual([keyVersionOf(first), keyVersionOf(second)], [1, 2])
    }).pipe(Effect.provide(fresh())))

  it.effect("derives record keys with HKDF-SHA-256(account key, salt, \"custos/record/v1\")", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const { key, version } = yield* keyring.accountKey(alice)
      assert.strictEqual(Redacted.value(key).length, 32)
      assert.notInclude(String(key), Buffer.from(Redacted.value(key)).toString("hex"))
      const salt = new Uint8Array(16).fill(7)
      const derived = Redacted.value(yield* keyring.recordKey(alice, salt, version))
      const expected = Buffer.from(hkdfSync("sha256", Redacted.value(key), salt, "custos/record/v1", 16))
      assert.strictEqual(Buffer.from(derived).toString("hex"), expected.toString("hex"))
      const wide = Redacted.value(yield* keyring.recordKey(alice, salt, version, "aes-256-gcm"))
      assert.strictEqual(wide.length, 32)
      const otherSalt = Redacted.value(yield* keyring.recordKey(alice, new Uint8Array(16), version))
      assert.notDeepEqual(otherSalt, derived)
      const blob = Redacted.value(yield* keyring.blobKey(alice, salt, version))
      assert.notDeepEqual(blob, derived)
    }).pipe(Effect.provide(fresh())))

  it.effect("creates exactly one key for an account however many first uses race", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const other = yield* anotherInstance
      const sealed = yield* Effect.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? keyring : other).sealField({ ...field(), plaintext: `${i}` })),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual((yield* allKeys).map((k) => [k.accountId, k.version]), [[alice, 1]])
      for (const [i, s] of sealed.entries()) {
        assert.strictEqual(yield* keyring.openFieldText({ ...field(), sealed: s }), `${i}`)
      }
    }).pipe(Effect.provide(fresh())))

  it.effect("account key rotation: new writes use the new version, old data still opens, in every instance", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const other = yield* anotherInstance
      const before = yield* keyring.sealField({ ...field(), plaintext: "written under v1" })
      assert.strictEqual(yield* keyring.rotateAccountKey(alice), 2)
      const after = yield* keyring.sealField({ ...field(), plaintext: "written under v2" })
      assert.strictEqual(keyVersionOf(before), 1)
      assert.strictEqual(keyVersionOf(after), 2)
      assert.strictEqual((yield* keyring.accountKey(alice)).version, 2)
      // The other instance had not seen v2; it picks it up from the store at its next write.
      const fromOther = yield* other.sealField({ ...field(), plaintext: "other" })
      assert.strictEqual(keyVersionOf(fromOther), 2)
      for (const k of [keyring, other]) {
        assert.strictEqual(yield* k.openFieldText({ ...field(), sealed: before }), "written under v1")
        assert.strictEqual(yield* k.openFieldText({ ...field(), sealed: after }), "written under v2")
      }
      // Rotating Bob does not touch Alice.
      assert.strictEqual(yield* keyring.rotateAccountKey(bob), 1)
      assert.strictEqual(keyVersionOf(yield* keyring.sealField({ ...field(), plaintext: "a" })), 2)
    }).pipe(Effect.provide(fresh())))

  it.effect("master key rotation re-wraps every account key, and everything still opens from a cold cache", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const master = yield* KeyManagement
      const sealed = new Map<string, string>()
      for (const accountId of [alice, bob, AccountId.make("acc_carol")]) {
        const write = (v: number) => keyring.sealField({ ...field({ accountId }), plaintext: `${accountId} v${v}` })
        sealed.set(`${accountId}/1`, yield* write(1))
        yield* keyring.rotateAccountKey(accountId)
        sealed.set(`${accountId}/2`, yield* write(2))
      }
      const wrappedBefore = yield* allKeys
      assert.strictEqual(wrappedBefore.length, 6)
      assert.isTrue(wrappedBefore.every((k) => k.wrapped.masterVersion === 1))

      const { masterVersion, rewrapped } = yield* keyring.rotateMasterKey
      assert.strictEqual(masterVersion, 2)
      assert.strictEqual(rewrapped, 6)
      assert.strictEqual(yield* master.currentVersion, 2)
      const wrappedAfter = yield* allKeys
      assert.isTrue(wrappedAfter.every((k) => k.wrapped.masterVersion === 2))
      assert.strictEqual(yield* keyring.rewrapAccountKeys, 0)

      // Retire the old master version: keys wrapped under it could no longer be unwrapped, and none are left.
      yield* keyring.retireMasterKey(1)
      assert.deepStrictEqual(yield* master.versions, [2])
      const old = yield* Effect.flip(master.unwrap(wrappedBefore[0]!.wrapped, new Uint8Array(0)))
      assert.instanceOf(old, MasterKeyVersionUnknown)

      const cold = yield* anotherInstance
      for (const [where, value] of sealed) {
        const [accountId, version] = where.split("/") as [AccountId, string]
        const opened = yield* cold.openFieldText({ ...field({ accountId }), sealed: value })
        assert.strictEqual(opened, `${accountId} v${version}`)
      }
    }).pipe(Effect.provide(fresh())))

  it.effect("refuses to retire a master key version that still wraps account keys, or the current one", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const master = yield* KeyManagement
      yield* keyring.sealField({ ...field(), plaintext: "x" })
      const current = yield* Effect.flip(keyring.retireMasterKey(1))
      assert.instanceOf(current, MasterKeyInUse)
      yield* master.rotate // a rotation interrupted before re-wrapping
      const inUse = yield* Effect.flip(keyring.retireMasterKey(1))
      assert.instanceOf(inUse, MasterKeyInUse)
      assert.strictEqual(inUse.code, "master-key-in-use")
      assert.include(inUse.message, "1 account key")
      assert.strictEqual(yield* keyring.rewrapAccountKeys, 1)
      yield* keyring.retireMasterKey(1)
    }).pipe(Effect.provide(fresh())))

  it.effect("destroying an account's keys makes its data unreadable with a typed error, in every instance", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const other = yield* anotherInstance
      const sealed = yield* keyring.sealField({ ...field(), plaintext: "diary" })
      yield* keyring.rotateAccountKey(alice)
      const sealed2 = yield* keyring.sealField({ ...field(), plaintext: "diary 2" })
      const bobs = yield* keyring.sealField({ ...field({ accountId: bob }), plaintext: "bob" })
      // Both instances have the keys cached.
      assert.strictEqual(yield* other.openFieldText({ ...field(), sealed }), "diary")

      assert.strictEqual(yield* keyring.destroyAccountKeys(alice), 2)
      for (const k of [keyring, other]) {
        for (const value of [sealed, sealed2]) {
          const error = yield* Effect.flip(k.openField({ ...field(), sealed: value }))
          assert.instanceOf(error, AccountKeysDestroyed)
          assert.strictEqual(error.code, "account-keys-destroyed")
        }
        assert.instanceOf(yield* Effect.flip(k.sealField({ ...field(), plaintext: "new" })), AccountKeysDestroyed)
        assert.instanceOf(yield* Effect.flip(k.accountKey(alice)), AccountKeysDestroyed)
        assert.instanceOf(yield* Effect.flip(k.rotateAccountKey(alice)), AccountKeysDestroyed)
      }
      assert.strictEqual(yield* keyring.destroyAccountKeys(alice), 0)
      assert.isTrue((yield* allKeys).every((k) => k.accountId !== alice))
      assert.strictEqual(yield* other.openFieldText({ ...field({ accountId: bob }), sealed: bobs }), "bob")
    }).pipe(Effect.provide(fresh())))

  it.effect("a batch that held an account's keys when they were destroyed fails instead of sealing under zeros", () =>
    Effect.gen(function*() {
      // A Crypto whose sealValues and openValues first run a hook: the account's keys are destroyed right after the
      // Keyring handed over its key-generating key and before the values are sealed or opened with it.
      const hook = yield* Ref.make<Effect.Effect<void>>(Effect.void)
      const real = makeNodeCrypto()
      const crypto = Crypto.of({
        ...real,
        sealValues: (input) => Effect.zipRight(Effect.flatten(Ref.get(hook)), real.sealValues(input)),
        openValues: (input) => Effect.zipRight(Effect.flatten(Ref.get(hook)), real.openValues(input))
      })
      const layer = Keyring.layer().pipe(
        Layer.provideMerge(Layer.mergeAll(layerKeyManagementMemory, layerAccountKeyStoreMemory)),
        Layer.provideMerge(Layer.succeed(Crypto, crypto))
      )
      yield* Effect.gen(function*() {
        const keyring = yield* Keyring
        const sealed = yield* keyring.sealField({ ...field(), plaintext: "before" })
        yield* Ref.set(hook, Effect.asVoid(Effect.orDie(keyring.destroyAccountKeys(alice))))
        const sealError = yield* Effect.flip(keyring.sealField({ ...field(), plaintext: "in flight" }))
        assert.instanceOf(sealError, InvalidKeyMaterial)
        assert.include(sealError.message, "all zeros")
        yield* Ref.set(hook, Effect.void)
        // Afterwards the account's keys are gone as for any destroyed account.
        assert.instanceOf(yield* Effect.flip(keyring.openField({ ...field(), sealed })), AccountKeysDestroyed)
      }).pipe(Effect.provide(layer))
      // Opening in flight likewise.
      yield* Effect.gen(function*() {
        const keyring = yield* Keyring
        const sealed = yield* keyring.sealField({ ...field(), plaintext: "before" })
        yield* Ref.set(hook, Effect.asVoid(Effect.orDie(keyring.destroyAccountKeys(alice))))
        const [opened] = yield* keyring.openFields([{ ...field(), sealed }])
        assert.isTrue(Either.isLeft(opened!) && opened.left instanceof InvalidKeyMaterial)
        yield* Ref.set(hook, Effect.void)
      }).pipe(Effect.provide(layer))
    }))

  it.effect("refuses a wrapped account key that was altered or moved to another account", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const store = yield* AccountKeyStore
      yield* keyring.sealField({ ...field(), plaintext: "alice" })
      const [aliceKey] = (yield* allKeys).filter((k) => k.accountId === alice) as [StoredAccountKey]
      // Alice's wrapped key stored as Carol's, as a row copied in the database would be.
      const carol = AccountId.make("acc_carol")
      yield* store.put({ ...aliceKey, accountId: carol })
      const cold = yield* anotherInstance
      const moved = yield* Effect.flip(cold.sealField({ ...field({ accountId: carol }), plaintext: "x" }))
      assert.instanceOf(moved, DecryptionFailed)

      const altered = aliceKey.wrapped.sealed.slice()
      altered[20] = altered[20]! ^ 0x80
      const dave = AccountId.make("acc_dave")
      yield* store.put({ accountId: dave, version: 1, wrapped: { ...aliceKey.wrapped, sealed: altered } })
      assert.instanceOf(yield* Effect.flip(cold.accountKey(dave)), DecryptionFailed)
    }).pipe(Effect.provide(fresh())))

  it.effect("a key dropped from the cache or unwrapped twice keeps its bytes for whoever still holds it", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      const held = Redacted.value((yield* keyring.accountKey(alice)).key)
      const copy = Uint8Array.from(held)
      // Bob pushes Alice out of a one-account cache; then Alice's key is unwrapped afresh.
      yield* keyring.accountKey(bob)
      assert.deepStrictEqual(yield* keyring.cachedKeyVersions(alice), [])
      const again = Redacted.value((yield* keyring.accountKey(alice)).key)
      yield* keyring.accountKey(bob)
      yield* keyring.accountKey(alice)
      assert.deepStrictEqual([...held], [...copy], "what an operation held was not overwritten")
      assert.deepStrictEqual([...again], [...copy])
      assert.isTrue(copy.some((b) => b !== 0))
      // What is sealed with it opens, whichever buffer sealed it.
      const sealed = yield* keyring.sealField({ ...field(), plaintext: "still the same key" })
      yield* keyring.accountKey(bob)
      assert.strictEqual(yield* keyring.openFieldText({ ...field(), sealed }), "still the same key")
    }).pipe(Effect.provide(fresh({ cachedAccounts: 1 }))))

  it.effect("never writes an account key unwrapped", () =>
    Effect.gen(function*() {
      const keyring = yield* Keyring
      yield* keyring.sealField({ ...field(), plaintext: "x" })
      const { key } = yield* keyring.accountKey(alice)
      const [stored] = yield* allKeys
      const raw = Buffer.from(Redacted.value(key)).toString("hex")
      assert.notInclude(Buffer.from(stored!.wrapped.sealed).toString("hex"), raw)
      assert.strictEqual(stored!.wrapped.sealed.length, 12 + 32 + 16)
    }).pipe(Effect.provide(fresh())))
})
