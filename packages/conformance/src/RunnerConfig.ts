/**
 * What the command line is told about a target: its configuration file, and the expected-failures file. Both are
 * JSON; anything unreadable is a `ConformanceConfigError` (exit code 2, could not run), never a guess.
 *
 * Configuration (every field optional; flags override it):
 *
 * ```json
 * {
 *   "target": "http://127.0.0.1:8080",
 *   "name": "my server",
 *   "operatorToken": "…",
 *   "capabilities": ["clock-control", "admin-purchases", "region-browser", "blobs"],
 *   "regions": ["DE", "IN", "US"],
 *   "module": "./my-wiring.ts",
 *   "expectedFailures": "./expected-failures.json",
 *   "syncInvariants": { "runs": 10, "maxOps": 30 }
 * }
 * ```
 *
 * Expected failures: `[{ "requirement": "RET-001", "reason": "retention sweeps run nightly here" }]`.
 */
import { EEA } from "@custos/core/domain/Inventory"
import { Effect, Either, ParseResult, Schema } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { Catalogue } from "./Catalogue.js"
import { Capability } from "./Requirement.js"

export class ConformanceConfigError extends Schema.TaggedError<ConformanceConfigError>()("ConformanceConfigError", {
  reason: Schema.String
}) {
  readonly code = "invalid-conformance-config"
  override get message() {
    return `The conformance suite cannot run: ${this.reason}`
  }
}

const PositiveInt = Schema.Int.pipe(Schema.positive())

export const RunnerConfigFile = Schema.Struct({
  target: Schema.optional(Schema.NonEmptyString),
  name: Schema.optional(Schema.NonEmptyString),
  operatorToken: Schema.optional(Schema.NonEmptyString),
  capabilities: Schema.optional(Schema.Array(Capability)),
  regions: Schema.optional(Schema.Array(Schema.String.pipe(Schema.pattern(/^[A-Z]{2}$/)))),
  module: Schema.optional(Schema.NonEmptyString),
  expectedFailures: Schema.optional(Schema.NonEmptyString),
  syncInvariants: Schema.optional(Schema.Struct({ runs: PositiveInt, maxOps: PositiveInt }))
}).annotations({ parseOptions: { onExcessProperty: "error" } })
export type RunnerConfigFile = typeof RunnerConfigFile.Type

export const ExpectedFailuresFile = Schema.Array(
  Schema.Struct({
    requirement: Schema.String,
    reason: Schema.String.pipe(Schema.filter((s) => s.trim().length > 0, { message: () => "every entry needs a reason" }))
  }).annotations({ parseOptions: { onExcessProperty: "error" } })
)

/** The countries where browser sync is offered (§4.1.3(1)). */
export const browserCountries: ReadonlySet<string> = new Set(["IN", "RU", ...EEA])

const readJson = (file: string, what: string) =>
  Effect.try({
    try: () => JSON.parse(Fs.readFileSync(file, "utf8")) as unknown,
    catch: (e) => new ConformanceConfigError({ reason: `the ${what} ${file} is not readable JSON (${(e as Error).message})` })
  })

const decode = <A, I>(schema: Schema.Schema<A, I>, value: unknown, what: string, file: string) =>
  Either.match(Schema.decodeUnknownEither(schema, { onExcessProperty: "error" })(value), {
    onLeft: (error) =>
      Effect.fail(new ConformanceConfigError({
        reason: `the ${what} ${file} is invalid: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
      })),
    onRight: (a) => Effect.succeed(a)
  })

export const loadConfigFile = (file: string) =>
  readJson(file, "configuration").pipe(Effect.flatMap((json) => decode(RunnerConfigFile, json, "configuration", file)))

/** The expected failures as requirement id to reason; unknown ids, duplicates and untestable ones are refused. */
export const loadExpectedFailures = (file: string) =>
  Effect.gen(function*() {
    const entries = yield* decode(ExpectedFailuresFile, yield* readJson(file, "expected-failures file"), "expected-failures file", file)
    const expected = new Map<string, string>()
    for (const entry of entries) {
      const requirement = Catalogue.find((r) => r.id === entry.requirement)
      if (requirement === undefined) {
        return yield* new ConformanceConfigError({ reason: `${file} names ${entry.requirement}, which is no requirement` })
      }
      if (requirement.untestable !== undefined) {
        return yield* new ConformanceConfigError({
          reason: `${file} names ${entry.requirement}, which is not testable and so can never fail`
        })
      }
      if (expected.has(entry.requirement)) {
        return yield* new ConformanceConfigError({ reason: `${file} names ${entry.requirement} twice` })
      }
      expected.set(entry.requirement, entry.reason.trim())
    }
    return expected
  })

/** A path from a configuration file, relative to the file. */
export const relativeTo = (file: string | undefined, path: string) =>
  file === undefined || Path.isAbsolute(path) ? Path.resolve(path) : Path.resolve(Path.dirname(file), path)
