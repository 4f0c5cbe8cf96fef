/**
 * Known-answer tests of the node:crypto adapter against Project Wycheproof (fixtures/wycheproof, Apache-2.0): every
 * AES-GCM, HKDF-SHA-256 and HMAC-SHA-256 vector. DESIGN.md "Encryption at rest" accepts 16- and 32-byte keys,
 * 12-byte nonces and 16-byte tags only, so vectors of other sizes must be refused with a typed error, valid ones
 * must give exactly the expected bytes in both directions, and invalid ones must never open.
 */
import { makeNodeCrypto, openParts, unsafeSealWithNonceForTests } from "@custos/adapters/crypto/NodeCrypto"
import { DecryptionFailed, InvalidKeyMaterial } from "@custos/core/ports/Crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { readFileSync } from "node:fs"

interface Vectors<G> {
  readonly numberOfTests: number
  readonly testGroups: ReadonlyArray<G>
}
interface AeadGroup {
  readonly keySize: number
  readonly ivSize: number
  readonly tagSize: number
  readonly tests: ReadonlyArray<{
    readonly tcId: number
    readonly key: string
    readonly iv: string
    readonly aad: string
    readonly msg: string
    readonly ct: string
    readonly tag: string
    readonly result: "valid" | "invalid" | "acceptable"
  }>
}
interface HkdfGroup {
  readonly tests: ReadonlyArray<{
    readonly tcId: number
    readonly ikm: string
    readonly salt: string
    readonly info: string
    readonly size: number
    readonly okm: string
    readonly result: "valid" | "invalid" | "acceptable"
  }>
}
interface MacGroup {
  readonly tagSize: number
  readonly tests: ReadonlyArray<{
    readonly tcId: number
    readonly key: string
    readonly msg: string
    readonly tag: string
    readonly result: "valid" | "invalid" | "acceptable"
  }>
}

const load = <G>(name: string): Vectors<G> =>
  JSON.parse(readFileSync(new URL(`./fixtures/wycheproof/${name}`, import.meta.url), "utf8"))

const hex = (text: string) => new Uint8Array(Buffer.from(text, "hex"))
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")

const crypto = makeNodeCrypto()

