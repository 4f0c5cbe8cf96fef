/**
 * The rows of `custos_records` and `custos_mutations`, their Schemas, and the decoders `RecordStoreSql` reads and
 * checks them with.
 *
 * The Schemas say what a row must hold. Running them costs more than the SQL that reads the rows (a page of 1,000
 * records took about 15 ms to decode and 2.5 ms to read), so each decoder first tries a hand-written check of the
 * same rules that builds the same value, and only when that check does not accept its input runs the Schema, which
 * then gives the value or the same `ParseError` as before. The hand-written checks may refuse more than the Schemas
 * (the Schema then decides), never less: whatever they accept, the Schema accepts with a deep-equal value, keys in
 * the same order. `RecordRows.test.ts` holds them to that.
 */
import { App, Apps } from "@custos/core/domain/App"
import { isIdText } from "@custos/core/domain/Ids"
import { Applied, RememberedMutation } from "@custos/core/domain/Mutation"
import { RecordState, StoredRecord } from "@custos/core/domain/Record"
import { Effect, Either, type Option, type ParseResult, Schema } from "effect"
import { Int64, int64Value } from "./sqlStore.js"

export const RecordRow = Schema.Struct({
  account_id: Schema.String,
  app: App,
  id: Schema.String,
  version: Int64,
  seq: Int64,
  state: RecordState,
  body: Schema.NullOr(Schema.String),
  changed_at: Int64,
  changed_by: Schema.NullOr(Schema.String),
  trashed_at: Schema.NullOr(Int64),
  delete_by: Schema.NullOr(Int64),
  size: Int64,
  blobs: Schema.NullOr(Schema.String)
})

/** A record as its columns hold it: `blobs` is JSON text. */
const RecordColumns = Schema.Struct({
  ...StoredRecord.fields,
  blobs: Schema.optional(Schema.parseJson(Schema.Array(Schema.String)))
})

/** The row of a record whose `blobs` are already JSON text: what `RecordFromRow` encodes to. */
const rowOf = (record: typeof RecordColumns.Encoded): typeof RecordRow.Type => ({
  account_id: record.accountId,
  app: record.app,
  id: record.id,
  version: record.version,
  seq: record.seq,
  state: record.state,
  body: record.body ?? null,
  changed_at: record.changedAt,
  changed_by: record.changedBy ?? null,
  trashed_at: record.trashedAt ?? null,
  delete_by: record.deleteBy ?? null,
  size: record.size,
  blobs: record.blobs ?? null
})

/** A row of `custos_records` and the record it holds; absent fields are NULL columns. */
export const RecordFromRow = Schema.transform(
  RecordRow,
  RecordColumns,
  {
    strict: true,
    decode: (row) => ({
      accountId: row.account_id,
      app: row.app,
      id: row.id,
      version: row.version,
      seq: row.seq,
      state: row.state,
      changedAt: row.changed_at,
      size: row.size,
      ...(row.body !== null ? { body: row.body } : {}),
      ...(row.changed_by !== null ? { changedBy: row.changed_by } : {}),
      ...(row.trashed_at !== null ? { trashedAt: row.trashed_at } : {}),
      ...(row.delete_by !== null ? { deleteBy: row.delete_by } : {}),
      ...(row.blobs !== null ? { blobs: row.blobs } : {})
    }),
    encode: rowOf
  }
)

export const MutationRow = Schema.Struct({
  mutation_id: Schema.String,
  app: App,
  record_id: Schema.String,
  op: RememberedMutation.fields.op,
  outcome: Schema.String
})

/** A remembered mutation as its columns hold it: the outcome is JSON text. */
const MutationColumns = Schema.Struct({ ...RememberedMutation.fields, outcome: Schema.parseJson(Applied) })

/** The row of a remembered mutation whose outcome is already JSON text: what `MutationFromRow` encodes to. */
const mutationRowOf = (mutation: typeof MutationColumns.Encoded): typeof MutationRow.Type => ({
  mutation_id: mutation.mutationId,
  app: mutation.app,
  record_id: mutation.recordId,
  op: mutation.op,
  outcome: mutation.outcome
})

/** A row of `custos_mutations` and the mutation it remembers; the outcome is JSON text. */
export const MutationFromRow = Schema.transform(
  MutationRow,
  MutationColumns,
  {
    strict: true,
    decode: (row) => ({
      mutationId: row.mutation_id,
      app: row.app,
      recordId: row.record_id,
      op: row.op,
      outcome: row.outcome
    }),
    encode: mutationRowOf
  }
)

// ---------------------------------------------------------------------------------------------------------------
// The hand-written checks: each returns the value its Schema decodes, or `undefined` to leave the input to it.
// ---------------------------------------------------------------------------------------------------------------

type Fields = { readonly [key: string]: unknown }

const apps: ReadonlySet<unknown> = new Set(Apps)
const states: ReadonlySet<unknown> = new Set(RecordState.literals)
const ops: ReadonlySet<unknown> = new Set(RememberedMutation.fields.op.literals)

