/**
 * A target of the suite: a name, what it offers, and the Layer that builds a driver for it. The Layer is built
 * afresh for every test, so a test never sees another's state (over HTTP, fresh accounts give the same isolation).
 */
import type { Layer } from "effect"
import type { Driver } from "./Driver.js"
import type { Capability } from "./Requirement.js"

export interface Target {
  readonly name: string
  readonly capabilities: ReadonlySet<Capability>
  readonly layer: Layer.Layer<Driver, unknown>
}
