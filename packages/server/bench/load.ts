/**
 * The multi-device load run of `pnpm bench`: the reference server started as a process, the way a person runs it
 * (`custos serve` on a free loopback port, SQLite and filesystem blobs in a temp folder), and 20 devices on 5 accounts
 * (4 each), every one a core `DeviceSyncClient` over `HttpTransport`, changing and syncing contacts, notes and
 * messages for 60 s (`CUSTOS_LOAD_SECONDS` or `--seconds=N` for a shorter run).
 *
 * - Every sync is user-triggered: the plan paces background syncs (at best one a minute per device, answered 429
 *   earlier), which would leave a load run idle; a sync the person asks for is never held back.
 * - A device picks an app, makes one to three changes (new records, edits of records it sees, including those of the
 *   other devices of its account, and deletes), syncs that app, and goes again at once: no think time.
 * - Every HTTP call is timed; errors are calls that failed and changes the server rejected (both must be 0).
 *   Conflicts are expected (devices of one account edit the same records) and counted, not errors.
 * - At the end every device syncs every app twice (push what is left, then pull what the others pushed last), and
 *   each replica is compared with the cloud's state of its account: the same records, states, versions and payloads.
 *
 * Writes `packages/server/bench/load.json` and `LOAD.md`. Talks to 127.0.0.1 only; bounded in devices, time and
 * requests (each device has one request in flight). Exits non-zero if there were errors or a device did not converge.
 */
import { makeDeviceSyncClient } from "@custos/core/client/DeviceSyncClient"
import { makeHttpTransport } from "@custos/core/client/HttpTransport"
import { SyncTransport } from "@custos/core/client/SyncTransport"
import type { App } from "@custos/core/domain/App"
import { RecordId } from "@custos/core/domain/Ids"
import type { RecordView } from "@custos/core/domain/Mutation"
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { samples } from "@custos/conformance/Samples"
import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Redacted } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { type ServeProcess, startServe, stopServe } from "../test/serveProcess.js"

const ACCOUNTS = 5
const DEVICES_PER_ACCOUNT = 4
const APPS: ReadonlyArray<App> = ["contacts", "notes", "messages"]

const secondsArg = process.argv.find((a) => a.startsWith("--seconds="))?.slice("--seconds=".length)
const SECONDS = Number(secondsArg ?? process.env["CUSTOS_LOAD_SECONDS"] ?? "60")
if (!Number.isFinite(SECONDS) || SECONDS <= 0 || SECONDS > 600) {
  console.error("load: the duration must be a number of seconds between 0 and 600 (--seconds=N or CUSTOS_LOAD_SECONDS)")
  process.exit(2)
}

const here = Path.dirname(fileURLToPath(import.meta.url))

// ---------------------------------------------------------------------------------------------------------------
// Measurement

interface Stats {
  readonly latencies: Array<number>
  errors: number
  readonly errorSamples: Array<string>
}

const newStats = (): Stats => ({ latencies: [], errors: 0, errorSamples: [] })

/** Times every call of a transport into `stats` while `measuring()` says so. */
const timed = (transport: SyncTransport["Type"], stats: () => Stats): SyncTransport["Type"] => {
  const time = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      const started = performance.now()
      return effect.pipe(
        Effect.tapBoth({
          onSuccess: () => Effect.sync(() => void stats().latencies.push(performance.now() - started)),
          onFailure: (error) =>
            Effect.sync(() => {
              const s = stats()
              s.latencies.push(performance.now() - started)
              s.errors++
              if (s.errorSamples.length < 10) s.errorSamples.push(String((error as { message?: unknown }).message))
            })
        })
      )
    })
  return SyncTransport.of({
    push: (app, mutations, options) => time(transport.push(app, mutations, options)),
    pull: (app, request) => time(transport.pull(app, request)),
    settings: time(transport.settings)
  })
}

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits

// ---------------------------------------------------------------------------------------------------------------
// The run

const makeClient = (baseUrl: string, token?: Redacted.Redacted<string> | string) =>
  HttpApiClient.make(CustosApi, {
    baseUrl,
    transformClient: token === undefined ? undefined : HttpClient.mapRequest(HttpClientRequest.bearerToken(token))
  })

/** The cloud's state of one app of an account, from a full pull: what every replica must equal. */
const cloudState = (client: Effect.Effect.Success<ReturnType<typeof makeClient>>, app: App) =>
  Effect.gen(function*() {
    const out = new Map<string, RecordView>()
    let cursor: string | undefined
    while (true) {
      const page = yield* client.sync.changes({ path: { app }, urlParams: { cursor, limit: 1000 } })
      for (const change of page.changes) out.set(change.id, change)
      cursor = page.cursor
      if (!page.hasMore) break
    }
    for (const [id, view] of out) if (view.state === "purged") out.delete(id)
    return out
  })

const canonical = (value: unknown): string => JSON.stringify(value, (_key, v) =>
  v !== null && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
    : v)

