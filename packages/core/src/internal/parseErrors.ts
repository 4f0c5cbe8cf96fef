/**
 * Turning Schema parse errors into the one problem a person should read first.
 */
import { ParseResult } from "effect"

export interface Problem {
  /** A path such as `phones[0].number`, or `(value)` when the whole value is wrong. */
  readonly field: string
  readonly reason: string
}

export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) => typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`,
    ""
  ) || "(value)"

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
