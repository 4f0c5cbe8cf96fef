/**
 * The HTTP driver: any Custos server, through the typed client derived from the protocol
 * (`HttpApiClient.make(CustosApi, { baseUrl })`), so the suite checks what a device over the network would see.
 *
 * - Each account is made by signing up with a random login name; the driver keeps its login and the session token of
 *   the sign-up device, which makes the account-wide calls (settings, trash, membership, ...) and the pulls that name
 *   no device. A check that names a device (`phone`, `tablet`, ...) gets a session of its own for it, by signing in
 *   with that device id, so pushes, pulls and transports run as that device on the server too.
 * - Errors the server answers keep their `_tag`, `code` and `message` (and their other fields); what the driver could
 *   not make sense of (a lost connection, an unreadable body) arrives as `DriverError`.
 * - Deleting an account revokes its sessions, so the server answers a later call 401 rather than "no such account".
 *   When a session is refused, the driver signs in again; if the login no longer signs in either, the account is
 *   gone as far as anyone outside can tell, and the call fails with `account-not-found`.
 * - With `clockControl`, `now` and `advanceClock` use the target's conformance clock hook (`GET` and `POST
 *   /v1/conformance/clock`, see the README's Conformance section), with the operator token when there is one.
 * - Without it, `now` is the suite's own clock: over the network the target's clock cannot be read, so the two are assumed to
 *   agree (they do for a server in the same process).
 * - Files go up with `PUT /v1/blobs/:blobId` (the raw bytes) and come down with `GET /v1/blobs/:blobId`, a range
 *   asked as `Range: bytes=a-b`, whose last byte is inclusive on the wire where the driver's end is exclusive.
 *
 * Capabilities: `region-browser` (unless told the server does not serve those regions), `blobs` (unless told it
 * keeps no files), with the operator token `admin-purchases`, and `clock-control` when the target says it offers the
 * clock hook. Not `storage-probe`: the protocol cannot show a server's storage.
 */
