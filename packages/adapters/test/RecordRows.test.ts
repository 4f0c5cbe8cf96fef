/**
 * The hand-written checks of `sql/internal/recordRows` against the Schemas they stand in for. Whatever a check
 * accepts, the Schema must accept with a deep-equal value whose keys come in the same order; the decoders built on
 * them must give exactly what the Schema alone gives, value or error. Rows come as SQLite gives them (numbers),
 * as PostgreSQL gives them (`bigint` columns as strings) and as bigints, first valid, then broken in every column.
 */
import { Applied, RememberedMutation } from "@custos/core/domain/Mutation"
import { StoredRecord } from "@custos/core/domain/Record"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Arbitrary, Effect, Either, FastCheck, ParseResult, Schema, SchemaAST } from "effect"
import { createHash } from "node:crypto"
import * as NodeAssert from "node:assert"
import {
  decodeMutations,
  decodeRecords,
  decodeStored,
  MutationFromRow,
  MutationRow,
  mutationOfRow,
  RecordFromRow,
  RecordRow,
  recordOfRow,
  rememberedMutationOf,
  storedRecordOf,
  validateMutation
} from "../src/sql/internal/recordRows.js"
import { Int64 } from "../src/sql/internal/sqlStore.js"

beforeAll(() => FastCheck.configureGlobal({ seed: 20261204, numRuns: 300 }))
afterAll(() => FastCheck.resetConfigureGlobal())

/** The keys of `value` and of everything in it, in order: what `deepStrictEqual` does not compare. */
const keyOrder = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(keyOrder)
    : typeof value === "object" && value !== null
    ? Object.entries(value).map(([key, inner]) => [key, keyOrder(inner)])
    : null

/** The same value: deep-equal (`-0` is not `0`, an `undefined` key is not a missing one) with keys in the same order. */
const assertSame = (actual: unknown, expected: unknown) => {
  NodeAssert.deepStrictEqual(actual, expected)
  NodeAssert.deepStrictEqual(keyOrder(actual), keyOrder(expected))
}

/** The same result: both the same value, or both failed with the same message. */
const assertSameResult = <A>(
  actual: Either.Either<A, ParseResult.ParseError>,
  expected: Either.Either<A, ParseResult.ParseError>,
  input: unknown
) => {
  const show = () =>
    Either.isLeft(expected)
      ? ParseResult.ArrayFormatter.formatErrorSync(expected.left).map((issue) =>
        `${issue.path.join(".")}: ${issue.message}`
      ).join("; ")
      : "a success"
  assert.strictEqual(actual._tag, expected._tag, `input ${describeInput(input)}: the Schema gives ${show()}`)
  if (Either.isRight(actual) && Either.isRight(expected)) assertSame(actual.right, expected.right)
  if (Either.isLeft(actual) && Either.isLeft(expected)) assert.strictEqual(actual.left.message, expected.left.message)
}

const describeInput = (input: unknown) =>
  JSON.stringify(input, (_, v) => typeof v === "bigint" ? `${v}n` : v === undefined ? "(undefined)" : v)

/**
 * A check that `decode` gives what `schema` gives for an input, and that whatever `fast` accepts of each of its items
 * (the rows of a page, or the input itself), `schemaOfItem` decodes to the same.
 */
const agreement = <A, B>(options: {
  readonly decode: (input: unknown) => Either.Either<A, ParseResult.ParseError>
  readonly schema: (input: unknown) => Either.Either<A, ParseResult.ParseError>
  readonly fast: (item: unknown) => B | undefined
  readonly schemaOfItem: (item: unknown) => Either.Either<B, ParseResult.ParseError>
  readonly itemsOf: (input: unknown) => ReadonlyArray<unknown>
}) =>
(input: unknown) => {
  assertSameResult(options.decode(input), options.schema(input), input)
  for (const item of options.itemsOf(input)) {
    const fast = options.fast(item)
    if (fast !== undefined) assertSameResult(Either.right(fast), options.schemaOfItem(item), item)
  }
}

