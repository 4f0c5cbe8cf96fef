/**
 * A parser compiled from a Schema's AST for the values it accepts as they are: what `ParseResult.decodeUnknownEither`
 * (or `encodeEither`) with `errors: "first"` answers for such a value, without the issue trees, `Either`s and
 * per-step closures its general parser builds on the way. A push decodes and encodes every payload it carries, and
 * that general machinery cost more than sealing them.
 *
 * It answers only what it is sure of. A value it does not accept whole (any failure, a key the schema does not name,
 * a required key missing) gets `NOT_SURE`, and the caller asks Effect's parser, which then says why: every error
 * message still comes from there. So the compiled parser need only agree with Effect's on what Effect accepts, and
 * a test holds it to that over generated payloads of every app, valid and broken. One difference is chosen: a field
 * is taken only as an own enumerable key, as JSON carries it, and other keys JSON cannot carry (symbols,
 * non-enumerable properties the schema does not name) are not looked at, where Effect's strict parser refuses them;
 * the answer leaves them out either way.
 *
 * Only the AST nodes the payload schemas use are compiled (strings, numbers, booleans, literals, unions of literals
 * or of structs told apart by a literal field, structs without index signatures, arrays, filters, and
 * transformations and declarations that answer at once); a schema holding anything else (a recursive one among
 * them: `Suspend` is not compiled), or a parse-options or decoding-fallback annotation, is not compiled at all
 * (`compileParser` returns `undefined`) and goes to Effect's parser whole.
 */
import { Either, Option } from "effect"
import * as SchemaAST from "effect/SchemaAST"

/** The answer for a value the compiled parser does not accept as it is. */
export const NOT_SURE: unique symbol = Symbol("custos/compiledParser/notSure")

export type CompiledParser = (input: unknown) => unknown

class Unsupported extends Error {}

const options: SchemaAST.ParseOptions = { errors: "first" }

const isObject = (input: unknown): input is Record<PropertyKey, unknown> =>
  typeof input === "object" && input !== null && !Array.isArray(input)

/** An answer of a filter, a transformation or a declaration: an `Either` right now, or not sure. */
const settled = (result: unknown): unknown => {
  if (!Either.isEither(result)) return NOT_SURE
  return Either.isRight(result) ? result.right : NOT_SURE
}

const compile = (ast: SchemaAST.AST, isDecoding: boolean, memo: Map<SchemaAST.AST, CompiledParser>): CompiledParser => {
  const known = memo.get(ast)
  if (known !== undefined) return known
  if (Option.isSome(SchemaAST.getParseOptionsAnnotation(ast))) throw new Unsupported("parse options")
  if (Option.isSome(SchemaAST.getDecodingFallbackAnnotation(ast))) throw new Unsupported("decoding fallback")
  // A node shared by several fields (a blob ref, a home-screen item) is compiled once. No node is reached again
  // while its own children are compiled: only `Suspend` makes a cycle, and it is not compiled.
  const compiled = build(ast, isDecoding, memo)
  memo.set(ast, compiled)
  return compiled
}

