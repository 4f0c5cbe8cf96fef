/**
 * Tests of the parse-error helpers: a Schema parse error becomes the one problem a person should read first, with
 * the field at fault written as a path such as `phones[0].number`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, ParseResult, Schema } from "effect"
import { firstIssue, firstProblem, formatPath } from "../src/internal/parseErrors.js"

const Person = Schema.Struct({
  name: Schema.String.pipe(Schema.minLength(1, { message: () => "a name must not be empty" })),
  phones: Schema.Array(
    Schema.Struct({
      number: Schema.String.pipe(Schema.pattern(/^\+?[0-9 ]+$/, { message: () => "a number has only digits" }))
    })
  )
})

/** Decodes `input` as a Person and hands back the parse error, failing the test if decoding succeeded. */
const parseError = (input: unknown) => Effect.flip(Schema.decodeUnknown(Person)(input))

describe("parseErrors", () => {
  describe("formatPath", () => {
    it("names the whole value when the path is empty", () => {
      assert.strictEqual(formatPath([]), "(value)")
    })

    it("writes a single key as is", () => {
      assert.strictEqual(formatPath(["a"]), "a")
    })

    it("writes keys with dots and indexes in brackets", () => {
      assert.strictEqual(formatPath(["phones", 0, "number"]), "phones[0].number")
      assert.strictEqual(formatPath(["a", "b", "c"]), "a.b.c")
      assert.strictEqual(formatPath(["rows", 2, 10]), "rows[2][10]")
    })

    it("writes a leading index in brackets", () => {
      assert.strictEqual(formatPath([3, "name"]), "[3].name")
      assert.strictEqual(formatPath([0]), "[0]")
    })
  })

  describe("firstIssue", () => {
    it.effect("names the nested field at fault and gives the schema's message", () =>
      Effect.gen(function*() {
        const error = yield* parseError({ name: "Ada", phones: [{ number: "+44 20" }, { number: "call me" }] })
        assert.isTrue(ParseResult.isParseError(error))
        assert.deepStrictEqual(firstIssue(error), { field: "phones[1].number", reason: "a number has only digits" })
      }))

    it.effect("names a missing top-level field", () =>
      Effect.gen(function*() {
        const error = yield* parseError({ phones: [] })
        const issue = firstIssue(error)
        assert.strictEqual(issue.field, "name")
        assert.isAbove(issue.reason.length, 0)
      }))

    it.effect("names the whole value when it is not an object at all", () =>
      Effect.gen(function*() {
        const error = yield* parseError("Ada")
        const issue = firstIssue(error)
        assert.strictEqual(issue.field, "(value)")
        assert.include(issue.reason, "Ada")
      }))
  })

  describe("firstProblem", () => {
    it.effect("prefixes the reason with the field", () =>
      Effect.gen(function*() {
        const error = yield* parseError({ name: "", phones: [] })
        assert.strictEqual(firstProblem(error), "name: a name must not be empty")
      }))

    it.effect("writes a nested field as a path", () =>
      Effect.gen(function*() {
        const error = yield* parseError({ name: "Ada", phones: [{ number: "x" }] })
        assert.strictEqual(firstProblem(error), "phones[0].number: a number has only digits")
      }))

    it.effect("gives the bare reason when the whole value is wrong", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          Schema.decodeUnknown(Schema.String.pipe(Schema.minLength(3, { message: () => "too short" })))("ab")
        )
        assert.strictEqual(firstProblem(error), "too short")
      }))
  })
})
