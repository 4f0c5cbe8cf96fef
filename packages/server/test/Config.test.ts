/**
 * Configuration and password hashing: defaults that need no setup, refusal of plain HTTP on a public address,
 * the key-beside-data check, the memory fallback of storage, and scrypt at the OWASP parameters.
 */
import { AccountStore } from "@custos/core/ports/AccountStore"
import { CredentialStore } from "@custos/core/ports/CredentialStore"
import { assert, describe, it } from "@effect/vitest"
import { layerAccountStoreMemory } from "@custos/adapters/memory/AccountStoreMemory"
import { ConfigProvider, Effect, Layer, Option, Redacted } from "effect"
import * as Path from "node:path"
import { owaspScrypt, PasswordHasher } from "../src/auth/PasswordHasher.js"
import { keyBesideData, loadServerConfig } from "../src/ServerConfig.js"
import { withMemoryFallback } from "../src/Storage.js"

const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("server configuration", () => {
  it.effect("defaults to loopback:8080, ./data, SQLite and a key file in it", () =>
    Effect.gen(function*() {
      const config = yield* loadServerConfig().pipe(withEnv({}))
      assert.strictEqual(config.host, "127.0.0.1")
      assert.strictEqual(config.port, 8080)
      assert.strictEqual(config.dataDir, Path.resolve("data"))
      assert.strictEqual(config.sqliteFile, Path.resolve("data", "custos.sqlite"))
      assert.strictEqual(config.keyFile, Path.resolve("data", "master.key"))
      assert.isTrue(Option.isNone(config.databaseUrl))
      assert.isTrue(keyBesideData(config))
    }))

  it.effect("flags override the environment; a key file elsewhere is not beside the data", () =>
    Effect.gen(function*() {
      const config = yield* loadServerConfig({ port: 9000, dataDir: "/srv/custos" }).pipe(
        withEnv({ CUSTOS_PORT: "7000", CUSTOS_KEY_FILE: "/etc/custos/master.key", DATABASE_URL: "postgres://x" })
      )
      assert.strictEqual(config.port, 9000)
      assert.isFalse(keyBesideData(config))
      assert.strictEqual(Option.map(config.databaseUrl, Redacted.value).pipe(Option.getOrUndefined), "postgres://x")
      assert.notInclude(String(config.databaseUrl), "postgres://x")
    }))

  it.effect("refuses plain HTTP on a public address unless behind a TLS proxy or given a certificate", () =>
    Effect.gen(function*() {
      const refused = yield* loadServerConfig({ host: "0.0.0.0" }).pipe(withEnv({}), Effect.flip)
      assert.strictEqual(refused._tag, "InsecureListener")
      assert.include(refused.message, "CUSTOS_BEHIND_TLS_PROXY")
      const proxied = yield* loadServerConfig({ host: "0.0.0.0" }).pipe(withEnv({ CUSTOS_BEHIND_TLS_PROXY: "true" }))
      assert.isTrue(proxied.behindTlsProxy)
      const tls = yield* loadServerConfig({ host: "0.0.0.0" }).pipe(
        withEnv({ CUSTOS_TLS_CERT: "cert.pem", CUSTOS_TLS_KEY: "key.pem" })
      )
      assert.isTrue(Option.isSome(tls.tls))
      const half = yield* loadServerConfig().pipe(withEnv({ CUSTOS_TLS_CERT: "cert.pem" }), Effect.flip)
      assert.strictEqual(half._tag, "InvalidServerConfig")
      const badPort = yield* loadServerConfig().pipe(withEnv({ CUSTOS_PORT: "http" }), Effect.flip)
      assert.strictEqual(badPort._tag, "ConfigError")
    }))

  it.effect("serves from memory only the ports the SQL stores lack, and names them", () =>
    Effect.gen(function*() {
      const named: Array<string> = []
      const storage = withMemoryFallback(layerAccountStoreMemory, (names) => Effect.sync(() => named.push(...names)))
      yield* Effect.gen(function*() {
        yield* AccountStore
        yield* CredentialStore
      }).pipe(Effect.provide(storage))
      assert.notInclude(named, "AccountStore")
      assert.include(named, "CredentialStore")
      assert.include(named, "RecordStore")
      const none: Array<string> = []
      yield* Effect.provide(Effect.void, withMemoryFallback(Layer.empty, (names) => Effect.sync(() => none.push(...names))))
      assert.include(none, "SessionStore")
    }))
})

describe("password hashing", () => {
  it.live("hashes with scrypt at N = 2^17, r = 8, p = 1 and a 16-byte salt, and verifies in constant time", () =>
    Effect.gen(function*() {
      const hasher = yield* PasswordHasher
      const hash = yield* hasher.hash(Redacted.make("correct horse battery"))
      const [kind, log2N, r, p, salt] = hash.split("$")
      assert.deepStrictEqual([kind, Number(log2N), Number(r), Number(p)], ["scrypt", 17, 8, 1])
      assert.deepStrictEqual(owaspScrypt, { log2N: 17, r: 8, p: 1 })
      assert.strictEqual(Buffer.from(salt!, "base64url").length, 16)
      assert.isTrue(yield* hasher.verify(Redacted.make("correct horse battery"), hash))
      assert.isFalse(yield* hasher.verify(Redacted.make("correct horse batterY"), hash))
      assert.isFalse(yield* hasher.verify(Redacted.make("x"), "scrypt$99$8$1$aa$bb"))
      assert.notStrictEqual(yield* hasher.hash(Redacted.make("correct horse battery")), hash)
    }).pipe(Effect.provide(PasswordHasher.layer)), 30_000)
})
