/**
 * Tests of the node:crypto `Crypto` adapter beyond the Wycheproof vectors: sealing round-trips for both key sizes
 * with a fresh nonce each time; the wrong key, the wrong AAD or any flipped bit fails with `DecryptionFailed`; key
 * sizes other than 16 and 32 bytes, wrapping keys other than 32 bytes and impossible HKDF lengths are refused with
 * `InvalidKeyMaterial` (DESIGN.md "Encryption at rest"). Per-value keys follow the key derivation of RFC 8452 §4,
 * checked against the key-derivation figures of its Appendix C, and values sealed in a batch open one by one.
 */
import { makeNodeCrypto } from "@custos/adapters/crypto/NodeCrypto"
import { DecryptionFailed, InvalidKeyMaterial, VALUE_KEY_SALT_BYTES } from "@custos/core/ports/Crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, FastCheck } from "effect"
import { createHmac, hkdfSync } from "node:crypto"

const crypto = makeNodeCrypto()
const text = (s: string) => new TextEncoder().encode(s)
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const leftOf = <A, E>(result: Either.Either<A, E>) => Either.isLeft(result) ? result.left : undefined

describe("NodeCrypto", () => {
  it.prop(
    "seals and opens any plaintext and AAD under 16- and 32-byte keys",
    [
      FastCheck.constantFrom(16, 32).chain((n) => FastCheck.uint8Array({ minLength: n, maxLength: n })),
      FastCheck.uint8Array({ maxLength: 300 }),
      FastCheck.uint8Array({ maxLength: 64 })
    ],
    ([key, plaintext, aad]) => {
      const sealed = Effect.runSync(crypto.seal({ key, plaintext, aad }))
      assert.strictEqual(sealed.length, 12 + plaintext.length + 16)
      assert.strictEqual(hex(Effect.runSync(crypto.open({ key, sealed, aad }))), hex(plaintext))
    },
    { fastCheck: { numRuns: 200 } }
  )

  it.effect("draws a fresh nonce for every seal", () =>
    Effect.gen(function*() {
      const key = yield* crypto.randomBytes(16)
      const nonces = new Set<string>()
      for (let i = 0; i < 2000; i++) {
        const sealed = yield* crypto.seal({ key, plaintext: text("same"), aad: text("same") })
        nonces.add(hex(sealed.subarray(0, 12)))
      }
      assert.strictEqual(nonces.size, 2000)
    }))

  it.effect("fails with DecryptionFailed under the wrong key or the wrong AAD", () =>
    Effect.gen(function*() {
      const key = yield* crypto.randomBytes(32)
      const aad = text("account-a|wifi|r1|password")
      const sealed = yield* crypto.seal({ key, plaintext: text("wifi password"), aad })
      const otherKey = yield* crypto.randomBytes(32)
      const wrongKey = yield* Effect.flip(crypto.open({ key: otherKey, sealed, aad }))
      assert.instanceOf(wrongKey, DecryptionFailed)
      assert.strictEqual(wrongKey.code, "decryption-failed")
      const wrongAad = yield* Effect.flip(crypto.open({ key, sealed, aad: text("account-b|wifi|r1|password") }))
      assert.instanceOf(wrongAad, DecryptionFailed)
    }))

  it.effect("fails with DecryptionFailed when any bit of a sealed value is flipped, or it is cut short", () =>
    Effect.gen(function*() {
      const key = yield* crypto.randomBytes(16)
      const aad = text("aad")
      const sealed = yield* crypto.seal({ key, plaintext: text("hello"), aad })
      for (let bit = 0; bit < sealed.length * 8; bit++) {
        const bad = sealed.slice()
        bad[bit >> 3]! ^= 1 << (bit & 7)
        assert.instanceOf(yield* Effect.flip(crypto.open({ key, sealed: bad, aad })), DecryptionFailed, `bit ${bit}`)
      }
      for (const length of [0, 1, 12, 27, sealed.length - 1]) {
        const cut = sealed.subarray(0, length)
        assert.instanceOf(yield* Effect.flip(crypto.open({ key, sealed: cut, aad })), DecryptionFailed, `${length}`)
      }
    }))

  it.effect("refuses keys that are not 16 or 32 bytes, in both directions", () =>
    Effect.gen(function*() {
      for (const n of [0, 1, 15, 17, 24, 31, 33, 64]) {
        const key = new Uint8Array(n)
        const sealError = yield* Effect.flip(crypto.seal({ key, plaintext: text("x"), aad: text("") }))
        assert.instanceOf(sealError, InvalidKeyMaterial, `seal with ${n}`)
        assert.strictEqual(sealError.code, "invalid-key-material")
        const openError = yield* Effect.flip(crypto.open({ key, sealed: new Uint8Array(40), aad: text("") }))
        assert.instanceOf(openError, InvalidKeyMaterial, `open with ${n}`)
      }
    }))

  it.effect("wraps only with a 32-byte key, and unwraps only with the same key and AAD", () =>
    Effect.gen(function*() {
      const kek = yield* crypto.randomBytes(32)
      const key = yield* crypto.randomBytes(32)
      const wrapped = yield* crypto.wrapKey({ kek, key, aad: text("account-1|v1") })
      assert.strictEqual(hex(yield* crypto.unwrapKey({ kek, wrapped, aad: text("account-1|v1") })), hex(key))
      const moved = yield* Effect.flip(crypto.unwrapKey({ kek, wrapped, aad: text("account-2|v1") }))
      assert.instanceOf(moved, DecryptionFailed)
      const short = yield* Effect.flip(crypto.wrapKey({ kek: kek.subarray(0, 16), key, aad: text("") }))
      assert.instanceOf(short, InvalidKeyMaterial)
      const shortOpen = yield* Effect.flip(crypto.unwrapKey({ kek: kek.subarray(0, 16), wrapped, aad: text("") }))
      assert.instanceOf(shortOpen, InvalidKeyMaterial)
    }))

  it.effect("derives HKDF-SHA-256 and HMAC-SHA-256 as node:crypto does, refusing impossible lengths", () =>
    Effect.gen(function*() {
      const ikm = yield* crypto.randomBytes(32)
      const salt = yield* crypto.randomBytes(16)
      const info = text("custos/record/v1")
      for (const length of [1, 16, 32, 8160]) {
        const derived = yield* crypto.hkdfSha256({ ikm, salt, info, length })
        assert.strictEqual(hex(derived), Buffer.from(hkdfSync("sha256", ikm, salt, info, length)).toString("hex"))
      }
      for (const length of [0, -1, 1.5, 8161]) {
        assert.instanceOf(yield* Effect.flip(crypto.hkdfSha256({ ikm, salt, info, length })), InvalidKeyMaterial)
      }
      const mac = yield* crypto.hmacSha256({ key: ikm, data: info })
      assert.strictEqual(hex(mac), createHmac("sha256", ikm).update(info).digest("hex"))
    }))

  it.effect("derives value keys as RFC 8452 §4 does (its Appendix C figures)", () =>
    Effect.gen(function*() {
      // RFC 8452 Appendix C.1 and C.2, first example of each: key-generating key 01 00.., nonce 03 00..; the
      // "record authentication key" followed by the "record encryption key" (AES-128) or its first half (AES-256)
      // are blocks 0..3 of the derivation, which is what a 32-byte value key takes.
      const salt = Uint8Array.of(3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
      const kgk128 = new Uint8Array(16)
      kgk128[0] = 1
      const kgk256 = new Uint8Array(32)
      kgk256[0] = 1
      const [wide128] = yield* crypto.deriveValueKeys({ kgk: kgk128, salts: [salt], length: 32 })
      assert.strictEqual(hex(wide128!), "d9b360279694941ac5dbc6987ada7377" + "4004a0dcd862f2a57360219d2d44ef6c")
      const [wide256] = yield* crypto.deriveValueKeys({ kgk: kgk256, salts: [salt], length: 32 })
      assert.strictEqual(hex(wide256!), "b5d3c529dfafac43136d2d11be284d7f" + "b914f4742be9e1d7a2f84addbf96dec3")
      // A 16-byte key is the first half of the 32-byte one; every salt of a batch gets its own key.
      const other = Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
      const narrow = yield* crypto.deriveValueKeys({ kgk: kgk256, salts: [salt, other, salt], length: 16 })
      assert.deepStrictEqual(narrow.map(hex), [
        "b5d3c529dfafac43136d2d11be284d7f",
        hex(narrow[1]!),
        "b5d3c529dfafac43136d2d11be284d7f"
      ])
      assert.notStrictEqual(hex(narrow[1]!), hex(narrow[0]!))
      assert.strictEqual(narrow[1]!.length, 16)
    }))

  it.effect("refuses key-generating keys, salts and key lengths of other sizes", () =>
    Effect.gen(function*() {
      const salt = new Uint8Array(VALUE_KEY_SALT_BYTES)
      for (const n of [0, 15, 24, 31, 33]) {
        const kgk = new Uint8Array(n)
        assert.instanceOf(yield* Effect.flip(crypto.deriveValueKeys({ kgk, salts: [salt], length: 16 })), InvalidKeyMaterial)
        const items = [{ prefix: new Uint8Array(0), plaintext: text("x"), aad: text("") }]
        assert.instanceOf(
          yield* Effect.flip(crypto.sealValues({ kgk, algorithm: "aes-128-gcm", items })),
          InvalidKeyMaterial,
          `sealValues with ${n}`
        )
        assert.instanceOf(yield* Effect.flip(crypto.openValues({ kgk, items: [] })), InvalidKeyMaterial)
      }
      const kgk = new Uint8Array(32).fill(7)
      for (const n of [0, 11, 13, 16]) {
        const error = yield* Effect.flip(crypto.deriveValueKeys({ kgk, salts: [new Uint8Array(n)], length: 16 }))
        assert.instanceOf(error, InvalidKeyMaterial, `salt of ${n}`)
      }
      const badLength = yield* Effect.flip(crypto.deriveValueKeys({ kgk: new Uint8Array(32).fill(1), salts: [salt], length: 24 as 16 }))
      assert.instanceOf(badLength, InvalidKeyMaterial)
      // All zeros is what a destroyed key-generating key is overwritten with: refused everywhere.
      const items = [{ prefix: new Uint8Array(0), plaintext: text("x"), aad: text("") }]
      for (const zeros of [new Uint8Array(16), new Uint8Array(32)]) {
        const errors = [
          yield* Effect.flip(crypto.deriveValueKeys({ kgk: zeros, salts: [salt], length: 16 })),
          yield* Effect.flip(crypto.sealValues({ kgk: zeros, algorithm: "aes-128-gcm", items })),
          yield* Effect.flip(crypto.openValues({ kgk: zeros, items: [] }))
        ]
        for (const error of errors) {
          assert.instanceOf(error, InvalidKeyMaterial)
          assert.include(error.message, "all zeros")
        }
      }
    }))

  it.effect("seals a batch as prefix ‖ salt ‖ nonce ‖ ciphertext ‖ tag, each under its own derived key", () =>
    Effect.gen(function*() {
      const kgk = yield* crypto.randomBytes(32)
      for (const algorithm of ["aes-128-gcm", "aes-256-gcm"] as const) {
        const prefix = Uint8Array.of(9, 8, 7)
        const items = Array.from({ length: 50 }, (_, i) => ({
          prefix,
          plaintext: text(`value ${i} `.repeat(i % 7)),
          aad: text(`aad ${i}`)
        }))
        const sealed = yield* crypto.sealValues({ kgk, algorithm, items })
        assert.strictEqual(sealed.length, items.length)
        const salts = new Set<string>()
        const nonces = new Set<string>()
        for (const [i, value] of sealed.entries()) {
          assert.strictEqual(value.length, 3 + 12 + items[i]!.plaintext.length + 28)
          assert.strictEqual(hex(value.subarray(0, 3)), "090807")
          const salt = value.subarray(3, 15)
          salts.add(hex(salt))
          nonces.add(hex(value.subarray(15, 27)))
          // Independently: derive the key, then a plain `open` of nonce ‖ ciphertext ‖ tag.
          const [key] = yield* crypto.deriveValueKeys({ kgk, salts: [salt], length: algorithm === "aes-128-gcm" ? 16 : 32 })
          const opened = yield* crypto.open({ key: key!, sealed: value.subarray(15), aad: items[i]!.aad })
          assert.strictEqual(hex(opened), hex(items[i]!.plaintext))
        }
        assert.strictEqual(salts.size, items.length)
        assert.strictEqual(nonces.size, items.length)
        const reopened = yield* crypto.openValues({
          kgk,
          items: sealed.map((value, i) => ({
            algorithm,
            salt: value.subarray(3, 15),
            sealed: value.subarray(15),
            aad: items[i]!.aad
          }))
        })
        assert.deepStrictEqual(reopened.map((o) => hex(Either.getOrThrow(o))), items.map((item) => hex(item.plaintext)))
      }
      assert.deepStrictEqual(yield* crypto.sealValues({ kgk, algorithm: "aes-128-gcm", items: [] }), [])
    }))

  it.effect("opens a batch item by item: a tampered, moved or misshapen value fails alone", () =>
    Effect.gen(function*() {
      const kgk = yield* crypto.randomBytes(32)
      const items = ["a", "b", "c", "d", "e"].map((s) => ({ prefix: new Uint8Array(0), plaintext: text(s), aad: text(s) }))
      const sealed = yield* crypto.sealValues({ kgk, algorithm: "aes-128-gcm", items })
      const toOpen = sealed.map((value, i) => ({
        algorithm: "aes-128-gcm" as const,
        salt: value.subarray(0, 12),
        sealed: value.subarray(12),
        aad: items[i]!.aad
      }))
      const flipped = Uint8Array.from(toOpen[1]!.sealed)
      flipped[flipped.length - 1]! ^= 1
      const results = yield* crypto.openValues({
        kgk,
        items: [
          toOpen[0]!,
          { ...toOpen[1]!, sealed: flipped },
          { ...toOpen[2]!, aad: text("elsewhere") },
          { ...toOpen[3]!, salt: new Uint8Array(16) },
          { ...toOpen[4]!, sealed: new Uint8Array(20) },
          { ...toOpen[0]!, algorithm: "aes-256-gcm" as const },
          toOpen[4]!
        ]
      })
      assert.strictEqual(hex(Either.getOrThrow(results[0]!)), hex(text("a")))
      assert.instanceOf(leftOf(results[1]!), DecryptionFailed)
      assert.instanceOf(leftOf(results[2]!), DecryptionFailed)
      assert.instanceOf(leftOf(results[3]!), InvalidKeyMaterial)
      assert.instanceOf(leftOf(results[4]!), DecryptionFailed)
      assert.instanceOf(leftOf(results[5]!), DecryptionFailed)
      assert.strictEqual(hex(Either.getOrThrow(results[6]!)), hex(text("e")))
      // AES-128 and AES-256 values of one key-generating key open together.
      const wide = yield* crypto.sealValues({ kgk, algorithm: "aes-256-gcm", items: items.slice(0, 2) })
      const mixed = yield* crypto.openValues({
        kgk,
        items: [
          { algorithm: "aes-256-gcm" as const, salt: wide[0]!.subarray(0, 12), sealed: wide[0]!.subarray(12), aad: items[0]!.aad },
          toOpen[2]!,
          { algorithm: "aes-256-gcm" as const, salt: wide[1]!.subarray(0, 12), sealed: wide[1]!.subarray(12), aad: items[1]!.aad }
        ]
      })
      assert.deepStrictEqual(mixed.map((o) => Buffer.from(Either.getOrThrow(o)).toString()), ["a", "c", "b"])
      // Under another key-generating key nothing opens.
      const other = yield* crypto.openValues({ kgk: yield* crypto.randomBytes(32), items: toOpen })
      assert.isTrue(other.every(Either.isLeft))
    }))
})
