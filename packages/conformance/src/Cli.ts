/**
 * `custos-conformance --target <url|in-process> [--config file] [--report-dir dir] [--expected-failures file]`: the
 * whole suite against one target, with results as a console table (stdout, ending with the plain
 * `N passed, N failed, N skipped` line), and in `--report-dir` as `results.json` (primary, per requirement),
 * `junit.xml` (per check) and `report.md`.
 *
 * Exit codes: 0 when every MUST requirement that was tested passes and no expected-failure entry is stale; 1 when a
 * MUST fails or an entry is stale; 2 when the suite could not run (bad configuration, unreachable target).
 *
 * `--target in-process` loads the wiring module the configuration names (`module`, exporting `storage`: a Layer of
 * the storage and key ports, and optionally `name`), by default the reference memory wiring of `@custos/adapters`;
 * it is imported at run time, so this package has no build-time dependency on any implementation.
 */
import { Command, Options } from "@effect/cli"
import { FetchHttpClient } from "@effect/platform"
import { Cause, Console, Effect, Layer, Option } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { Driver } from "./Driver.js"
import { layerHttpDriver } from "./drivers/HttpDriver.js"
import { layerInProcessDriver, missingPorts, type StorageLayer } from "./drivers/InProcessDriver.js"
import { renderConsole, renderJson, renderJUnit, renderMarkdown } from "./Reports.js"
import type { Capability } from "./Requirement.js"
import {
  browserCountries,
  ConformanceConfigError,
  loadConfigFile,
  loadExpectedFailures,
  relativeTo,
  type RunnerConfigFile
} from "./RunnerConfig.js"
import { exitCodeOf, runSuites } from "./Runner.js"
import { allSuites } from "./Suites.js"
import type { Target } from "./Target.js"

/** The reference wiring in this workspace, for `--target in-process` without a `module`. */
export const referenceModule = fileURLToPath(new URL("../../adapters/src/conformance/ReferenceStorage.ts", import.meta.url))

const allCapabilities: ReadonlyArray<Capability> = [
  "clock-control",
  "storage-probe",
  "admin-purchases",
  "region-browser",
  "blobs"
]

export interface ResolvedTarget {
  readonly target: Target
  readonly testClock: boolean
}

const refuse = (reason: string) => Effect.fail(new ConformanceConfigError({ reason }))

/** Narrows what an implementation offers to what the configuration declares, and to the regions it serves. */
const declared = (offered: ReadonlyArray<Capability>, config: RunnerConfigFile) => {
  let caps = new Set<Capability>(config.capabilities ?? offered)
  if (config.regions !== undefined && !config.regions.some((r) => browserCountries.has(r))) caps.delete("region-browser")
  caps = new Set([...caps].filter((c) => offered.includes(c)))
  return caps
}

const inProcessTarget = (config: RunnerConfigFile, configFile: string | undefined) =>
  Effect.gen(function*() {
    const file = config.module === undefined ? referenceModule : relativeTo(configFile, config.module)
    const mod = yield* Effect.tryPromise({
      try: () => import(pathToFileURL(file).href) as Promise<{ readonly storage?: unknown; readonly name?: unknown }>,
      catch: (e) => new ConformanceConfigError({ reason: `the wiring module ${file} cannot be loaded (${String(e)})` })
    })
    if (!Layer.isLayer(mod.storage)) {
      return yield* refuse(`the wiring module ${file} exports no \`storage\` Layer`)
    }
    const missing = yield* missingPorts(mod.storage as Layer.Layer<unknown, unknown>).pipe(
      Effect.catchAllCause((cause) =>
        refuse(`the wiring module ${file}'s \`storage\` Layer cannot be built (${Cause.pretty(cause).split("\n")[0]})`))
    )
    if (missing.length > 0) {
      return yield* refuse(`the wiring module ${file}'s \`storage\` Layer provides no ${missing.join(", ")}`)
    }
    const name = config.name ?? (typeof mod.name === "string" ? mod.name : "in-process")
    const capabilities = declared(allCapabilities, config)
    const target: Target = {
      name,
      capabilities,
      layer: layerInProcessDriver(name, mod.storage as StorageLayer<unknown>)
    }
    return { target, testClock: true } satisfies ResolvedTarget
  })

