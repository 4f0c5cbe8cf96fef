/**
 * The port for the cryptographic primitives Custos seals data with: AES-GCM, per-value keys derived with AES (the
 * key derivation of RFC 8452), HKDF-SHA-256, HMAC-SHA-256 and a CSPRNG, plus plain SHA-256 for the hash chain of the
 * access log (§4.1.5). It implements the primitive layer of DESIGN.md "Encryption at rest": AES-128-GCM by default,
 * AES-256-GCM by choice and always for key wrapping, random 96-bit nonces, 128-bit tags, and no other sizes. The
 * size rules are pure functions here, so every adapter refuses exactly the same inputs, and core stays free of
 * `node:*`.
 */
import type { Effect } from "effect"
import { Context, Either, Schema } from "effect"

/** The AEAD algorithms Custos reads and writes; the key length picks one. */
export const AeadAlgorithm = Schema.Literal("aes-128-gcm", "aes-256-gcm")
export type AeadAlgorithm = typeof AeadAlgorithm.Type

/** Key length in bytes of each algorithm. */
export const keyBytes: { readonly [A in AeadAlgorithm]: number } = { "aes-128-gcm": 16, "aes-256-gcm": 32 }

/** GCM nonce length: 96 bits, the only size used and accepted. */
export const NONCE_BYTES = 12
/** GCM tag length: 128 bits, the only size produced and accepted. */
export const TAG_BYTES = 16
/** What sealing adds to a plaintext: the nonce in front and the tag behind. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES
/** HKDF-SHA-256 can expand to at most 255 hash blocks (RFC 5869 §2.3). */
export const HKDF_SHA256_MAX_BYTES = 255 * 32

/** A key, nonce or derivation request that Custos does not accept; nothing was sealed or derived. */
export class InvalidKeyMaterial extends Schema.TaggedError<InvalidKeyMaterial>()("InvalidKeyMaterial", {
  reason: Schema.String
}) {
  readonly code = "invalid-key-material"
  override get message() {
    return `The key material is not accepted: ${this.reason}`
  }
}

/**
 * A sealed value that does not open: wrong key, wrong associated data, tampered bytes or a malformed shape. No part
 * of the plaintext is ever released with it.
 */
export class DecryptionFailed extends Schema.TaggedError<DecryptionFailed>()("DecryptionFailed", {
  reason: Schema.String
}) {
  readonly code = "decryption-failed"
  override get message() {
    return `The sealed value could not be opened: ${this.reason}`
  }
}

/** The algorithm a key is for, or `InvalidKeyMaterial` for any length other than 16 or 32 bytes. */
export const algorithmForKey = (key: Uint8Array): Either.Either<AeadAlgorithm, InvalidKeyMaterial> =>
  key.length === 16
    ? Either.right("aes-128-gcm")
    : key.length === 32
    ? Either.right("aes-256-gcm")
    : Either.left(
      new InvalidKeyMaterial({ reason: `an AES-GCM key must be 16 or 32 bytes long, this one has ${key.length}` })
    )

/** Refuses any key-wrapping key but a 32-byte one: wrapping always uses AES-256. */
export const checkWrappingKey = (kek: Uint8Array): Either.Either<Uint8Array, InvalidKeyMaterial> =>
  kek.length === 32
    ? Either.right(kek)
    : Either.left(
      new InvalidKeyMaterial({ reason: `a key-wrapping key must be 32 bytes (AES-256), this one has ${kek.length}` })
    )

/** Refuses any nonce but a 12-byte one. */
export const checkNonce = (nonce: Uint8Array): Either.Either<Uint8Array, InvalidKeyMaterial> =>
  nonce.length === NONCE_BYTES
    ? Either.right(nonce)
    : Either.left(
      new InvalidKeyMaterial({ reason: `an AES-GCM nonce must be ${NONCE_BYTES} bytes, this one has ${nonce.length}` })
    )

/** The three parts of a sealed value. */
export interface SealedParts {
  readonly nonce: Uint8Array
  readonly ciphertext: Uint8Array
  readonly tag: Uint8Array
}

/** Splits `nonce ‖ ciphertext ‖ tag` into views of its parts, or refuses a value too short to hold them. */
export const splitSealed = (sealed: Uint8Array): Either.Either<SealedParts, DecryptionFailed> =>
  sealed.length < SEAL_OVERHEAD
    ? Either.left(
      new DecryptionFailed({
        reason: `a sealed value holds at least a ${NONCE_BYTES}-byte nonce and a ${TAG_BYTES}-byte tag, ` +
          `this one has ${sealed.length} bytes`
      })
    )
    : Either.right({
      nonce: sealed.subarray(0, NONCE_BYTES),
      ciphertext: sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES),
      tag: sealed.subarray(sealed.length - TAG_BYTES)
    })

