/**
 * The assertions requirement checks use, on `node:assert` alone, so the checks run under vitest and under the
 * standalone runner (`custos-conformance`) alike. The names and argument order follow chai's `assert`, which the
 * checks were first written against.
 */
import * as Node from "node:assert/strict"

const fail = (message: string | undefined, fallback: string): never => {
  throw new Node.AssertionError({ message: message === undefined ? fallback : `${message}: ${fallback}` })
}

const show = (value: unknown) => {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

const wrap = (message: string | undefined, run: () => void) => {
  try {
    run()
  } catch (error) {
    if (error instanceof Node.AssertionError && message !== undefined) {
      throw new Node.AssertionError({
        message: `${message}: ${error.message}`,
        actual: error.actual,
        expected: error.expected,
        operator: error.operator
      })
    }
    throw error
  }
}

const includes = (haystack: unknown, needle: unknown): boolean => {
  if (typeof haystack === "string") return haystack.includes(String(needle))
  if (Array.isArray(haystack)) return haystack.includes(needle)
  if (haystack instanceof Set) return haystack.has(needle)
  if (typeof haystack === "object" && haystack !== null && typeof needle === "object" && needle !== null) {
    return Object.entries(needle).every(([k, v]) => Object.is((haystack as Record<string, unknown>)[k], v))
  }
  return false
}

export const assert = {
  strictEqual: <T>(actual: T, expected: T, message?: string): void =>
    wrap(message, () => Node.strictEqual(actual, expected)),
  notStrictEqual: <T>(actual: T, expected: T, message?: string): void =>
    wrap(message, () => Node.notStrictEqual(actual, expected)),
  deepStrictEqual: <T>(actual: T, expected: T, message?: string): void =>
    wrap(message, () => Node.deepStrictEqual(actual, expected)),
  isTrue: (value: unknown, message?: string): void => {
    if (value !== true) fail(message, `expected ${show(value)} to be true`)
  },
  isFalse: (value: unknown, message?: string): void => {
    if (value !== false) fail(message, `expected ${show(value)} to be false`)
  },
  isDefined: (value: unknown, message?: string): void => {
    if (value === undefined) fail(message, "expected a value, got undefined")
  },
  isUndefined: (value: unknown, message?: string): void => {
    if (value !== undefined) fail(message, `expected undefined, got ${show(value)}`)
  },
  isNumber: (value: unknown, message?: string): void => {
    if (typeof value !== "number") fail(message, `expected a number, got ${show(value)}`)
  },
  isString: (value: unknown, message?: string): void => {
    if (typeof value !== "string") fail(message, `expected a string, got ${show(value)}`)
  },
  isAbove: (value: number, bound: number, message?: string): void => {
    if (!(value > bound)) fail(message, `expected ${value} to be above ${bound}`)
  },
  isAtLeast: (value: number, bound: number, message?: string): void => {
    if (!(value >= bound)) fail(message, `expected ${value} to be at least ${bound}`)
  },
  isBelow: (value: number, bound: number, message?: string): void => {
    if (!(value < bound)) fail(message, `expected ${value} to be below ${bound}`)
  },
  isAtMost: (value: number, bound: number, message?: string): void => {
    if (!(value <= bound)) fail(message, `expected ${value} to be at most ${bound}`)
  },
  isNotEmpty: (value: string | ReadonlyArray<unknown> | ReadonlySet<unknown>, message?: string): void => {
    const size = typeof value === "string" || Array.isArray(value) ? value.length : (value as ReadonlySet<unknown>).size
    if (size === 0) fail(message, "expected it not to be empty")
  },
  include: (haystack: unknown, needle: unknown, message?: string): void => {
    if (!includes(haystack, needle)) fail(message, `expected ${show(haystack)} to include ${show(needle)}`)
  },
  notInclude: (haystack: unknown, needle: unknown, message?: string): void => {
    if (includes(haystack, needle)) fail(message, `expected ${show(haystack)} not to include ${show(needle)}`)
  },
  instanceOf: (value: unknown, constructor: abstract new(...args: never) => unknown, message?: string): void => {
    if (!(value instanceof constructor)) fail(message, `expected an instance of ${constructor.name}`)
  },
  match: (value: string, pattern: RegExp, message?: string): void => {
    if (!pattern.test(value)) fail(message, `expected ${show(value)} to match ${pattern}`)
  },
  fail: (message?: string): never => fail(message, "failed")
}
