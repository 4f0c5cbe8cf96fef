/**
 * The `Crypto` port over node:crypto (OpenSSL): the node-crypto adapter of DESIGN.md "Encryption at rest". Every
 * GCM cipher of Custos is built in this file. Sizes are checked with core's rules before OpenSSL sees anything;
 * deciphers always get `authTagLength: 16` (Node 20 would otherwise accept a truncated tag), and the plaintext is
 * handed out only after `final()` has checked the tag, inside `Effect.try` so a bad tag is a typed `DecryptionFailed`.
 */
import {
  DecryptionFailed,
  type AeadAlgorithm,
  algorithmForKey,
  checkHkdfLength,
  checkNonce,
  checkParts,
  checkWrappingKey,
  Crypto,
  InvalidKeyMaterial,
  NONCE_BYTES,
  type SealedParts,
  splitSealed,
  TAG_BYTES
} from "@custos/core/ports/Crypto"
import { Effect, Layer } from "effect"
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

/**
 * Seals with a caller-chosen nonce. ONLY for known-answer tests (the Wycheproof vectors fix the IV): a repeated
 * nonce under one key destroys GCM, so production code seals through the layer, which always draws a random one.
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
        const cipher = NodeCryptoModule.createCipheriv(cipherName(algorithm), input.key, nonce, {
          authTagLength: TAG_BYTES
        })
        cipher.setAAD(input.aad)
        const body = concat([cipher.update(input.plaintext), cipher.final()])
        return concat([nonce, body, cipher.getAuthTag()])
      },
      catch: () => new InvalidKeyMaterial({ reason: "OpenSSL refused the AES-GCM parameters" })
    })
  })

/**
 * Opens separately given parts (nonce, ciphertext, tag). The layer's `open` goes through here after splitting, and
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
    return yield* Effect.try({
      try: () => {
        const decipher = NodeCryptoModule.createDecipheriv(cipherName(algorithm), input.key, nonce, {
          authTagLength: TAG_BYTES
        })
        decipher.setAuthTag(tag)
        decipher.setAAD(input.aad)
        const head = decipher.update(ciphertext)
        // `final()` throws when the tag does not check; until it returns, `head` is unauthenticated and is dropped.
        const tail = decipher.final()
        return concat([head, tail])
      },
      catch: () => new DecryptionFailed({ reason: "the authentication tag does not match the key, data and context" })
    })
  })

const seal = (input: { readonly key: Uint8Array; readonly plaintext: Uint8Array; readonly aad: Uint8Array }) =>
  Effect.flatMap(
    Effect.sync(() => own(NodeCryptoModule.randomBytes(NONCE_BYTES))),
    (nonce) => unsafeSealWithNonceForTests({ ...input, nonce })
  )

const open = (input: { readonly key: Uint8Array; readonly sealed: Uint8Array; readonly aad: Uint8Array }) =>
  Effect.flatMap(splitSealed(input.sealed), (parts) => openParts({ key: input.key, parts, aad: input.aad }))

/**
 * HKDF-SHA-256 (RFC 5869) from two HMAC passes per output block: the same bytes as `hkdfSync` (the Wycheproof vectors
 * check it), at about half its cost, since it makes no key objects. An empty salt is a hash-length string of zeros.
 */
const hkdfSha256 = (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array => {
  const prk = NodeCryptoModule.createHmac("sha256", salt.length > 0 ? salt : new Uint8Array(32)).update(ikm).digest()
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

export const makeNodeCrypto = (): Crypto["Type"] =>
  Crypto.of({
    seal,
    open,
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

/** Provides `Crypto` over node:crypto. */
export const layerNodeCrypto = Layer.sync(Crypto, makeNodeCrypto)
