// Prints the plain closing line "N passed, N failed, N skipped" from vitest's JSON report.
// Usage: node scripts/test-summary.mjs [reports/vitest.json]
import { existsSync, readFileSync } from "node:fs"

const file = process.argv[2] ?? "reports/vitest.json"
if (!existsSync(file)) {
  console.error(`No test report at ${file}: the tests did not run (see the type-check or install output above).`)
  console.log("0 passed, 1 failed, 0 skipped")
  process.exit(1)
}
const report = JSON.parse(readFileSync(file, "utf8"))
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
// Files that failed to load count as failures too: their tests never ran.
const brokenFiles = (report.testResults ?? []).filter((r) => r.status === "failed" && r.assertionResults.length === 0)
const failed = report.numFailedTests + brokenFiles.length
console.log(`${report.numPassedTests} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 || report.success === false ? 1 : 0)
