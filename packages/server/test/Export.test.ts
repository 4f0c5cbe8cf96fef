/**
 * The export archive over HTTP: `GET /v1/privacy/export` streams a ZIP of everything of the signed-in account.
 */
import { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { unzipSync } from "fflate"
import { layerTestServer, raw, signUp } from "./support.js"

const token = (grant: { readonly token: Redacted.Redacted<string> | string }) =>
  typeof grant.token === "string" ? grant.token : Redacted.value(grant.token)

describe("export over HTTP", () => {
  it.effect("answers a ZIP attachment named for the day", () =>
    Effect.gen(function*() {
      const http = yield* raw
      const alice = yield* signUp()
      const response = yield* http.execute(
        HttpClientRequest.get("/v1/privacy/export").pipe(HttpClientRequest.bearerToken(token(alice.grant)))
      )
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers["content-type"], "application/zip")
      assert.match(response.headers["content-disposition"] ?? "", /^attachment; filename="custos-export-\d{4}-\d{2}-\d{2}\.zip"$/)
      const files = unzipSync(new Uint8Array(yield* response.arrayBuffer))
      assert.includeMembers(Object.keys(files), ["README.txt", "settings.json", "inventory.json"])

      const anonymous = yield* http.execute(HttpClientRequest.get("/v1/privacy/export"))
      assert.strictEqual(anonymous.status, 401)
    }).pipe(Effect.provide(layerTestServer()), Effect.scoped))
})
