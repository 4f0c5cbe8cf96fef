/**
 * Tests of sync cursors: what a cursor encodes decodes back, a cursor is bound to its app, and anything the service
 * did not issue is refused with `InvalidCursor`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, FastCheck, Schema } from "effect"
import { type App, Apps } from "../src/domain/App.js"
import { Cursor, decodeCursor, encodeCursor, initialCursor } from "../src/domain/Cursor.js"
import { InvalidCursor } from "../src/domain/Errors.js"

const app = FastCheck.constantFrom(...Apps)
const seq = FastCheck.bigInt({ min: 0n, max: 2n ** 40n }).map(Number)
/** Two different apps. */
const appPair = FastCheck.tuple(app, app).filter(([a, b]) => a !== b)

/** Runs the decoder and hands back its failure, failing the test if it succeeded. */
const refusal = (target: App, cursor: string) => Effect.flip(decodeCursor(target, cursor))

describe("Cursor", () => {
  it.effect.prop(
    "decodes what it encodes, for every app and position up to 2^40",
    [app, seq],
    ([app, seq]) =>
      Effect.gen(function*() {
        const cursor = encodeCursor(app, seq)
        assert.isTrue(Schema.is(Cursor)(cursor))
        assert.strictEqual(yield* decodeCursor(app, cursor), seq)
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect("decodes the largest positions exactly", () =>
    Effect.gen(function*() {
      for (const n of [0, 1, 35, 36, 2 ** 32, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
        assert.strictEqual(yield* decodeCursor("frequent-phrases", encodeCursor("frequent-phrases", n)), n, String(n))
      }
    }))

  it.effect("gives different positions different cursors", () =>
    Effect.gen(function*() {
      assert.notStrictEqual(encodeCursor("notes", 1), encodeCursor("notes", 2))
      assert.notStrictEqual(encodeCursor("notes", 1), encodeCursor("contacts", 1))
    }))

  it.effect.prop(
    "refuses a cursor of one app for another",
    [appPair, seq],
    ([[from, to], seq]) =>
      Effect.gen(function*() {
        const error = yield* refusal(to, encodeCursor(from, seq))
        assert.instanceOf(error, InvalidCursor)
        assert.strictEqual(error._tag, "InvalidCursor")
        assert.strictEqual(error.code, "invalid-cursor")
        assert.include(error.reason, from)
        assert.include(error.reason, to)
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect("refuses the initial cursor of another app", () =>
    Effect.gen(function*() {
      const error = yield* refusal("contacts", initialCursor("notes"))
      assert.strictEqual(error.code, "invalid-cursor")
    }))

  describe("refuses malformed cursors", () => {
    const malformed: ReadonlyArray<readonly [string, string]> = [
      ["the empty string", ""],
      ["a random word", "abc"],
      ["a cursor without a position", "c2.notes"],
      ["a cursor without a horizon", "c2.notes.1"],
      ["a cursor with an empty position", "c2.notes..0"],
      ["a negative position", "c2.notes.-1.0"],
      ["upper-case digits", "c2.notes.ZZ.0"],
      ["a negative horizon", "c2.notes.1.-1"],
      ["an unknown version", "c1.notes.1"],
      ["an unknown app", "c2.nope.1.0"],
      ["an extra part", "c2.notes.1.2.3"],
      ["a position beyond the safe integers", "c2.notes.zzzzzzzzzzz.0"],
      ["a position of too many digits", "c2.notes.000000000001.0"],
      ["a 200-character string", "c2.notes." + "1".repeat(191)],
      ["200 arbitrary characters", "x".repeat(200)]
    ]
    for (const [name, input] of malformed) {
      it.effect(`refuses ${name}`, () =>
        Effect.gen(function*() {
          const error = yield* refusal("notes", input)
          assert.instanceOf(error, InvalidCursor)
          assert.strictEqual(error.code, "invalid-cursor")
          assert.isAbove(error.reason.length, 0)
        }))
    }
  })

  it.effect.prop(
    "answers any string with a safe position or an InvalidCursor, never a defect",
    [FastCheck.oneof(FastCheck.string({ maxLength: 80 }), seq.map((n) => `c2.notes.${n.toString(36)}x.0`))],
    ([input]) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(decodeCursor("notes", input))
        if (Exit.isSuccess(exit)) {
          assert.isTrue(Number.isSafeInteger(exit.value) && exit.value >= 0, input)
        } else {
          assert.isTrue(exit.cause._tag === "Fail" && exit.cause.error instanceof InvalidCursor, input)
        }
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect("starts every app's feed at 0", () =>
    Effect.gen(function*() {
      for (const app of Apps) {
        assert.strictEqual(yield* decodeCursor(app, initialCursor(app)), 0, app)
      }
    }))
})
