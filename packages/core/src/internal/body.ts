/**
 * The size of a stored record body, what it takes in storage and counts toward the quota.
 */
/** The UTF-8 length of a body in bytes, what it takes in storage. */
export const bodyBytes = (body: string): number => {
  let bytes = 0
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}
