/**
 * Password hashing with scrypt from node:crypto, at the OWASP parameters (N = 2^17, r = 8, p = 1) with a 16-byte
 * random salt. The stored form names its parameters (`scrypt$17$8$1$<salt>$<hash>`, base64url), so they can be
 * raised later and old hashes still verify. Comparison is constant-time. Each hash takes 128 MiB and about half a
 * second of one core, so at most two run at once.
 */
import { Context, Effect, Layer, Redacted } from "effect"
import * as NodeCrypto from "node:crypto"

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  readonly log2N: number
  readonly r: number
  readonly p: number
}

/** OWASP Password Storage Cheat Sheet: N = 2^17, r = 8, p = 1. */
export const owaspScrypt: ScryptParams = { log2N: 17, r: 8, p: 1 }

const SALT_BYTES = 16
const KEY_BYTES = 32

const scrypt = (password: string, salt: Buffer, params: ScryptParams) =>
  Effect.async<Buffer, Error>((resume) => {
    const N = 2 ** params.log2N
    // scrypt needs 128 * N * r bytes; leave room above it.
    const maxmem = 256 * N * params.r
    NodeCrypto.scrypt(password, salt, KEY_BYTES, { N, r: params.r, p: params.p, maxmem }, (error, key) => {
      resume(error === null ? Effect.succeed(key) : Effect.fail(error))
    })
  })

export class PasswordHasher extends Context.Tag("@custos/server/PasswordHasher")<PasswordHasher, {
  readonly hash: (password: Redacted.Redacted<string>) => Effect.Effect<string>
  /** Whether the password matches the stored hash; false for a malformed hash. */
  readonly verify: (password: Redacted.Redacted<string>, stored: string) => Effect.Effect<boolean>
  /** Spends the time of one verification without a hash, so an unknown login name answers as slowly. */
  readonly burn: (password: Redacted.Redacted<string>) => Effect.Effect<void>
}>() {
  static readonly layerWith = (params: ScryptParams) =>
    Layer.sync(PasswordHasher, () => {
      const semaphore = Effect.unsafeMakeSemaphore(2)
      const limited = semaphore.withPermits(1)
      const hash = (password: Redacted.Redacted<string>) =>
        Effect.gen(function*() {
          const salt = NodeCrypto.randomBytes(SALT_BYTES)
          const key = yield* limited(scrypt(Redacted.value(password), salt, params))
          return ["scrypt", params.log2N, params.r, params.p, salt.toString("base64url"), key.toString("base64url")]
            .join("$")
        }).pipe(Effect.orDie)
      const verify = (password: Redacted.Redacted<string>, stored: string) =>
        Effect.gen(function*() {
          const [kind, log2N, r, p, salt, expected, ...rest] = stored.split("$")
          if (kind !== "scrypt" || expected === undefined || salt === undefined || rest.length > 0) return false
          const stated = { log2N: Number(log2N), r: Number(r), p: Number(p) }
          if (![stated.log2N, stated.r, stated.p].every((n) => Number.isInteger(n) && n > 0) || stated.log2N > 22) {
            return false
          }
          const key = yield* limited(scrypt(Redacted.value(password), Buffer.from(salt, "base64url"), stated))
          const want = Buffer.from(expected, "base64url")
          return want.length === key.length && NodeCrypto.timingSafeEqual(want, key)
        }).pipe(Effect.orDie)
      const burn = (password: Redacted.Redacted<string>) =>
        limited(scrypt(Redacted.value(password), NodeCrypto.randomBytes(SALT_BYTES), params)).pipe(
          Effect.orDie,
          Effect.asVoid
        )
      return { hash, verify, burn }
    })

  static readonly layer = PasswordHasher.layerWith(owaspScrypt)
}