const run = (baseUrl: string) =>
  Effect.gen(function*() {
    const load = newStats()
    const settle = newStats()
    let phase: Stats = load
    const anonymous = yield* makeClient(baseUrl)

    // 5 accounts, each signed up on its first device and signed in on three more.
    const accounts: Array<{
      readonly name: string
      readonly main: Effect.Effect.Success<ReturnType<typeof makeClient>>
      readonly tokens: Array<Redacted.Redacted<string>>
    }> = []
    const stamp = Date.now().toString(36)
    for (let a = 0; a < ACCOUNTS; a++) {
      const loginName = `load-${stamp}-${a}@example.org`
      const password = Redacted.make(`load password ${stamp} ${a}`)
      const grant = yield* anonymous.accounts.signUp({
        payload: { loginName, password, region: "DE", deviceName: "Phone 1" }
      })
      const main = yield* makeClient(baseUrl, grant.token)
      yield* main.settings.update({ payload: { apps: { contacts: true, notes: true, messages: true } } })
      const tokens = [grant.token]
      for (let d = 1; d < DEVICES_PER_ACCOUNT; d++) {
        const more = yield* anonymous.accounts.signIn({ payload: { loginName, password, deviceName: `Phone ${d + 1}` } })
        tokens.push(more.token)
      }
      accounts.push({ name: `account ${a + 1}`, main, tokens })
    }

    const devices = yield* Effect.forEach(accounts.flatMap((account, a) =>
      account.tokens.map((token, d) => ({ account, a, d, token }))
    ), ({ a, account, d, token }) =>
      Effect.gen(function*() {
        const transport = timed(yield* makeHttpTransport({ baseUrl, token }), () => phase)
        const client = yield* makeDeviceSyncClient({ mutationIdPrefix: `a${a}d${d}` }).pipe(
          Effect.provideService(SyncTransport, transport)
        )
        return { account, name: `a${a + 1}-d${d + 1}`, client, made: 0, syncs: 0 }
      }))

    let changes = 0
    let n = 0
    const deadline = performance.now() + SECONDS * 1000
    const started = performance.now()
    yield* Effect.forEach(devices, (device) =>
      Effect.gen(function*() {
        while (performance.now() < deadline) {
          const app = APPS[Math.floor(Math.random() * APPS.length)]!
          const visible = (yield* device.client.records(app)).filter((r) => r.state === "active")
          const count = 1 + Math.floor(Math.random() * 3)
          for (let i = 0; i < count; i++) {
            const roll = Math.random()
            const pick = visible[Math.floor(Math.random() * visible.length)]
            if (roll < 0.6 || pick === undefined) {
              yield* device.client.put(app, RecordId.make(`${device.name}-${++device.made}`), samples[app](++n))
            } else if (roll < 0.9) {
              yield* device.client.put(app, pick.id, samples[app](++n))
            } else {
              yield* device.client.remove(app, pick.id)
            }
            changes++
          }
          yield* device.client.sync(app, { trigger: "user", network: "wifi" }).pipe(Effect.ignore)
          device.syncs++
        }
      }), { concurrency: "unbounded", discard: true })
    const elapsed = (performance.now() - started) / 1000

    // Settle: push what is left everywhere, then pull what the others pushed last.
    phase = settle
    for (let round = 0; round < 2; round++) {
      yield* Effect.forEach(devices, (device) =>
        Effect.forEach(APPS, (app) => device.client.sync(app, { trigger: "user", network: "wifi" }).pipe(Effect.ignore)), {
        concurrency: "unbounded",
        discard: true
      })
    }

    // Every replica against the cloud's state of its account.
    const diverged: Array<string> = []
    let cloudRecords = 0
    for (const account of accounts) {
      for (const app of APPS) {
        const cloud = yield* cloudState(account.main, app)
        cloudRecords += cloud.size
        const expected = canonical([...cloud.values()].map((v) => [v.id, v.state, v.version, v.payload]).sort())
        for (const device of devices.filter((d) => d.account === account)) {
          const local = yield* device.client.records(app)
          const pending = yield* device.client.pendingCount(app)
          const actual = canonical(local.map((r) => [r.id, r.state, r.version, r.payload]).sort())
          if (pending > 0 || actual !== expected) {
            diverged.push(`${device.name} ${app}: ${pending} pending, ${local.length} records, cloud ${cloud.size}`)
          }
        }
      }
    }
    const conflicts = (yield* Effect.forEach(devices, (d) => d.client.conflicts)).reduce((s, c) => s + c.length, 0)
    const rejections = (yield* Effect.forEach(devices, (d) => d.client.rejections)).flat()

    const sorted = [...load.latencies].sort((x, y) => x - y)
    return {
      seconds: round(elapsed, 1),
      devices: devices.length,
      accounts: accounts.length,
      apps: APPS,
      trigger: "user",
      requests: load.latencies.length,
      requestsPerSecond: round(load.latencies.length / elapsed, 0),
      latencyMs: { p50: round(percentile(sorted, 50), 2), p99: round(percentile(sorted, 99), 2), max: round(sorted.at(-1) ?? 0, 1) },
      syncs: devices.reduce((s, d) => s + d.syncs, 0),
      changes,
      errors: load.errors + settle.errors + rejections.length,
      errorSamples: [...load.errorSamples, ...settle.errorSamples, ...rejections.slice(0, 10).map((r) => `${r.code}: ${r.reason}`)],
      conflicts,
      settleRequests: settle.latencies.length,
      cloudRecords,
      converged: diverged.length === 0,
      diverged: diverged.slice(0, 20)
    }
  }).pipe(Effect.provide(NodeHttpClient.layer))

