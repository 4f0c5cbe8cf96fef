/**
 * The stored formats written out with node:crypto alone, from their description in core's `domain/Sealed.ts`: what
 * the tests hold the Keyring and blob sealing to without going through their code. Only the field AAD comes from
 * core; its bytes are pinned by `core/test/Sealed.test.ts`. The blob AAD is written out here.
 */
import type { AeadAlgorithm } from "@custos/core/ports/Crypto"
import { encodeFieldAad, type Envelope, envelopeToText, type FieldContext } from "@custos/core/domain/Sealed"
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto"

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

const u32 = (n: number) => {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(n)
  return bytes
}
const u64 = (n: number) => Buffer.concat([u32(Math.floor(n / 2 ** 32)), u32(n >>> 0)])
const lengthPrefixed = (bytes: Uint8Array) => Buffer.concat([u32(bytes.length), bytes])

/** Where a blob belongs, and the account key version it is sealed under. */
export interface BlobPlace {
  readonly accountId: string
  readonly blobId: string
  readonly keyVersion: number
}

/** A blob's key and the prefix of its AAD: label, account id, blob id and header, each length-prefixed. */
const blobKeying = (accountKey: Uint8Array, place: BlobPlace, header: Uint8Array) => ({
  key: Buffer.from(hkdfSync("sha256", accountKey, header.subarray(10, 26), "custos/blob/v1", 16)),
  prefix: Buffer.concat(
    [Buffer.from("custos/blob-segment/v1"), Buffer.from(place.accountId), Buffer.from(place.blobId), header]
      .map(lengthPrefixed)
  )
})

/**
 * A format 1 blob, as blobs were sealed before their digest was sealed with them: header (version 1, AES-128-GCM,
 * key version, segment size, random salt), then segments of `segmentSize` bytes, each nonce ‖ ciphertext ‖ tag with
 * AAD prefix ‖ u64 index ‖ u8 last; no digest after the last.
 */
export const sealBlobVersion1 = (
  accountKey: Uint8Array,
  place: BlobPlace,
  plaintext: Uint8Array,
  segmentSize = 64 * 1024
): Uint8Array => {
  const header = Buffer.concat([Buffer.from([1, 1]), u32(place.keyVersion), u32(segmentSize), randomBytes(16)])
  const { key, prefix } = blobKeying(accountKey, place, header)
  const count = Math.floor(plaintext.length / segmentSize) + 1
  const segments = Array.from({ length: count }, (_, i) => {
    const nonce = randomBytes(12)
    const cipher = createCipheriv("aes-128-gcm", key, nonce, { authTagLength: 16 })
    cipher.setAAD(Buffer.concat([prefix, u64(i), Buffer.from([i === count - 1 ? 1 : 0])]))
    const part = plaintext.subarray(i * segmentSize, (i + 1) * segmentSize)
    return Buffer.concat([nonce, cipher.update(part), cipher.final(), cipher.getAuthTag()])
  })
  return Buffer.concat([header, ...segments])
}

/**
 * The SHA-256 sealed at the end of a format 2 blob (AES-128-GCM), opened from the layout: its last 60 bytes are
 * nonce ‖ the sealed digest ‖ tag, with AAD prefix ‖ u64 segment count ‖ u8 2.
 */
export const openBlobDigestVersion2 = (accountKey: Uint8Array, place: BlobPlace, sealed: Uint8Array): string => {
  const header = sealed.subarray(0, 26)
  const { key, prefix } = blobKeying(accountKey, place, header)
  const segmentSize = Buffer.from(header).readUInt32BE(6)
  const segmentsBytes = sealed.length - 26 - 60
  const count = Math.ceil(segmentsBytes / (segmentSize + 28))
  const digest = sealed.subarray(sealed.length - 60)
  const decipher = createDecipheriv("aes-128-gcm", key, digest.subarray(0, 12), { authTagLength: 16 })
  decipher.setAAD(Buffer.concat([prefix, u64(count), Buffer.from([2])]))
  decipher.setAuthTag(digest.subarray(44))
  return Buffer.concat([decipher.update(digest.subarray(12, 44)), decipher.final()]).toString("hex")
}

/** Lower-case hex SHA-256. */
export const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")
