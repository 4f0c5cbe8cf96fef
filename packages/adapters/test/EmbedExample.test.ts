import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import { program } from "../examples/embed-memory.js"

describe("the README's embedding example", () => {
  it.effect("syncs a note from the phone to the laptop", () =>
    Effect.gen(function*() {
      const notes = yield* program.pipe(Effect.provide(Logger.remove(Logger.defaultLogger)))
      assert.strictEqual(notes.length, 1)
      assert.deepStrictEqual(notes[0]?.payload, { kind: "note", title: "Groceries", body: "Milk", private: false })
      assert.isFalse(notes[0]?.pending)
    }))
})
