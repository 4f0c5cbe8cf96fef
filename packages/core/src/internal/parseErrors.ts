/**
 * Turning Schema parse errors into the one problem a person should read first.
 */
import { ParseResult } from "effect"

export interface Problem {
  /** A path such as `phones[0].number`, or `(value)` when the whole value is wrong. */
  readonly field: string
  readonly reason: string
}

/** The most characters of one key a path repeats: keys are what the client sent, and may be any length. */
export const PATH_KEY_MAX = 64

/** A key of a path as a refusal repeats it: at most `PATH_KEY_MAX` characters, cut between characters. */
export const shortKey = (key: PropertyKey): string => {
  const text = String(key)
  return text.length > PATH_KEY_MAX ? `${Array.from(text).slice(0, PATH_KEY_MAX - 1).join("")}\u2026` : text
}

/** A path such as `phones[0].number`, each key cut to `PATH_KEY_MAX` characters; empty for the whole value. */
export const joinPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) => typeof key === "number" ? `${out}[${key}]` : out === "" ? shortKey(key) : `${out}.${shortKey(key)}`,
    ""
  )

export const formatPath = (path: ReadonlyArray<PropertyKey>): string => joinPath(path) || "(value)"

export const firstIssue = (error: ParseResult.ParseError): Problem => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  return issue === undefined
    ? { field: "(value)", reason: "it does not match the expected shape" }
    : { field: formatPath(issue.path), reason: issue.message }
}

export const firstProblem = (error: ParseResult.ParseError): string => {
  const { field, reason } = firstIssue(error)
  return field === "(value)" ? reason : `${field}: ${reason}`
}
