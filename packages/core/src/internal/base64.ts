/**
 * Standard base64 (RFC 4648, with padding) for the text form of sealed values, which every record body takes: the
 * same text as Effect's `Encoding.encodeBase64`, built as one flat string (Effect's adds a character at a time, and
 * the rope it leaves costs every later reader of the body far more than building it), and a decoder that takes only
 * the canonical text, the one `encodeBase64` writes.
 *
 * Both run once per sealed value on every push and pull, so they work on bytes: text goes in and out through the
 * platform's `TextEncoder` / `TextDecoder` and a reused scratch buffer, and 12 bits at a time are looked up in
 * tables (two characters per lookup). Decoding writes into memory the caller chooses (see `transientBytes`).
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
const PAD = 61 // "="
/** Set in a decoded 12-bit value whose characters are not both in the alphabet (padding included). */
const INVALID = 0x1000

/** The two character codes of each 12-bit value, first one in the high byte. */
const encodePairs = (() => {
  const table = new Uint16Array(4096)
  for (let n = 0; n < 4096; n++) table[n] = (ALPHABET.charCodeAt(n >> 6) << 8) | ALPHABET.charCodeAt(n & 63)
  return table
})()
/** The 12-bit value of each pair of ASCII codes `(first << 7) | second`; `INVALID` where either is not base64. */
const decodePairs = (() => {
  const table = new Uint16Array(128 * 128).fill(INVALID)
  for (let a = 0; a < 64; a++) {
    for (let b = 0; b < 64; b++) table[(ALPHABET.charCodeAt(a) << 7) | ALPHABET.charCodeAt(b)] = (a << 6) | b
  }
  return table
})()
/** The 6-bit value of each ASCII code, `INVALID` for what is not in the alphabet: the last group's lookups. */
const decodeSingles = (() => {
  const table = new Uint16Array(128).fill(INVALID)
  for (let i = 0; i < 64; i++) table[ALPHABET.charCodeAt(i)] = i
  return table
})()

interface TextCodec {
  readonly encoder: { encodeInto(text: string, into: Uint8Array): { read: number; written: number } }
  readonly decoder: { decode(bytes: Uint8Array): string }
}
/** The platform's UTF-8 codecs (see `domain/Sealed.ts`): ASCII text to bytes and back, natively. */
const codec: TextCodec = (() => {
  const platform = globalThis as unknown as {
    readonly TextEncoder: new() => TextCodec["encoder"]
    readonly TextDecoder: new() => TextCodec["decoder"]
  }
  return { encoder: new platform.TextEncoder(), decoder: new platform.TextDecoder() }
})()

/**
 * Text is read this many characters at a time (a multiple of 4) through one scratch buffer kept for reuse, which also
 * takes every text written that is no longer.
 */
const WINDOW = 16 * 1024
let scratch: Uint8Array | undefined
const scratchBytes = () => (scratch ??= new Uint8Array(WINDOW))

/** The base64 text of `bytes`. */
export const encodeBase64 = (bytes: Uint8Array): string => {
  const length = bytes.length
  const full = length - (length % 3)
  const size = Math.ceil(length / 3) * 4
  // One flat string from one buffer: the scratch one, or for a long text one of its own.
  const buffer = size <= WINDOW ? scratchBytes() : new Uint8Array(size)
  let j = 0
  for (let i = 0; i < full; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    const high = encodePairs[n >> 12]!
    const low = encodePairs[n & 0xfff]!
    buffer[j] = high >> 8
    buffer[j + 1] = high & 0xff
    buffer[j + 2] = low >> 8
    buffer[j + 3] = low & 0xff
    j += 4
  }
  if (full < length) {
    const two = full + 1 < length
    const n = (bytes[full]! << 16) | (two ? bytes[full + 1]! << 8 : 0)
    const high = encodePairs[n >> 12]!
    buffer[j] = high >> 8
    buffer[j + 1] = high & 0xff
    buffer[j + 2] = two ? ALPHABET.charCodeAt((n >> 6) & 63) : PAD
    buffer[j + 3] = PAD
    j += 4
  }
  return codec.decoder.decode(buffer.subarray(0, j))
}

/**
 * The bytes of `text` when it is canonical base64, exactly what `encodeBase64` writes for them (no line breaks, the
 * padding it needs and no other, unused bits zero); `undefined` otherwise. The bytes are written into
 * `allocate(n)`, a new array unless the caller passes another source of memory.
 */
export const decodeCanonicalBase64 = (
  text: string,
  allocate: (n: number) => Uint8Array = (n) => new Uint8Array(n)
): Uint8Array | undefined => {
  const length = text.length
  if (length % 4 !== 0) return undefined
  if (length === 0) return allocate(0)
  const padding = text.charCodeAt(length - 1) !== PAD ? 0 : text.charCodeAt(length - 2) === PAD ? 2 : 1
  // Every group but the last has no padding; the last is read on its own below.
  const body = length - 4
  const out = allocate((length / 4) * 3 - padding)
  const buffer = scratchBytes()
  let j = 0
  for (let from = 0; from < body; from += WINDOW) {
    const to = Math.min(from + WINDOW, body)
    const { read, written } = codec.encoder.encodeInto(text.slice(from, to), buffer)
    // Anything outside ASCII takes more than one byte, so the counts differ.
    if (read !== to - from || written !== to - from) return undefined
    for (let i = 0; i < written; i += 4) {
      const high = decodePairs[(buffer[i]! << 7) | buffer[i + 1]!]!
      const low = decodePairs[(buffer[i + 2]! << 7) | buffer[i + 3]!]!
      if ((high | low) & INVALID) return undefined
      out[j] = high >> 4
      out[j + 1] = ((high & 0xf) << 4) | (low >> 8)
      out[j + 2] = low & 0xff
      j += 3
    }
  }
  const single = (i: number) => {
    const c = text.charCodeAt(i)
    return c < 128 ? decodeSingles[c]! : INVALID
  }
  const a = single(body)
  const b = single(body + 1)
  const c = padding === 2 ? 0 : single(body + 2)
  const d = padding > 0 ? 0 : single(body + 3)
  if ((a | b | c | d) & INVALID) return undefined
  const n = (a << 18) | (b << 12) | (c << 6) | d
  out[j] = n >> 16
  if (padding === 2) return (n & 0xffff) === 0 ? out : undefined
  out[j + 1] = (n >> 8) & 0xff
  if (padding === 1) return (n & 0xff) === 0 ? out : undefined
  out[j + 2] = n & 0xff
  return out
}