const httpTarget = (url: string, config: RunnerConfigFile) =>
  Effect.gen(function*() {
    const base = yield* Effect.try({
      try: () => new URL(url),
      catch: () => new ConformanceConfigError({ reason: `the target ${url} is neither in-process nor a URL` })
    })
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      return yield* refuse(`the target ${url} is not an http or https URL`)
    }
    const wanted = config.capabilities ?? []
    if (wanted.includes("storage-probe")) {
      return yield* refuse("storage-probe cannot be offered over HTTP: the protocol has no hook to show storage")
    }
    if (wanted.includes("admin-purchases") && config.operatorToken === undefined) {
      return yield* refuse("admin-purchases needs the operator token (operatorToken in the configuration)")
    }
    const offered: Array<Capability> = ["region-browser", "blobs"]
    if (config.operatorToken !== undefined) offered.push("admin-purchases")
    if (wanted.includes("clock-control")) offered.push("clock-control")
    const capabilities = declared(offered, config)
    const baseUrl = base.href.replace(/\/$/, "")
    const name = config.name ?? baseUrl
    const layer = layerHttpDriver({
      name,
      baseUrl,
      operatorToken: capabilities.has("admin-purchases") ? config.operatorToken : undefined,
      regionBrowser: capabilities.has("region-browser"),
      clockControl: capabilities.has("clock-control"),
      blobs: capabilities.has("blobs")
    }).pipe(Layer.provide(FetchHttpClient.layer))
    // Could it run at all? The target must answer with its inventory.
    yield* Effect.flatMap(Driver, (d) => d.inventory).pipe(
      Effect.provide(layer),
      Effect.mapError((e) =>
        new ConformanceConfigError({ reason: `the target ${baseUrl} does not answer with its inventory (${e.message})` })
      )
    )
    if (capabilities.has("clock-control")) {
      yield* Effect.flatMap(Driver, (d) => d.now).pipe(
        Effect.provide(layer),
        Effect.mapError((e) =>
          new ConformanceConfigError({
            reason: `clock-control is declared, but the clock hook of ${baseUrl} does not answer (${e.message})`
          })
        )
      )
    }
    return { target: { name, capabilities, layer }, testClock: false } satisfies ResolvedTarget
  })

export interface CliInput {
  readonly target?: string | undefined
  readonly config?: string | undefined
  readonly reportDir?: string | undefined
  readonly expectedFailures?: string | undefined
}

/** Runs the suite as the flags and the configuration say; answers the exit code (2 is a failure of the Effect). */
export const runCli = (input: CliInput) =>
  Effect.gen(function*() {
    const config = input.config === undefined ? {} : yield* loadConfigFile(Path.resolve(input.config))
    const configFile = input.config === undefined ? undefined : Path.resolve(input.config)
    const targetSpec = input.target ?? config.target
    if (targetSpec === undefined) return yield* refuse("no target: give --target <url|in-process> or target in the configuration")
    const expectedFile = input.expectedFailures !== undefined
      ? Path.resolve(input.expectedFailures)
      : config.expectedFailures !== undefined
      ? relativeTo(configFile, config.expectedFailures)
      : undefined
    const expectedFailures = expectedFile === undefined ? new Map<string, string>() : yield* loadExpectedFailures(expectedFile)
    const resolved = targetSpec === "in-process" ? yield* inProcessTarget(config, configFile) : yield* httpTarget(targetSpec, config)
    const invariants = config.syncInvariants ?? (resolved.testClock ? { runs: 20, maxOps: 40 } : { runs: 5, maxOps: 25 })
    const result = yield* runSuites(resolved.target, allSuites(invariants), {
      expectedFailures,
      testClock: resolved.testClock,
      onCheck: (c) => process.stderr.write(`${c.status === "pass" ? "pass" : c.status === "fail" ? "FAIL" : "skip"} ${c.name}\n`)
    })
    if (input.reportDir !== undefined) {
      const dir = Path.resolve(input.reportDir)
      yield* Effect.try({
        try: () => {
          Fs.mkdirSync(dir, { recursive: true })
          Fs.writeFileSync(Path.join(dir, "results.json"), renderJson(result))
          Fs.writeFileSync(Path.join(dir, "junit.xml"), renderJUnit(result))
          Fs.writeFileSync(Path.join(dir, "report.md"), renderMarkdown(result))
        },
        catch: (e) => new ConformanceConfigError({ reason: `the reports cannot be written to ${dir} (${String(e)})` })
      })
    }
    yield* Console.log(renderConsole(result).trimEnd())
    return exitCodeOf(result)
  })

const target = Options.text("target").pipe(
  Options.withDescription("What to check: `in-process`, or the base URL of a server (e.g. http://127.0.0.1:8080)"),
  Options.optional
)
const config = Options.text("config").pipe(Options.withDescription("A JSON configuration file"), Options.optional)
const reportDir = Options.text("report-dir").pipe(
  Options.withDescription("Where to write results.json, junit.xml and report.md"),
  Options.optional
)
const expectedFailures = Options.text("expected-failures").pipe(
  Options.withDescription("A JSON list of requirements expected to fail, each with a reason"),
  Options.optional
)

export const command = Command.make(
  "custos-conformance",
  { target, config, reportDir, expectedFailures },
  (options) =>
    runCli({
      target: Option.getOrUndefined(options.target),
      config: Option.getOrUndefined(options.config),
      reportDir: Option.getOrUndefined(options.reportDir),
      expectedFailures: Option.getOrUndefined(options.expectedFailures)
    }).pipe(Effect.flatMap((code) => Effect.sync(() => void (process.exitCode = code))))
).pipe(Command.withDescription("Check a Custos implementation against the conformance requirements"))

export const cli = Command.run(command, { name: "custos-conformance", version: "0.1.0" })
