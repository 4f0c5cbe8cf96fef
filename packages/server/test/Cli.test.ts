/**
 * The real `custos serve` process: started the way `pnpm start` starts it (with a temp data folder and a free
 * port), it prints its address, creates its SQLite file and key file, takes a sign-up over HTTP, and stops cleanly
 * on SIGTERM. Every wait is bounded and the process is always killed at the end.
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

describe("custos serve", () => {
  it("starts on an empty data folder, prints its address, signs up over HTTP and stops on SIGTERM", async () => {
    const dataDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "custos-cli-"))
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !key.startsWith("CUSTOS_") && key !== "DATABASE_URL") env[key] = value
    }
    let child: ChildProcess | undefined
    let output = ""
    try {
      child = spawn(tsx, ["packages/server/src/bin.ts", "serve", "--port", "0", "--data-dir", dataDir], {
        cwd: root,
        env,
        stdio: ["ignore", "pipe", "pipe"]
      })
      child.stdout!.on("data", (chunk) => output += String(chunk))
      child.stderr!.on("data", (chunk) => output += String(chunk))
      const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)))

      const address = await waitFor("the address", 45_000, () => {
        if (child!.exitCode !== null) throw new Error(`custos exited early:\n${output}`)
        return /Custos is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
      })
      expect(output).toContain(`API docs: ${address}/docs`)
      expect(output).toContain("sits in the data directory")
      expect(Fs.existsSync(Path.join(dataDir, "custos.sqlite"))).toBe(true)
      expect(Fs.statSync(Path.join(dataDir, "master.key")).mode & 0o077).toBe(0)

      const response = await fetch(`${address}/v1/accounts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          loginName: "first@example.org",
          password: "a long enough password",
          region: "DE",
          deviceName: "Phone"
        }),
        signal: AbortSignal.timeout(20_000)
      })
      expect(response.status).toBe(201)
      const grant = await response.json() as { accountId: string; token: string }
      expect(grant.accountId).toMatch(/^acc_/)
      const settings = await fetch(`${address}/v1/settings`, {
        headers: { authorization: `Bearer ${grant.token}` },
        signal: AbortSignal.timeout(10_000)
      })
      expect(settings.status).toBe(200)

      child.kill("SIGTERM")
      const code = await Promise.race([
        exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no exit 15 s after SIGTERM")), 15_000))
      ])
      expect(code).toBe(0)
    } finally {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
      Fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }, 90_000)
})
