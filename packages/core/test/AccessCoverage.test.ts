/**
 * Every place that opens content writes the opening to the access log first (§4.1.5, DESIGN.md "Encryption at rest",
 * last bullet). The openers that log are known; this test reads the sources of every package and fails when content
 * is opened anywhere else, so a new path (a blob download, an export) is logged before it lands.
 */
import { assert, describe, it } from "@effect/vitest"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const packages = fileURLToPath(new URL("../../", import.meta.url))

const sources = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === "node_modules" || name === "build" ? [] : sources(path)
    return name.endsWith(".ts") ? [path] : []
  })

/** Calls that release plaintext content, and the files allowed to make them because they log first. */
const openers: ReadonlyArray<{ readonly call: RegExp; readonly allowed: ReadonlyArray<string> }> = [
  // Sealed fields: record payloads (RecordSealing, through `openAll`) and purchase details (MembershipService).
  {
    call: /\.openField(Text)?\(/,
    allowed: ["core/src/services/RecordSealing.ts", "core/src/services/MembershipService.ts"]
  },
  // Sealed blobs: downloads (BlobService), which log `blob-download` before they open, and the export archive
  // (ExportService), which logs `export` for the records whose media it opens.
  {
    call: /\.open(Stream|Range)\(/,
    allowed: ["core/src/services/BlobService.ts", "core/src/services/ExportService.ts"]
  }
]

describe("access log coverage", () => {
  it("content is opened only where the opening is written to the access log first", () => {
    const dirs = readdirSync(packages).map((p) => join(packages, p, "src")).filter((d) => {
      try {
        return statSync(d).isDirectory()
      } catch {
        return false
      }
    })
    const files = dirs.flatMap(sources)
    assert.isAbove(files.length, 20, "the sources were found")
    const found: Array<string> = []
    for (const file of files) {
      const path = relative(packages, file).split("\\").join("/")
      const text = readFileSync(file, "utf8")
      for (const { allowed, call } of openers) {
        if (call.test(text) && !allowed.includes(path)) found.push(`${path} calls ${call.source}`)
      }
    }
    assert.deepStrictEqual(found, [], "an opening that is not written to the access log")
  })

  it("the allowed openers do write to the access log", () => {
    const read = (path: string) => readFileSync(join(packages, path), "utf8")
    assert.match(read("core/src/services/RecordSealing.ts"), /accessLog\.write\(/)
    assert.match(read("core/src/services/MembershipService.ts"), /accessLog\.write\(/)
    assert.match(read("core/src/services/BlobService.ts"), /accessLog\.write\(/)
    assert.match(read("core/src/services/ExportService.ts"), /accessLog\.write\(/)
  })
})
