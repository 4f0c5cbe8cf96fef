#!/usr/bin/env node
/**
 * Entry point of the `custos` command. `NodeRuntime.runMain` ends the program on SIGINT and SIGTERM by closing its
 * scope: the server stops accepting connections, finishes the requests in flight and closes the database.
 */
import { ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Logger, LogLevel } from "effect"
import { cli } from "./main.js"

const describe = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)

cli(process.argv).pipe(
  Effect.catchAllCause((cause) => {
    const failure = Cause.failureOption(cause)
    if (failure._tag === "Some" && ValidationError.isValidationError(failure.value)) {
      return Effect.sync(() => void (process.exitCode = 1))
    }
    const message = failure._tag === "Some" ? describe(failure.value) : Cause.pretty(cause)
    return Cause.isInterruptedOnly(cause)
      ? Effect.void
      : Console.error(`custos: ${message}`).pipe(Effect.zipRight(Effect.sync(() => void (process.exitCode = 1))))
  }),
  Effect.provide(NodeContext.layer),
  Effect.provide(process.env["CUSTOS_LOG_FORMAT"] === "json" ? Logger.json : Logger.logFmt),
  Logger.withMinimumLogLevel(LogLevel.Info),
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
)
