/**
 * The stored field formats written out with node:crypto alone, from their description in core's `domain/Sealed.ts`:
 * what the tests hold the Keyring to without going through its code. Only the field AAD comes from core; its bytes
 * are pinned by `core/test/Sealed.test.ts`.
 */
import type { AeadAlgorithm } from "@custos/core/ports/Crypto"
import { encodeFieldAad, type Envelope, envelopeToText, type FieldContext } from "@custos/core/domain/Sealed"
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto"

const keyBytes = (algorithm: AeadAlgorithm) => algorithm === "aes-128-gcm" ? 16 : 32

/**
 * A format 1 envelope, as values were sealed before format 2: the value's key is HKDF-SHA-256(account key, a fresh
 * 16-byte salt, "custos/record/v1"), the AAD that of format 1.
 */
export const sealVersion1 = (
  accountKey: Uint8Array,
  context: FieldContext,
  algorithm: AeadAlgorithm,
  plaintext: string
): string => {
  const salt = randomBytes(16)
  const valueKey = Buffer.from(hkdfSync("sha256", accountKey, salt, "custos/record/v1", keyBytes(algorithm)))
  const nonce = randomBytes(12)
  const cipher = createCipheriv(algorithm, valueKey, nonce, { authTagLength: 16 })
  cipher.setAAD(encodeFieldAad(context, algorithm, 1))
  const sealed = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
  return envelopeToText({ version: 1, algorithm, keyVersion: context.keyVersion, salt, sealed })
}

/**
 * Opens a format 2 envelope: the key-generating key is HKDF-SHA-256(account key, no salt,
 * "custos/value-keys/v2/<algorithm>"), the value's key the first 8 bytes of AES-256 of each u32le(i) ‖ salt block.
 */
export const openVersion2 = (accountKey: Uint8Array, envelope: Envelope, context: FieldContext): string => {
  const n = keyBytes(envelope.algorithm)
  const info = `custos/value-keys/v2/${envelope.algorithm}`
  const kgk = Buffer.from(hkdfSync("sha256", accountKey, new Uint8Array(0), info, 32))
  const counters = [0, 1, 2, 3].slice(0, n / 8)
  const blocks = Buffer.concat(counters.map((i) => Buffer.concat([Buffer.from([i, 0, 0, 0]), envelope.salt])))
  const stream = createCipheriv("aes-256-ecb", kgk, null).setAutoPadding(false).update(blocks)
  const valueKey = Buffer.concat(counters.map((b) => stream.subarray(b * 16, b * 16 + 8)))
  const { sealed } = envelope
  const decipher = createDecipheriv(envelope.algorithm, valueKey, sealed.subarray(0, 12), { authTagLength: 16 })
  decipher.setAAD(encodeFieldAad(context, envelope.algorithm, 2))
  decipher.setAuthTag(sealed.subarray(sealed.length - 16))
  return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]).toString()
}
