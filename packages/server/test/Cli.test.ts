/**
 * The real `custos serve` process: started the way `pnpm start` starts it (with a temp data folder and a free
 * port), it prints its address, creates its SQLite file and key file, keeps nothing in memory only, takes a sign-up
 * over HTTP, stops cleanly on SIGTERM, and after a restart on the same folder the person signs in again and the old
 * session still works. Every wait is bounded and the processes are always killed at the end.
 */
import { describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../../..")
const tsx = Path.join(root, "node_modules", ".bin", "tsx")

const waitFor = <A>(what: string, ms: number, check: () => A | undefined): Promise<A> =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const timer = setInterval(() => {
      const value = check()
      if (value !== undefined) {
        clearInterval(timer)
        resolve(value)
      } else if (Date.now() - started > ms) {
        clearInterval(timer)
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`))
      }
    }, 50)
  })

interface Running {
  readonly child: ChildProcess
  readonly address: string
  readonly output: () => string
  readonly exited: Promise<number | null>
}

const start = async (dataDir: string, env: Record<string, string>, started: Array<ChildProcess>): Promise<Running> => {
  const child = spawn(tsx, ["packages/server/src/bin.ts", "serve", "--port", "0", "--data-dir", dataDir], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"]
  })
  started.push(child)
  let output = ""
  child.stdout!.on("data", (chunk) => output += String(chunk))
  child.stderr!.on("data", (chunk) => output += String(chunk))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const address = await waitFor("the address", 45_000, () => {
    if (child.exitCode !== null) throw new Error(`custos exited early:\n${output}`)
    return /Custos is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
  })
  return { child, address, output: () => output, exited }
}

const stop = async (running: Running) => {
  running.child.kill("SIGTERM")
  return Promise.race([
    running.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no exit 15 s after SIGTERM")), 15_000))
  ])
}

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20_000)
  })

describe("custos serve", () => {
  it("starts on an empty data folder, signs up over HTTP, stops on SIGTERM, and keeps the sign-in across a restart", async () => {
    const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "custos-cli-"))
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !key.startsWith("CUSTOS_") && key !== "DATABASE_URL") env[key] = value
    }
    const started: Array<ChildProcess> = []
    const person = { loginName: "first@example.org", password: "a long enough password" }
    try {
      const first = await start(dataDir, env, started)
      expect(first.output()).toContain(`API docs: ${first.address}/docs`)
      expect(first.output()).toContain("sits in the data directory")
      expect(first.output()).not.toContain("kept in memory")
      expect(Fs.existsSync(Path.join(dataDir, "custos.sqlite"))).toBe(true)
      expect(Fs.statSync(Path.join(dataDir, "master.key")).mode & 0o077).toBe(0)

      const response = await post(`${first.address}/v1/accounts`, { ...person, region: "DE", deviceName: "Phone" })
      expect(response.status).toBe(201)
      const grant = await response.json() as { accountId: string; token: string }
      expect(grant.accountId).toMatch(/^acc_/)
      const settings = await fetch(`${first.address}/v1/settings`, {
        headers: { authorization: `Bearer ${grant.token}` },
        signal: AbortSignal.timeout(10_000)
      })
      expect(settings.status).toBe(200)
      expect(await stop(first)).toBe(0)

      const second = await start(dataDir, env, started)
      const signIn = await post(`${second.address}/v1/sessions`, { ...person, deviceName: "Laptop" })
      expect(signIn.status).toBe(201)
      expect((await signIn.json() as { accountId: string }).accountId).toBe(grant.accountId)
      const oldToken = await fetch(`${second.address}/v1/settings`, {
        headers: { authorization: `Bearer ${grant.token}` },
        signal: AbortSignal.timeout(10_000)
      })
      expect(oldToken.status).toBe(200)
      expect(await stop(second)).toBe(0)
    } finally {
      for (const child of started) {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
      }
      Fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }, 120_000)
})
