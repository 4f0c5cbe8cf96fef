/**
 * Requests a careless or hostile client sends, each answered with a coded refusal and nothing stored: JSON nested
 * thousands deep, bodies of the wrong content type (whose refusal must not repeat them: they may hold a password),
 * `;` or `#` in a path (in origin or absolute form), ids a URL would rewrite (`.`, `..`) or longer than the router's
 * default, ranges past the end or backwards, regions and names with characters that only look right.
 */
import { MutationId, RecordId } from "@custos/core/domain/Ids"
import { samples } from "@custos/conformance/Samples"
import { HttpClientRequest, type HttpClientResponse, HttpServer } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as Http from "node:http"
import { layerTestServer, raw, signUp } from "./support.js"

const token = (grant: { readonly token: Redacted.Redacted<string> | string }) =>
  typeof grant.token === "string" ? grant.token : Redacted.value(grant.token)

const send = (request: HttpClientRequest.HttpClientRequest) => Effect.flatMap(raw, (http) => http.execute(request))

/** The answer's status and JSON body (`{}` when it has none). */
const answer = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.map(response.text, (text) => ({
    status: response.status,
    text,
    body: (text === "" ? {} : JSON.parse(text)) as { code?: string; message?: string }
  }))

const postJson = (path: string, body: string, bearer?: string, contentType = "application/json") =>
  send(HttpClientRequest.post(path).pipe(
    bearer === undefined ? (r) => r : HttpClientRequest.bearerToken(bearer),
    HttpClientRequest.bodyText(body, contentType)
  )).pipe(Effect.flatMap(answer))

/** The test server's loopback address. */
const serverAddress = Effect.map(HttpServer.HttpServer, (server) => server.address as HttpServer.TcpAddress)

/**
 * Sends `target` exactly as written (no URL library in between resolves `..`, drops a fragment or rewrites an
 * absolute-form target), and reads the answer.
 */
const verbatim = (method: string, target: string, bearer?: string, body?: string) =>
  Effect.flatMap(serverAddress, ({ port }) =>
    Effect.async<{ status: number; text: string; body: { code?: string; message?: string } }, Error>((resume) => {
      const request = Http.request({
        host: "127.0.0.1",
        port,
        method,
        path: target,
        headers: {
          ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
          ...(body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
        }
      }, (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8")
          resume(Effect.succeed({ status: response.statusCode ?? 0, text, body: text === "" ? {} : JSON.parse(text) }))
        })
      })
      request.on("error", (error) => resume(Effect.fail(error)))
      request.end(body)
    }))

const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth)

