/**
 * Byte arrays joined end to end, and short-lived byte arrays carved out of shared slabs.
 */

/** The parts one after another, in one new array; a single part is returned as it is, without a copy. */
export const concatBytes = (parts: Iterable<Uint8Array>): Uint8Array => {
  const list = Array.isArray(parts) ? (parts as ReadonlyArray<Uint8Array>) : [...parts]
  if (list.length === 1) return list[0]!
  const out = new Uint8Array(list.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of list) {
    out.set(p, at)
    at += p.length
  }
  return out
}

const SLAB_BYTES = 64 * 1024
/** Larger requests get an array of their own: a slab serves many small ones. */
const LARGEST_TRANSIENT = 4 * 1024
let slab = new Uint8Array(0)
let used = 0

/**
 * `n` zeroed bytes for data that is dropped soon after use: a view into a shared 64 KiB slab, which a new one
 * replaces when full, so no two views overlap and no view ever held other bytes. A typed array of a few hundred
 * bytes costs about as much to allocate as to decode into (each gets memory of its own), and the sealed values a
 * push or pull handles are mostly that size. A view keeps its whole slab alive, so only short-lived bytes that are
 * no secret come from here: decoded envelopes (ciphertext) and associated data, never plaintext or keys.
 */
export const transientBytes = (n: number): Uint8Array => {
  if (n > LARGEST_TRANSIENT) return new Uint8Array(n)
  if (used + n > slab.length) {
    slab = new Uint8Array(SLAB_BYTES)
    used = 0
  }
  const view = slab.subarray(used, used + n)
  // Views start 8-byte aligned.
  used += (n + 7) & ~7
  return view
}
