/**
 * The conformance suite over HTTP: the reference server on a loopback port (memory storage, a master key that lives
 * as long as the test, a cheap scrypt setting, an operator token), checked through the HTTP driver and the typed
 * client only. A fresh server per check, so checks share nothing. The server runs in conformance mode: on the real
 * clock plus an offset that the suite moves through the clock hook (`ConformanceClock.ts`), so the clock-control
 * checks run too; the checks that look into storage are registered as skipped.
 */
import { layerEphemeralKeys } from "@custos/adapters/keys/EphemeralKeys"
import { registerChecks } from "@custos/conformance/Vitest"
import { layerHttpDriver } from "@custos/conformance/drivers/HttpDriver"
import { AccessChecks } from "@custos/conformance/suites/AccessChecks"
import { BlobChecks } from "@custos/conformance/suites/BlobChecks"
import { EncryptionChecks } from "@custos/conformance/suites/EncryptionChecks"
import { InventoryChecks } from "@custos/conformance/suites/InventoryChecks"
import { IsolationChecks } from "@custos/conformance/suites/IsolationChecks"
import { LifecycleChecks } from "@custos/conformance/suites/LifecycleChecks"
import { SyncChecks } from "@custos/conformance/suites/SyncChecks"
import { syncInvariantChecks } from "@custos/conformance/suites/SyncInvariants"
import type { Target } from "@custos/conformance/Target"
import { FetchHttpClient, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Clock, Effect, Layer } from "effect"
import * as NodeHttp from "node:http"
import { PasswordHasher } from "../src/auth/PasswordHasher.js"
import { layerConformanceClockRoutes, layerShiftableClock } from "../src/ConformanceClock.js"
import { layerCustos } from "../src/Custos.js"
import { layerHttp } from "../src/Http.js"
import { layerMemoryStorage } from "../src/Storage.js"
import { operatorToken, testOptions } from "./support.js"

const layerServer = layerHttp(testOptions).pipe(
  Layer.provide(layerConformanceClockRoutes(testOptions.operatorToken)),
  Layer.provide(layerCustos({ hasher: PasswordHasher.layerWith({ log2N: 10, r: 8, p: 1 }) })),
  Layer.provide(layerMemoryStorage),
  Layer.provide(layerEphemeralKeys),
  Layer.provideMerge(NodeHttpServer.layer(() => NodeHttp.createServer(), { port: 0, host: "127.0.0.1" })),
  // Conformance mode: the server runs on a clock the suite moves through the clock hook.
  Layer.provide(layerShiftableClock)
)

const layerDriver = Layer.unwrapEffect(
  Effect.map(HttpServer.HttpServer, (server) => {
    const address = server.address
    if (address._tag !== "TcpAddress") throw new Error("the test server listens on TCP")
    return layerHttpDriver({
      name: "reference server over HTTP",
      baseUrl: `http://127.0.0.1:${address.port}`,
      operatorToken,
      clockControl: true
    })
  })
).pipe(
  Layer.provide(layerServer),
  Layer.provide(FetchHttpClient.layer),
  // The server, the driver and the check all run on the real clock, not the test clock.
  Layer.provide(Layer.setClock(Clock.make()))
)

const target: Target = {
  name: "the reference server over HTTP",
  capabilities: new Set(["region-browser", "admin-purchases", "clock-control", "blobs"]),
  layer: layerDriver
}

registerChecks(target, "Inventory requirements", InventoryChecks)
registerChecks(target, "Sync requirements", SyncChecks)
registerChecks(target, "Lifecycle requirements", LifecycleChecks)
registerChecks(target, "Encryption requirements", EncryptionChecks)
registerChecks(target, "Access log requirements", AccessChecks)
registerChecks(target, "Blob requirements", BlobChecks)
registerChecks(target, "Isolation and copy requirements", IsolationChecks)
registerChecks(target, "Sync invariants", syncInvariantChecks({ runs: 5, maxOps: 25 }))