describe("hostile input over HTTP", () => {
  it.effect("JSON nested thousands deep is a 400 with a code, wherever it sits", () =>
    Effect.gen(function*() {
      const alice = yield* signUp()
      yield* alice.api.settings.update({ payload: { apps: { notes: true } } })
      const bearer = token(alice.grant)
      const cases = [
        ["/v1/sessions", `{"loginName":${deep(4000)},"password":"xxxxxxxxx","deviceName":"d"}`, undefined],
        ["/v1/accounts", deep(4000), undefined],
        ["/v1/apps/notes/push", `{"mutations":${deep(4000)}}`, bearer],
      ] as const
      for (const [path, body, bearerOf] of cases) {
        const refused = yield* postJson(path, body, bearerOf)
        assert.strictEqual(refused.status, 400, `${path}: ${refused.text.slice(0, 200)}`)
        assert.isString(refused.body.code, path)
        assert.isString(refused.body.message, path)
      }
      // Deep inside a payload, the mutation is answered on its own: rejected, with a code.
      const mutation = {
        mutationId: "m1",
        recordId: "n1",
        op: "put",
        baseVersion: 0,
        payload: { ...samples.notes(1), title: "DEEP" }
      }
      const inPayload = yield* postJson(
        "/v1/apps/notes/push",
        JSON.stringify({ mutations: [mutation] }).replace(`"DEEP"`, deep(4000)),
        bearer
      )
      assert.strictEqual(inPayload.status, 200, inPayload.text.slice(0, 300))
      const outcome = (inPayload.body as { outcomes: ReadonlyArray<{ _tag: string; code: string }> }).outcomes[0]!
      assert.strictEqual(outcome._tag, "rejected")
      assert.strictEqual(outcome.code, "invalid-payload")
      const settings = yield* send(HttpClientRequest.patch("/v1/settings").pipe(
        HttpClientRequest.bearerToken(bearer),
        HttpClientRequest.bodyText(`{"apps":${deep(4000)}}`, "application/json")
      )).pipe(Effect.flatMap(answer))
      assert.strictEqual(settings.status, 400)
      assert.isString(settings.body.code)
      const pulled = yield* alice.api.sync.changes({ path: { app: "notes" }, urlParams: {} })
      assert.deepStrictEqual(pulled.changes, [])
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("a refusal does not repeat the body it could not read, nor any long value", () =>
    Effect.gen(function*() {
      const secret = "SECRET-password-123"
      const plain = yield* postJson(
        "/v1/sessions",
        JSON.stringify({ loginName: "someone@example.org", password: secret, deviceName: "Phone" }),
        undefined,
        "text/plain"
      )
      assert.strictEqual(plain.status, 400)
      assert.strictEqual(plain.body.code, "invalid-request")
      assert.notInclude(plain.text, secret, plain.text)
      const long = yield* postJson(
        "/v1/accounts",
        JSON.stringify({ loginName: "x".repeat(100_000), password: secret, region: "DE", deviceName: "Phone" })
      )
      assert.strictEqual(long.status, 400)
      assert.isBelow(long.text.length, 4_000)
      assert.notInclude(long.text, secret)
    }).pipe(Effect.provide(layerTestServer({ maxBodyBytes: 1024 * 1024 }))))

  it.effect("a mutation with a field the protocol does not name is refused, not applied without it", () =>
    Effect.gen(function*() {
      const alice = yield* signUp()
      yield* alice.api.settings.update({ payload: { apps: { notes: true } } })
      const bearer = token(alice.grant)
      const put = (extra: Record<string, unknown>) =>
        postJson(
          "/v1/apps/notes/push",
          JSON.stringify({
            mutations: [{ mutationId: "m-1", recordId: "n1", op: "put", payload: samples.notes(1), ...extra }]
          }),
          bearer
        )
      // A misspelt baseVersion would make the write blind: last writer wins over whatever is stored.
      const refused = yield* put({ baseVerison: 3 })
      assert.strictEqual(refused.status, 400, refused.text.slice(0, 300))
      assert.strictEqual(refused.body.code, "invalid-request")
      assert.include(refused.body.message, "baseVerison")
      // Nor a key of any length: an unknown field is named by the start of its name.
      const longKey = yield* put({ ["k".repeat(18_000)]: 1 })
      assert.strictEqual(longKey.status, 400)
      assert.strictEqual(longKey.body.code, "invalid-request")
      assert.isBelow(longKey.text.length, 2_000, longKey.text.slice(0, 300))
      assert.include(longKey.text, "k".repeat(63) + "\u2026")
      // Inside a payload too: the mutation is answered on its own, naming the field by the start of its name.
      const inPayload = yield* put({ payload: { ...samples.notes(1), ["k".repeat(18_000)]: 1 } })
      assert.strictEqual(inPayload.status, 200)
      assert.include(inPayload.text, "invalid-payload")
      assert.isBelow(inPayload.text.length, 2_000, inPayload.text.slice(0, 300))
      assert.include(inPayload.text, "k".repeat(63) + "\u2026")
      const pulled = yield* alice.api.sync.changes({ path: { app: "notes" }, urlParams: {} })
      assert.deepStrictEqual(pulled.changes, [])
      assert.strictEqual((yield* put({ baseVersion: 0 })).status, 200)
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("a ';' or '#' in a path is refused, not cut off to name another record, in any form of target", () =>
    Effect.gen(function*() {
      const alice = yield* signUp()
      const bearer = token(alice.grant)
      const refused = yield* send(HttpClientRequest.del("/v1/trash/notes/keep;junk").pipe(
        HttpClientRequest.bearerToken(bearer)
      )).pipe(Effect.flatMap(answer))
      assert.strictEqual(refused.status, 400)
      assert.strictEqual(refused.body.code, "invalid-request")
      const { port } = yield* serverAddress
      for (
        const target of [
          "/v1/trash/notes/keep#junk",
          `http://127.0.0.1:${port}/v1/trash/notes/keep;junk`,
          `http://127.0.0.1:${port}/v1/trash/notes/keep#junk`,
          `http://127.0.0.1:${port}/v1/trash/notes/..`
        ]
      ) {
        const answered = yield* verbatim("DELETE", target, bearer)
        assert.strictEqual(answered.status, 400, target)
        assert.strictEqual(answered.body.code, "invalid-request", target)
      }
      // An absolute-form target is otherwise served as the path it names.
      const listed = yield* verbatim("GET", `http://127.0.0.1:${port}/v1/trash`, bearer)
      assert.strictEqual(listed.status, 200, listed.text.slice(0, 200))
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("sign-in by any spelling of its path counts toward the sign-in limit, or is no path at all", () =>
    Effect.gen(function*() {
      const { port } = yield* serverAddress
      const body = JSON.stringify({ loginName: "nobody@example.org", password: "not the password", deviceName: "d" })
      assert.strictEqual((yield* verbatim("POST", "/v1/sessions", undefined, body)).status, 401)
      const spellings = [
        "/v1/sessions",
        `http://127.0.0.1:${port}/v1/sessions`,
        "http://localhost/v1/sessions?x=1",
        "http://h?/v1/sessions",
        "/v1/%73essions",
        "/%761/sessions",
        "/v1/sessions/",
        "//v1/sessions",
        "/v1//sessions",
        "/V1/Sessions",
        "*v1/sessions"
      ]
      for (const target of spellings) {
        const answered = yield* verbatim("POST", target, undefined, body)
        // Limited (429), refused (400) or not served at all (404): never another password check.
        assert.include([429, 400, 404], answered.status, `${target}: ${answered.text.slice(0, 200)}`)
      }
    }).pipe(Effect.provide(layerTestServer({ authRateLimitPerMinute: 1 }))))

  it.effect("a path spelt another way is read as the router reads it: its checks apply, or it is served nowhere", () =>
    Effect.gen(function*() {
      const alice = yield* signUp()
      const bearer = token(alice.grant)
      for (
        const target of ["//v1/trash/notes/keep;junk", "/V1/trash/notes/keep;junk", "/%761/trash/notes/keep;junk",
          "http://h?/v1/trash/notes/keep;junk", "//v1/trash/notes/..", "/%761/trash/notes/%2e%2E",
          "*v1/trash/notes/keep;junk", "*v1/trash/notes/.."]
      ) {
        const answered = yield* verbatim("DELETE", target, bearer)
        assert.include([400, 404], answered.status, target)
        assert.include(["invalid-request", "route-not-found"], answered.body.code, `${target}: ${answered.text}`)
      }
      for (const target of ["//v1/blobs/..", "/%761/blobs/..", "/v1/blobs/%2E%2E", "*v1/blobs/.."]) {
        const answered = yield* verbatim("PUT", target, bearer, "{}")
        assert.include([400, 404], answered.status, target)
      }
      // A device new to the account never gets an id no URL can name; it gets one of its own.
      const signIn = yield* verbatim(
        "POST",
        "/v1/sessions",
        undefined,
        JSON.stringify({ loginName: alice.loginName, password: alice.password, deviceName: "Tablet", deviceId: ".." })
      )
      assert.strictEqual(signIn.status, 201, signIn.text.slice(0, 200))
      const deviceId = (signIn.body as { deviceId?: string }).deviceId
      assert.isString(deviceId)
      assert.notInclude([".", ".."], deviceId)
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("ids are never . or .., and ids of up to 128 characters can be named in a path", () =>
    Effect.gen(function*() {
      const alice = yield* signUp()
      yield* alice.api.settings.update({ payload: { apps: { notes: true } } })
      const bearer = token(alice.grant)
      const push = (recordId: string) =>
        postJson(
          "/v1/apps/notes/push",
          JSON.stringify({
            mutations: [{ mutationId: `m-${recordId.length}`, recordId, op: "put", baseVersion: 0, payload: samples.notes(1) }]
          }),
          bearer
        )
      for (const id of [".", ".."]) {
        const refused = yield* push(id)
        assert.strictEqual(refused.status, 200, id)
        const [outcome] = (refused.body as { outcomes?: Array<{ _tag: string; code?: string }> }).outcomes ?? []
        assert.deepInclude(outcome, { _tag: "rejected", code: "invalid-mutation" }, id)
      }
      // Sent as they are (or percent-encoded), which no URL library does, they never reach a route.
      for (const target of ["/v1/trash/notes/..", "/v1/trash/notes/.", "/v1/trash/notes/%2E%2e", "/v1/blobs/..", "/v1/blobs/%2e"]) {
        const method = target.startsWith("/v1/blobs/") ? "PUT" : "DELETE"
        const refused = yield* verbatim(method, target, bearer)
        assert.strictEqual(refused.status, 400, target)
        assert.strictEqual(refused.body.code, "invalid-request", target)
      }
      const long = "n".repeat(128)
      assert.strictEqual((yield* push(long)).status, 200)
      yield* alice.api.sync.push({
        path: { app: "notes" },
        urlParams: {},
        payload: { mutations: [{ mutationId: MutationId.make("m-del"), recordId: RecordId.make(long), op: "delete", baseVersion: 1 }] }
      })
      const restored = yield* send(HttpClientRequest.post(`/v1/trash/notes/${long}/restore`).pipe(
        HttpClientRequest.bearerToken(bearer)
      )).pipe(Effect.flatMap(answer))
      assert.strictEqual(restored.status, 200, restored.text.slice(0, 200))
      const upload = yield* send(HttpClientRequest.put(`/v1/blobs/${"b".repeat(128)}`).pipe(
        HttpClientRequest.bearerToken(bearer),
        HttpClientRequest.bodyUint8Array(new Uint8Array(10), "application/octet-stream")
      )).pipe(Effect.flatMap(answer))
      assert.strictEqual(upload.status, 200, upload.text.slice(0, 200))
    }).pipe(Effect.provide(layerTestServer())))

  it.effect("a region is two ASCII letters, and names hold no control or direction characters", () =>
    Effect.gen(function*() {
      const signUpWith = (fields: Record<string, string>) =>
        postJson(
          "/v1/accounts",
          JSON.stringify({
            loginName: `someone-${Math.random().toString(36).slice(2)}@example.org`,
            password: "a long enough password",
            region: "DE",
            deviceName: "Phone",
            ...fields
          })
        )
      for (const region of ["\u0131t", "\u00df", "D", "DEU"]) {
        const refused = yield* signUpWith({ region })
        assert.strictEqual(refused.status, 400, region)
      }
      assert.strictEqual((yield* signUpWith({ region: "it" })).status, 201)
      for (const loginName of ["a\u0000b@example.org", "a\u001bb@example.org", "a\u202eb@example.org"]) {
        assert.strictEqual((yield* signUpWith({ loginName })).status, 400, JSON.stringify(loginName))
      }
      // Sign-in keeps the older rule, so a name taken before the rule still signs in (here: wrong password, 401).
      const signIn = yield* postJson(
        "/v1/sessions",
        JSON.stringify({ loginName: "a\u200bb@example.org", password: "a long enough password", deviceName: "Phone" })
      )
      assert.strictEqual(signIn.status, 401, signIn.text.slice(0, 200))
      for (const deviceName of ["Pho\u0000ne", "Phone\u202e", "\u0007"]) {
        assert.strictEqual((yield* signUpWith({ deviceName })).status, 400, JSON.stringify(deviceName))
      }
      const alice = yield* signUp()
      const folders = yield* send(HttpClientRequest.patch("/v1/settings").pipe(
        HttpClientRequest.bearerToken(token(alice.grant)),
        HttpClientRequest.bodyText(JSON.stringify({ galleryFolders: ["Camera", "\u0000"] }), "application/json")
      )).pipe(Effect.flatMap(answer))
      assert.strictEqual(folders.status, 400)
    }).pipe(Effect.provide(layerTestServer())))
})
