/**
 * The `custos` command line: `serve`, `migrate`, `sweep`, `rotate-keys` and `accounts list`. Flags override the
 * environment (see `ServerConfig.ts`).
 */
import type { AccountId } from "@custos/core/domain/Ids"
import { AccountStore } from "@custos/core/ports/AccountStore"
import { RecordStore } from "@custos/core/ports/RecordStore"
import { Keyring } from "@custos/core/services/Keyring"
import { MembershipService } from "@custos/core/services/MembershipService"
import { Command, Options } from "@effect/cli"
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Console, Duration, Effect, Layer, Option } from "effect"
import * as Fs from "node:fs"
import * as NodeHttp from "node:http"
import * as NodeHttps from "node:https"
import { conformanceClockPath, layerConformanceClockRoutes, layerShiftableClock } from "./ConformanceClock.js"
import { docsPath, layerHttp } from "./Http.js"
import { runJobsForever, runJobsOnce } from "./Jobs.js"
import { layerServerCustos, warnAboutKeyPlacement } from "./Runtime.js"
import { type ConfigOverrides, loadServerConfig, type ServerConfig } from "./ServerConfig.js"

const host = Options.text("host").pipe(
  Options.withDescription("Address to listen on (CUSTOS_HOST, default 127.0.0.1)"),
  Options.optional
)
const port = Options.integer("port").pipe(
  Options.withDescription("Port to listen on; 0 picks a free one (CUSTOS_PORT, default 8080)"),
  Options.optional
)
const dataDir = Options.directory("data-dir").pipe(
  Options.withDescription("Folder for the SQLite file and the key file (CUSTOS_DATA_DIR, default ./data)"),
  Options.optional
)

const conformance = Options.boolean("conformance").pipe(
  Options.withDescription(
    "Conformance mode: mount the clock hook for the conformance suite (CUSTOS_CONFORMANCE); loopback addresses only"
  )
)

const overridesOf = (options: {
  readonly host?: Option.Option<string>
  readonly port?: Option.Option<number>
  readonly dataDir: Option.Option<string>
  readonly conformance?: boolean
}): ConfigOverrides => ({
  host: options.host === undefined ? undefined : Option.getOrUndefined(options.host),
  port: options.port === undefined ? undefined : Option.getOrUndefined(options.port),
  dataDir: Option.getOrUndefined(options.dataDir),
  conformance: options.conformance
})

const layerNodeServer = (config: ServerConfig) =>
  Option.match(config.tls, {
    onNone: () => NodeHttpServer.layer(() => NodeHttp.createServer(), { port: config.port, host: config.host }),
    onSome: (tls) =>
      NodeHttpServer.layer(
        () => NodeHttps.createServer({ cert: Fs.readFileSync(tls.certFile), key: Fs.readFileSync(tls.keyFile) }),
        { port: config.port, host: config.host }
      )
  })

/** Prints where the server listens, once it does. */
const announce = (config: ServerConfig) =>
  Layer.effectDiscard(Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    const scheme = Option.isSome(config.tls) ? "https" : "http"
    const address = server.address._tag === "TcpAddress"
      ? `${scheme}://${server.address.hostname.includes(":") ? `[${server.address.hostname}]` : server.address.hostname}:${server.address.port}`
      : `unix:${server.address.path}`
    yield* Console.log(`Custos is listening on ${address}`)
    yield* Console.log(`API docs: ${address}${docsPath} (OpenAPI: ${address}/v1/openapi.json)`)
    yield* Console.log(`Data: ${Option.isSome(config.databaseUrl) ? "PostgreSQL (DATABASE_URL)" : config.sqliteFile}`)
  }))

