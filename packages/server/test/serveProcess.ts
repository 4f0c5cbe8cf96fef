/**
 * `custos serve` as a process of its own, started the way `pnpm start` starts it: for the tests and the load run that
 * need the real process. It runs on its embedded default (SQLite and blobs in the data folder), whatever the calling
 * shell sets: `DATABASE_URL` and every `CUSTOS_*` variable are dropped from the environment before the caller's own
 * are added. Every wait is bounded.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

export const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../../..")
export const tsx = Path.join(root, "node_modules", ".bin", "tsx")

export interface ServeProcess {
  readonly child: ChildProcess
  /** `http://127.0.0.1:<port>`, as the server printed it. */
  readonly address: string
  /** What it printed so far (the first 64 KiB: the start-up lines, then the start of the request log). */
  readonly output: () => string
  /** Its exit code once it has exited. */
  readonly exited: Promise<number | null>
}

const OUTPUT_KEPT = 64 * 1024

/**
 * Starts the server on a free loopback port; answers once it has printed its start-up lines (address, then API docs),
 * fails if it exits or stays silent.
 */
export const startServe = (options: {
  readonly dataDir: string
  readonly env?: Readonly<Record<string, string>>
  /** More arguments after `serve`, e.g. `--conformance`. */
  readonly args?: ReadonlyArray<string>
  readonly timeoutMs?: number
}): Promise<ServeProcess> =>
  new Promise((resolve, reject) => {
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !key.startsWith("CUSTOS_") && key !== "DATABASE_URL") env[key] = value
    }
    const child = spawn(
      tsx,
      ["packages/server/src/bin.ts", "serve", "--port", "0", "--data-dir", options.dataDir, ...(options.args ?? [])],
      { cwd: root, env: { ...env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] }
    )
    let output = ""
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)))
    const timeoutMs = options.timeoutMs ?? 60_000
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`custos serve did not start within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const onData = (chunk: Buffer) => {
      // The rest is drained and dropped, so a long run's request log does not pile up.
      if (output.length < OUTPUT_KEPT) output += String(chunk)
      // The API docs line is the last of the start-up lines: everything it prints on starting is in `output`.
      const match = /Custos is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match !== null && output.includes("API docs: ")) {
        clearTimeout(timer)
        resolve({ child, address: match[1]!, output: () => output, exited })
      }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`custos serve exited with ${code}:\n${output}`))
    })
  })

/**
 * Stops the server with SIGTERM, as Ctrl-C would; answers its exit code, or `"killed"` when it had not exited
 * `graceMs` later and was killed.
 */
export const stopServe = async (server: ServeProcess, graceMs = 15_000): Promise<number | null | "killed"> => {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return server.child.exitCode
  server.child.kill("SIGTERM")
  const code = await Promise.race([
    server.exited,
    new Promise<"killed">((done) => setTimeout(() => done("killed"), graceMs))
  ])
  if (code === "killed") server.child.kill("SIGKILL")
  return code
}
