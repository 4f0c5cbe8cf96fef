/**
 * Tests of the base64 of sealed values (internal/base64.ts): it writes exactly what Effect's `Encoding.encodeBase64`
 * writes, and takes back exactly the texts that survive Effect's decoding and encoding unchanged, nothing else.
 */
import { assert, describe, it } from "@effect/vitest"
import { Either, Encoding, FastCheck } from "effect"
import { decodeCanonicalBase64, encodeBase64 } from "../src/internal/base64.js"

/** What the envelope parser accepted before: Effect's decoding, and only if encoding gives the same text back. */
const effectCanonical = (text: string): Uint8Array | undefined => {
  const bytes = Encoding.decodeBase64(text)
  return Either.isRight(bytes) && Encoding.encodeBase64(bytes.right) === text ? bytes.right : undefined
}

/** Texts near base64: its alphabet, padding, line breaks and a few characters outside it, any length. */
const nearBase64 = FastCheck.array(
  FastCheck.constantFrom(
    ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    ...["=", "=", "\n", "\r", "-", "_", " ", "é"]
  ),
  { maxLength: 24 }
).map((chars) => chars.join(""))

describe("base64", () => {
  it.prop("encodes as Effect does", [FastCheck.uint8Array({ maxLength: 300 })], ([bytes]) => {
    assert.strictEqual(encodeBase64(bytes), Encoding.encodeBase64(bytes))
    assert.deepStrictEqual(decodeCanonicalBase64(encodeBase64(bytes)), bytes)
  }, { fastCheck: { numRuns: 500 } })

  it.prop("accepts exactly the canonical texts, with the same bytes", [nearBase64], ([text]) => {
    assert.deepStrictEqual(decodeCanonicalBase64(text), effectCanonical(text))
  }, { fastCheck: { numRuns: 5000 } })

  it("refuses non-zero unused bits and misplaced padding", () => {
    for (const text of ["QR==", "QUJ=", "Q===", "====", "QQ=A", "QQ", "QUJD\n", "QU JD"]) {
      assert.isUndefined(decodeCanonicalBase64(text), text)
      assert.isUndefined(effectCanonical(text), text)
    }
    assert.deepStrictEqual(decodeCanonicalBase64(""), new Uint8Array(0))
    assert.deepStrictEqual(decodeCanonicalBase64("QQ=="), Uint8Array.of(65))
    assert.deepStrictEqual(decodeCanonicalBase64("QUI="), Uint8Array.of(65, 66))
  })

  it("round-trips long texts, read and written past the scratch window, and refuses a bad character anywhere", () => {
    for (const length of [16 * 1024 * 3 / 4 - 1, 12_288, 12_289, 100_000, 100_001, 100_002]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 131 + (i >> 7)) & 0xff)
      const text = encodeBase64(bytes)
      assert.strictEqual(text, Encoding.encodeBase64(bytes), `${length}`)
      assert.deepStrictEqual(decodeCanonicalBase64(text), bytes, `${length}`)
      for (const at of [0, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 3, text.length - 5, text.length - 1]) {
        for (const bad of ["-", "é", "\n", "="]) {
          const changed = text.slice(0, at) + bad + text.slice(at + 1)
          if (changed === text || effectCanonical(changed) !== undefined) continue
          assert.isUndefined(decodeCanonicalBase64(changed), `${length}: ${JSON.stringify(bad)} at ${at}`)
        }
      }
    }
  })

  it("decodes into the memory it is given", () => {
    const slab = new Uint8Array(64)
    const bytes = decodeCanonicalBase64("QUJD", (n) => slab.subarray(10, 10 + n))
    assert.deepStrictEqual(bytes, Uint8Array.of(65, 66, 67))
    assert.deepStrictEqual(slab.subarray(10, 13), Uint8Array.of(65, 66, 67))
  })
})
