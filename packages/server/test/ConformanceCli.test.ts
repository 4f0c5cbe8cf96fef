/**
 * The conformance command line as someone who built their own server would run it: `custos-conformance` as a child
 * process, against the reference server started as a separate `custos serve --conformance` process (SQLite and
 * filesystem blobs in a temp folder, the clock hook, an operator token), and against the in-process reference.
 *
 * Each run writes its reports under `reports/conformance/<target>/` (the README links there): `results.json`,
 * `junit.xml` and `report.md`. The tests check the exit codes the README promises: 0 when every MUST passes, 1 when a
 * MUST fails or an expected-failure entry is stale, 2 when the suite cannot run; and the plain last line.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { root, type ServeProcess, startServe, stopServe, tsx } from "./serveProcess.js"

const reports = Path.join(root, "reports", "conformance")
const operatorToken = "conformance-operator-token-0123456789"

interface Finished {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const children: Array<ChildProcess> = []
const servers: Array<ServeProcess> = []
const temps: Array<string> = []

const tempDir = () => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "custos-conformance-cli-"))
  temps.push(dir)
  return dir
}

/** Runs the command line to its end (bounded), collecting what it printed. */
const conformance = (args: ReadonlyArray<string>, timeoutMs = 240_000): Promise<Finished> =>
  new Promise((resolve, reject) => {
    const child = spawn(tsx, ["packages/conformance/src/bin.ts", ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    children.push(child)
    let stdout = ""
    let stderr = ""
    child.stdout!.on("data", (chunk) => stdout += String(chunk))
    child.stderr!.on("data", (chunk) => stderr += String(chunk))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`custos-conformance ${args.join(" ")} ran over ${timeoutMs} ms:\n${stdout}\n${stderr}`))
    }, timeoutMs)
    child.on("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

/** Starts `custos serve --conformance` (on SQLite in a temp folder) with the operator token and raised limits. */
const startServer = async () => {
  const temp = tempDir()
  const server = await startServe({
    dataDir: Path.join(temp, "data"),
    args: ["--conformance"],
    env: {
      CUSTOS_KEY_FILE: Path.join(temp, "master.key"),
      CUSTOS_OPERATOR_TOKEN: operatorToken,
      // The suite signs up many accounts from one address.
      CUSTOS_RATE_LIMIT_PER_MINUTE: "1000000",
      CUSTOS_AUTH_RATE_LIMIT_PER_MINUTE: "100000"
    }
  })
  servers.push(server)
  return server
}

const writeJson = (dir: string, name: string, value: unknown) => {
  const file = Path.join(dir, name)
  Fs.writeFileSync(file, JSON.stringify(value, null, 2))
  return file
}

interface Results {
  readonly target: string
  readonly requirements: ReadonlyArray<{ readonly id: string; readonly level: string; readonly status: string; readonly reason?: string }>
  readonly summary: { readonly passed: number; readonly failed: number; readonly skipped: number }
}

const readResults = (dir: string): Results => JSON.parse(Fs.readFileSync(Path.join(dir, "results.json"), "utf8")) as Results

const lastLine = (text: string) => text.trimEnd().split("\n").at(-1) ?? ""

const statusOf = (results: Results, id: string) => results.requirements.find((r) => r.id === id)?.status

describe("custos-conformance, the command line", () => {
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL")
    for (const server of servers) await stopServe(server, 0)
    for (const dir of temps) Fs.rmSync(dir, { recursive: true, force: true })
  })

  it("passes every MUST of the reference server run as a separate process in conformance mode, over HTTP", async () => {
    const server = await startServer()
    const config = writeJson(tempDir(), "config.json", {
      name: "the reference server (custos serve --conformance)",
      operatorToken,
      capabilities: ["clock-control", "admin-purchases", "region-browser", "blobs"]
    })
    const dir = Path.join(reports, "http")
    Fs.rmSync(dir, { recursive: true, force: true })
    const run = await conformance(["--target", server.address, "--config", config, "--report-dir", dir])
    await stopServe(server)

    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(lastLine(run.stdout)).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/)
    const results = readResults(dir)
    expect(results.requirements.filter((r) => r.status === "fail")).toEqual([])
    // Clock-driven retention ran over the clock hook, files went through the blob endpoints (to files on disk);
    // storage cannot be looked into over HTTP.
    expect(statusOf(results, "RET-001")).toBe("pass")
    expect(statusOf(results, "BLOB-003")).toBe("pass")
    expect(statusOf(results, "ENC-001")).toBe("not-tested")
    expect(results.requirements.find((r) => r.id === "ENC-001")?.reason).toContain("storage-probe")
    expect(lastLine(run.stdout)).toBe(
      `${results.summary.passed} passed, ${results.summary.failed} failed, ${results.summary.skipped} skipped`
    )
    const junit = Fs.readFileSync(Path.join(dir, "junit.xml"), "utf8")
    expect(junit).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>/)
    expect(junit).toContain("<testsuites")
    expect(Fs.readFileSync(Path.join(dir, "report.md"), "utf8")).toContain("RET-001")
  }, 300_000)

  it("passes every MUST in process, storage probe included", async () => {
    const dir = Path.join(reports, "in-process")
    Fs.rmSync(dir, { recursive: true, force: true })
    const run = await conformance(["--target", "in-process", "--report-dir", dir])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const results = readResults(dir)
    expect(results.requirements.filter((r) => r.status === "fail")).toEqual([])
    expect(statusOf(results, "ENC-001")).toBe("pass")
    expect(statusOf(results, "ENC-003")).toBe("pass")
    expect(statusOf(results, "ORG-002")).toBe("not-tested")
  }, 300_000)

  it("fails with 1 on a wiring module that breaks a MUST, and passes once the failures are expected with reasons", async () => {
    const temp = tempDir()
    const config = writeJson(temp, "config.json", {
      target: "in-process",
      module: Path.join(root, "packages/adapters/test/broken/PlaintextCrypto.ts")
    })
    const broken = await conformance(["--config", config, "--report-dir", temp])
    expect(broken.code, broken.stdout + broken.stderr).toBe(1)
    expect(readResults(temp).requirements.filter((r) => r.status === "fail").map((r) => r.id)).toEqual([
      "ENC-001",
      "ENC-002",
      "ENC-003"
    ])
    expect(readResults(temp).target).toBe("broken: seals nothing")

    const expected = writeJson(temp, "expected.json", [
      { requirement: "ENC-001", reason: "this build stores content unsealed on purpose" },
      { requirement: "ENC-002", reason: "the same" },
      { requirement: "ENC-003", reason: "files too" }
    ])
    const excused = await conformance(["--config", config, "--expected-failures", expected, "--report-dir", temp])
    expect(excused.code, excused.stdout + excused.stderr).toBe(0)
    expect(statusOf(readResults(temp), "ENC-001")).toBe("expected-failure")
    expect(excused.stdout).toContain("3 of the failures are expected")
    // CI reading the JUnit file agrees with the exit code: the expected failures are skipped there, with the reason.
    const junit = Fs.readFileSync(Path.join(temp, "junit.xml"), "utf8")
    expect(junit).toMatch(/<testsuites name="custos-conformance" tests="\d+" failures="0"/)
    expect(junit).toContain("expected to fail: this build stores content unsealed on purpose")
  }, 300_000)

  it("fails with 1 when an expected-failure entry names a requirement that passes: a stale entry is a failure", async () => {
    const temp = tempDir()
    const expected = writeJson(temp, "expected.json", [{ requirement: "ISO-001", reason: "thought to leak" }])
    const run = await conformance(["--target", "in-process", "--expected-failures", expected, "--report-dir", temp])
    expect(run.code, run.stdout + run.stderr).toBe(1)
    const iso = readResults(temp).requirements.find((r) => r.id === "ISO-001")
    expect(iso?.status).toBe("fail")
    expect(iso?.reason).toContain("stale")
  }, 300_000)

  it("fails with 2, and says why, when it cannot run", async () => {
    const temp = tempDir()
    const unreachable = await conformance(["--target", "http://127.0.0.1:1"])
    expect(unreachable.code).toBe(2)
    expect(unreachable.stderr).toContain("does not answer")

    const notUrl = await conformance(["--target", "ftp://example.invalid"])
    expect(notUrl.code).toBe(2)

    const badConfig = writeJson(temp, "bad.json", { target: "in-process", colour: "blue" })
    const refused = await conformance(["--config", badConfig])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("is invalid")

    const noReason = writeJson(temp, "expected.json", [{ requirement: "ISO-001", reason: " " }])
    const unexplained = await conformance(["--target", "in-process", "--expected-failures", noReason])
    expect(unexplained.code).toBe(2)
    expect(unexplained.stderr).toContain("every entry needs a reason")

    const unknown = writeJson(temp, "unknown.json", [{ requirement: "NOPE-001", reason: "typo" }])
    const typo = await conformance(["--target", "in-process", "--expected-failures", unknown])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain("no requirement")

    const noTarget = await conformance([])
    expect(noTarget.code).toBe(2)
    expect(noTarget.stderr).toContain("no target")

    const withoutBlobs = writeJson(temp, "without-blobs.json", {
      target: "in-process",
      module: Path.join(root, "packages/server/test/fixtures/wiringWithoutBlobs.ts")
    })
    const lacking = await conformance(["--config", withoutBlobs])
    expect(lacking.code, lacking.stdout + lacking.stderr).toBe(2)
    expect(lacking.stderr).toContain("provides no BlobStore")
  }, 300_000)
})