/** What `Schema.Struct` reads its fields from: an object that is not an array. */
const isFields = (input: unknown): input is Fields =>
  typeof input === "object" && input !== null && !Array.isArray(input)

const isId = (value: unknown): value is string => typeof value === "string" && isIdText(value)

/** An `Int64` column's number; `undefined` when `Int64` refuses it. */
const int64 = (value: unknown): number | undefined =>
  typeof value === "number" || typeof value === "string" || typeof value === "bigint" ? int64Value(value) : undefined

/** `Schema.Int`: a safe integer (`Number.isSafeInteger` is false for anything that is not a number). */
const isInt = (value: unknown): value is number => Number.isSafeInteger(value)

/** A plain array of the strings `value` holds, each read once; `undefined` unless it is an array of strings. */
const copyOfStrings = (value: unknown): Array<string> | undefined => {
  if (!Array.isArray(value)) return undefined
  const copy: Array<string> = []
  for (let i = 0; i < value.length; i++) {
    const element: unknown = value[i]
    if (typeof element !== "string") return undefined
    copy.push(element)
  }
  return copy
}

/** What `JSON.parse` reads from `text`, or `undefined` where it throws (`Schema.parseJson` refuses that text). */
const parsedJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A row of `custos_records` as `RecordFromRow` decodes it, keys in `StoredRecord`'s order. */
export const recordOfRow = (row: unknown): StoredRecord | undefined => {
  if (!isFields(row)) return undefined
  const { account_id, app, blobs, body, changed_by, delete_by, id, state, trashed_at } = row
  const version = int64(row.version)
  const seq = int64(row.seq)
  const changedAt = int64(row.changed_at)
  const size = int64(row.size)
  if (
    !isId(account_id) || !apps.has(app) || !isId(id) || version === undefined || !(version > 0) ||
    seq === undefined || !(seq >= 0) || !states.has(state) || (body !== null && typeof body !== "string") ||
    changedAt === undefined || (changed_by !== null && !isId(changed_by)) || size === undefined || !(size >= 0) ||
    (blobs !== null && typeof blobs !== "string")
  ) return undefined
  const record: Record<string, unknown> = { accountId: account_id, app, id, version, seq, state }
  if (body !== null) record.body = body
  record.changedAt = changedAt
  if (changed_by !== null) record.changedBy = changed_by
  if (trashed_at !== null) {
    const trashedAt = int64(trashed_at)
    if (trashedAt === undefined) return undefined
    record.trashedAt = trashedAt
  }
  if (delete_by !== null) {
    const deleteBy = int64(delete_by)
    if (deleteBy === undefined) return undefined
    record.deleteBy = deleteBy
  }
  record.size = size
  if (blobs !== null) {
    const list = copyOfStrings(parsedJson(blobs))
    if (list === undefined) return undefined
    record.blobs = list
  }
  return record as unknown as StoredRecord
}

/** An outcome as `Applied` decodes it (from JSON or as a value), keys in `Applied`'s order. */
const appliedOf = (input: unknown): Applied | undefined => {
  if (!isFields(input)) return undefined
  const { _tag, mutationId, recordId, seq, state, version } = input
  return _tag === "applied" && isId(mutationId) && isId(recordId) && isInt(version) && version > 0 && isInt(seq) &&
      seq >= 0 && states.has(state)
    ? { _tag, mutationId, recordId, version, seq, state } as Applied
    : undefined
}

/** A row of `custos_mutations` as `MutationFromRow` decodes it, keys in `RememberedMutation`'s order. */
export const mutationOfRow = (row: unknown): RememberedMutation | undefined => {
  if (!isFields(row)) return undefined
  const { app, mutation_id, op, outcome, record_id } = row
  if (!isId(mutation_id) || !apps.has(app) || !isId(record_id) || !ops.has(op) || typeof outcome !== "string") {
    return undefined
  }
  const applied = appliedOf(parsedJson(outcome))
  return applied === undefined
    ? undefined
    : { mutationId: mutation_id, app, recordId: record_id, op, outcome: applied } as RememberedMutation
}

/**
 * An optional field as `Schema.optional` decodes it: a key the input does not own stays absent, an own key is
 * copied with its value, which must be `undefined` or pass `check`. `false`: refused.
 */
const copyOptional = (
  input: Fields,
  key: string,
  check: (value: unknown) => boolean,
  output: Record<string, unknown>
): boolean => {
  if (!Object.hasOwn(input, key)) return true
  const value = input[key]
  if (value !== undefined && !check(value)) return false
  output[key] = value
  return true
}

const isString = (value: unknown) => typeof value === "string"