const rowsOf = (input: unknown): ReadonlyArray<unknown> => Array.isArray(input) ? input : []

// ---------------------------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------------------------

type Shape = "sqlite" | "pg" | "bigint"
const shapes: ReadonlyArray<Shape> = ["sqlite", "pg", "bigint"]

const int64As = (shape: Shape) => (n: number): number | string | bigint =>
  shape === "sqlite" ? n : shape === "pg" ? String(n) : BigInt(n)

/** The row a database gives for `record`, its 64-bit integers as `shape` has them. */
const rowOf = (record: StoredRecord, shape: Shape): Record<string, unknown> => {
  const int = int64As(shape)
  return {
    account_id: record.accountId,
    app: record.app,
    id: record.id,
    version: int(record.version),
    seq: int(record.seq),
    state: record.state,
    body: record.body ?? null,
    changed_at: int(record.changedAt),
    changed_by: record.changedBy ?? null,
    trashed_at: record.trashedAt === undefined ? null : int(record.trashedAt),
    delete_by: record.deleteBy === undefined ? null : int(record.deleteBy),
    size: int(record.size),
    blobs: record.blobs === undefined ? null : JSON.stringify(record.blobs)
  }
}

const safeInteger = FastCheck.maxSafeInteger()

/** Records a database can hold: the times are safe integers, as their columns are 64-bit integers. */
const storableRecord = FastCheck.tuple(
  Arbitrary.make(StoredRecord),
  safeInteger,
  FastCheck.option(safeInteger, { nil: undefined }),
  FastCheck.option(safeInteger, { nil: undefined })
).map(([record, changedAt, trashedAt, deleteBy]): StoredRecord => {
  const { deleteBy: _d, trashedAt: _t, ...rest } = record
  return {
    ...rest,
    changedAt,
    ...(trashedAt !== undefined ? { trashedAt } : {}),
    ...(deleteBy !== undefined ? { deleteBy } : {})
  }
})

const recordRow = FastCheck.tuple(storableRecord, FastCheck.constantFrom(...shapes)).map(([record, shape]) =>
  rowOf(record, shape)
)

const schemaRecord = Schema.decodeUnknownEither(RecordFromRow)

/** `decodeRecords` gives what the Schema gives; what `recordOfRow` accepts, the Schema decodes to the same. */
const checkRecordRows = agreement({
  decode: (rows) => Effect.runSync(Effect.either(decodeRecords(rows))),
  schema: Schema.decodeUnknownEither(Schema.Array(RecordFromRow)),
  fast: recordOfRow,
  schemaOfItem: schemaRecord,
  itemsOf: rowsOf
})

/** Values that are wrong somewhere, right elsewhere, or right only by a narrow margin. */
const oddValues: ReadonlyArray<unknown> = [
  undefined,
  null,
  true,
  0,
  -0,
  1,
  -1,
  1.5,
  NaN,
  Infinity,
  -Infinity,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  0n,
  1n,
  -1n,
  2n ** 53n,
  "",
  "0",
  "-0",
  "1",
  "007",
  "-1",
  "+1",
  " 1",
  "1 ",
  "1.0",
  "1e3",
  "0x10",
  "9007199254740991",
  "9007199254740992",
  "9007199254740993",
  "-9007199254740993",
  "a",
  "x".repeat(128),
  "x".repeat(129),
  "has space",
  "é",
  "a/b",
  "a\n",
  "a.b:c_d-E9",
  ".",
  "..",
  "contacts",
  "home-screen",
  "unknown-app",
  "Contacts",
  "active",
  "purged",
  "gone",
  "[]",
  "[\"a\",\"b\"]",
  "[\"a\",1]",
  "[null]",
  "[[\"a\"]]",
  "{\"0\":\"a\"}",
  "null",
  "\"a\"",
  "[",
  "not json",
  " [\"a\"] ",
  {},
  [],
  ["a"],
  // Not text, but `JSON.parse` would read them as the text they turn into.
  ["[\"a\"]"],
  { toString: () => "[]" },
  new Date(0)
]

