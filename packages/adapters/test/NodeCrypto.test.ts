/**
 * Tests of the node:crypto `Crypto` adapter beyond the Wycheproof vectors: sealing round-trips for both key sizes
 * with a fresh nonce each time; the wrong key, the wrong AAD or any flipped bit fails with `DecryptionFailed`; key
 * sizes other than 16 and 32 bytes, wrapping keys other than 32 bytes and impossible HKDF lengths are refused with
 * `InvalidKeyMaterial` (DESIGN.md "Encryption at rest").
 */
import { makeNodeCrypto } from "@custos/adapters/crypto/NodeCrypto"
import { DecryptionFailed, InvalidKeyMaterial } from "@custos/core/ports/Crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect, FastCheck } from "effect"
import { createHmac, hkdfSync } from "node:crypto"

const crypto = makeNodeCrypto()
const text = (s: string) => new TextEncoder().encode(s)
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

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
})
