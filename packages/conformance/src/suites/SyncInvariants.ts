/**
 * SYNC-015, as properties: random interleavings of edits, deletions, syncs whose request or answer is lost, from
 * three devices over two apps (one with a trash, one without), checked against the invariants devices rely on:
 *
 * 1. every device that syncs to the head holds exactly what the cloud holds;
 * 2. no change is lost without a conflict or refusal reported to its device, and no write ever overwrote a version
 *    it had not seen;
 * 3. a retried mutation is applied at most once: each version of a record comes from exactly one mutation;
 * 4. a pull from any cursor a device was given returns every change made after it, in its latest state.
 *
 * Written against the `Driver` port and the device client, so it runs on any target.
 */
import { assert } from "../Assert.js"
import { makeDeviceSyncClient } from "@custos/core/client/DeviceSyncClient"
import { SyncTransport, TransportError } from "@custos/core/client/SyncTransport"
import type { App } from "@custos/core/domain/App"
import { DeviceId, RecordId } from "@custos/core/domain/Ids"
import type { Mutation, MutationOutcome } from "@custos/core/domain/Mutation"
import { Effect, FastCheck as fc, Runtime } from "effect"
import { type Check, check } from "../Check.js"
import { Driver } from "../Driver.js"
import { accountWith, freshMutationId, pullAll, sample } from "../internal/scenario.js"

const apps = ["notes", "bluetooth"] as const satisfies ReadonlyArray<App>
const devices = ["phone", "tablet", "laptop"] as const
type Fault = "none" | "lose-request" | "lose-answer"

type Op =
  | { readonly kind: "put"; readonly device: number; readonly app: number; readonly record: number; readonly n: number }
  | { readonly kind: "delete"; readonly device: number; readonly app: number; readonly record: number }
  | { readonly kind: "sync"; readonly device: number; readonly app: number; readonly fault: Fault }

const device = fc.integer({ min: 0, max: devices.length - 1 })
const app = fc.integer({ min: 0, max: apps.length - 1 })
const record = fc.integer({ min: 0, max: 4 })

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("put" as const), device, app, record, n: fc.nat(1000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), device, app, record }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("sync" as const),
      device,
      app,
      fault: fc.constantFrom<Fault>("none", "none", "lose-request", "lose-answer")
    })
  }
)

interface Answered {
  readonly event: number
  readonly app: App
  readonly mutation: Mutation
  readonly outcome: MutationOutcome
}

interface IssuedCursor {
  readonly event: number
  readonly app: App
  readonly cursor: string
}