/** The columns of `custos_records`, as its row Schema names them. */
const recordColumns = Object.keys(RecordRow.fields)

const withColumn = (row: Record<string, unknown>, column: string, value: unknown) => ({ ...row, [column]: value })
const withoutColumn = (row: Record<string, unknown>, column: string) => {
  const { [column]: _, ...rest } = row
  return rest
}

/** Valid rows of every shape, with their optional columns NULL and set. */
const baseRecords = [
  {
    accountId: "acc_1",
    app: "contacts",
    id: "c-1",
    version: 1,
    seq: 0,
    state: "active",
    changedAt: 1_700_000_000_000,
    size: 0
  },
  {
    accountId: "a.b:c_d-E9",
    app: "gallery",
    id: "x".repeat(128),
    version: 3,
    seq: 42,
    state: "trashed",
    body: "{\"n\":1}",
    changedAt: -5,
    changedBy: "phone",
    trashedAt: 1_700_000_000_001,
    deleteBy: 1_702_592_000_001,
    size: 9_007_199_254_740_991,
    blobs: ["b1", "b2"]
  }
].map((record) => Schema.decodeUnknownSync(StoredRecord)(record))
const baseRows = baseRecords.flatMap((record) => shapes.map((shape) => rowOf(record, shape)))

describe("records read from custos_records", () => {
  it("valid rows of every shape are decoded by the hand-written check, to what the Schema gives", () => {
    FastCheck.assert(FastCheck.property(recordRow, (row) => {
      assert.isDefined(recordOfRow(row), describeInput(row))
      checkRecordRows([row])
    }))
    for (const row of baseRows) {
      assert.isDefined(recordOfRow(row), describeInput(row))
      checkRecordRows([row])
    }
    checkRecordRows(baseRows)
    checkRecordRows([])
  })

  it("a row broken in any column gives what the Schema gives", () => {
    for (const row of baseRows) {
      for (const column of recordColumns) {
        checkRecordRows([withoutColumn(row, column)])
        for (const value of oddValues) checkRecordRows([withColumn(row, column, value)])
      }
    }
  })

  it("a row broken in a random column gives what the Schema gives, alone or among valid rows", () => {
    const broken = FastCheck.tuple(
      recordRow,
      FastCheck.constantFrom(...recordColumns),
      FastCheck.oneof(FastCheck.constantFrom(...oddValues), FastCheck.anything({ withBigInt: true }))
    ).map(([row, column, value]) => withColumn(row, column, value))
    FastCheck.assert(FastCheck.property(broken, recordRow, (row, valid) => {
      checkRecordRows([row])
      checkRecordRows([valid, row, valid])
    }))
  })

  it("what the Schema accepts beside the rows a database gives is still read without it", () => {
    const [row] = baseRows
    const accepted = [
      { ...row, extra: "ignored", accountId: "not a column" },
      withColumn(row!, "seq", "-0"),
      withColumn(row!, "seq", -0),
      withColumn(row!, "version", "007"),
      withColumn(row!, "size", 2n ** 52n),
      withColumn(row!, "body", ""),
      withColumn(row!, "blobs", "[]"),
      withColumn(row!, "blobs", " [\"a\"] ")
    ]
    for (const candidate of accepted) {
      assert.isTrue(Either.isRight(schemaRecord(candidate)), describeInput(candidate))
      assert.isDefined(recordOfRow(candidate), describeInput(candidate))
      checkRecordRows([candidate])
    }
    // The Schema drops the extra columns, and so does the check.
    assert.deepStrictEqual(Object.keys(recordOfRow(accepted[0])!), Object.keys(recordOfRow(row)!))
    assert.isTrue(Object.is(recordOfRow(accepted[1])!.seq, -0))
  })

  it("whatever is not an array of rows gives what the Schema gives", () => {
    const [row] = baseRows
    for (const rows of [null, undefined, "rows", 1, {}, { 0: row, length: 1 }, [null], [1], ["row"], [[]], [[row]]]) {
      checkRecordRows(rows)
    }
    checkRecordRows([Object.assign([], row)])
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Remembered mutations
// ---------------------------------------------------------------------------------------------------------------

const mutationRowOf = (mutation: RememberedMutation): Record<string, unknown> => ({
  mutation_id: mutation.mutationId,
  app: mutation.app,
  record_id: mutation.recordId,
  op: mutation.op,
  outcome: JSON.stringify(mutation.outcome)
})

const mutationRow = Arbitrary.make(RememberedMutation).map(mutationRowOf)

const checkMutationRows = agreement({
  decode: (rows) => Effect.runSync(Effect.either(decodeMutations(rows))),
  schema: Schema.decodeUnknownEither(Schema.Array(MutationFromRow)),
  fast: mutationOfRow,
  schemaOfItem: Schema.decodeUnknownEither(MutationFromRow),
  itemsOf: rowsOf
})

const baseOutcome = {
  _tag: "applied",
  mutationId: "m-1",
  recordId: "c-1",
  version: 2,
  seq: 7,
  state: "active"
} as Applied
const baseMutationRow = mutationRowOf({
  mutationId: "m-1",
  app: "contacts",
  recordId: "c-1",
  op: "put",
  outcome: baseOutcome
} as RememberedMutation)

const mutationColumns = Object.keys(MutationRow.fields)
const outcomeKeys = ["_tag", "mutationId", "recordId", "version", "seq", "state"] as const

/** Values JSON can hold (`JSON.stringify` refuses bigints and drops `undefined`). */
const jsonValues = oddValues.filter((value) => typeof value !== "bigint" && value !== undefined)

describe("remembered mutations read from custos_mutations", () => {
  it("valid rows are decoded by the hand-written check, to what the Schema gives", () => {
    FastCheck.assert(FastCheck.property(mutationRow, (row) => {
      assert.isDefined(mutationOfRow(row), describeInput(row))
      checkMutationRows([row])
    }))
    assert.isDefined(mutationOfRow(baseMutationRow))
    checkMutationRows([baseMutationRow, baseMutationRow])
  })

  it("a row broken in any column, or in any field of its outcome, gives what the Schema gives", () => {
    for (const column of mutationColumns) {
      checkMutationRows([withoutColumn(baseMutationRow, column)])
      for (const value of [...oddValues, "put", "delete", "PUT"]) {
        checkMutationRows([withColumn(baseMutationRow, column, value)])
      }
    }
    for (const key of outcomeKeys) {
      checkMutationRows([{ ...baseMutationRow, outcome: JSON.stringify(withoutColumn(baseOutcome, key)) }])
      for (const value of [...jsonValues, "applied", "conflict", "duplicate", "rejected", "Applied"]) {
        checkMutationRows([{ ...baseMutationRow, outcome: JSON.stringify(withColumn(baseOutcome, key, value)) }])
      }
    }
    const reordered = JSON.stringify({ state: "active", seq: 7, version: 2, recordId: "c-1", mutationId: "m-1", _tag: "applied" })
    for (
      const outcome of [
        reordered,
        JSON.stringify({ ...baseOutcome, extra: 1 }),
        JSON.stringify([baseOutcome]),
        "1e0",
        "{\"_tag\":\"applied\",\"mutationId\":\"m-1\",\"recordId\":\"c-1\",\"version\":2.0,\"seq\":-0,\"state\":\"active\"}",
        "{\"_tag\":\"applied\",\"mutationId\":\"m-1\",\"recordId\":\"c-1\",\"version\":1e400,\"seq\":0,\"state\":\"active\"}"
      ]
    ) {
      checkMutationRows([{ ...baseMutationRow, outcome }])
    }
    assert.isDefined(mutationOfRow({ ...baseMutationRow, outcome: reordered }))
  })

  it("a row broken in a random column gives what the Schema gives", () => {
    const broken = FastCheck.tuple(
      mutationRow,
      FastCheck.constantFrom(...mutationColumns),
      FastCheck.oneof(FastCheck.constantFrom(...oddValues), FastCheck.anything({ withBigInt: true }))
    ).map(([row, column, value]) => withColumn(row, column, value))
    FastCheck.assert(FastCheck.property(broken, mutationRow, (row, valid) => {
      checkMutationRows([row])
      checkMutationRows([valid, row])
    }))
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------------------------

const schemaStored = Schema.decodeUnknownEither(StoredRecord)
const schemaValidMutation = Schema.validateEither(RememberedMutation)

const checkStored = agreement({
  decode: decodeStored,
  schema: schemaStored,
  fast: storedRecordOf,
  schemaOfItem: schemaStored,
  itemsOf: (input) => [input]
})

const checkRemembered = agreement({
  decode: validateMutation,
  schema: schemaValidMutation,
  fast: rememberedMutationOf,
  schemaOfItem: schemaValidMutation,
  itemsOf: (input) => [input]
})

const recordFields = [
  "accountId",
  "app",
  "id",
  "version",
  "seq",
  "state",
  "body",
  "changedAt",
  "changedBy",
  "trashedAt",
  "deleteBy",
  "size",
  "blobs"
] as const

describe("records and mutations checked before they are written", () => {
  it("valid records and mutations pass the hand-written checks, as the Schemas give them", () => {
    // Any number, NaN and the infinities included, is a valid `changedAt`: the Schema says `Schema.Number`.
    FastCheck.assert(FastCheck.property(Arbitrary.make(StoredRecord), (record) => {
      assert.isDefined(storedRecordOf(record), describeInput(record))
      checkStored(record)
    }))
    FastCheck.assert(FastCheck.property(Arbitrary.make(RememberedMutation), (mutation) => {
      assert.isDefined(rememberedMutationOf(mutation), describeInput(mutation))
      checkRemembered(mutation)
    }))
    const [, full] = baseRecords
    assert.notStrictEqual(storedRecordOf(full)!.blobs, full!.blobs, "the blobs are copied, as the Schema copies them")
  })

  it("a record or mutation broken in any field gives what the Schema gives", () => {
    for (const record of baseRecords) {
      for (const field of recordFields) {
        checkStored(withoutColumn(record, field))
        for (const value of oddValues) checkStored(withColumn(record, field, value))
      }
      checkStored({ ...record, extra: 1 })
      // Times are whole epoch milliseconds: no store keeps NaN, an infinity or a fraction.
      for (const field of ["changedAt", "trashedAt", "deleteBy"]) {
        for (const time of [NaN, Infinity, 1.5]) assert.isUndefined(storedRecordOf(withColumn(record, field, time)))
      }
      checkStored({ ...record, blobs: ["a", 1] })
      checkStored({ ...record, blobs: [, "a"] })
      checkStored(Object.assign(Object.create({ body: "inherited", changedBy: "x" }), record))
    }
    for (const value of [null, undefined, "record", 1, [], [baseRecords[0]]]) checkStored(value)
    const mutation = { mutationId: "m-1", app: "contacts", recordId: "c-1", op: "delete", outcome: baseOutcome }
    for (const field of ["mutationId", "app", "recordId", "op", "outcome"]) {
      checkRemembered(withoutColumn(mutation, field))
      for (const value of oddValues) checkRemembered(withColumn(mutation, field, value))
    }
    for (const key of outcomeKeys) {
      checkRemembered({ ...mutation, outcome: withoutColumn(baseOutcome, key) })
      for (const value of [...oddValues, "applied", "conflict", "duplicate", "rejected"]) {
        checkRemembered({ ...mutation, outcome: withColumn(baseOutcome, key, value) })
      }
    }
    checkRemembered({ ...mutation, extra: 1, outcome: { ...baseOutcome, extra: 1 } })
    // An array carrying an outcome's keys is not an outcome.
    checkRemembered({ ...mutation, outcome: Object.assign([], baseOutcome) })
    // A list of blobs is read once, into a plain array of its own: what was checked is what is written.
    class Blobs extends Array<string> {}
    let reads = 0
    const shifty = ["b1"]
    Object.defineProperty(shifty, 0, { get: () => (reads++ === 0 ? "b1" : 42), enumerable: true })
    for (const blobs of [Blobs.from(["b1", "b2"]), shifty]) {
      const kept = storedRecordOf({ ...baseRecords[1]!, blobs })
      assert.isDefined(kept)
      assert.strictEqual(Object.getPrototypeOf(kept!.blobs), Array.prototype)
      assert.isTrue(kept!.blobs!.every((id) => typeof id === "string"))
    }
  })

  it("a record broken in a random field gives what the Schema gives", () => {
    const broken = FastCheck.tuple(
      Arbitrary.make(StoredRecord),
      FastCheck.constantFrom(...recordFields),
      FastCheck.oneof(FastCheck.constantFrom(...oddValues), FastCheck.anything({ withBigInt: true }))
    ).map(([record, field, value]) => withColumn(record, field, value))
    FastCheck.assert(FastCheck.property(broken, checkStored))
  })
})

describe("what the hand-written checks stand in for", () => {
  it("Int64 reads decimal digits with an optional minus, and safe integers only", () => {
    const read = Schema.decodeUnknownEither(Int64)
    const taken: ReadonlyArray<[unknown, number]> = [
      [0, 0],
      [-0, -0],
      ["-0", -0],
      ["007", 7],
      ["-12", -12],
      [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
      [String(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER],
      [BigInt(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER],
      [-(2n ** 53n) + 1n, -Number.MAX_SAFE_INTEGER]
    ]
    for (const [input, expected] of taken) {
      const result = read(input)
      assert.isTrue(Either.isRight(result), describeInput(input))
      NodeAssert.deepStrictEqual(Either.getOrThrow(result), expected)
    }
    const refused: ReadonlyArray<unknown> = [
      "",
      "+1",
      " 1",
      "1 ",
      "1.0",
      "1e3",
      "0x10",
      "9007199254740992",
      2n ** 53n,
      2 ** 53,
      NaN,
      Infinity,
      -Infinity,
      1.5,
      null,
      true
    ]
    for (const input of refused) {
      const result = read(input)
      assert.isTrue(Either.isLeft(result), describeInput(input))
    }
    const message = Either.getLeft(read("1e3")).pipe((e) => e._tag === "Some" ? e.value.message : "")
    assert.include(message, "expected a safe integer, got 1e3")
  })

  it("the Schemas the checks were written against are unchanged (else update recordRows.ts, then this figure)", () => {
    // A fingerprint of every Schema recordRows.ts checks by hand: structure, literals, each refinement's predicate
    // source and JSON Schema annotation. A tightened rule there would leave the hand-written checks looser.
    const shape = (ast: SchemaAST.AST): unknown => {
      switch (ast._tag) {
        case "Refinement":
          return [ast._tag, String(ast.filter), ast.annotations[SchemaAST.JSONSchemaAnnotationId] ?? null, shape(ast.from)]
        case "TypeLiteral":
          return [
            ast._tag,
            ast.propertySignatures.map((p) => [String(p.name), p.isOptional, shape(p.type)]),
            ast.indexSignatures.length
          ]
        case "Union":
          return [ast._tag, ast.types.map(shape)]
        case "TupleType":
          return [ast._tag, ast.elements.map((e) => [e.isOptional, shape(e.type)]), ast.rest.map((r) => shape(r.type))]
        case "Literal":
          return [ast._tag, String(ast.literal)]
        case "Transformation":
          return [ast._tag, shape(ast.from), shape(ast.to), String((ast.transformation as { decode?: unknown }).decode)]
        case "Declaration":
          return [ast._tag, ast.typeParameters.map(shape)]
        default:
          return ast._tag
      }
    }
    const shadowed = [StoredRecord, RememberedMutation, Applied, Int64, RecordFromRow, MutationFromRow]
    const fingerprint = createHash("sha256").update(JSON.stringify(shadowed.map((schema) => shape(schema.ast))))
      .digest("hex")
    assert.strictEqual(fingerprint, "d291d4f9d5bd64fd19502af4de74f403ecfb6f2a906facd96aab1ef4e599d6cf")
  })
})
