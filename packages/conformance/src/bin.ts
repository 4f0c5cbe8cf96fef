#!/usr/bin/env node
/**
 * Entry point of `custos-conformance` (see `Cli.ts`). Anything that keeps the suite from running (a bad flag or
 * configuration, an unreachable target) ends with exit code 2 and a sentence on stderr.
 */
import { ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Logger, LogLevel } from "effect"
import { cli } from "./Cli.js"

const describe = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)

cli(process.argv).pipe(
  Effect.catchAllCause((cause) => {
    const failure = Cause.failureOption(cause)
    if (failure._tag === "Some" && ValidationError.isValidationError(failure.value)) {
      return Effect.sync(() => void (process.exitCode = 2))
    }
    const message = failure._tag === "Some" ? describe(failure.value) : Cause.pretty(cause)
    return Console.error(`custos-conformance: ${message}`).pipe(Effect.zipRight(Effect.sync(() => void (process.exitCode = 2))))
  }),
  Effect.provide(NodeContext.layer),
  Logger.withMinimumLogLevel(LogLevel.Warning),
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
)
