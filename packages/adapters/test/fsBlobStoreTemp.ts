/**
 * A filesystem blob store in a temp folder of its own, removed when the scope that made it closes: for tests that
 * want files on disk (the blob store suite, the conformance suite over the SQL stores) without keeping any.
 */
import { layerFsBlobStore } from "@custos/adapters/blobs/FsBlobStore"
import { Effect, Layer } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A fresh temp folder for the scope. */
export const tempFolder = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "custos-blobs-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** A filesystem blob store in a folder of its own per build. */
export const layerFsBlobStoreTemp = Layer.unwrapScoped(Effect.map(tempFolder, (root) => layerFsBlobStore({ root })))
