/**
 * Tests of the master key file (adapters/keys/KeyFile.ts), DESIGN.md "Storage" and "Encryption at rest": created
 * with mode 0600 only when the caller allows it, never silently replaced, refused with a typed error naming the
 * path when missing, readable by group or others, or malformed; rotation and retirement are persisted atomically
 * and survive a restart.
 */
import { layerNodeCrypto } from "@custos/adapters/crypto/NodeCrypto"
import {
  KEY_FILE_FORMAT,
  KeyFileExposed,
  KeyFileMalformed,
  KeyFileMissing,
  type KeyFileOptions,
  makeKeyFile
} from "@custos/adapters/keys/KeyFile"
import { MasterKeyVersionUnknown } from "@custos/core/ports/KeyManagement"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

/** A fresh folder for one test, removed afterwards. */
const folder = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "custos-keyfile-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

const open = (options: KeyFileOptions) => makeKeyFile(options).pipe(Effect.provide(layerNodeCrypto))

const mode = (path: string) => Fs.statSync(path).mode & 0o777
const aad = new TextEncoder().encode("account a, version 1")
const accountKey = new Uint8Array(32).fill(42)

const writeKeyFile = (path: string, content: unknown, fileMode = 0o600) => {
  Fs.writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content), { mode: fileMode })
  Fs.chmodSync(path, fileMode)
}
const validKey = Buffer.alloc(32, 1).toString("base64")

