/**
 * `KeyManagement` from a master key file: the embedded default of DESIGN.md "Storage" and "Encryption at rest"
 * (a generated master key file, mode 0600). The caller decides whether a missing file may be created
 * (`create: "if-missing"`, a new installation) or is an error (`"never"`, data exists): a lost key file is never
 * silently replaced by a new key, which would leave everything sealed before unreadable.
 *
 * File format (JSON, UTF-8):
 *
 *   {
 *     "format": "custos-master-keys",
 *     "version": 1,
 *     "current": 2,
 *     "keys": [{ "version": 1, "key": "<base64 of 32 bytes>" }, { "version": 2, "key": "<base64 of 32 bytes>" }]
 *   }
 *
 * `current` is the version new account keys are wrapped with; earlier versions stay until retired. The file is
 * refused when group or others have any permission on it, when it is not a regular file, or when it does not
 * parse exactly; every refusal names the path. Every change is written to a temporary file (mode 0600, fsynced)
 * in the same folder and renamed over the old one; the first creation links instead, so two processes starting at
 * once cannot both create a key: the second reads the first one's file. The file is read once at start: a rotation
 * made by another process is seen here after a restart, so rotate where one process owns the file.
 */
import { Crypto } from "@custos/core/ports/Crypto"
import { KeyManagement } from "@custos/core/ports/KeyManagement"
import { Effect, Either, Encoding, Layer, Schema } from "effect"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import {
  checkMasterKeys,
  generateMasterKeys,
  keyManagementFailure,
  makeMasterKeyManagement,
  type MasterKeys
} from "./MasterKeySet.js"

export const KEY_FILE_FORMAT = "custos-master-keys"

export interface KeyFileOptions {
  readonly path: string
  /** `"if-missing"`: a new installation may create the file. `"never"`: a missing file is an error. */
  readonly create: "if-missing" | "never"
}

export class KeyFileMissing extends Schema.TaggedError<KeyFileMissing>()("KeyFileMissing", { path: Schema.String }) {
  readonly code = "key-file-missing"
  override get message() {
    return `There is no master key file at ${this.path}, and this start may not create one: data sealed under a ` +
      "lost key cannot be opened with a new one. Restore the file, or allow creating it for a new installation"
  }
}

export class KeyFileMalformed extends Schema.TaggedError<KeyFileMalformed>()("KeyFileMalformed", {
  path: Schema.String,
  reason: Schema.String
}) {
  readonly code = "key-file-malformed"
  override get message() {
    return `The master key file ${this.path} is malformed: ${this.reason}`
  }
}

export class KeyFileExposed extends Schema.TaggedError<KeyFileExposed>()("KeyFileExposed", {
  path: Schema.String,
  /** The file's permission bits, e.g. "0640". */
  mode: Schema.String
}) {
  readonly code = "key-file-exposed"
  override get message() {
    return `The master key file ${this.path} has mode ${this.mode}, so group or others may access it; ` +
      "restrict it to its owner (chmod 600) and consider the key compromised if others could read it"
  }
}

export class KeyFileUnreadable extends Schema.TaggedError<KeyFileUnreadable>()("KeyFileUnreadable", {
  path: Schema.String,
  cause: Schema.Defect
}) {
  readonly code = "key-file-unreadable"
  override get message() {
    return `The master key file ${this.path} could not be read or written`
  }
}

export type KeyFileError = KeyFileMissing | KeyFileMalformed | KeyFileExposed | KeyFileUnreadable

const KeyFileJson = Schema.Struct({
  format: Schema.Literal(KEY_FILE_FORMAT),
  version: Schema.Literal(1),
  current: Schema.Int,
  keys: Schema.NonEmptyArray(Schema.Struct({ version: Schema.Int, key: Schema.String }))
})
const decodeKeyFileJson = Schema.decodeUnknownEither(Schema.parseJson(KeyFileJson), { onExcessProperty: "error" })

/** Parses the file's text; the reason never quotes key material. */
export const parseKeyFile = (text: string): Either.Either<MasterKeys, string> => {
  const parsed = decodeKeyFileJson(text)
  if (Either.isLeft(parsed)) return Either.left(`it is not a ${KEY_FILE_FORMAT} version 1 JSON document`)
  const keys = new Map<number, Uint8Array>()
  for (const entry of parsed.right.keys) {
    const key = Encoding.decodeBase64(entry.key)
    if (Either.isLeft(key) || Encoding.encodeBase64(key.right) !== entry.key) {
      return Either.left(`the key of version ${entry.version} is not canonical base64`)
    }
    if (keys.has(entry.version)) return Either.left(`version ${entry.version} appears twice`)
    keys.set(entry.version, key.right)
  }
  const result: MasterKeys = { current: parsed.right.current, keys }
  const problem = checkMasterKeys(result)
  return problem === undefined ? Either.right(result) : Either.left(problem)
}

/** The file's text for a key set, keys in ascending version. */
export const formatKeyFile = (keys: MasterKeys): string =>
  JSON.stringify(
    {
      format: KEY_FILE_FORMAT,
      version: 1,
      current: keys.current,
      keys: [...keys.keys].sort(([a], [b]) => a - b).map(([version, key]) => ({
        version,
        key: Encoding.encodeBase64(key)
      }))
    },
    null,
    2
  ) + "\n"