import { makeHttpTransport } from "@custos/core/client/HttpTransport"
import type { AccessEntry } from "@custos/core/domain/AccessLog"
import type { App } from "@custos/core/domain/App"
import { type AccountId, DeviceId, RecordId } from "@custos/core/domain/Ids"
import type { RecordView } from "@custos/core/domain/Mutation"
import { SyncSettingsPatch } from "@custos/core/domain/SyncSettings"
import { BlobId } from "@custos/core/ports/BlobStore"
import { SettingsChange } from "@custos/core/protocol/Settings"
import { CustosApi } from "@custos/core/protocol/CustosApi"
import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { Clock, Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import { type ByteRange, Driver, type TargetError } from "../Driver.js"
import type { Capability } from "../Requirement.js"

export interface HttpDriverOptions {
  readonly name: string
  /** Where the server is, e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string
  /** The server's operator token; without it, purchases cannot be recorded and `admin-purchases` is not offered. */
  readonly operatorToken?: string | undefined
  /** Whether the server serves accounts in the regions where browser sync is offered (default: it does). */
  readonly regionBrowser?: boolean | undefined
  /** Whether the server offers the conformance clock hook at `/v1/conformance/clock` (default: it does not). */
  readonly clockControl?: boolean | undefined
  /** Whether the server keeps the files records name, at `/v1/blobs/:blobId` (default: it does). */
  readonly blobs?: boolean | undefined
}

/** Where a target offers its clock hook, relative to its base URL. */
export const conformanceClockPath = "/v1/conformance/clock"

const ClockAnswer = Schema.Struct({ now: Schema.Number })

const makeClient = (baseUrl: string, token?: Redacted.Redacted<string> | string) =>
  HttpApiClient.make(CustosApi, {
    baseUrl,
    transformClient: token === undefined ? undefined : HttpClient.mapRequest(HttpClientRequest.bearerToken(token))
  })
type Client = Effect.Effect.Success<ReturnType<typeof makeClient>>

interface Session {
  readonly token: string
  readonly client: Client
}

interface Known {
  readonly loginName: string
  readonly password: string
  /** The sign-up device's session, and one per device a check named. */
  readonly sessions: Map<string, Session>
  readonly main: string
}

const driverError = (message: string): TargetError => ({ _tag: "DriverError", message })

/** The error as the target reported it: `_tag`, `code`, `message` and its other fields. */
export const toTargetError = (error: unknown): TargetError => {
  if (typeof error !== "object" || error === null || !("_tag" in error)) return driverError(String(error))
  const e = error as { readonly _tag: string; readonly code?: unknown; readonly message?: unknown }
  const message = typeof e.message === "string" ? e.message : String(e.message)
  if (typeof e.code === "string") return { ...(error as object), _tag: e._tag, code: e.code, message }
  // The server's answer to a request it could not read: a tag and a sentence, but no code.
  if (e._tag === "HttpApiDecodeError") return { _tag: e._tag, message }
  return driverError(`${e._tag}: ${message}`)
}

const randomName = () =>
  `conformance-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}@example.org`
const randomPassword = () => `pw-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`

export const layerHttpDriver = (options: HttpDriverOptions) =>
  Layer.effect(
    Driver,
    Effect.gen(function*() {
      const http = yield* HttpClient.HttpClient
      const provideHttp = Effect.provideService(HttpClient.HttpClient, http)
      const anonymous = yield* makeClient(options.baseUrl)
      const operator = options.operatorToken === undefined
        ? undefined
        : yield* makeClient(options.baseUrl, options.operatorToken)
      const accounts = new Map<string, Known>()

      const capabilities = new Set<Capability>()
      if (options.regionBrowser !== false) capabilities.add("region-browser")
      if (operator !== undefined) capabilities.add("admin-purchases")
      if (options.clockControl === true) capabilities.add("clock-control")
      if (options.blobs !== false) capabilities.add("blobs")

      /** A call of the clock hook, answered `{ now }`; any other answer is the target's error. */
      const clockHook = (request: HttpClientRequest.HttpClientRequest) =>
        Effect.gen(function*() {
          const authorized = options.operatorToken === undefined
            ? request
            : HttpClientRequest.bearerToken(request, options.operatorToken)
          const response = yield* http.execute(authorized)
          const body = yield* response.json
          if (response.status !== 200) return yield* Effect.fail(toTargetError(body))
          return (yield* Schema.decodeUnknown(ClockAnswer)(body)).now
        }).pipe(Effect.mapError((e) => (typeof e === "object" && e !== null && "message" in e && !("cause" in e)
          ? e as TargetError
          : toTargetError(e))))

      const lift = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, TargetError, R> =>
        Effect.mapError(effect, toTargetError)

      const known = (account: AccountId) =>
        Effect.suspend(() => {
          const found = accounts.get(account)
          return found === undefined
            ? Effect.fail(driverError(`account ${account} was not made by this driver`))
            : Effect.succeed(found)
        })

      const accountGone = (account: AccountId): TargetError => ({
        _tag: "AccountNotFound",
        code: "account-not-found",
        message: `The account ${account} is gone: its session was refused and its login no longer signs in`
      })

      const open = (token: string) => Effect.map(makeClient(options.baseUrl, token), (client) => ({ token, client }))

      /** A fresh session of `device` (the sign-up device when absent) of the account. */
      const signIn = (account: AccountId, found: Known, device: string | undefined) =>
        anonymous.accounts.signIn({
          payload: {
            loginName: found.loginName,
            password: Redacted.make(found.password),
            deviceName: device ?? "conformance",
            deviceId: DeviceId.make(device ?? found.main)
          }
        }).pipe(
          Effect.mapError((e) => e._tag === "InvalidCredentials" ? accountGone(account) : toTargetError(e)),
          Effect.flatMap((grant) =>
            grant.accountId === account
              ? open(Redacted.value(grant.token))
              : Effect.fail(driverError(`the login of ${account} signed in to ${grant.accountId}`))
          ),
          Effect.tap((fresh) => Effect.sync(() => found.sessions.set(device ?? found.main, fresh))),
          provideHttp
        )

      const session = (account: AccountId, device?: string) =>
        Effect.flatMap(known(account), (found) => {
          const current = found.sessions.get(device ?? found.main)
          return current !== undefined ? Effect.succeed(current) : signIn(account, found, device)
        })

      const isUnauthorized = (error: unknown) =>
        typeof error === "object" && error !== null && (error as { readonly _tag?: unknown })._tag === "Unauthorized"

      /** Calls the server as `device` of the account; a refused session is replaced once (see the header). */
      const as = <A, E>(account: AccountId, call: (session: Session) => Effect.Effect<A, E>, device?: string) =>
        Effect.flatMap(session(account, device), (current) =>
          call(current).pipe(
            Effect.catchIf(isUnauthorized, () =>
              Effect.flatMap(
                Effect.flatMap(known(account), (found) => signIn(account, found, device)),
                (fresh) => lift(call(fresh))
              )),
            lift
          ))

      const createAccount = (region: string) =>
        Effect.gen(function*() {
          const loginName = randomName()
          const password = randomPassword()
          const grant = yield* lift(anonymous.accounts.signUp({
            payload: { loginName, password: Redacted.make(password), region, deviceName: "conformance" }
          }))
          const first = yield* open(Redacted.value(grant.token))
          accounts.set(grant.accountId, { loginName, password, main: grant.deviceId, sessions: new Map([[grant.deviceId, first]]) })
          return grant.accountId
        }).pipe(provideHttp)

      /** A settings patch the protocol can type goes through the typed client; any other is sent as it is. */
      const updateSettings = (account: AccountId, patch: unknown) =>
        Option.match(Schema.decodeUnknownOption(SyncSettingsPatch)(patch, { onExcessProperty: "error" }), {
          onSome: (typed) => as(account, ({ client: c }) => c.settings.update({ payload: typed })),
          onNone: () =>
            as(account, (current) =>
              Effect.gen(function*() {
                const response = yield* http.execute(
                  HttpClientRequest.patch(`${options.baseUrl}/v1/settings`).pipe(
                    HttpClientRequest.bearerToken(current.token),
                    HttpClientRequest.bodyUnsafeJson(patch)
                  )
                )
                const body = yield* response.json
                if (response.status >= 200 && response.status < 300) return yield* Schema.decodeUnknown(SettingsChange)(body)
                return yield* Effect.fail(toTargetError(body))
              }))
        }).pipe(Effect.map((change) => change.settings))

      const pages = <Item, E>(
        page: (after: number | undefined) => Effect.Effect<{ readonly items: ReadonlyArray<Item>; readonly next?: number | undefined }, E>
      ) =>
        Effect.gen(function*() {
          const all: Array<Item> = []
          let after: number | undefined
          do {
            const current = yield* page(after)
            all.push(...current.items)
            after = current.next
          } while (after !== undefined)
          return all
        })

      const notOffered = (what: string) => Effect.fail(driverError(`${what} is not offered over HTTP`))

      /** A file's bytes, whole or [start, end) of them (asked on the wire as the inclusive `bytes=start-(end - 1)`). */
      const downloadBlob = (account: AccountId, blobId: string, range?: ByteRange) =>
        Effect.gen(function*() {
          if (range !== undefined && range.end !== undefined && range.end <= range.start) {
            return yield* Effect.fail(driverError(`the range [${range.start}, ${range.end}) is empty`))
          }
          const header = range === undefined
            ? undefined
            : `bytes=${range.start}-${range.end === undefined ? "" : range.end - 1}`
          return yield* as(account, (current) =>
            Effect.gen(function*() {
              const request = HttpClientRequest.get(`${options.baseUrl}/v1/blobs/${encodeURIComponent(blobId)}`).pipe(
                HttpClientRequest.bearerToken(current.token),
                header === undefined ? (r) => r : HttpClientRequest.setHeader("range", header)
              )
              const response = yield* http.execute(request)
              if (response.status === 200 || response.status === 206) return new Uint8Array(yield* response.arrayBuffer)
              return yield* Effect.fail(toTargetError(yield* response.json))
            }))
        })

      return Driver.of({
        name: options.name,
        capabilities,
        inventory: lift(anonymous.privacy.inventory()),
        policies: lift(anonymous.privacy.policies()),
        createAccount,
        settings: (account) => as(account, ({ client: c }) => c.settings.get()),
        updateSettings,
        push: (account, device, app, mutations, sync) =>
          as(account, ({ client: c }) =>
            c.sync.push({ path: { app }, urlParams: { trigger: sync?.trigger }, payload: { mutations } }), device),
        pull: (account, app, request, device) =>
          as(account, ({ client: c }) =>
            c.sync.changes({
              path: { app },
              urlParams: { cursor: request?.cursor, limit: request?.limit, trigger: request?.trigger }
            }), device),
        // The device client's own HTTP transport, signed in as that device.
        transport: (account, device) =>
          Effect.flatMap(session(account, device), ({ token }) =>
            provideHttp(makeHttpTransport({ baseUrl: options.baseUrl, token }))),
        trash: (account, app) =>
          as(account, ({ client: c }) =>
            pages<{ readonly app: App; readonly record: RecordView }, unknown>((after) =>
              c.trash.list({ urlParams: { app, after, limit: 1000 } })
            )),
        restore: (account, app, id) => as(account, ({ client: c }) => c.trash.restore({ path: { app, id: RecordId.make(id) } })),
        purge: (account, app, id) => as(account, ({ client: c }) => c.trash.purge({ path: { app, id: RecordId.make(id) } })),
        emptyTrash: (account, app) =>
          as(account, ({ client: c }) => c.trash.empty({ urlParams: { app } }).pipe(Effect.map((r) => r.purged))),
        membership: (account) => as(account, ({ client: c }) => c.membership.get()),
        purchases: (account) => as(account, ({ client: c }) => c.membership.purchases()),
        recordPurchase: ({ account, ...rest }) =>
          operator === undefined
            ? notOffered("recording a purchase without the operator token")
            : lift(operator.operator.recordPurchase({ payload: { accountId: account, ...rest } as never })),
        plans: lift(anonymous.membership.plans()),
        backups: (account) => as(account, ({ client: c }) => c.backups.list()),
        deleteBackup: (account, id) => as(account, ({ client: c }) => c.backups.delete({ path: { id: RecordId.make(id) } })),
        deleteDataType: (account, dataType) =>
          as(account, ({ client: c }) => c.privacy.deleteDataType({ path: { dataType } }).pipe(Effect.map((d) => d.removed))),
        deleteAccount: (account) => as(account, ({ client: c }) => c.privacy.deleteAccount().pipe(Effect.asVoid)),
        rawStorage: () => notOffered("looking into storage"),
        uploadBlob: (account, blobId, bytes) =>
          Effect.flatMap(
            lift(Schema.decodeUnknown(BlobId)(blobId)),
            (id) =>
              as(account, ({ client: c }) =>
                c.blobs.upload({ path: { blobId: id }, payload: bytes }).pipe(
                  Effect.map(({ sha256, size }) => ({ size, sha256 }))
                ))
          ),
        downloadBlob,
        accessLog: (account) =>
          as(account, ({ client: c }) =>
            pages<AccessEntry, unknown>((after) =>
              c.privacy.accessLog({ urlParams: { after, limit: 1000 } }).pipe(
                Effect.map((page) => ({ items: page.entries, next: page.next }))
              )
            )),
        verifyAccessLog: (account) => as(account, ({ client: c }) => c.privacy.verifyAccessLog({ urlParams: {} })),
        now: options.clockControl === true
          ? clockHook(HttpClientRequest.get(`${options.baseUrl}${conformanceClockPath}`))
          : Clock.currentTimeMillis,
        advanceClock: (by) =>
          options.clockControl === true
            ? clockHook(
              HttpClientRequest.post(`${options.baseUrl}${conformanceClockPath}`).pipe(
                HttpClientRequest.bodyUnsafeJson({ advanceMs: Math.ceil(Duration.toMillis(Duration.decode(by))) })
              )
            ).pipe(Effect.asVoid)
            : notOffered("moving the server's clock")
      })
    })
  )
