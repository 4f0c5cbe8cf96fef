/**
 * The `Crypto` port over node:crypto (OpenSSL): the node-crypto adapter of DESIGN.md "Encryption at rest". Every
 * GCM cipher of Custos is built in this file. Sizes are checked with core's rules before OpenSSL sees anything;
 * deciphers always get `authTagLength: 16` (Node 20 would otherwise accept a truncated tag), and the plaintext is
 * handed out only after `final()` has checked the tag (a bad tag is a typed `DecryptionFailed` and the unchecked
 * bytes are overwritten). Sealing writes nonce, ciphertext and tag into one buffer allocated once per value (once
 * per batch for `sealValues`, whose value keys come from one AES pass); `sealMany` hands each blob segment's
 * ciphertext on as the cipher wrote it.
 */
import {
  DecryptionFailed,
  type AeadAlgorithm,
  algorithmForKey,
  checkHkdfLength,
  checkKeyGeneratingKey,
  checkNonce,
  checkParts,
  checkWrappingKey,
  Crypto,
  InvalidKeyMaterial,
  keyBytes,
  NONCE_BYTES,
  type SealedParts,
  splitSealed,
  TAG_BYTES,
  VALUE_KEY_SALT_BYTES
} from "@custos/core/ports/Crypto"
import { Effect, Either, Layer } from "effect"
import * as NodeCryptoModule from "node:crypto"

const cipherName = (algorithm: AeadAlgorithm) => algorithm === "aes-128-gcm" ? "aes-128-gcm" : "aes-256-gcm"

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** A copy that owns its bytes, not a view into a pooled Node `Buffer`. */
const own = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes)

/** The largest random value taken from the pool at once (salts and nonces); anything longer is drawn directly. */
const POOL_TAKE_MAX = 64
const POOL_BYTES = 4096

/**
 * Random bytes for nonces and salts, which are public (they are stored beside the ciphertext): drawn from the
 * operating system's CSPRNG 4 KiB at a time instead of one system call per value (a call costs about as much as
 * sealing 200 bytes). Every pooled byte is handed out once and overwritten as it is taken. Keys never come from
 * here: `randomBytes` always asks the operating system.
 */
const makePublicRandom = () => {
  const pool = new Uint8Array(POOL_BYTES)
  let at = POOL_BYTES
  return (out: Uint8Array, offset: number, n: number) => {
    if (n > POOL_TAKE_MAX) {
      NodeCryptoModule.randomFillSync(out, offset, n)
      return
    }
    if (at + n > POOL_BYTES) {
      NodeCryptoModule.randomFillSync(pool)
      at = 0
    }
    out.set(pool.subarray(at, at + n), offset)
    pool.fill(0, at, at + n)
    at += n
  }
}

/** A Node `Buffer` as a plain `Uint8Array`: a view when the buffer owns its whole memory, else a copy. */
const plain = (buffer: Uint8Array): Uint8Array =>
  buffer.byteOffset === 0 && buffer.buffer.byteLength === buffer.length
    ? new Uint8Array(buffer.buffer, 0, buffer.length)
    : new Uint8Array(buffer)

/**
 * Seals `plaintext` under a checked key into `out` at `at`: nonce(12) from `random`, ciphertext, tag(16). `out` has
 * room for exactly `plaintext.length + 28` bytes there. Throws only when OpenSSL refuses the parameters.
 */
const sealInto = (
  random: (out: Uint8Array, offset: number, n: number) => void,
  algorithm: AeadAlgorithm,
  key: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  out: Uint8Array,
  at: number
) => {
  random(out, at, NONCE_BYTES)
  const cipher = NodeCryptoModule.createCipheriv(cipherName(algorithm), key, out.subarray(at, at + NONCE_BYTES), {
    authTagLength: TAG_BYTES
  })
  cipher.setAAD(aad)
  const body = cipher.update(plaintext)
  out.set(body, at + NONCE_BYTES)
  const tail = cipher.final()
  if (tail.length > 0) out.set(tail, at + NONCE_BYTES + body.length)
  // GCM's ciphertext is as long as the plaintext; anything else would leave bytes of `out` unwritten.
  if (body.length + tail.length !== plaintext.length) throw new Error("AES-GCM changed the length of the data")
  out.set(cipher.getAuthTag(), at + NONCE_BYTES + plaintext.length)
}

