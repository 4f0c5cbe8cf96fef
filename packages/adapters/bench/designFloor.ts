/**
 * The floor of the sealing design, for the benchmarks to measure beside Custos: what a key per value costs before any
 * of Custos's own work. Values are sealed in batches of 500 (as a push seals and a pull opens); each value's key is
 * derived from a 32-byte key-generating key and the value's 12-byte salt by RFC 8452's derivation (the first 8 bytes
 * of AES-256(kgk, u32le(i) ‖ salt) for blocks i = 0, 1), one AES-ECB pass for the whole batch; the value is sealed
 * under its key with AES-128-GCM and a random 96-bit nonce. All of it is bare node:crypto; salts are drawn before the
 * clock starts. No implementation of this design on node:crypto seals or opens a value for less.
 *
 * Beside it, the design envelope version 1 used, measured the same way: HKDF-SHA-256 (extract and one expand block:
 * two HMACs) of each value's key from the account key and a 16-byte salt. It shows what the change of derivation
 * bought.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto"

const INFO = Buffer.from("custos/record/v1")
const BLOCK_1 = Uint8Array.of(1)
const BATCH = 500

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

/** The 16-byte keys of `salts` (12 bytes each) under `kgk`, RFC 8452 §4, in one AES-256-ECB pass. */
const aesKeys = (kgk: Uint8Array, salts: ReadonlyArray<Uint8Array>) => {
  const blocks = Buffer.alloc(salts.length * 32)
  salts.forEach((salt, k) => {
    blocks[k * 32 + 16] = 1
    blocks.set(salt, k * 32 + 4)
    blocks.set(salt, k * 32 + 20)
  })
  const ecb = createCipheriv("aes-256-ecb", kgk, null).setAutoPadding(false)
  const out = ecb.update(blocks)
  return salts.map((_, k) => Buffer.concat([out.subarray(k * 32, k * 32 + 8), out.subarray(k * 32 + 16, k * 32 + 24)]))
}

/** HKDF-SHA-256 of a 16-byte key from the account key `ikm` and `salt` (envelope version 1). */
const hkdfKey = (ikm: Uint8Array, salt: Uint8Array) => {
  const prk = createHmac("sha256", salt).update(ikm).digest()
  return createHmac("sha256", prk).update(INFO).update(BLOCK_1).digest().subarray(0, 16)
}

/** The keys of a batch of salts under one design. */
type Derive = (key: Uint8Array, salts: ReadonlyArray<Uint8Array>) => ReadonlyArray<Uint8Array>
const designs: Record<"aes" | "hkdf", { readonly saltBytes: number; readonly derive: Derive }> = {
  aes: { saltBytes: 12, derive: aesKeys },
  hkdf: { saltBytes: 16, derive: (ikm, salts) => salts.map((salt) => hkdfKey(ikm, salt)) }
}

/** The median of five passes of `run`, after one to warm up, in milliseconds. */
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

/** Milliseconds for `count` seals and then `count` opens of `plaintext` in batches of 500, under one design. */
const timeDesign = (design: (typeof designs)[keyof typeof designs], plaintext: Uint8Array, count: number) => {
  const key = randomBytes(32)
  const salts = Array.from({ length: count }, () => randomBytes(design.saltBytes))
  const batches = Array.from({ length: Math.ceil(count / BATCH) }, (_, b) => salts.slice(b * BATCH, (b + 1) * BATCH))
  const sealed: Array<BareSealed> = []
  const sealMs = median(() => {
    sealed.length = 0
    for (const batch of batches) for (const valueKey of design.derive(key, batch)) sealed.push(bareSeal(valueKey, plaintext))
  })
  const openMs = median(() => {
    let at = 0
    for (const batch of batches) for (const valueKey of design.derive(key, batch)) bareOpen(valueKey, sealed[at++]!)
  })
  return { sealMs, openMs }
}

/**
 * Milliseconds for `count` floor seals and then `count` floor opens of `plaintext`, each the median of five passes
 * after one to warm up: the design Custos seals with (`sealMs`, `openMs`) and the HKDF design of envelope version 1
 * (`hkdf`).
 */
export const timeFloor = (plaintext: Uint8Array, count: number) => ({
  ...timeDesign(designs.aes, plaintext, count),
  hkdf: timeDesign(designs.hkdf, plaintext, count)
})
