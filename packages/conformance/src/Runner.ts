/**
 * The standalone runner: every check against one target, without a test framework, rolled up per requirement.
 *
 * - A check whose requirement needs a capability the target does not offer is not run: `not-tested`, with the reason.
 * - A requirement the catalogue marks untestable is reported `not-tested` with the catalogue's reason.
 * - A requirement fails when any of its checks fails; it passes when all of its checks ran and passed.
 * - Expected failures (`ExpectedFailures.ts`) turn a failing requirement into `expected-failure`; an entry whose
 *   requirement now passes is stale, and a stale entry is itself a failure.
 */
import { Cause, Duration, Effect, Exit, TestContext } from "effect"
import { Catalogue } from "./Catalogue.js"
import { type Check, missingCapabilities, testName } from "./Check.js"
import type { Level } from "./Requirement.js"
import type { Suite } from "./Suites.js"
import type { Target } from "./Target.js"

export type CheckStatus = "pass" | "fail" | "not-tested"

export interface CheckResult {
  readonly suite: string
  readonly requirement: string
  readonly name: string
  readonly status: CheckStatus
  /** Why it failed or was not tested. */
  readonly reason?: string | undefined
  readonly durationMs: number
}

export type RequirementStatus = "pass" | "fail" | "expected-failure" | "not-tested"

export interface RequirementResult {
  readonly id: string
  readonly level: Level
  readonly section: string
  readonly statement: string
  readonly status: RequirementStatus
  readonly reason?: string | undefined
  readonly checks: ReadonlyArray<{ readonly name: string; readonly status: CheckStatus; readonly reason?: string | undefined }>
}

export interface RunResult {
  readonly target: string
  readonly capabilities: ReadonlyArray<string>
  readonly requirements: ReadonlyArray<RequirementResult>
  readonly checks: ReadonlyArray<CheckResult>
  readonly summary: {
    readonly passed: number
    readonly failed: number
    readonly skipped: number
    readonly expectedFailures: number
    /** Failed MUST requirements and stale expected-failure entries: any of them makes the run fail. */
    readonly blocking: number
  }
}

export interface RunOptions {
  /** Requirement id to the reason it is expected to fail. */
  readonly expectedFailures?: ReadonlyMap<string, string> | undefined
  /** The target runs on Effect's TestClock (in process): checks then move time without waiting. */
  readonly testClock?: boolean | undefined
  /** Longest a check may take. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Called after each check, e.g. to print progress. */
  readonly onCheck?: ((result: CheckResult) => void) | undefined
}

const describeFailure = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.failureOption(cause)
  if (failure._tag === "Some") {
    const e = failure.value as { readonly _tag?: unknown; readonly code?: unknown; readonly message?: unknown }
    if (typeof e === "object" && e !== null) {
      const tag = typeof e._tag === "string" ? `${e._tag}` : "Error"
      const code = typeof e.code === "string" ? ` (${e.code})` : ""
      return `${tag}${code}: ${typeof e.message === "string" ? e.message : JSON.stringify(e)}`
    }
    return String(failure.value)
  }
  const defect = Cause.dieOption(cause)
  if (defect._tag === "Some") {
    const d = defect.value
    return d instanceof Error ? d.message.split("\n").slice(0, 6).join("\n") : String(d)
  }
  return Cause.isInterruptedOnly(cause) ? "interrupted" : Cause.pretty(cause)
}

const runCheck = (target: Target, suite: string, c: Check, options: RunOptions) =>
  Effect.gen(function*() {
    const name = testName(c)
    const missing = missingCapabilities(c, target.capabilities)
    if (missing.length > 0) {
      return {
        suite,
        requirement: c.requirement,
        name,
        status: "not-tested",
        reason: `the target does not offer ${missing.join(", ")}`,
        durationMs: 0
      } satisfies CheckResult
    }
    const started = performance.now()
    const timeout = Duration.decode(options.timeout ?? Duration.seconds(120))
    const run = c.run.pipe(Effect.provide(target.layer))
    // On the TestClock a timeout would never fire; there, nothing waits on time anyway.
    const exit = yield* (options.testClock === true
      ? run.pipe(Effect.provide(TestContext.TestContext))
      : run.pipe(Effect.timeoutFail({
        duration: timeout,
        onTimeout: () => ({ message: `timed out after ${Duration.format(timeout)}` })
      }))).pipe(Effect.exit)
    const durationMs = Math.round(performance.now() - started)
    return Exit.isSuccess(exit)
      ? { suite, requirement: c.requirement, name, status: "pass", durationMs } satisfies CheckResult
      : { suite, requirement: c.requirement, name, status: "fail", reason: describeFailure(exit.cause), durationMs } satisfies CheckResult
  })

/** Rolls check results up per requirement, in catalogue order, and applies the expected failures. */
export const rollUp = (
  target: Target,
  checks: ReadonlyArray<CheckResult>,
  expected: ReadonlyMap<string, string> = new Map()
): RunResult => {
  const requirements: Array<RequirementResult> = []
  for (const r of Catalogue) {
    const own = checks.filter((c) => c.requirement === r.id)
    const summaries = own.map((c) => ({ name: c.name, status: c.status, reason: c.reason }))
    const base = { id: r.id, level: r.level, section: r.section, statement: r.statement, checks: summaries }
    const reason = expected.get(r.id)
    if (r.untestable !== undefined) {
      requirements.push({ ...base, status: "not-tested", reason: `not testable from outside: ${r.untestable}` })
    } else if (own.length === 0) {
      requirements.push({ ...base, status: "not-tested", reason: "no check of it was run" })
    } else if (own.some((c) => c.status === "fail")) {
      requirements.push(
        reason === undefined
          ? { ...base, status: "fail", reason: own.find((c) => c.status === "fail")!.reason }
          : { ...base, status: "expected-failure", reason: `expected to fail: ${reason}` }
      )
    } else if (own.some((c) => c.status === "not-tested")) {
      requirements.push({ ...base, status: "not-tested", reason: own.find((c) => c.status === "not-tested")!.reason })
    } else if (reason !== undefined) {
      requirements.push({
        ...base,
        status: "fail",
        reason: `listed as an expected failure ("${reason}") but it passes: remove the stale entry`
      })
    } else {
      requirements.push({ ...base, status: "pass" })
    }
  }
  const count = (status: RequirementStatus) => requirements.filter((r) => r.status === status).length
  const expectedFailures = count("expected-failure")
  return {
    target: target.name,
    capabilities: [...target.capabilities].sort(),
    requirements,
    checks,
    summary: {
      passed: count("pass"),
      failed: count("fail") + expectedFailures,
      skipped: count("not-tested"),
      expectedFailures,
      blocking: requirements.filter((r) => r.status === "fail" && (r.level === "MUST" || expected.has(r.id))).length
    }
  }
}

/** Runs every check of `suites` against `target`, one after another (they may move a shared target's clock). */
export const runSuites = (target: Target, suites: ReadonlyArray<Suite>, options: RunOptions = {}) =>
  Effect.gen(function*() {
    const results: Array<CheckResult> = []
    for (const suite of suites) {
      for (const c of suite.checks) {
        const result = yield* runCheck(target, suite.name, c, options)
        options.onCheck?.(result)
        results.push(result)
      }
    }
    return rollUp(target, results, options.expectedFailures)
  })

/** The exit code of a run: 0 when every MUST passes and no expected-failure entry is stale, 1 otherwise. */
export const exitCodeOf = (result: RunResult): 0 | 1 => (result.summary.blocking > 0 ? 1 : 0)
