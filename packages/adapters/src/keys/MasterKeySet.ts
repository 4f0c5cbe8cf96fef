/**
 * `KeyManagement` over a set of versioned 32-byte master keys held in this process, with a hook to persist every
 * change before it takes effect. The key file adapter and the in-memory one both build on it. It is the master key
 * level of DESIGN.md "Encryption at rest": wrapping is AES-256-GCM through the `Crypto` port, and the AAD binds the
 * master key version along with the caller's context, so a wrapped key cannot be passed off under another version.
 */
import type { Crypto } from "@custos/core/ports/Crypto"
import {
  KeyManagement,
  KeyManagementError,
  MasterKeyInUse,
  MasterKeyVersionUnknown
} from "@custos/core/ports/KeyManagement"
import { Effect, Ref } from "effect"

/** Master key bytes by version, and the version that wraps. */
export interface MasterKeys {
  readonly current: number
  readonly keys: ReadonlyMap<number, Uint8Array>
}

const MASTER_KEY_BYTES = 32
const LABEL = new TextEncoder().encode("custos/master-wrap/v1")

const u32 = (n: number) => {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n)
  return out
}

/** `u32 len ‖ label ‖ u32 master version ‖ u32 len ‖ caller aad`. */
const wrapAad = (masterVersion: number, aad: Uint8Array) =>
  Buffer.concat([u32(LABEL.length), LABEL, u32(masterVersion), u32(aad.length), aad])

/** Checks what a backend loaded: a current version among the keys, every key 32 bytes, versions u32 >= 1. */
export const checkMasterKeys = (keys: MasterKeys): string | undefined => {
  for (const [version, key] of keys.keys) {
    if (!Number.isInteger(version) || version < 1 || version > 0xffffffff) return `version ${version} is not a u32 >= 1`
    if (key.length !== MASTER_KEY_BYTES) return `the key of version ${version} is not ${MASTER_KEY_BYTES} bytes`
  }
  if (!keys.keys.has(keys.current)) return `the current version ${keys.current} has no key`
  return undefined
}

/** A fresh key set with one random version 1. */
export const generateMasterKeys = (crypto: Crypto["Type"]): Effect.Effect<MasterKeys> =>
  Effect.map(crypto.randomBytes(MASTER_KEY_BYTES), (key) => ({ current: 1, keys: new Map([[1, key]]) }))

export const makeMasterKeyManagement = (options: {
  readonly crypto: Crypto["Type"]
  readonly initial: MasterKeys
  /** Makes a new key set durable; the change takes effect only when this succeeds. */
  readonly persist: (next: MasterKeys) => Effect.Effect<void, KeyManagementError>
}): Effect.Effect<KeyManagement["Type"]> =>
  Effect.gen(function*() {
    const { crypto, persist } = options
    const state = yield* Ref.make(options.initial)
    const changes = yield* Effect.makeSemaphore(1)

    const rotate = changes.withPermits(1)(
      Effect.gen(function*() {
        const { keys } = yield* Ref.get(state)
        const version = Math.max(...keys.keys()) + 1
        const key = yield* crypto.randomBytes(MASTER_KEY_BYTES)
        const next: MasterKeys = { current: version, keys: new Map([...keys, [version, key]]) }
        yield* persist(next)
        yield* Ref.set(state, next)
        return version
      })
    )

    const retire = (version: number) =>
      changes.withPermits(1)(
        Effect.gen(function*() {
          const { current, keys } = yield* Ref.get(state)
          if (version === current) {
            return yield* new MasterKeyInUse({ version, reason: "it is the version new keys are wrapped with" })
          }
          if (!keys.has(version)) return
          const next: MasterKeys = { current, keys: new Map([...keys].filter(([v]) => v !== version)) }
          yield* persist(next)
          yield* Ref.set(state, next)
        })
      )

    return {
      currentVersion: Effect.map(Ref.get(state), (s) => s.current),
      versions: Effect.map(Ref.get(state), (s) => [...s.keys.keys()].sort((a, b) => a - b)),
      wrap: (key, aad) =>
        Effect.gen(function*() {
          const { current, keys } = yield* Ref.get(state)
          const sealed = yield* crypto.wrapKey({ kek: keys.get(current)!, key, aad: wrapAad(current, aad) })
          return { masterVersion: current, sealed }
        }),
      unwrap: (wrapped, aad) =>
        Effect.gen(function*() {
          const { keys } = yield* Ref.get(state)
          const kek = keys.get(wrapped.masterVersion)
          if (kek === undefined) return yield* new MasterKeyVersionUnknown({ version: wrapped.masterVersion })
          return yield* crypto.unwrapKey({ kek, wrapped: wrapped.sealed, aad: wrapAad(wrapped.masterVersion, aad) })
        }),
      rotate,
      retire
    } satisfies KeyManagement["Type"]
  })

/** Turns an unexpected failure into the port's error for `operation`. */
export const keyManagementFailure = (operation: string) => (cause: unknown) =>
  new KeyManagementError({ operation, cause })
