/**
 * Standard base64 (RFC 4648, with padding) for the text form of sealed values, which every record body takes: the
 * same text as Effect's `Encoding.encodeBase64`, built as one flat string (Effect's adds a character at a time, and
 * the rope it leaves costs every later reader of the body far more than building it), and a decoder that takes only
 * the canonical text, the one `encodeBase64` writes.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
const PAD = 61 // "="
const INVALID = 255

/** The character code of each 6-bit value. */
const encodeTable = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0))
/** The 6-bit value of each ASCII character code, `INVALID` for what is not in the alphabet (padding included). */
const decodeTable = (() => {
  const table = new Uint8Array(128).fill(INVALID)
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i
  return table
})()

/** The platform's UTF-8 decoder (see `domain/Sealed.ts`), which turns the ASCII of the text into one flat string. */
const ascii = new (globalThis as unknown as {
  readonly TextDecoder: new() => { decode(bytes: Uint8Array): string }
}).TextDecoder()

/** The base64 text of `bytes`. */
export const encodeBase64 = (bytes: Uint8Array): string => {
  const length = bytes.length
  const out = new Uint8Array(Math.ceil(length / 3) * 4)
  let j = 0
  let i = 0
  for (; i + 2 < length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out[j++] = encodeTable[n >> 18]!
    out[j++] = encodeTable[(n >> 12) & 63]!
    out[j++] = encodeTable[(n >> 6) & 63]!
    out[j++] = encodeTable[n & 63]!
  }
  if (i + 1 === length) {
    const n = bytes[i]! << 16
    out[j++] = encodeTable[n >> 18]!
    out[j++] = encodeTable[(n >> 12) & 63]!
    out[j++] = PAD
    out[j++] = PAD
  } else if (i + 2 === length) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out[j++] = encodeTable[n >> 18]!
    out[j++] = encodeTable[(n >> 12) & 63]!
    out[j++] = encodeTable[(n >> 6) & 63]!
    out[j++] = PAD
  }
  return ascii.decode(out)
}

const valueAt = (text: string, i: number): number => {
  const c = text.charCodeAt(i)
  return c < 128 ? decodeTable[c]! : INVALID
}

/**
 * The bytes of `text` when it is canonical base64, exactly what `encodeBase64` writes for them (no line breaks, the
 * padding it needs and no other, unused bits zero); `undefined` otherwise.
 */
export const decodeCanonicalBase64 = (text: string): Uint8Array | undefined => {
  const length = text.length
  if (length % 4 !== 0) return undefined
  const padding = length === 0 || text.charCodeAt(length - 1) !== PAD
    ? 0
    : text.charCodeAt(length - 2) === PAD
    ? 2
    : 1
  const out = new Uint8Array((length / 4) * 3 - padding)
  let j = 0
  for (let i = 0; i < length; i += 4) {
    const last = i + 4 === length
    const a = valueAt(text, i)
    const b = valueAt(text, i + 1)
    const c = last && padding === 2 ? 0 : valueAt(text, i + 2)
    const d = last && padding > 0 ? 0 : valueAt(text, i + 3)
    if ((a | b | c | d) > 63) return undefined
    const n = (a << 18) | (b << 12) | (c << 6) | d
    out[j++] = n >> 16
    if (last && padding === 2) return (n & 0xffff) === 0 ? out : undefined
    out[j++] = (n >> 8) & 0xff
    if (last && padding === 1) return (n & 0xff) === 0 ? out : undefined
    out[j++] = n & 0xff
  }
  return out
}
