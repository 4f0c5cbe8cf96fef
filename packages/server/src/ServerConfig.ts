/**
 * The server's configuration, from environment variables (Effect `Config`) with command-line flags on top. Every
 * value has a default that needs no setup: SQLite and a key file under `./data`, listening on 127.0.0.1:8080.
 * Secrets (the database URL, the operator token) stay `Redacted` to the last call and are never logged.
 *
 * A listener on a non-loopback address must speak TLS (a certificate and key) or stand behind a TLS proxy
 * (`CUSTOS_BEHIND_TLS_PROXY=true`); anything else is refused at start with `InsecureListener`.
 */
import { Config, Effect, Option, type Redacted, Schema } from "effect"
import * as Path from "node:path"

export interface ServerConfig {
  readonly host: string
  readonly port: number
  readonly dataDir: string
  /** PostgreSQL when set; otherwise SQLite at `sqliteFile`. */
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
  readonly sqliteFile: string
  readonly keyFile: string
  /** The folder of the filesystem blob store; `<data>/blobs` unless `CUSTOS_BLOB_DIR` says otherwise. */
  readonly blobDir: string
  /** The largest blob an upload may store, in bytes (`CUSTOS_MAX_BLOB_BYTES`, 4 GiB by default). */
  readonly maxBlobBytes: number
  /** Whether a missing key file may be created (a new installation). */
  readonly createKeyFile: Option.Option<boolean>
  /** Without it the operator endpoints refuse every request. */
  readonly operatorToken: Option.Option<Redacted.Redacted<string>>
  readonly behindTlsProxy: boolean
  readonly tls: Option.Option<{ readonly certFile: string; readonly keyFile: string }>
  readonly maxBodyBytes: number
  /** Requests per minute a network address, and separately an account, may make. */
  readonly rateLimitPerMinute: number
  /** Sign-up and sign-in attempts per minute per network address. */
  readonly authRateLimitPerMinute: number
  /** How often `serve` runs the trash sweeper and tombstone compaction. */
  readonly jobIntervalMinutes: number
  /** Conformance mode: the clock hook of `ConformanceClock.ts` is mounted; loopback only. */
  readonly conformance: boolean
}

/** Flags given on the command line; each overrides its environment variable. */
export interface ConfigOverrides {
  readonly host?: string | undefined
  readonly port?: number | undefined
  readonly dataDir?: string | undefined
  readonly conformance?: boolean | undefined
}

export class InsecureListener extends Schema.TaggedError<InsecureListener>()("InsecureListener", {
  host: Schema.String
}) {
  readonly code = "insecure-listener"
  override get message() {
    return `Custos will not serve plain HTTP on ${this.host}, which is not a loopback address: give it a TLS ` +
      "certificate (CUSTOS_TLS_CERT and CUSTOS_TLS_KEY), or set CUSTOS_BEHIND_TLS_PROXY=true if a proxy in front " +
      "of it terminates TLS"
  }
}

export class ConformanceOffLoopback extends Schema.TaggedError<ConformanceOffLoopback>()("ConformanceOffLoopback", {
  host: Schema.String
}) {
  readonly code = "conformance-off-loopback"
  override get message() {
    return `Custos will not start in conformance mode on ${this.host}: its clock hook lets anyone who reaches it ` +
      "move the server's time, so conformance mode listens on a loopback address only (127.0.0.1 or ::1)"
  }
}

export class InvalidServerConfig extends Schema.TaggedError<InvalidServerConfig>()("InvalidServerConfig", {
  reason: Schema.String
}) {
  readonly code = "invalid-server-config"
  override get message() {
    return `The server configuration is invalid: ${this.reason}`
  }
}

export const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host)

const optionalString = (name: string) => Config.option(Config.nonEmptyString(name))

/** Reads the environment; `overrides` (command-line flags) win over it. */
export const loadServerConfig = (overrides: ConfigOverrides = {}) =>
  Effect.gen(function*() {
    const host = overrides.host ?? (yield* Config.string("CUSTOS_HOST").pipe(Config.withDefault("127.0.0.1")))
    const port = overrides.port ??
      (yield* Config.port("CUSTOS_PORT").pipe(Config.withDefault(8080)))
    const dataDir = Path.resolve(
      overrides.dataDir ?? (yield* Config.string("CUSTOS_DATA_DIR").pipe(Config.withDefault("./data")))
    )
    const keyFile = Path.resolve(
      Option.getOrElse(yield* optionalString("CUSTOS_KEY_FILE"), () => Path.join(dataDir, "master.key"))
    )
    const certFile = yield* optionalString("CUSTOS_TLS_CERT")
    const tlsKeyFile = yield* optionalString("CUSTOS_TLS_KEY")
    if (Option.isSome(certFile) !== Option.isSome(tlsKeyFile)) {
      return yield* new InvalidServerConfig({ reason: "CUSTOS_TLS_CERT and CUSTOS_TLS_KEY must be set together" })
    }
    const tls = Option.all({ certFile, keyFile: tlsKeyFile }).pipe(
      Option.map(({ certFile, keyFile }) => ({ certFile: Path.resolve(certFile), keyFile: Path.resolve(keyFile) }))
    )
    const conformance = overrides.conformance === true ||
      (yield* Config.boolean("CUSTOS_CONFORMANCE").pipe(Config.withDefault(false)))
    if (conformance && !isLoopback(host)) {
      return yield* new ConformanceOffLoopback({ host })
    }
    const behindTlsProxy = yield* Config.boolean("CUSTOS_BEHIND_TLS_PROXY").pipe(Config.withDefault(false))
    if (!isLoopback(host) && Option.isNone(tls) && !behindTlsProxy) {
      return yield* new InsecureListener({ host })
    }
    const positive = (name: string, fallback: number) =>
      Config.integer(name).pipe(
        Config.validate({ message: `${name} must be a positive integer`, validation: (n) => n > 0 }),
        Config.withDefault(fallback)
      )
    const config: ServerConfig = {
      host,
      port,
      dataDir,
      databaseUrl: yield* Config.option(Config.redacted("DATABASE_URL")),
      sqliteFile: Path.join(dataDir, "custos.sqlite"),
      keyFile,
      blobDir: Path.resolve(
        Option.getOrElse(yield* optionalString("CUSTOS_BLOB_DIR"), () => Path.join(dataDir, "blobs"))
      ),
      maxBlobBytes: yield* positive("CUSTOS_MAX_BLOB_BYTES", 4 * 1024 * 1024 * 1024),
      createKeyFile: yield* Config.option(Config.boolean("CUSTOS_CREATE_KEY_FILE")),
      operatorToken: yield* Config.option(Config.redacted("CUSTOS_OPERATOR_TOKEN")),
      behindTlsProxy,
      tls,
      maxBodyBytes: yield* positive("CUSTOS_MAX_BODY_BYTES", 8 * 1024 * 1024),
      rateLimitPerMinute: yield* positive("CUSTOS_RATE_LIMIT_PER_MINUTE", 600),
      authRateLimitPerMinute: yield* positive("CUSTOS_AUTH_RATE_LIMIT_PER_MINUTE", 20),
      jobIntervalMinutes: yield* positive("CUSTOS_JOB_INTERVAL_MINUTES", 5),
      conformance
    }
    return config
  })

/** Whether the key file sits inside the data directory: the key beside the data it protects. */
export const keyBesideData = (config: Pick<ServerConfig, "dataDir" | "keyFile">): boolean => {
  const relative = Path.relative(config.dataDir, config.keyFile)
  return relative !== "" && !relative.startsWith("..") && !Path.isAbsolute(relative)
}
