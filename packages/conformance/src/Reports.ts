/**
 * The reports of a run: a console table, JSON (the primary result, rolled up per requirement), JUnit XML (per
 * check, for CI) and Markdown. JSON and Markdown hold no timings or timestamps, so a committed report changes only
 * when a result does; the console and JUnit show how long checks took.
 */
import type { CheckResult, RunResult } from "./Runner.js"

const statusLabel = {
  pass: "pass",
  fail: "FAIL",
  "expected-failure": "expected failure",
  "not-tested": "not tested"
} as const

/** The last line of every run, plain: `N passed, N failed, N skipped`. */
export const summaryLine = (result: RunResult) =>
  `${result.summary.passed} passed, ${result.summary.failed} failed, ${result.summary.skipped} skipped`

const clip = (text: string, width: number) => (text.length <= width ? text : `${text.slice(0, width - 1)}…`)

export const renderConsole = (result: RunResult): string => {
  const rows = result.requirements.map((r) => [r.id, r.level, statusLabel[r.status], r.reason ?? ""])
  const widths = [10, 6, 16]
  const lines = [
    `Custos conformance: ${result.target}`,
    `Capabilities: ${result.capabilities.join(", ") || "none"}`,
    "",
    ["requirement", "level", "result", "note"].map((h, i) => (i < 3 ? h.padEnd(widths[i]!) : h)).join(" ")
  ]
  for (const row of rows) {
    lines.push(
      row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : clip(cell.replaceAll("\n", " "), 100))).join(" ")
    )
  }
  lines.push("")
  if (result.summary.expectedFailures > 0) lines.push(`${result.summary.expectedFailures} of the failures are expected`)
  lines.push(summaryLine(result))
  return lines.join("\n") + "\n"
}

export const renderJson = (result: RunResult): string =>
  JSON.stringify(
    {
      suite: "custos-conformance",
      target: result.target,
      capabilities: result.capabilities,
      summary: result.summary,
      requirements: result.requirements
    },
    null,
    2
  ) + "\n"

const xml = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll("\"", "&quot;")
    // Characters XML 1.0 cannot carry: controls, U+FFFE and U+FFFF, and unpaired surrogates.
    .replaceAll(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replaceAll(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "")

/**
 * JUnit XML, a test case per check. A failed check of a requirement listed as an expected failure is written as
 * skipped with the reason, so a CI that reads the file agrees with the exit code.
 */
export const renderJUnit = (result: RunResult): string => {
  const expected = new Map(
    result.requirements.filter((r) => r.status === "expected-failure").map((r) => [r.id, r.reason ?? ""] as const)
  )
  const checks = result.checks.map((c): CheckResult =>
    c.status === "fail" && expected.has(c.requirement)
      ? { ...c, status: "not-tested", reason: `${expected.get(c.requirement)} (${c.reason ?? "failed"})` }
      : c
  )
  const suites = [...new Set(checks.map((c) => c.suite))]
  const lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
  const total = checks.length
  const failures = checks.filter((c) => c.status === "fail").length
  const skipped = checks.filter((c) => c.status === "not-tested").length
  lines.push(
    `<testsuites name="custos-conformance" tests="${total}" failures="${failures}" skipped="${skipped}">`
  )
  for (const suite of suites) {
    const own = checks.filter((c) => c.suite === suite)
    const name = xml(`${suite} on ${result.target}`)
    lines.push(
      `  <testsuite name="${name}" tests="${own.length}" failures="${own.filter((c) => c.status === "fail").length}" ` +
        `skipped="${own.filter((c) => c.status === "not-tested").length}" ` +
        `time="${(own.reduce((t, c) => t + c.durationMs, 0) / 1000).toFixed(3)}">`
    )
    for (const c of own) {
      const open = `    <testcase classname="${xml(c.requirement)}" name="${xml(c.name)}" time="${(c.durationMs / 1000).toFixed(3)}"`
      if (c.status === "pass") lines.push(`${open}/>`)
      else if (c.status === "fail") {
        lines.push(`${open}>`, `      <failure message="${xml(c.reason ?? "failed")}"/>`, "    </testcase>")
      } else lines.push(`${open}>`, `      <skipped message="${xml(c.reason ?? "not tested")}"/>`, "    </testcase>")
    }
    lines.push("  </testsuite>")
  }
  lines.push("</testsuites>")
  return lines.join("\n") + "\n"
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ")

export const renderMarkdown = (result: RunResult): string => {
  const lines = [
    "# Custos conformance report",
    "",
    `Target: ${result.target}. Capabilities: ${result.capabilities.map((c) => `\`${c}\``).join(", ") || "none"}.`,
    "",
    "Written by `custos-conformance` (`packages/conformance/src/bin.ts`); requirements and their sections are in",
    "`packages/conformance/REQUIREMENTS.md`.",
    "",
    `**${summaryLine(result)}**` +
    (result.summary.expectedFailures > 0 ? ` (${result.summary.expectedFailures} of the failures expected)` : "") +
    "; the run " + (result.summary.blocking === 0 ? "passes: every MUST requirement that was tested holds." : "fails."),
    "",
    "| requirement | level | section | result | checks | note |",
    "|---|---|---|---|---|---|"
  ]
  for (const r of result.requirements) {
    const ran = r.checks.filter((c) => c.status !== "not-tested").length
    lines.push(
      `| ${r.id} | ${r.level} | ${r.section} | ${statusLabel[r.status]} | ${ran}/${r.checks.length} | ${cell(r.reason ?? "")} |`
    )
  }
  return lines.join("\n") + "\n"
}
