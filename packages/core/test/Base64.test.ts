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
})
