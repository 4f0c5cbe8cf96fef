import { assert, describe, it } from "@effect/vitest"
import { defaultPlanCatalogue, validatePlanCatalogue } from "@custos/core/domain/Plan"
import { PlanCatalogueRef } from "@custos/core/services/PlanCatalogueRef"
import { Effect, Either, Exit, Layer } from "effect"

const plan = (id: string, trashDays: number) => ({
  id,
  name: id,
  storageBytes: 1_000,
  syncIntervalMinutes: 30,
  trashDays
})

describe("plan catalogue", () => {
  it("the shipped catalogue is valid and keeps trash between 30 and 180 days", () => {
    assert.isTrue(Either.isRight(validatePlanCatalogue(defaultPlanCatalogue)))
    for (const p of defaultPlanCatalogue.plans) {
      assert.isAtLeast(p.trashDays, 30)
      assert.isAtMost(p.trashDays, 180)
    }
  })

  for (const [days, ok] of [[29, false], [30, true], [180, true], [181, false], [-5, false], [90.5, false]] as const) {
    it(`${days} trash days is ${ok ? "accepted" : "refused with a clear reason"}`, () => {
      const result = validatePlanCatalogue({ free: "free", plans: [plan("free", days)] })
      assert.strictEqual(Either.isRight(result), ok)
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left.code, "invalid-plan-catalogue")
        assert.match(result.left.message, /trash|integer/)
      }
    })
  }

  it("refuses duplicate plan ids and a free plan that is not listed", () => {
    const dup = validatePlanCatalogue({ free: "free", plans: [plan("free", 30), plan("free", 60)] })
    assert.isTrue(Either.isLeft(dup) && dup.left.message.includes("unique"))
    const missing = validatePlanCatalogue({ free: "basic", plans: [plan("free", 30)] })
    assert.isTrue(Either.isLeft(missing) && missing.left.message.includes("basic"))
  })

  it.effect("a server built with a bad catalogue does not start", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Effect.provide(PlanCatalogueRef, PlanCatalogueRef.layer({ free: "free", plans: [plan("free", 365)] }))
      )
      assert.isTrue(Exit.isFailure(exit))
      const good = yield* Effect.provide(PlanCatalogueRef, PlanCatalogueRef.layer({ free: "free", plans: [plan("free", 45)] }))
      assert.strictEqual(good.plans[0]!.trashDays, 45)
      assert.isDefined(Layer.empty)
    }))
})
