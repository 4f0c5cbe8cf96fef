/**
 * Writes `packages/server/openapi.json`, the OpenAPI document derived from the protocol. A test fails when the
 * checked-in file differs from what the protocol derives: run `pnpm openapi` after changing the protocol.
 */
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { OpenApi } from "@effect/platform"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

export const openApiFile = Path.join(Path.dirname(fileURLToPath(import.meta.url)), "..", "openapi.json")

export const renderOpenApi = (): string => JSON.stringify(OpenApi.fromApi(CustosApi), null, 2) + "\n"

if (process.argv[1] !== undefined && Path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  Fs.writeFileSync(openApiFile, renderOpenApi())
  console.log(`Wrote ${openApiFile}`)
}
