/**
 * `KeyManagement` in memory: a random master key made when the layer is built, lost with the process. For tests
 * and for embedding where nothing is persisted (DESIGN.md "Encryption at rest", the master key level).
 */
import { Crypto } from "@custos/core/ports/Crypto"
import { KeyManagement } from "@custos/core/ports/KeyManagement"
import { Effect, Layer } from "effect"
import { generateMasterKeys, makeMasterKeyManagement } from "./MasterKeySet.js"

export const makeKeyManagementMemory = Effect.gen(function*() {
  const crypto = yield* Crypto
  const initial = yield* generateMasterKeys(crypto)
  return yield* makeMasterKeyManagement({ crypto, initial, persist: () => Effect.void })
})

/** Needs `Crypto` (e.g. `layerNodeCrypto`). */
export const layerKeyManagementMemory = Layer.effect(KeyManagement, makeKeyManagementMemory)