describe("NodeCrypto against Wycheproof", () => {
  it.effect("AES-GCM: 79 valid vectors open and seal exactly, 54 invalid never open, 183 of other sizes refused", () =>
    Effect.gen(function*() {
      const file = load<AeadGroup>("aes_gcm_test.json")
      const tally = { validPassed: 0, invalidRefused: 0, refusedForSize: 0, total: 0 }
      const wrong: Array<string> = []
      for (const group of file.testGroups) {
        const supported = (group.keySize === 128 || group.keySize === 256) && group.ivSize === 96 &&
          group.tagSize === 128
        for (const t of group.tests) {
          tally.total++
          const key = hex(t.key)
          const nonce = hex(t.iv)
          const aad = hex(t.aad)
          const parts = { nonce, ciphertext: hex(t.ct), tag: hex(t.tag) }
          const opened = yield* Effect.either(openParts({ key, parts, aad }))
          const sealed = yield* Effect.either(unsafeSealWithNonceForTests({ key, nonce, plaintext: hex(t.msg), aad }))
          if (!supported) {
            const openRefusal = Either.isLeft(opened) &&
              (opened.left instanceof InvalidKeyMaterial || opened.left instanceof DecryptionFailed)
            const sealRefusal = Either.isLeft(sealed) && sealed.left instanceof InvalidKeyMaterial
            if (openRefusal && sealRefusal) tally.refusedForSize++
            else wrong.push(`tcId ${t.tcId}: ${group.keySize}/${group.ivSize}/${group.tagSize} was not refused`)
            continue
          }
          // The layer's own `open`, over the wire format nonce ‖ ciphertext ‖ tag.
          const wire = yield* Effect.either(crypto.open({ key, sealed: hex(t.iv + t.ct + t.tag), aad }))
          if (t.result === "valid") {
            const ok = Either.isRight(opened) && toHex(opened.right) === t.msg &&
              Either.isRight(wire) && toHex(wire.right) === t.msg &&
              Either.isRight(sealed) && toHex(sealed.right) === t.iv + t.ct + t.tag
            if (ok) tally.validPassed++
            else wrong.push(`tcId ${t.tcId}: valid vector did not give the expected bytes`)
          } else {
            const refused = Either.isLeft(opened) && opened.left instanceof DecryptionFailed &&
              Either.isLeft(wire) && wire.left instanceof DecryptionFailed
            if (refused) tally.invalidRefused++
            else wrong.push(`tcId ${t.tcId}: invalid vector was not refused`)
          }
        }
      }
      assert.deepStrictEqual(wrong, [])
      assert.strictEqual(tally.total, file.numberOfTests)
      assert.deepStrictEqual(tally, { validPassed: 79, invalidRefused: 54, refusedForSize: 183, total: 316 })
    }))

  it.effect("AES-GCM: a valid vector's tag cut to 4, 8 or 15 bytes is refused (Node 20 would accept it)", () =>
    Effect.gen(function*() {
      const t = load<AeadGroup>("aes_gcm_test.json").testGroups[0]!.tests[0]!
      for (const n of [4, 8, 12, 15]) {
        const parts = { nonce: hex(t.iv), ciphertext: hex(t.ct), tag: hex(t.tag).subarray(0, n) }
        const error = yield* Effect.flip(openParts({ key: hex(t.key), parts, aad: hex(t.aad) }))
        assert.instanceOf(error, DecryptionFailed, `tag of ${n} bytes`)
      }
    }))

  it.effect("HKDF-SHA-256: 83 valid vectors derive the expected bytes, 3 too-large sizes refused", () =>
    Effect.gen(function*() {
      const file = load<HkdfGroup>("hkdf_sha256_test.json")
      const tally = { validPassed: 0, invalidRefused: 0, total: 0 }
      const wrong: Array<number> = []
      for (const group of file.testGroups) {
        for (const t of group.tests) {
          tally.total++
          const okm = yield* Effect.either(
            crypto.hkdfSha256({ ikm: hex(t.ikm), salt: hex(t.salt), info: hex(t.info), length: t.size })
          )
          if (t.result === "valid" && Either.isRight(okm) && toHex(okm.right) === t.okm) tally.validPassed++
          else if (t.result === "invalid" && Either.isLeft(okm) && okm.left instanceof InvalidKeyMaterial) {
            tally.invalidRefused++
          } else wrong.push(t.tcId)
        }
      }
      assert.deepStrictEqual(wrong, [])
      assert.strictEqual(tally.total, file.numberOfTests)
      assert.deepStrictEqual(tally, { validPassed: 83, invalidRefused: 3, total: 86 })
    }))

  it.effect("HMAC-SHA-256: 66 valid tags match (full or truncated), 108 modified tags do not", () =>
    Effect.gen(function*() {
      const file = load<MacGroup>("hmac_sha256_test.json")
      const tally = { validPassed: 0, invalidRefused: 0, total: 0 }
      const wrong: Array<number> = []
      for (const group of file.testGroups) {
        for (const t of group.tests) {
          tally.total++
          const mac = yield* crypto.hmacSha256({ key: hex(t.key), data: hex(t.msg) })
          assert.strictEqual(mac.length, 32)
          // Truncated-tag groups compare the leading bytes, as a verifier of a truncated HMAC would.
          const matches = toHex(mac.subarray(0, group.tagSize / 8)) === t.tag
          if (t.result === "valid" && matches) tally.validPassed++
          else if (t.result === "invalid" && !matches) tally.invalidRefused++
          else wrong.push(t.tcId)
        }
      }
      assert.deepStrictEqual(wrong, [])
      assert.strictEqual(tally.total, file.numberOfTests)
      assert.deepStrictEqual(tally, { validPassed: 66, invalidRefused: 108, total: 174 })
    }))
})
