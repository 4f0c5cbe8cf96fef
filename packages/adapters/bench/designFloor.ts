/**
 * The floor of the sealing design, for the benchmarks to measure beside Custos: what a per-record key costs before
 * any of Custos's own work. A value's key is HKDF-SHA-256 (extract and one expand block: two HMACs) of a 32-byte
 * account key and a 16-byte salt; the value is sealed under it with AES-128-GCM and a random 96-bit nonce. All of it
 * is bare node:crypto; salts are drawn before the clock starts. Built on node:crypto, no implementation of per-record
 * keys seals or opens a value for less, so a target below this floor cannot be met by any such implementation.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto"

const INFO = Buffer.from("custos/record/v1")
const BLOCK_1 = Uint8Array.of(1)

export interface BareSealed {
  readonly iv: Uint8Array
  readonly ct: Uint8Array
  readonly tag: Uint8Array
}

/** AES-128-GCM of `plaintext` under `key` with a random nonce: the bare baseline. */
export const bareSeal = (key: Uint8Array, plaintext: Uint8Array): BareSealed => {
  const iv = randomBytes(12)
  const cipher = createCipheriv("aes-128-gcm", key, iv, { authTagLength: 16 })
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return { iv, ct, tag: cipher.getAuthTag() }
}

/** Opens what `bareSeal` sealed. */
export const bareOpen = (key: Uint8Array, sealed: BareSealed) => {
  const decipher = createDecipheriv("aes-128-gcm", key, sealed.iv, { authTagLength: 16 })
  decipher.setAuthTag(sealed.tag)
  return Buffer.concat([decipher.update(sealed.ct), decipher.final()])
}

/** HKDF-SHA-256 of a 16-byte key from the account key `ikm` and `salt`. */
const floorKey = (ikm: Uint8Array, salt: Uint8Array) => {
  const prk = createHmac("sha256", salt).update(ikm).digest()
  return createHmac("sha256", prk).update(INFO).update(BLOCK_1).digest().subarray(0, 16)
}

export interface FloorSealed extends BareSealed {
  readonly salt: Uint8Array
}

/** Derives the value's key from `ikm` and `salt`, and seals `plaintext` under it. */
export const floorSeal = (ikm: Uint8Array, salt: Uint8Array, plaintext: Uint8Array): FloorSealed => ({
  salt,
  ...bareSeal(floorKey(ikm, salt), plaintext)
})

/** Derives the value's key again from its salt, and opens it. */
export const floorOpen = (ikm: Uint8Array, sealed: FloorSealed) => bareOpen(floorKey(ikm, sealed.salt), sealed)

/**
 * Milliseconds for `count` floor seals and then `count` floor opens of `plaintext`, each the median of five passes
 * after one to warm up.
 */
export const timeFloor = (plaintext: Uint8Array, count: number) => {
  const ikm = randomBytes(32)
  const salts = randomBytes(16 * count)
  const median = (run: () => void) => {
    run()
    const times: Array<number> = []
    for (let i = 0; i < 5; i++) {
      const start = performance.now()
      run()
      times.push(performance.now() - start)
    }
    return times.sort((a, b) => a - b)[2]!
  }
  const sealed: Array<FloorSealed> = []
  const sealMs = median(() => {
    sealed.length = 0
    for (let i = 0; i < count; i++) sealed.push(floorSeal(ikm, salts.subarray(16 * i, 16 * i + 16), plaintext))
  })
  const openMs = median(() => {
    for (const value of sealed) floorOpen(ikm, value)
  })
  return { sealMs, openMs }
}
