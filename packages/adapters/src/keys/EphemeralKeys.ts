/**
 * node:crypto and a master key that lives only as long as the process: for tests, demos and embedding where
 * nothing is persisted. Anything sealed under it is unreadable after a restart, so a real deployment uses a key
 * file (`layerKeyFile`) or a key service instead.
 */
import { Layer } from "effect"
import { layerNodeCrypto } from "../crypto/NodeCrypto.js"
import { layerKeyManagementMemory } from "./KeyManagementMemory.js"

export const layerEphemeralKeys = layerKeyManagementMemory.pipe(Layer.provideMerge(layerNodeCrypto))
