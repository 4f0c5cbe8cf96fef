/**
 * The compiled parsers (core/internal/compiledParser.ts): what they accept they answer as Effect's parsers do, key
 * order included; anything they are not sure of (a missing, unknown or invalid field, a parser that would not answer
 * at once) they leave to Effect's; a schema with a node they do not compile is not compiled at all. The payload
 * schemas are held to Effect's answers over generated payloads in Payloads.test.ts.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, ParseResult, Schema } from "effect"
import { compileParser, NOT_SURE } from "../src/internal/compiledParser.js"

const Item = Schema.Struct({
  kind: Schema.Literal("a"),
  size: Schema.Number.pipe(Schema.int(), Schema.between(0, 10))
})
const Other = Schema.Struct({ kind: Schema.Literal("b"), label: Schema.String.pipe(Schema.maxLength(3)) })
const Sample = Schema.Struct({
  name: Schema.String.pipe(Schema.minLength(1)),
  at: Schema.DateTimeUtc,
  tags: Schema.optionalWith(Schema.Array(Schema.String), { exact: true, default: () => [] }),
  note: Schema.optionalWith(Schema.String, { exact: true }),
  level: Schema.Literal("low", "high"),
  entries: Schema.Array(Schema.Union(Item, Other))
})

const decode = compileParser(Sample.ast, true)!
const effectDecode = ParseResult.decodeUnknownEither(Sample, { errors: "first", onExcessProperty: "error" })

const valid = {
  entries: [{ kind: "b", label: "x" }, { size: 3, kind: "a" }],
  level: "high",
  at: "2024-05-01T09:30:00+02:00",
  name: "n"
}

describe("compiled parsers", () => {
  it("answer a valid value as Effect's parser does, in the schema's key order", () => {
    const compiled = decode(valid)
    const effect = effectDecode(valid)
    assert.isTrue(Either.isRight(effect))
    assert.deepStrictEqual(compiled, Either.getOrThrow(effect))
    assert.deepStrictEqual(Object.keys(compiled as object), ["name", "at", "tags", "level", "entries"])
    assert.deepStrictEqual(Object.keys((compiled as { entries: Array<object> }).entries[1]!), ["kind", "size"])
  })

  it("are not sure of a value with a field missing, unknown or invalid, and Effect's parser refuses each", () => {
    const broken: ReadonlyArray<unknown> = [
      { ...valid, name: "" },
      { ...valid, extra: 1 },
      { ...valid, note: undefined },
      { ...valid, level: "medium" },
      { ...valid, at: "yesterday" },
      { ...valid, entries: [{ kind: "a", size: 11 }] },
      { ...valid, entries: [{ kind: "c", size: 1 }] },
      { ...valid, entries: [{ kind: "a", label: "x" }] },
      { ...valid, entries: [{ size: 1 }] },
      { ...valid, entries: {} },
      (({ name: _, ...rest }) => rest)(valid),
      [valid],
      null
    ]
    for (const input of broken) {
      assert.strictEqual(decode(input), NOT_SURE, JSON.stringify(input))
      assert.isTrue(Either.isLeft(effectDecode(input)), JSON.stringify(input))
    }
  })

  it("do not look at keys JSON cannot carry, and leave them out", () => {
    const input = Object.defineProperty({ ...valid, [Symbol("s")]: 1 }, "hidden", { value: 1, enumerable: false })
    const compiled = decode(input)
    assert.isTrue(typeof compiled === "object" && compiled !== null)
    assert.deepStrictEqual(Reflect.ownKeys(compiled as object), ["name", "at", "tags", "level", "entries"])
  })

  it("are not sure of a field that is not an own enumerable key, so a hidden field cannot hide an unknown one", () => {
    const hidden = Object.defineProperty({ ...valid, bogus: 1 }, "name", { value: "n", enumerable: false })
    delete (hidden as Record<string, unknown>)["name"]
    Object.defineProperty(hidden, "name", { value: "n", enumerable: false })
    assert.strictEqual(decode(hidden), NOT_SURE)
    assert.isTrue(Either.isLeft(effectDecode(hidden)))
    const inherited = Object.assign(Object.create({ name: "n" }), (({ name: _, ...rest }) => rest)(valid))
    assert.strictEqual(decode(inherited), NOT_SURE)
  })

  it("leave NaN literals and empty structs to Effect's parsers", () => {
    assert.isUndefined(compileParser(Schema.Literal(Number.NaN, 1).ast, true))
    assert.isUndefined(compileParser(Schema.Struct({}).ast, true))
    assert.strictEqual(compileParser(Schema.Literal(1).ast, true)!(Number.NaN), NOT_SURE)
  })

  it("encode what they decoded as Effect's encoder does", () =>
    Effect.gen(function*() {
      const encode = compileParser(Schema.typeSchema(Sample).ast, false)!
      assert.isDefined(encode)
      const decoded = yield* Schema.decodeUnknown(Sample)(valid)
      const full = compileParser(Sample.ast, false)
      // Encoding meets the refinements, which the payload encoders leave out first.
      assert.isUndefined(full)
      assert.deepStrictEqual(
        compileParser(Schema.Struct({ at: Schema.DateTimeUtc, tags: Sample.fields.tags }).ast, false)!(decoded),
        { at: "2024-05-01T07:30:00.000Z", tags: [] }
      )
    }))

  it("leave whole schemas with nodes they do not compile to Effect's parsers", () => {
    interface Tree {
      readonly children: ReadonlyArray<Tree>
    }
    const Tree: Schema.Schema<Tree> = Schema.Struct({
      children: Schema.Array(Schema.suspend((): Schema.Schema<Tree> => Tree))
    })
    for (
      const schema of [
        Tree,
        Schema.Record({ key: Schema.String, value: Schema.Number }),
        Schema.Tuple(Schema.String, Schema.Number),
        Schema.Union(Schema.String, Schema.Number),
        Schema.Union(Item, Schema.Struct({ kind: Schema.Literal("a"), other: Schema.Boolean })),
        Schema.BigInt
      ] as ReadonlyArray<Schema.Schema.Any>
    ) assert.isUndefined(compileParser(schema.ast, true), String(schema.ast))
  })

  it("are not sure when a transformation would not answer at once", () => {
    const Slow = Schema.transformOrFail(Schema.String, Schema.String, {
      decode: (s) => Effect.succeed(s).pipe(Effect.delay("1 millis")),
      encode: ParseResult.succeed
    })
    assert.strictEqual(compileParser(Slow.ast, true)!("x"), NOT_SURE)
  })
})