/** Runs one interleaving against a fresh account and checks every invariant. */
const scenario = (ops: ReadonlyArray<Op>) =>
  Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(apps)
    const run = freshMutationId("run")
    let event = 0
    const answered: Array<Answered> = []
    const cursors: Array<IssuedCursor> = []
    const faults = devices.map((): Fault => "none")

    const clients = yield* Effect.forEach(devices, (name, index) =>
      Effect.gen(function*() {
        const real = yield* driver.transport(account, DeviceId.make(name))
        const takeFault = () => {
          const fault = faults[index]!
          faults[index] = "none"
          return fault
        }
        const flaky = SyncTransport.of({
          settings: real.settings,
          push: (app, mutations) =>
            Effect.gen(function*() {
              const fault = takeFault()
              if (fault === "lose-request") return yield* new TransportError({ reason: "request lost (test)" })
              const result = yield* real.push(app, mutations)
              for (const outcome of result.outcomes) {
                const mutation = mutations.find((m) => m.mutationId === outcome.mutationId)!
                answered.push({ event: ++event, app, mutation, outcome })
              }
              if (fault === "lose-answer") return yield* new TransportError({ reason: "answer lost (test)" })
              return result
            }),
          pull: (app, request) =>
            Effect.gen(function*() {
              const fault = takeFault()
              if (fault === "lose-request") return yield* new TransportError({ reason: "request lost (test)" })
              const page = yield* real.pull(app, request)
              cursors.push({ event: ++event, app, cursor: page.cursor })
              if (fault === "lose-answer") return yield* new TransportError({ reason: "answer lost (test)" })
              return page
            })
        })
        return yield* makeDeviceSyncClient({ mutationIdPrefix: `${run}-${name}`, pageSize: 2, batchSize: 3 }).pipe(
          Effect.provideService(SyncTransport, flaky)
        )
      }))

    const syncNoFault = (d: number, a: App) =>
      clients[d]!.sync(a, { trigger: "user", network: "wifi" }).pipe(Effect.asVoid)

    for (const op of ops) {
      const client = clients[op.device]!
      const a = apps[op.app]!
      switch (op.kind) {
        case "put":
          yield* client.put(a, RecordId.make(`r${op.record}`), sample(a, op.n))
          break
        case "delete":
          yield* client.remove(a, RecordId.make(`r${op.record}`))
          break
        case "sync":
          faults[op.device] = op.fault
          yield* syncNoFault(op.device, a).pipe(Effect.catchTag("TransportError", () => Effect.void))
          faults[op.device] = "none"
          break
      }
    }
    // Settle: one round pushes every outbox, the next brings every device to the head.
    for (let round = 0; round < 2; round++) {
      for (let d = 0; d < devices.length; d++) for (const a of apps) yield* syncNoFault(d, a)
    }

    for (const a of apps) {
      const cloud = (yield* pullAll(account, a)).changes.filter((c) => c.state !== "purged")
      const expected = cloud.map((c) => ({ id: c.id, state: c.state as string, version: c.version as number, payload: c.payload }))
        .sort((x, y) => x.id.localeCompare(y.id))

      // 1. Every device holds what the cloud holds.
      for (let d = 0; d < devices.length; d++) {
        assert.strictEqual(yield* clients[d]!.pendingCount(a), 0, `${devices[d]} has nothing left to send`)
        const local = (yield* clients[d]!.records(a))
          .map((r) => ({ id: r.id, state: r.state as string, version: r.version, payload: r.payload }))
          .sort((x, y) => x.id.localeCompare(y.id))
        assert.deepStrictEqual(local, expected, `${devices[d]} converged on ${a}`)
      }

      const ofApp = answered.filter((x) => x.app === a)
      // 3. A mutation id is answered with one version only, and each version of a record has one author.
      const versionOf = new Map<string, string>()
      const authorOf = new Map<string, string>()
      const stateOf = new Map<string, string>()
      for (const { mutation, outcome } of ofApp) {
        const applied = outcome._tag === "applied" ? outcome : outcome._tag === "duplicate" ? outcome.first : undefined
        if (applied === undefined) {
          assert.isFalse(versionOf.has(mutation.mutationId), `a retry of applied ${mutation.mutationId} is a duplicate`)
          continue
        }
        if (versionOf.has(mutation.mutationId)) {
          assert.strictEqual(outcome._tag, "duplicate", `a retry of ${mutation.mutationId} is answered as a duplicate`)
        }
        const key = `${applied.recordId}@${applied.version}`
        const earlier = versionOf.get(mutation.mutationId)
        assert.isTrue(earlier === undefined || earlier === key, `mutation ${mutation.mutationId} applied once`)
        versionOf.set(mutation.mutationId, key)
        if (outcome._tag === "applied" && !authorOf.has(key)) {
          authorOf.set(key, mutation.mutationId)
          stateOf.set(key, outcome.state)
        }
      }
      // 2. Every write was based on the version it replaced: nothing was overwritten unseen.
      for (const { mutation, outcome } of ofApp) {
        if (outcome._tag !== "applied" || authorOf.get(`${outcome.recordId}@${outcome.version}`) !== mutation.mutationId) {
          continue
        }
        assert.isDefined(mutation.baseVersion, "the device client always states its base version")
        const base = mutation.baseVersion!
        const replaced = stateOf.get(`${outcome.recordId}@${outcome.version - 1}`)
        assert.isTrue(
          base === outcome.version - 1 || (base === 0 && (outcome.version === 1 || replaced === "purged")),
          `version ${outcome.version} of ${outcome.recordId} was written on top of ${base}`
        )
      }
      // 2. A change that did not land was reported to its device.
      const reported = new Set<string>()
      for (const client of clients) {
        for (const c of yield* client.conflicts) reported.add(c.mutationId)
        for (const r of yield* client.rejections) reported.add(r.mutationId)
      }
      const landed = new Set(versionOf.keys())
      for (const { mutation, outcome } of ofApp) {
        if (outcome._tag === "conflict" || outcome._tag === "rejected") {
          assert.isTrue(
            landed.has(mutation.mutationId) || reported.has(mutation.mutationId),
            `refused mutation ${mutation.mutationId} was reported`
          )
        }
      }

      // 4. A pull from any issued cursor returns every change made after it, in its latest state.
      const latest = new Map((yield* pullAll(account, a)).changes.map((c) => [c.id, c]))
      for (const issued of cursors.filter((c) => c.app === a).slice(-6)) {
        const { changes } = yield* pullAll(account, a, issued.cursor)
        const ids = changes.map((c) => c.id)
        assert.strictEqual(new Set(ids).size, ids.length, "each record at most once")
        for (const change of changes) assert.deepStrictEqual(change, latest.get(change.id), "latest state")
        for (const x of ofApp) {
          if (x.event > issued.event && x.outcome._tag === "applied") {
            assert.include(ids, x.outcome.recordId, `a change after the cursor is in the pull`)
          }
        }
      }
    }
  })

export const syncInvariantChecks = (options: { readonly runs: number; readonly maxOps: number }): ReadonlyArray<Check> => [
  check("SYNC-015", undefined, Effect.gen(function*() {
    const runtime = yield* Effect.runtime<Driver>()
    yield* Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(fc.array(opArbitrary, { minLength: 1, maxLength: options.maxOps }), (ops) =>
          Runtime.runPromise(runtime)(scenario(ops))),
        { numRuns: options.runs }
      )
    )
  }))
]