/** Checks the sizes of separately given parts: a 12-byte nonce and a 16-byte tag. */
export const checkParts = (parts: SealedParts): Either.Either<SealedParts, DecryptionFailed> =>
  parts.nonce.length !== NONCE_BYTES
    ? Either.left(
      new DecryptionFailed({ reason: `the nonce must be ${NONCE_BYTES} bytes, this one has ${parts.nonce.length}` })
    )
    : parts.tag.length !== TAG_BYTES
    ? Either.left(
      new DecryptionFailed({ reason: `the tag must be ${TAG_BYTES} bytes, this one has ${parts.tag.length}` })
    )
    : Either.right(parts)

/** Refuses an HKDF-SHA-256 output length outside 1..8160 bytes. */
export const checkHkdfLength = (length: number): Either.Either<number, InvalidKeyMaterial> =>
  Number.isInteger(length) && length >= 1 && length <= HKDF_SHA256_MAX_BYTES
    ? Either.right(length)
    : Either.left(
      new InvalidKeyMaterial({
        reason: `HKDF-SHA-256 can derive 1 to ${HKDF_SHA256_MAX_BYTES} bytes, ${length} were asked for`
      })
    )

/** An unfinished SHA-256: `update` with each piece in order, then `digest` once (the 32-byte digest). */
export interface IncrementalSha256 {
  readonly update: (data: Uint8Array) => void
  readonly digest: () => Uint8Array
}

/** One value for `sealMany`: its plaintext and the associated data it is bound to. */
export interface SealItem {
  readonly plaintext: Uint8Array
  readonly aad: Uint8Array
}

/** One value for `openMany`: `nonce(12) ‖ ciphertext ‖ tag(16)` and its associated data. */
export interface OpenItem {
  readonly sealed: Uint8Array
  readonly aad: Uint8Array
}

/**
 * What `openMany` returns: the plaintexts of the items that opened, in order, up to the first that did not, and
 * that one's position and error. Nothing after a failed item is opened.
 */
export interface OpenedMany {
  readonly opened: ReadonlyArray<Uint8Array>
  readonly failed: { readonly index: number; readonly error: InvalidKeyMaterial | DecryptionFailed } | undefined
}

/** Bytes of the salt from which `deriveValueKeys` derives one value's key (the nonce part of RFC 8452 §4). */
export const VALUE_KEY_SALT_BYTES = 12

/**
 * Refuses a key-generating key but a 16- or 32-byte one (AES-128 or AES-256 in the RFC 8452 derivation), and one of
 * all zeros: what a destroyed key is overwritten with, so an operation that still held it fails instead of sealing
 * under a key anyone can derive.
 */
export const checkKeyGeneratingKey = (kgk: Uint8Array): Either.Either<Uint8Array, InvalidKeyMaterial> =>
  kgk.length !== 16 && kgk.length !== 32
    ? Either.left(
      new InvalidKeyMaterial({ reason: `a key-generating key must be 16 or 32 bytes, this one has ${kgk.length}` })
    )
    : kgk.every((byte) => byte === 0)
    ? Either.left(new InvalidKeyMaterial({ reason: "the key-generating key is all zeros (it was destroyed)" }))
    : Either.right(kgk)

/** One value for `sealValues`: the bytes written in front of it, its plaintext and its associated data. */
export interface ValueToSeal {
  /** Bytes written, unchanged, in front of the salt (an envelope's head). */
  readonly prefix: Uint8Array
  readonly plaintext: Uint8Array
  readonly aad: Uint8Array
}

/** One value for `openValues`: what `sealValues` wrote after the prefix, split at the salt. */
export interface ValueToOpen {
  readonly algorithm: AeadAlgorithm
  /** The value's `VALUE_KEY_SALT_BYTES`-byte salt. */
  readonly salt: Uint8Array
  /** `nonce(12) ‖ ciphertext ‖ tag(16)`. */
  readonly sealed: Uint8Array
  readonly aad: Uint8Array
}

/** The input of `openDerived`: a value sealed under HKDF-SHA-256(`ikm`, `salt`, `info`). */
export interface OpenDerivedInput {
  readonly ikm: Uint8Array
  readonly info: Uint8Array
  readonly salt: Uint8Array
  readonly algorithm: AeadAlgorithm
  /** `nonce(12) ‖ ciphertext ‖ tag(16)`. */
  readonly sealed: Uint8Array
  readonly aad: Uint8Array
}

