/**
 * The real `custos serve` process: started the way `pnpm start` starts it (with a temp data folder and a free
 * port), it prints its address, creates its SQLite file and key file, keeps nothing in memory only, takes a sign-up
 * over HTTP, stops cleanly on SIGTERM, and after a restart on the same folder the person signs in again and the old
 * session still works. Every wait is bounded and the processes are always killed at the end.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { type ServeProcess, startServe, stopServe } from "./serveProcess.js"

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
    const started: Array<ServeProcess> = []
    const start = async () => {
      const running = await startServe({ dataDir, timeoutMs: 45_000 })
      started.push(running)
      return running
    }
    const person = { loginName: "first@example.org", password: "a long enough password" }
    try {
      const first = await start()
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
      expect(await stopServe(first)).toBe(0)

      const second = await start()
      const signIn = await post(`${second.address}/v1/sessions`, { ...person, deviceName: "Laptop" })
      expect(signIn.status).toBe(201)
      expect((await signIn.json() as { accountId: string }).accountId).toBe(grant.accountId)
      const oldToken = await fetch(`${second.address}/v1/settings`, {
        headers: { authorization: `Bearer ${grant.token}` },
        signal: AbortSignal.timeout(10_000)
      })
      expect(oldToken.status).toBe(200)
      expect(await stopServe(second)).toBe(0)
    } finally {
      for (const running of started) await stopServe(running, 0)
      Fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }, 120_000)
})