/**
 * Memory for `sealValues`'s values, NOT zero-filled: every byte of it is written (prefix, salt, nonce, ciphertext of
 * the plaintext's length, tag) before it is handed out, and it never comes from Node's shared pool, so `.buffer` of a
 * value shows only values of the same batch. Zeroing it would cost as much as copying the ciphertext in.
 */
const uninitialized = (n: number): Uint8Array => {
  const buffer = Buffer.allocUnsafeSlow(n)
  return new Uint8Array(buffer.buffer, buffer.byteOffset, n)
}

/**
 * Opens a nonce, ciphertext and tag under a checked key: the plaintext, or `undefined` when the tag does not check
 * (the unauthenticated bytes are overwritten, never returned). The caller has checked the sizes.
 */
const openSealed = (
  algorithm: AeadAlgorithm,
  key: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array
) => {
  const decipher = NodeCryptoModule.createDecipheriv(cipherName(algorithm), key, nonce, { authTagLength: TAG_BYTES })
  decipher.setAuthTag(tag)
  decipher.setAAD(aad)
  const head = decipher.update(ciphertext)
  try {
    // `final()` throws when the tag does not check; until it returns, `head` is unauthenticated.
    const tail = decipher.final()
    return tail.length === 0 ? plain(head) : concat([head, tail])
  } catch {
    head.fill(0)
    return undefined
  }
}

const tagMismatch = () =>
  new DecryptionFailed({ reason: "the authentication tag does not match the key, data and context" })
const refused = () => new InvalidKeyMaterial({ reason: "OpenSSL refused the AES-GCM parameters" })
const unknownAlgorithm = (algorithm: string) => new InvalidKeyMaterial({ reason: `no algorithm "${algorithm}"` })

/**
 * Opens `nonce ‖ ciphertext ‖ tag` under a checked key: the plaintext, or why it does not open (too short to hold a
 * nonce and a tag, or a tag that does not check; parameters OpenSSL refuses count as the latter).
 */
const openEither = (
  algorithm: AeadAlgorithm,
  key: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array
): Either.Either<Uint8Array, DecryptionFailed> => {
  const parts = splitSealed(sealed)
  if (Either.isLeft(parts)) return Either.left(parts.left)
  const { ciphertext, nonce, tag } = parts.right
  let plaintext: Uint8Array | undefined
  try {
    plaintext = openSealed(algorithm, key, nonce, ciphertext, tag, aad)
  } catch {
    return Either.left(tagMismatch())
  }
  return plaintext === undefined ? Either.left(tagMismatch()) : Either.right(plaintext)
}

/**
 * Seals with a caller-chosen nonce. ONLY for known-answer tests (the Wycheproof vectors fix the IV): a repeated
 * nonce under one key destroys GCM, so production code seals through the layer, which always draws a random one.
 * It runs the same code as the layer's `seal`, with the nonce written where the random one would be.
 */
export const unsafeSealWithNonceForTests = (input: {
  readonly key: Uint8Array
  readonly nonce: Uint8Array
  readonly plaintext: Uint8Array
  readonly aad: Uint8Array
}): Effect.Effect<Uint8Array, InvalidKeyMaterial> =>
  Effect.gen(function*() {
    const algorithm = yield* algorithmForKey(input.key)
    const nonce = yield* checkNonce(input.nonce)
    return yield* Effect.try({
      try: () => {
        const out = new Uint8Array(input.plaintext.length + NONCE_BYTES + TAG_BYTES)
        sealInto((into, at) => into.set(nonce, at), algorithm, input.key, input.plaintext, input.aad, out, 0)
        return out
      },
      catch: refused
    })
  })

/**
 * Opens separately given parts (nonce, ciphertext, tag). The layer's `open` runs the same code after splitting, and
 * the known-answer tests call it directly with IVs and tags of every size, which it must refuse.
 */
export const openParts = (input: {
  readonly key: Uint8Array
  readonly parts: SealedParts
  readonly aad: Uint8Array
}): Effect.Effect<Uint8Array, InvalidKeyMaterial | DecryptionFailed> =>
  Effect.gen(function*() {
    const algorithm = yield* algorithmForKey(input.key)
    const { ciphertext, nonce, tag } = yield* checkParts(input.parts)
    const plaintext = yield* Effect.try({
      try: () => openSealed(algorithm, input.key, nonce, ciphertext, tag, input.aad),
      catch: tagMismatch
    })
    return plaintext === undefined ? yield* tagMismatch() : plaintext
  })

