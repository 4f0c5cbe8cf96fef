/**
 * Byte arrays joined end to end.
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
