/**
 * The reference wiring the conformance command line loads for `--target in-process` unless its configuration names
 * another module: core over the memory stores (files too) and a master key that lives as long as the run. The runner
 * imports this module by path at run time, so neither package depends on the other at build time. A module of one's
 * own exports the same: `storage`, a Layer of every storage and key port core needs (a `BlobStore` among them), and
 * optionally `name`.
 */
import { Layer } from "effect"
import { layerBlobStoreMemory } from "../blobs/BlobStoreMemory.js"
import { layerEphemeralKeys } from "../keys/EphemeralKeys.js"
import { layerMemoryStores } from "../memory/MemoryStores.js"

export const name = "in-process core over memory stores"

export const storage = Layer.mergeAll(layerMemoryStores, layerEphemeralKeys, layerBlobStoreMemory)