describe("KeyFile", () => {
  it.scoped("creates the file with mode 0600 when allowed, in the documented format", () =>
    Effect.gen(function*() {
      const dir = yield* folder
      const path = Path.join(dir, "nested", "master.key")
      const km = yield* open({ path, create: "if-missing" })
      assert.strictEqual(mode(path), 0o600)
      const json = JSON.parse(Fs.readFileSync(path, "utf8"))
      assert.strictEqual(json.format, KEY_FILE_FORMAT)
      assert.strictEqual(json.version, 1)
      assert.strictEqual(json.current, 1)
      assert.strictEqual(json.keys.length, 1)
      assert.strictEqual(Buffer.from(json.keys[0].key, "base64").length, 32)
      assert.strictEqual(yield* km.currentVersion, 1)
      assert.deepStrictEqual(Fs.readdirSync(Path.dirname(path)), ["master.key"])
    }))

  it.scoped("reads the same key on the next start, so what was wrapped unwraps", () =>
    Effect.gen(function*() {
      const path = Path.join(yield* folder, "master.key")
      const first = yield* open({ path, create: "if-missing" })
      const wrapped = yield* first.wrap(accountKey, aad)
      const before = Fs.readFileSync(path, "utf8")
      for (const create of ["never", "if-missing"] as const) {
        const again = yield* open({ path, create })
        assert.deepStrictEqual(yield* again.unwrap(wrapped, aad), accountKey)
      }
      assert.strictEqual(Fs.readFileSync(path, "utf8"), before)
    }))

  it.scoped("refuses a missing file when creating is not allowed, and creates nothing", () =>
    Effect.gen(function*() {
      const path = Path.join(yield* folder, "master.key")
      const error = yield* Effect.flip(open({ path, create: "never" }))
      assert.instanceOf(error, KeyFileMissing)
      assert.strictEqual(error.code, "key-file-missing")
      assert.include(error.message, path)
      assert.isFalse(Fs.existsSync(path))
    }))

  it.scoped("refuses a file that group or others may access, naming the path and the mode", () =>
    Effect.gen(function*() {
      const path = Path.join(yield* folder, "master.key")
      yield* open({ path, create: "if-missing" })
      const before = Fs.readFileSync(path, "utf8")
      for (const exposed of [0o640, 0o604, 0o644, 0o660, 0o601, 0o610]) {
        Fs.chmodSync(path, exposed)
        for (const create of ["never", "if-missing"] as const) {
          const error = yield* Effect.flip(open({ path, create }))
          assert.instanceOf(error, KeyFileExposed, exposed.toString(8))
          assert.strictEqual(error.code, "key-file-exposed")
          assert.include(error.message, path)
          assert.include(error.message, "0" + exposed.toString(8))
        }
      }
      assert.strictEqual(Fs.readFileSync(path, "utf8"), before)
      Fs.chmodSync(path, 0o400)
      yield* open({ path, create: "never" })
    }))

  it.scoped("refuses a malformed file with its path and reason, and never replaces it with a new key", () =>
    Effect.gen(function*() {
      const path = Path.join(yield* folder, "master.key")
      const base = { format: KEY_FILE_FORMAT, version: 1, current: 1, keys: [{ version: 1, key: validKey }] }
      const cases: ReadonlyArray<[string, unknown]> = [
        ["empty", ""],
        ["not JSON", "{"],
        ["another format", { ...base, format: "something-else" }],
        ["another version", { ...base, version: 2 }],
        ["a short key", { ...base, keys: [{ version: 1, key: Buffer.alloc(16).toString("base64") }] }],
        ["a long key", { ...base, keys: [{ version: 1, key: Buffer.alloc(33).toString("base64") }] }],
        ["a key that is not base64", { ...base, keys: [{ version: 1, key: "*".repeat(44) }] }],
        ["no keys", { ...base, keys: [] }],
        ["current without a key", { ...base, current: 2 }],
        ["a version twice", { ...base, keys: [{ version: 1, key: validKey }, { version: 1, key: validKey }] }],
        ["version 0", { ...base, current: 0, keys: [{ version: 0, key: validKey }] }],
        ["an unknown field", { ...base, comment: "x" }]
      ]
      for (const [why, content] of cases) {
        writeKeyFile(path, content)
        const before = Fs.readFileSync(path)
        for (const create of ["never", "if-missing"] as const) {
          const error = yield* Effect.flip(open({ path, create }))
          assert.instanceOf(error, KeyFileMalformed, why)
          assert.strictEqual(error.code, "key-file-malformed")
          assert.include(error.message, path)
          assert.notInclude(error.message, validKey)
        }
        assert.deepStrictEqual(Fs.readFileSync(path), before, why)
      }
      writeKeyFile(path, base)
      yield* open({ path, create: "never" })
    }))

  it.scoped("refuses a path that is not a regular file", () =>
    Effect.gen(function*() {
      const dir = yield* folder
      const error = yield* Effect.flip(open({ path: dir, create: "if-missing" }))
      assert.instanceOf(error, KeyFileMalformed)
    }))

  it.scoped("persists rotation and retirement atomically, mode 0600, and a restart sees them", () =>
    Effect.gen(function*() {
      const dir = yield* folder
      const path = Path.join(dir, "master.key")
      const km = yield* open({ path, create: "if-missing" })
      const underV1 = yield* km.wrap(accountKey, aad)
      assert.strictEqual(yield* km.rotate, 2)
      const underV2 = yield* km.wrap(accountKey, aad)
      assert.strictEqual(underV2.masterVersion, 2)
      assert.strictEqual(mode(path), 0o600)
      assert.deepStrictEqual(Fs.readdirSync(dir), ["master.key"])

      const restarted = yield* open({ path, create: "never" })
      assert.strictEqual(yield* restarted.currentVersion, 2)
      assert.deepStrictEqual(yield* restarted.unwrap(underV1, aad), accountKey)
      assert.deepStrictEqual(yield* restarted.unwrap(underV2, aad), accountKey)

      yield* restarted.retire(1)
      const versions = JSON.parse(Fs.readFileSync(path, "utf8")).keys.map((k: { version: number }) => k.version)
      assert.deepStrictEqual(versions, [2])
      const afterRetire = yield* open({ path, create: "never" })
      assert.instanceOf(yield* Effect.flip(afterRetire.unwrap(underV1, aad)), MasterKeyVersionUnknown)
      assert.deepStrictEqual(yield* afterRetire.unwrap(underV2, aad), accountKey)
      assert.deepStrictEqual(Fs.readdirSync(dir), ["master.key"])
    }))

  it.scoped("a wrapped key does not unwrap under another master version's label, or with other AAD", () =>
    Effect.gen(function*() {
      const path = Path.join(yield* folder, "master.key")
      const km = yield* open({ path, create: "if-missing" })
      const wrapped = yield* km.wrap(accountKey, aad)
      yield* km.rotate
      assert.isTrue((yield* Effect.either(km.unwrap({ ...wrapped, masterVersion: 2 }, aad)))._tag === "Left")
      assert.isTrue((yield* Effect.either(km.unwrap(wrapped, new Uint8Array(0))))._tag === "Left")
    }))

  it.scoped("two processes starting at once on a new installation end up with one and the same key", () =>
    Effect.gen(function*() {
      const path = Path.join(yield* folder, "master.key")
      const managers = yield* Effect.all(
        Array.from({ length: 8 }, () => open({ path, create: "if-missing" })),
        { concurrency: "unbounded" }
      )
      const wrapped = yield* managers[0]!.wrap(accountKey, aad)
      for (const km of managers) assert.deepStrictEqual(yield* km.unwrap(wrapped, aad), accountKey)
      assert.deepStrictEqual(Fs.readdirSync(Path.dirname(path)), ["master.key"])
    }))
})