export const serve = Command.make("serve", { host, port, dataDir, conformance }, (options) =>
  Effect.gen(function*() {
    const config = yield* loadServerConfig(overridesOf(options))
    yield* warnAboutKeyPlacement(config)
    const jobs = Layer.scopedDiscard(Effect.forkScoped(runJobsForever(Duration.minutes(config.jobIntervalMinutes))))
    const assemble = <R>(http: Layer.Layer<never, never, R>) =>
      Layer.mergeAll(http, jobs, announce(config)).pipe(
        Layer.provide(layerServerCustos(config)),
        Layer.provide(layerNodeServer(config))
      )
    if (!config.conformance) return yield* Layer.launch(assemble(layerHttp(config)))
    // The whole server, its jobs included, runs on the clock the hook moves.
    const routes = layerConformanceClockRoutes(config.operatorToken)
    const app = assemble(layerHttp(config).pipe(Layer.provide(routes))).pipe(
      Layer.merge(Layer.effectDiscard(Console.log(`Conformance mode: the clock hook is at ${conformanceClockPath}`))),
      Layer.provide(layerShiftableClock)
    )
    return yield* Layer.launch(app)
  })).pipe(Command.withDescription("Run the Custos server, with the trash sweeper and compaction in the background"))

/** Runs `effect` with Custos over the configured storage and keys. */
const withCustos = <A, E, R>(options: { readonly dataDir: Option.Option<string> }, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const config = yield* loadServerConfig(overridesOf(options))
    yield* warnAboutKeyPlacement(config)
    return yield* effect.pipe(Effect.provide(layerServerCustos(config)))
  })

export const migrate = Command.make("migrate", { dataDir }, (options) =>
  withCustos(options, Console.log("Storage is migrated and ready"))).pipe(
    Command.withDescription("Create or upgrade the database tables, then exit")
  )

export const sweep = Command.make("sweep", { dataDir }, (options) =>
  withCustos(
    options,
    runJobsOnce.pipe(Effect.flatMap((report) =>
      Console.log(
        `Purged ${report.purged} expired trash items, extended ${report.extended} receipts, ` +
          `removed ${report.tombstonesRemoved} old tombstones, collected ${report.blobsCollected} unreferenced blobs`
      )
    ))
  )).pipe(Command.withDescription("Run the trash sweeper, tombstone compaction and blob collection once"))

export const rotateKeys = Command.make("rotate-keys", { dataDir }, (options) =>
  withCustos(
    options,
    Keyring.pipe(
      Effect.flatMap((keyring) => keyring.rotateMasterKey),
      Effect.flatMap(({ masterVersion, rewrapped }) =>
        Console.log(`Master key version ${masterVersion} is current; ${rewrapped} account keys were re-wrapped`)
      )
    )
  )).pipe(Command.withDescription("Add a master key version and re-wrap every account key under it"))

const listAccounts = Command.make("list", { dataDir }, (options) =>
  withCustos(
    options,
    Effect.gen(function*() {
      const accounts = yield* AccountStore
      const membership = yield* MembershipService
      const records = yield* RecordStore
      let after: AccountId | undefined
      let count = 0
      while (true) {
        const page = yield* accounts.list({ afterId: after, limit: 200 })
        for (const account of page) {
          const status = yield* membership.status(account.id)
          const usage = yield* records.usage(account.id)
          yield* Console.log(
            [account.id, account.region, status.plan.id, `${usage.records} records`, `${usage.bytes} bytes`].join("\t")
          )
        }
        count += page.length
        if (page.length < 200) break
        after = page[page.length - 1]!.id
      }
      yield* Console.log(`${count} accounts`)
    })
  )).pipe(Command.withDescription("List accounts with region, plan and usage (never content)"))

export const accounts = Command.make("accounts").pipe(
  Command.withDescription("Account administration"),
  Command.withSubcommands([listAccounts])
)

export const custos = Command.make("custos").pipe(
  Command.withDescription("Custos: a personal cloud whose privacy promises are code"),
  Command.withSubcommands([serve, migrate, sweep, rotateKeys, accounts])
)

export const cli = Command.run(custos, { name: "custos", version: "0.1.0" })
