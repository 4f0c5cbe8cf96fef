/**
 * Whether `value` holds arrays or objects nested more than `limit` levels deep, found without recursion (a value
 * nested thousands deep is what this guards against, so the check itself must not run out of stack).
 */
export const nestedDeeperThan = (value: unknown, limit: number): boolean => {
  const pending: Array<readonly [unknown, number]> = [[value, 0]]
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!
    if (typeof current !== "object" || current === null) continue
    if (depth >= limit) return true
    for (const child of Array.isArray(current) ? current : Object.values(current)) pending.push([child, depth + 1])
  }
  return false
}
