/**
 * Ids travel in URL paths: every id type takes letters, digits and a few marks, up to 128 characters. The two path
 * segments a URL resolves away (`.`, `..`) still read back, as stored data may hold them; what creates an id refuses
 * them (the sync engine and the account service; see the SQL dialect suite and the HTTP hostile-input tests).
 */
import { AccountId, DeviceId, isDotSegment, isIdText, MutationId, RecordId } from "@custos/core/domain/Ids"
import { BlobId } from "@custos/core/ports/BlobStore"
import { assert, describe, it } from "@effect/vitest"
import { Either, FastCheck, Schema } from "effect"

const schemas: Record<string, Schema.Schema<any, string>> = { AccountId, DeviceId, MutationId, RecordId, BlobId }

describe("ids", () => {
  for (const [name, schema] of Object.entries(schemas)) {
    const decode = Schema.decodeUnknownEither(schema)
    it(`${name} reads "." and "..", which earlier data may hold; isDotSegment names them`, () => {
      for (const id of [".", ".."]) {
        assert.isTrue(Either.isRight(decode(id)), `${name} ${id}`)
        assert.isTrue(isDotSegment(id))
      }
      for (const id of ["...", ".a", "a."]) assert.isFalse(isDotSegment(id))
    })
    if (name !== "BlobId") {
      // The SQL stores check ids with `isIdText` instead of the Schema: the two must never disagree.
      it.prop(
        `isIdText says what ${name} says, for near misses too`,
        [FastCheck.oneof(
          FastCheck.stringMatching(/^[A-Za-z0-9._:\- é/\u0000]{0,130}$/),
          FastCheck.constantFrom("", ".", "..", "a".repeat(128), "a".repeat(129), "a\n", "ü", "a b")
        )],
        ([id]) => {
          assert.strictEqual(isIdText(id), Schema.is(schema)(id), JSON.stringify(id))
        },
        { fastCheck: { numRuns: 500 } }
      )
    }
    it(`${name} takes other ids of dots and letters, up to 128 characters`, () => {
      for (const id of ["...", ".a", "a.", ".tmp", "a".repeat(128)]) assert.isTrue(Either.isRight(decode(id)), `${name} ${id}`)
      assert.isTrue(Either.isLeft(decode("a".repeat(129))))
      assert.isTrue(Either.isLeft(decode("")))
    })
  }
})