const BLOCK_1 = Uint8Array.of(1)

/**
 * HKDF-SHA-256 (RFC 5869) from two HMAC passes per output block: the same bytes as `hkdfSync` (the Wycheproof vectors
 * check it), at less than half its cost, since it makes no key objects. An empty salt is a hash-length string of
 * zeros.
 */
const hkdfSha256 = (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array => {
  const prk = NodeCryptoModule.createHmac("sha256", salt.length > 0 ? salt : new Uint8Array(32)).update(ikm).digest()
  if (length <= 32) {
    // One block, the case of every key Custos derives.
    const block = NodeCryptoModule.createHmac("sha256", prk).update(info).update(BLOCK_1).digest()
    prk.fill(0)
    if (length === 32) return plain(block)
    // A copy: `Buffer#slice` would be a view of `block`, which is overwritten next.
    const out = new Uint8Array(block.subarray(0, length))
    block.fill(0)
    return out
  }
  const out = new Uint8Array(length)
  let previous: Uint8Array = new Uint8Array(0)
  for (let block = 1, filled = 0; filled < length; block++) {
    previous = NodeCryptoModule.createHmac("sha256", prk).update(previous).update(info).update(new Uint8Array([block]))
      .digest()
    out.set(previous.subarray(0, Math.min(previous.length, length - filled)), filled)
    filled += previous.length
  }
  prk.fill(0)
  return out
}

/**
 * The key derivation of AES-GCM-SIV (RFC 8452 §4) for many salts in one AES pass: the key of salt k is the first
 * 8 bytes of AES(`kgk`, u32le(i) ‖ salt k) for i = 0, 1, ... until it is `length` bytes. ECB over independent blocks
 * is exactly that many single-block encryptions. Returns the keys back to back (`length` bytes each); a 16-byte key
 * is the first half of the 32-byte key of the same salt. The caller has checked `kgk` and every salt's length.
 */
const deriveValueKeys = (kgk: Uint8Array, salts: ReadonlyArray<Uint8Array>, length: 16 | 32): Uint8Array => {
  const halves = length / 8
  const blocks = new Uint8Array(salts.length * halves * 16)
  for (let k = 0; k < salts.length; k++) {
    for (let i = 0; i < halves; i++) {
      const at = (k * halves + i) * 16
      // u32le(i), i < 4: its first byte, then three zeros (already zero).
      blocks[at] = i
      blocks.set(salts[k]!, at + 4)
    }
  }
  const ecb = NodeCryptoModule.createCipheriv(kgk.length === 16 ? "aes-128-ecb" : "aes-256-ecb", kgk, null)
  ecb.setAutoPadding(false)
  const encrypted = ecb.update(blocks)
  const tail = ecb.final()
  if (encrypted.length + tail.length !== blocks.length) throw new Error("AES-ECB changed the length of the data")
  const keys = new Uint8Array(salts.length * length)
  for (let b = 0; b < salts.length * halves; b++) keys.set(encrypted.subarray(b * 16, b * 16 + 8), b * 8)
  encrypted.fill(0)
  return keys
}

const badSalt = (length: number) =>
  new InvalidKeyMaterial({ reason: `a value's salt must be ${VALUE_KEY_SALT_BYTES} bytes, this one has ${length}` })

/** Why `openDerived` refuses `ikm` or a salt of `saltBytes`, if it does. */
const checkDerivation = (ikm: Uint8Array, saltBytes: number): InvalidKeyMaterial | undefined =>
  ikm.length === 0
    ? new InvalidKeyMaterial({ reason: "the input key material is empty" })
    : !Number.isInteger(saltBytes) || saltBytes < 1 || saltBytes > POOL_TAKE_MAX
    ? new InvalidKeyMaterial({ reason: `a salt must be 1 to ${POOL_TAKE_MAX} bytes, ${saltBytes} were asked for` })
    : undefined

export const makeNodeCrypto = (): Crypto["Type"] => {
  const random = makePublicRandom()

  const seal = (input: { readonly key: Uint8Array; readonly plaintext: Uint8Array; readonly aad: Uint8Array }) =>
    Effect.flatMap(algorithmForKey(input.key), (algorithm) =>
      Effect.try({
        try: () => {
          const out = new Uint8Array(input.plaintext.length + NONCE_BYTES + TAG_BYTES)
          sealInto(random, algorithm, input.key, input.plaintext, input.aad, out, 0)
          return out
        },
        catch: refused
      }))

  const open = (input: { readonly key: Uint8Array; readonly sealed: Uint8Array; readonly aad: Uint8Array }) =>
    Effect.flatMap(algorithmForKey(input.key), (algorithm) => openEither(algorithm, input.key, input.sealed, input.aad))

  return Crypto.of({
    seal,
    open,
    sealMany: ({ items, key }) =>
      Effect.flatMap(algorithmForKey(key), (algorithm) =>
        Effect.try({
          // Each ciphertext is the buffer the cipher wrote, handed on as it is: copying a blob's segments into one
          // buffer cost more than sealing them.
          try: () =>
            items.map(({ aad, plaintext }): SealedParts => {
              const nonce = new Uint8Array(NONCE_BYTES)
              random(nonce, 0, NONCE_BYTES)
              const cipher = NodeCryptoModule.createCipheriv(cipherName(algorithm), key, nonce, {
                authTagLength: TAG_BYTES
              })
              cipher.setAAD(aad)
              const body = cipher.update(plaintext)
              const tail = cipher.final()
              // GCM's ciphertext is as long as the plaintext and comes out of `update` whole.
              if (tail.length !== 0 || body.length !== plaintext.length) {
                throw new Error("AES-GCM changed the length of the data")
              }
              return { nonce, ciphertext: plain(body), tag: plain(cipher.getAuthTag()) }
            }),
          catch: refused
        })),
    openMany: ({ items, key }) =>
      Effect.flatMap(algorithmForKey(key), (algorithm) =>
        Effect.sync(() => {
          const opened: Array<Uint8Array> = []
          for (let index = 0; index < items.length; index++) {
            const { aad, sealed } = items[index]!
            const result = openEither(algorithm, key, sealed, aad)
            if (Either.isLeft(result)) return { opened, failed: { index, error: result.left } }
            opened.push(result.right)
          }
          return { opened, failed: undefined }
        })),
    deriveValueKeys: ({ kgk, length, salts }) =>
      Effect.suspend(() => {
        const checked = checkKeyGeneratingKey(kgk)
        if (Either.isLeft(checked)) return Effect.fail(checked.left)
        if (length !== 16 && length !== 32) {
          return Effect.fail(new InvalidKeyMaterial({ reason: `a value key is 16 or 32 bytes, not ${length}` }))
        }
        const wrong = salts.find((salt) => salt.length !== VALUE_KEY_SALT_BYTES)
        if (wrong !== undefined) return Effect.fail(badSalt(wrong.length))
        let keys: Uint8Array | undefined
        try {
          keys = deriveValueKeys(kgk, salts, length)
          const derived = keys
          return Effect.succeed(salts.map((_, k) => derived.slice(k * length, (k + 1) * length)))
        } catch {
          return Effect.fail(refused())
        } finally {
          keys?.fill(0)
        }
      }),
    sealValues: ({ algorithm, items, kgk }) =>
      Effect.suspend(() => {
        const checked = checkKeyGeneratingKey(kgk)
        if (Either.isLeft(checked)) return Effect.fail(checked.left)
        const n = keyBytes[algorithm]
        if (n === undefined) return Effect.fail(unknownAlgorithm(algorithm))
        if (items.length === 0) return Effect.succeed([])
        let keys: Uint8Array | undefined
        try {
          // One allocation for the batch, every byte written before it is handed out (see `uninitialized`).
          let total = 0
          for (const { plaintext, prefix } of items) {
            total += prefix.length + VALUE_KEY_SALT_BYTES + plaintext.length + NONCE_BYTES + TAG_BYTES
          }
          const out = uninitialized(total)
          const starts: Array<number> = []
          const salts: Array<Uint8Array> = []
          let at = 0
          for (const { plaintext, prefix } of items) {
            starts.push(at)
            out.set(prefix, at)
            random(out, at + prefix.length, VALUE_KEY_SALT_BYTES)
            salts.push(out.subarray(at + prefix.length, at + prefix.length + VALUE_KEY_SALT_BYTES))
            at += prefix.length + VALUE_KEY_SALT_BYTES + plaintext.length + NONCE_BYTES + TAG_BYTES
          }
          starts.push(at)
          keys = deriveValueKeys(kgk, salts, n as 16 | 32)
          for (let k = 0; k < items.length; k++) {
            const { aad, plaintext, prefix } = items[k]!
            const key = keys.subarray(k * n, (k + 1) * n)
            sealInto(random, algorithm, key, plaintext, aad, out, starts[k]! + prefix.length + VALUE_KEY_SALT_BYTES)
          }
          return Effect.succeed(items.map((_, k) => out.subarray(starts[k]!, starts[k + 1]!)))
        } catch {
          return Effect.fail(refused())
        } finally {
          keys?.fill(0)
        }
      }),
    openValues: ({ items, kgk }) =>
      Effect.suspend(() => {
        const checked = checkKeyGeneratingKey(kgk)
        if (Either.isLeft(checked)) return Effect.fail(checked.left)
        // One pass derives every item's key, as long as the longest any item needs (a shorter key is its prefix).
        const length: 16 | 32 = items.some((item) => item.algorithm === "aes-256-gcm") ? 32 : 16
        const placeholder = new Uint8Array(VALUE_KEY_SALT_BYTES)
        const salts = items.map((item) => item.salt.length === VALUE_KEY_SALT_BYTES ? item.salt : placeholder)
        let keys: Uint8Array | undefined
        try {
          keys = deriveValueKeys(kgk, salts, length)
          const derived = keys
          return Effect.succeed(items.map((item, k) => {
            if (item.salt.length !== VALUE_KEY_SALT_BYTES) return Either.left(badSalt(item.salt.length))
            const n = keyBytes[item.algorithm]
            if (n === undefined) return Either.left(unknownAlgorithm(item.algorithm))
            return openEither(item.algorithm, derived.subarray(k * length, k * length + n), item.sealed, item.aad)
          }))
        } catch {
          return Effect.fail(refused())
        } finally {
          keys?.fill(0)
        }
      }),
    openDerived: ({ aad, algorithm, ikm, info, salt, sealed }) =>
      Effect.suspend((): Effect.Effect<Uint8Array, InvalidKeyMaterial | DecryptionFailed> => {
        const invalid = checkDerivation(ikm, salt.length)
        if (invalid !== undefined) return Effect.fail(invalid)
        let key: Uint8Array | undefined
        try {
          key = hkdfSha256(ikm, salt, info, keyBytes[algorithm])
          return openEither(algorithm, key, sealed, aad)
        } catch {
          return Effect.fail(tagMismatch())
        } finally {
          key?.fill(0)
        }
      }),
    hkdfSha256: ({ ikm, info, length, salt }) =>
      Effect.flatMap(checkHkdfLength(length), (n) =>
        Effect.try({
          try: () => hkdfSha256(ikm, salt, info, n),
          catch: () => new InvalidKeyMaterial({ reason: "OpenSSL refused the HKDF-SHA-256 parameters" })
        })),
    hmacSha256: ({ data, key }) =>
      Effect.sync(() => own(NodeCryptoModule.createHmac("sha256", key).update(data).digest())),
    sha256: (data) => Effect.sync(() => own(NodeCryptoModule.createHash("sha256").update(data).digest())),
    sha256Incremental: () =>
      Effect.sync(() => {
        const hash = NodeCryptoModule.createHash("sha256")
        return {
          update: (data: Uint8Array) => {
            hash.update(data)
          },
          digest: () => own(hash.digest())
        }
      }),
    randomBytes: (n) => Effect.sync(() => own(NodeCryptoModule.randomBytes(n))),
    wrapKey: ({ aad, kek, key }) =>
      Effect.flatMap(checkWrappingKey(kek), () => seal({ key: kek, plaintext: key, aad })),
    unwrapKey: ({ aad, kek, wrapped }) =>
      Effect.flatMap(checkWrappingKey(kek), () => open({ key: kek, sealed: wrapped, aad }))
  })
}

/** Provides `Crypto` over node:crypto. */
export const layerNodeCrypto = Layer.sync(Crypto, makeNodeCrypto)