const main = async () => {
  const temp = Fs.mkdtempSync(Path.join(Os.tmpdir(), "custos-load-"))
  const dataDir = Path.join(temp, "data")
  let server: ServeProcess | undefined
  try {
    server = await startServe({
      dataDir,
      env: {
        CUSTOS_KEY_FILE: Path.join(temp, "master.key"),
        CUSTOS_LOG_FORMAT: "json",
        // All devices come from one address; the per-address and per-account limits are for the open network.
        CUSTOS_RATE_LIMIT_PER_MINUTE: "10000000",
        CUSTOS_AUTH_RATE_LIMIT_PER_MINUTE: "1000"
      }
    })
    console.log(`load: server at ${server.address}; ${ACCOUNTS * DEVICES_PER_ACCOUNT} devices for ${SECONDS} s`)
    const loadAverage = Os.loadavg().map((n) => n.toFixed(1)).join(" / ")
    const result = await Effect.runPromise(run(server.address))
    const report = {
      when: new Date().toISOString(),
      machine: `${Os.cpus().length} x ${Os.cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`,
      loadAverage,
      storage: "SQLite file and filesystem blobs in a temp folder, the defaults of custos serve",
      ...result
    }
    Fs.writeFileSync(Path.join(here, "load.json"), JSON.stringify(report, null, 2) + "\n")
    Fs.writeFileSync(Path.join(here, "LOAD.md"), markdown(report))
    console.log(markdown(report))
    if (report.errors > 0 || !report.converged) process.exitCode = 1
  } finally {
    if (server !== undefined) await stopServe(server)
    Fs.rmSync(temp, { recursive: true, force: true })
  }
}

const markdown = (r: {
  readonly when: string
  readonly machine: string
  readonly storage: string
  readonly loadAverage: string
  readonly seconds: number
  readonly devices: number
  readonly accounts: number
  readonly requests: number
  readonly requestsPerSecond: number
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number }
  readonly syncs: number
  readonly changes: number
  readonly errors: number
  readonly errorSamples: ReadonlyArray<string>
  readonly conflicts: number
  readonly settleRequests: number
  readonly cloudRecords: number
  readonly converged: boolean
  readonly diverged: ReadonlyArray<string>
}) =>
  `# Multi-device load run

Written by \`packages/server/bench/load.ts\` (part of \`pnpm bench\`) on ${r.when}; ${r.machine}.
The server ran as a \`custos serve\` process on 127.0.0.1 (${r.storage}); the devices ran in
the bench process, each a core \`DeviceSyncClient\` over \`HttpTransport\`, every sync user-triggered (the plan
paces background syncs to one a minute at best). Machine load average at the start: ${r.loadAverage}.

| figure | value |
|---|---:|
| devices (accounts x devices) | ${r.devices} (${r.accounts} x ${r.devices / r.accounts}) |
| duration | ${r.seconds} s |
| HTTP requests | ${r.requests} |
| requests per second | ${r.requestsPerSecond} |
| latency p50 | ${r.latencyMs.p50} ms |
| latency p99 | ${r.latencyMs.p99} ms |
| latency max | ${r.latencyMs.max} ms |
| syncs (push then pull) | ${r.syncs} |
| changes made | ${r.changes} |
| conflicts (expected: devices edit shared records) | ${r.conflicts} |
| errors (failed calls and rejected changes) | ${r.errors} |
| records in the cloud at the end | ${r.cloudRecords} |
| every device converged | ${r.converged ? "yes" : "NO"} |

After the timed window every device synced every app twice (${r.settleRequests} requests, not in the figures
above) and each replica was compared with its account's cloud state: records, states, versions and payloads.
${r.errorSamples.length > 0 ? `\nErrors seen:\n${r.errorSamples.map((e) => `- ${e}`).join("\n")}\n` : ""}${
    r.diverged.length > 0 ? `\nDiverged:\n${r.diverged.map((e) => `- ${e}`).join("\n")}\n` : ""
  }`

main().catch((error) => {
  console.error(`load: ${error instanceof Error ? error.stack : String(error)}`)
  process.exitCode = 1
})