export class Crypto extends Context.Tag("@custos/core/Crypto")<Crypto, {
  /**
   * Seals `plaintext` with AES-GCM under `key` (16 bytes: AES-128, 32 bytes: AES-256) and a fresh random 96-bit
   * nonce, binding `aad`. Returns `nonce(12) ‖ ciphertext ‖ tag(16)`.
   */
  readonly seal: (input: {
    readonly key: Uint8Array
    readonly plaintext: Uint8Array
    readonly aad: Uint8Array
  }) => Effect.Effect<Uint8Array, InvalidKeyMaterial>
  /** Opens what `seal` produced with the same key and `aad`; the plaintext only when the whole tag checks. */
  readonly open: (input: {
    readonly key: Uint8Array
    readonly sealed: Uint8Array
    readonly aad: Uint8Array
  }) => Effect.Effect<Uint8Array, InvalidKeyMaterial | DecryptionFailed>
  /**
   * `seal` of every item under one key, in one step: the blob segments of one input chunk. Each item gets its own
   * fresh random nonce; the results are in order, each as its three parts (what `seal` returns is
   * `nonce ‖ ciphertext ‖ tag`), so a stream can pass the ciphertext on as the cipher wrote it, without copying it.
   */
  readonly sealMany: (input: {
    readonly key: Uint8Array
    readonly items: ReadonlyArray<SealItem>
  }) => Effect.Effect<ReadonlyArray<SealedParts>, InvalidKeyMaterial>
  /** `open` of every item under one key, in order, stopping at the first that does not open. */
  readonly openMany: (input: {
    readonly key: Uint8Array
    readonly items: ReadonlyArray<OpenItem>
  }) => Effect.Effect<OpenedMany, InvalidKeyMaterial>
  /**
   * The key of each value from a key-generating key and the value's salt, by the key derivation of AES-GCM-SIV
   * (RFC 8452 §4): block `i` is AES(`kgk`, u32le(i) ‖ salt), and the key is the first 8 bytes of blocks 0, 1, ...
   * concatenated until it is `length` (16 or 32) bytes long. `kgk` is 16 or 32 bytes (AES-128 or AES-256); every
   * salt is `VALUE_KEY_SALT_BYTES` long. One AES pass derives the keys of a whole batch.
   */
  readonly deriveValueKeys: (input: {
    readonly kgk: Uint8Array
    readonly salts: ReadonlyArray<Uint8Array>
    readonly length: 16 | 32
  }) => Effect.Effect<ReadonlyArray<Uint8Array>, InvalidKeyMaterial>
  /**
   * Seals every item under a key of its own: draws a fresh random salt and nonce for each, derives the items' keys
   * from `kgk` and the salts (`deriveValueKeys`, as long as `algorithm` needs) and seals with AES-GCM under them; the
   * derived keys are overwritten afterwards. Each result is `prefix ‖ salt ‖ nonce(12) ‖ ciphertext ‖ tag(16)`, in
   * order: the same bytes as `deriveValueKeys` followed by `seal`, in one step for the batch.
   */
  readonly sealValues: (input: {
    readonly kgk: Uint8Array
    readonly algorithm: AeadAlgorithm
    readonly items: ReadonlyArray<ValueToSeal>
  }) => Effect.Effect<ReadonlyArray<Uint8Array>, InvalidKeyMaterial>
  /**
   * Opens what `sealValues` sealed, each item under its key derived from `kgk` and its salt: each item's plaintext,
   * or why that item did not open (a failed item does not stop the others).
   */
  readonly openValues: (input: {
    readonly kgk: Uint8Array
    readonly items: ReadonlyArray<ValueToOpen>
  }) => Effect.Effect<ReadonlyArray<Either.Either<Uint8Array, InvalidKeyMaterial | DecryptionFailed>>, InvalidKeyMaterial>
  /**
   * Opens a value sealed under a key of its own, HKDF-SHA-256(`ikm`, `salt`, `info`): how version 1 envelopes and
   * nothing newer were sealed. The derived key is overwritten.
   */
  readonly openDerived: (input: OpenDerivedInput) => Effect.Effect<Uint8Array, InvalidKeyMaterial | DecryptionFailed>
  /** HKDF-SHA-256 (RFC 5869), extract and expand; `length` is 1..8160 bytes. */
  readonly hkdfSha256: (input: {
    readonly ikm: Uint8Array
    readonly salt: Uint8Array
    readonly info: Uint8Array
    readonly length: number
  }) => Effect.Effect<Uint8Array, InvalidKeyMaterial>
  /** HMAC-SHA-256 over `data`: the full 32-byte tag. */
  readonly hmacSha256: (input: { readonly key: Uint8Array; readonly data: Uint8Array }) => Effect.Effect<Uint8Array>
  /** SHA-256 of `data`: the 32-byte digest. */
  readonly sha256: (data: Uint8Array) => Effect.Effect<Uint8Array>
  /** A SHA-256 fed piece by piece, for content that streams (a blob upload): `digest` ends it. */
  readonly sha256Incremental: () => Effect.Effect<IncrementalSha256>
  /** `n` bytes from the operating system's CSPRNG. */
  readonly randomBytes: (n: number) => Effect.Effect<Uint8Array>
  /** Wraps key material under a 32-byte key-wrapping key with AES-256-GCM, binding `aad`. */
  readonly wrapKey: (input: {
    readonly kek: Uint8Array
    readonly key: Uint8Array
    readonly aad: Uint8Array
  }) => Effect.Effect<Uint8Array, InvalidKeyMaterial>
  /** Unwraps what `wrapKey` produced under the same key-wrapping key and `aad`. */
  readonly unwrapKey: (input: {
    readonly kek: Uint8Array
    readonly wrapped: Uint8Array
    readonly aad: Uint8Array
  }) => Effect.Effect<Uint8Array, InvalidKeyMaterial | DecryptionFailed>
}>() {}