const isErrno = (cause: unknown, code: string) =>
  typeof cause === "object" && cause !== null && (cause as { code?: unknown }).code === code

const octal = (mode: number) => "0" + (mode & 0o777).toString(8).padStart(3, "0")

/** Reads and checks an existing key file; `undefined` when there is none. */
const readKeyFile = (path: string): Effect.Effect<MasterKeys | undefined, KeyFileError> =>
  Effect.gen(function*() {
    const stat = yield* Effect.tryPromise({
      try: () => Fs.stat(path),
      catch: (cause) => cause
    }).pipe(
      Effect.map((stat) => stat as typeof stat | undefined),
      Effect.catchAll((cause) =>
        isErrno(cause, "ENOENT") ? Effect.succeed(undefined) : Effect.fail(new KeyFileUnreadable({ path, cause }))
      )
    )
    if (stat === undefined) return undefined
    if (!stat.isFile()) return yield* new KeyFileMalformed({ path, reason: "it is not a regular file" })
    if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) {
      return yield* new KeyFileExposed({ path, mode: octal(stat.mode) })
    }
    const text = yield* Effect.tryPromise({
      try: () => Fs.readFile(path, "utf8"),
      catch: (cause) => new KeyFileUnreadable({ path, cause })
    })
    const parsed = parseKeyFile(text)
    if (Either.isLeft(parsed)) return yield* new KeyFileMalformed({ path, reason: parsed.left })
    return parsed.right
  })

/** Writes `text` to a fresh temporary file beside `path` (mode 0600, fsynced) and returns its name. */
const writeTemporary = async (path: string, text: string, suffix: string): Promise<string> => {
  const temporary = Path.join(Path.dirname(path), `.${Path.basename(path)}.${suffix}.tmp`)
  const handle = await Fs.open(temporary, "wx", 0o600)
  try {
    await handle.chmod(0o600)
    await handle.writeFile(text, "utf8")
    await handle.sync()
  } catch (cause) {
    await handle.close().catch(() => undefined)
    await Fs.rm(temporary, { force: true })
    throw cause
  }
  await handle.close()
  return temporary
}

/** Makes a rename or link in `dir` durable. */
const syncDirectory = async (dir: string) => {
  const handle = await Fs.open(dir, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

const randomSuffix = (crypto: Crypto["Type"]) =>
  Effect.map(crypto.randomBytes(8), (bytes) => Buffer.from(bytes).toString("hex"))

/** Replaces the file atomically with `keys`. */
const replaceKeyFile = (path: string, keys: MasterKeys, suffix: string) =>
  Effect.tryPromise({
    try: async () => {
      const temporary = await writeTemporary(path, formatKeyFile(keys), suffix)
      try {
        await Fs.rename(temporary, path)
      } catch (cause) {
        await Fs.rm(temporary, { force: true })
        throw cause
      }
      await syncDirectory(Path.dirname(path))
    },
    catch: (cause) => cause
  })

/**
 * Creates the file with `keys` unless one appeared meanwhile: `link` refuses to replace an existing name, where
 * `rename` would clobber it. Returns false when another process won.
 */
const createKeyFile = (path: string, keys: MasterKeys, suffix: string) =>
  Effect.tryPromise({
    try: async () => {
      await Fs.mkdir(Path.dirname(path), { recursive: true, mode: 0o700 })
      const temporary = await writeTemporary(path, formatKeyFile(keys), suffix)
      try {
        await Fs.link(temporary, path)
      } catch (cause) {
        if (isErrno(cause, "EEXIST")) return false
        throw cause
      } finally {
        await Fs.rm(temporary, { force: true })
      }
      await syncDirectory(Path.dirname(path))
      return true
    },
    catch: (cause) => new KeyFileUnreadable({ path, cause })
  })

/** Builds `KeyManagement` from the key file at `options.path`; needs `Crypto`. */
export const makeKeyFile = (options: KeyFileOptions): Effect.Effect<KeyManagement["Type"], KeyFileError, Crypto> =>
  Effect.gen(function*() {
    const crypto = yield* Crypto
    const path = Path.resolve(options.path)
    let initial = yield* readKeyFile(path)
    if (initial === undefined) {
      if (options.create === "never") return yield* new KeyFileMissing({ path })
      const generated = yield* generateMasterKeys(crypto)
      const created = yield* createKeyFile(path, generated, yield* randomSuffix(crypto))
      initial = created ? generated : yield* readKeyFile(path)
      if (initial === undefined) return yield* new KeyFileMissing({ path })
    }
    return yield* makeMasterKeyManagement({
      crypto,
      initial,
      persist: (next) =>
        Effect.flatMap(randomSuffix(crypto), (suffix) => replaceKeyFile(path, next, suffix)).pipe(
          Effect.mapError(keyManagementFailure("KeyManagement.persist"))
        )
    })
  })

/** Provides `KeyManagement` from a master key file; fails to build with a `KeyFileError` naming the path. */
export const layerKeyFile = (options: KeyFileOptions): Layer.Layer<KeyManagement, KeyFileError, Crypto> =>
  Layer.effect(KeyManagement, makeKeyFile(options))
