/**
 * The in-process driver: Custos core over whichever storage Layers the caller chooses. Time is Effect's clock, so
 * under `@effect/vitest` the suite moves it with `TestClock`.
 */
import { makeInProcessTransport } from "@custos/core/client/InProcessTransport"
import { Policies, Inventory } from "@custos/core/domain/Inventory"
import { DeviceId } from "@custos/core/domain/Ids"
import type { AccountStore } from "@custos/core/ports/AccountStore"
import type { DeviceStore } from "@custos/core/ports/DeviceStore"
import type { MembershipStore } from "@custos/core/ports/MembershipStore"
import type { RecordStore } from "@custos/core/ports/RecordStore"
import type { SyncSettingsStore } from "@custos/core/ports/SyncSettingsStore"
import { AccountService } from "@custos/core/services/AccountService"
import { layerCoreServices } from "@custos/core/services/CoreServices"
import { SyncEngine } from "@custos/core/services/SyncEngine"
import { SyncSettingsService } from "@custos/core/services/SyncSettingsService"
import { TombstoneCompaction } from "@custos/core/services/TombstoneCompaction"
import { Effect, Layer, TestClock } from "effect"
import { Driver, type TargetError } from "../Driver.js"
import type { Capability } from "../Requirement.js"

export type StorageLayer<E = never> = Layer.Layer<
  RecordStore | AccountStore | SyncSettingsStore | MembershipStore | DeviceStore,
  E
>

/** The device the suite pulls as when a check does not name one. */
const readerDevice = DeviceId.make("conformance-reader")

const capabilities: ReadonlySet<Capability> = new Set<Capability>(["clock-control", "region-browser"])

export const layerInProcessDriver = <E>(name: string, storage: StorageLayer<E>) =>
  Layer.effect(
    Driver,
    Effect.gen(function*() {
      const context = yield* Effect.context<
        AccountService | SyncSettingsService | SyncEngine | TombstoneCompaction
      >()
      const accounts = yield* AccountService
      const settings = yield* SyncSettingsService
      const engine = yield* SyncEngine
      const compaction = yield* TombstoneCompaction
      const asTarget = <A, Err extends TargetError>(effect: Effect.Effect<A, Err>) =>
        effect as Effect.Effect<A, TargetError>
      return Driver.of({
        name,
        capabilities,
        inventory: Effect.succeed(Inventory),
        policies: Effect.succeed(Object.values(Policies)),
        createAccount: (region) => asTarget(accounts.create({ region }).pipe(Effect.map((a) => a.id))),
        settings: (account) => asTarget(settings.get(account)),
        updateSettings: (account, patch) => asTarget(settings.update(account, patch).pipe(Effect.map((c) => c.settings))),
        push: (account, device, app, mutations, options) =>
          asTarget(engine.push(account, device, app, mutations, options)),
        pull: (account, app, request, device = readerDevice) => asTarget(engine.pull(account, device, app, request)),
        transport: (account, device) =>
          makeInProcessTransport(account, device).pipe(Effect.provide(context)),
        advanceClock: (by) => TestClock.adjust(by).pipe(Effect.zipRight(asTarget(compaction.compactAll)), Effect.asVoid)
      })
    })
  ).pipe(Layer.provide(layerCoreServices), Layer.provide(storage))