/** A value as `Schema.decodeUnknown(StoredRecord)` decodes it: its fields in order, `blobs` copied, nothing else. */
export const storedRecordOf = (input: unknown): StoredRecord | undefined => {
  if (!isFields(input)) return undefined
  const { accountId, app, changedAt, id, seq, size, state, version } = input
  if (
    !isId(accountId) || !apps.has(app) || !isId(id) || !isInt(version) || !(version > 0) || !isInt(seq) ||
    !(seq >= 0) || !states.has(state) || !isInt(changedAt) || !isInt(size) || !(size >= 0)
  ) return undefined
  const record: Record<string, unknown> = { accountId, app, id, version, seq, state }
  if (!copyOptional(input, "body", isString, record)) return undefined
  record.changedAt = changedAt
  if (
    !copyOptional(input, "changedBy", isId, record) ||
    !copyOptional(input, "trashedAt", isInt, record) ||
    !copyOptional(input, "deleteBy", isInt, record)
  ) return undefined
  record.size = size
  if (Object.hasOwn(input, "blobs")) {
    // Each element read once, into a fresh plain array: what is checked is what is kept.
    const blobs = input["blobs"] === undefined ? undefined : copyOfStrings(input["blobs"])
    if (blobs === undefined && input["blobs"] !== undefined) return undefined
    record.blobs = blobs
  }
  return record as unknown as StoredRecord
}

/** A value as `Schema.validate(RememberedMutation)` returns it: its fields in order and a fresh outcome. */
export const rememberedMutationOf = (input: unknown): RememberedMutation | undefined => {
  if (!isFields(input)) return undefined
  const { app, mutationId, op, recordId } = input
  if (!isId(mutationId) || !apps.has(app) || !isId(recordId) || !ops.has(op)) return undefined
  const outcome = appliedOf(input.outcome)
  return outcome === undefined ? undefined : { mutationId, app, recordId, op, outcome } as RememberedMutation
}

// ---------------------------------------------------------------------------------------------------------------
// The decoders: the hand-written check, and the Schema wherever it does not accept the input.
// ---------------------------------------------------------------------------------------------------------------

/** Maps every row with `fast`, or gives `undefined` as soon as one is not accepted. */
const allOf = <A>(rows: unknown, fast: (row: unknown) => A | undefined): Array<A> | undefined => {
  if (!Array.isArray(rows)) return undefined
  const values = new Array<A>(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const value = fast(rows[i])
    if (value === undefined) return undefined
    values[i] = value
  }
  return values
}

const schemaRecords = Schema.decodeUnknown(Schema.Array(RecordFromRow))
const schemaRecord = Schema.decodeUnknown(RecordFromRow)
const schemaMutations = Schema.decodeUnknown(Schema.Array(MutationFromRow))
const schemaStored = Schema.decodeUnknownEither(StoredRecord)
const schemaMutation = Schema.validateEither(RememberedMutation)

/** Rows of `custos_records` as records: `Schema.decodeUnknown(Schema.Array(RecordFromRow))`. */
export const decodeRecords = (rows: unknown): Effect.Effect<ReadonlyArray<StoredRecord>, ParseResult.ParseError> => {
  const records = allOf(rows, recordOfRow)
  return records !== undefined ? Effect.succeed(records) : schemaRecords(rows)
}

/** The first of `rows`, if any, as a record. */
export const decodeFirstRecord = (
  rows: ReadonlyArray<unknown>
): Effect.Effect<Option.Option<StoredRecord>, ParseResult.ParseError> => {
  if (rows.length === 0) return Effect.succeedNone
  const record = recordOfRow(rows[0])
  return record !== undefined ? Effect.succeedSome(record) : Effect.asSome(schemaRecord(rows[0]))
}

/** Rows of `custos_mutations` as remembered mutations: `Schema.decodeUnknown(Schema.Array(MutationFromRow))`. */
export const decodeMutations = (
  rows: unknown
): Effect.Effect<ReadonlyArray<RememberedMutation>, ParseResult.ParseError> => {
  const mutations = allOf(rows, mutationOfRow)
  return mutations !== undefined ? Effect.succeed(mutations) : schemaMutations(rows)
}

/** `Schema.decodeUnknownEither(StoredRecord)`. */
export const decodeStored = (input: unknown): Either.Either<StoredRecord, ParseResult.ParseError> => {
  const stored = storedRecordOf(input)
  return stored !== undefined ? Either.right(stored) : schemaStored(input)
}

/** `Schema.validateEither(RememberedMutation)`. */
export const validateMutation = (input: unknown): Either.Either<RememberedMutation, ParseResult.ParseError> => {
  const mutation = rememberedMutationOf(input)
  return mutation !== undefined ? Either.right(mutation) : schemaMutation(input)
}

/**
 * The row of a record `decodeStored` has just checked: what `Schema.encode(RecordFromRow)` gives, without checking
 * the record a second time (each column is the field itself, `blobs` JSON text).
 */
export const checkedRecordRow = (stored: StoredRecord) =>
  rowOf({ ...stored, blobs: stored.blobs === undefined ? undefined : JSON.stringify(stored.blobs) })

/** The row of a mutation `validateMutation` has just checked: what `Schema.encode(MutationFromRow)` gives. */
export const checkedMutationRow = (mutation: RememberedMutation) =>
  mutationRowOf({ ...mutation, outcome: JSON.stringify(mutation.outcome) })