const build = (ast: SchemaAST.AST, isDecoding: boolean, memo: Map<SchemaAST.AST, CompiledParser>): CompiledParser => {
  switch (ast._tag) {
    case "StringKeyword":
      return (input) => (typeof input === "string" ? input : NOT_SURE)
    case "NumberKeyword":
      return (input) => (typeof input === "number" ? input : NOT_SURE)
    case "BooleanKeyword":
      return (input) => (typeof input === "boolean" ? input : NOT_SURE)
    case "Literal": {
      const literal = ast.literal
      return (input) => (input === literal ? input : NOT_SURE)
    }
    case "Union": {
      // A `Set` and a `Map` find NaN where `===`, which Effect compares with, does not: no NaN literals here.
      const isNaNLiteral = (type: SchemaAST.AST) => SchemaAST.isLiteral(type) && Number.isNaN(type.literal)
      if (ast.types.some(isNaNLiteral)) throw new Unsupported("a NaN literal")
      // Literals: the one that matches is the answer.
      if (ast.types.every(SchemaAST.isLiteral)) {
        const literals = new Set<unknown>(ast.types.map((type) => (type as SchemaAST.Literal).literal))
        return (input) => (literals.has(input) ? input : NOT_SURE)
      }
      // Structs told apart by a literal field (`kind: "history" | "favourite"`): at most one of them can accept a
      // value, so the one its field names answers, as Effect's union does.
      const members = discriminated(ast.types)
      if (members === undefined) throw new Unsupported("a union not told apart by a literal field")
      const byLiteral = new Map<unknown, CompiledParser>()
      for (const [literal, member] of members.byLiteral) byLiteral.set(literal, compile(member, isDecoding, memo))
      const key = members.key
      return (input) => {
        if (!isObject(input) || !Object.hasOwn(input, key)) return NOT_SURE
        const member = byLiteral.get(input[key])
        return member === undefined ? NOT_SURE : member(input)
      }
    }
    case "Refinement": {
      // Encoding checks the decoded value first, then encodes what the filter stood on; the payload encoders are
      // built without refinements (`withoutRefinements` in Payloads.ts), so only decoding meets them.
      if (!isDecoding) throw new Unsupported("a refinement when encoding")
      const from = compile(ast.from, true, memo)
      const filter = ast.filter
      return (input) => {
        const value = from(input)
        return value === NOT_SURE || Option.isSome(filter(value, options, ast)) ? NOT_SURE : value
      }
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length > 0) throw new Unsupported("an index signature")
      // `{}` takes any value but null and undefined, as it is: not a struct to copy.
      if (ast.propertySignatures.length === 0) throw new Unsupported("an empty struct")
      const fields = ast.propertySignatures.map((signature) => {
        if (typeof signature.name !== "string") throw new Unsupported("a symbol key")
        return {
          name: signature.name,
          optional: signature.isOptional,
          parse: compile(signature.type, isDecoding, memo)
        }
      })
      return (input) => {
        if (!isObject(input)) return NOT_SURE
        // Effect keeps the schema's order: each field is set on a fresh object as it is parsed.
        const output: Record<string, unknown> = {}
        let present = 0
        for (const field of fields) {
          // Own and enumerable, as a key of JSON is: anything else (missing, inherited, hidden) is left to Effect.
          if (!Object.prototype.propertyIsEnumerable.call(input, field.name)) {
            if (field.optional && !Object.hasOwn(input, field.name)) continue
            return NOT_SURE
          }
          present++
          const value = field.parse(input[field.name])
          if (value === NOT_SURE) return NOT_SURE
          output[field.name] = value
        }
        // A key the schema does not name: Effect drops it or refuses it, depending on the options; not sure. Only
        // the keys JSON can carry are counted, which every field taken is (a symbol or a non-enumerable property
        // the schema does not name is not looked at, and the output holds neither): `Object.keys` costs less than
        // half of `Reflect.ownKeys`.
        return Object.keys(input).length === present ? output : NOT_SURE
      }
    }
    case "TupleType": {
      if (ast.elements.length > 0 || ast.rest.length !== 1) throw new Unsupported("a tuple")
      const item = compile(ast.rest[0]!.type, isDecoding, memo)
      return (input) => {
        if (!Array.isArray(input)) return NOT_SURE
        const output = new Array<unknown>(input.length)
        for (let i = 0; i < input.length; i++) {
          const value = item(input[i])
          if (value === NOT_SURE) return NOT_SURE
          output[i] = value
        }
        return output
      }
    }
    case "Declaration": {
      // Effect's own parser of the declaration (a date, a `Redacted`): its answer is used when it answers at once.
      const parse = isDecoding ? ast.decodeUnknown(...ast.typeParameters) : ast.encodeUnknown(...ast.typeParameters)
      return (input) => settled(parse(input, options, ast))
    }
    case "Transformation": {
      const from = isDecoding ? compile(ast.from, true, memo) : compile(ast.to, false, memo)
      const to = isDecoding ? compile(ast.to, true, memo) : compile(ast.from, false, memo)
      const transform = transformationOf(ast, isDecoding)
      return (input) => {
        const a = from(input)
        if (a === NOT_SURE) return NOT_SURE
        const b = transform(a, input)
        return b === NOT_SURE ? NOT_SURE : to(b)
      }
    }
    default:
      throw new Unsupported(ast._tag)
  }
}

/**
 * The key that tells the union's members apart, if there is one: every member a struct with that key required and a
 * literal as its type, no literal twice.
 */
const discriminated = (
  types: ReadonlyArray<SchemaAST.AST>
): { readonly key: string; readonly byLiteral: ReadonlyMap<unknown, SchemaAST.AST> } | undefined => {
  const first = types[0]
  if (first === undefined || !SchemaAST.isTypeLiteral(first)) return undefined
  for (const candidate of first.propertySignatures) {
    const key = candidate.name
    if (typeof key !== "string") continue
    const byLiteral = new Map<unknown, SchemaAST.AST>()
    for (const type of types) {
      if (!SchemaAST.isTypeLiteral(type)) return undefined
      const field = type.propertySignatures.find((signature) => signature.name === key)
      if (field === undefined || field.isOptional || !SchemaAST.isLiteral(field.type)) break
      if (byLiteral.has(field.type.literal)) break
      byLiteral.set(field.type.literal, type)
    }
    if (byLiteral.size === types.length) return { key, byLiteral }
  }
  return undefined
}

const transformationOf = (
  ast: SchemaAST.Transformation,
  isDecoding: boolean
): (value: unknown, input: unknown) => unknown => {
  const transformation = ast.transformation
  switch (transformation._tag) {
    case "ComposeTransformation":
      return (value) => value
    case "FinalTransformation": {
      const run = isDecoding ? transformation.decode : transformation.encode
      return (value, input) => settled(run(value, options, ast, input))
    }
    case "TypeLiteralTransformation": {
      const steps = transformation.propertySignatureTransformations.map((step) => ({
        from: isDecoding ? step.from : step.to,
        to: isDecoding ? step.to : step.from,
        run: isDecoding ? step.decode : step.encode
      }))
      // As Effect does it: each key taken out and put back (last) if the step answers a value; the struct parsed
      // next puts the keys in its own order.
      return (value) => {
        if (!isObject(value)) return NOT_SURE
        const output: Record<PropertyKey, unknown> = { ...value }
        for (const step of steps) {
          const answer = step.run(Object.hasOwn(output, step.from) ? Option.some(output[step.from]) : Option.none())
          delete output[step.from]
          if (Option.isSome(answer)) output[step.to] = answer.value
        }
        return output
      }
    }
  }
}

/**
 * Compiles the decoder (`isDecoding`) or encoder of `ast`; `undefined` if the schema holds a node or an annotation
 * this module does not compile.
 */
export const compileParser = (ast: SchemaAST.AST, isDecoding: boolean): CompiledParser | undefined => {
  try {
    return compile(ast, isDecoding, new Map())
  } catch (error) {
    if (error instanceof Unsupported) return undefined
    throw error
  }
}
