/**
 * The plan catalogue in force. Defaults to the plans Custos ships with; a server provides its configured catalogue
 * through `layer`, which validates it first.
 */
import { Context, Layer } from "effect"
import { defaultPlanCatalogue, type PlanCatalogue, validatePlanCatalogue } from "../domain/Plan.js"

export class PlanCatalogueRef extends Context.Reference<PlanCatalogueRef>()("@custos/core/PlanCatalogue", {
  defaultValue: (): PlanCatalogue => defaultPlanCatalogue
}) {
  /** A bad catalogue fails the Layer with `InvalidPlanCatalogue`, so a server refuses to start on it. */
  static readonly layer = (input: unknown) => Layer.effect(PlanCatalogueRef, validatePlanCatalogue(input))
}
