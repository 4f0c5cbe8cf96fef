/**
 * Ids travel in URL paths: every id type takes letters, digits and a few marks, up to 128 characters. The two path
 * segments a URL resolves away (`.`, `..`) still read back, as stored data may hold them; what creates an id refuses
 * them (the sync engine and the account service; see the SQL dialect suite and the HTTP hostile-input tests).
 */
import { AccountId, DeviceId, isDotSegment, MutationId, RecordId } from "@custos/core/domain/Ids"
import { BlobId } from "@custos/core/ports/BlobStore"
import { assert, describe, it } from "@effect/vitest"
import { Either, Schema } from "effect"

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
    it(`${name} takes other ids of dots and letters, up to 128 characters`, () => {
      for (const id of ["...", ".a", "a.", ".tmp", "a".repeat(128)]) assert.isTrue(Either.isRight(decode(id)), `${name} ${id}`)
      assert.isTrue(Either.isLeft(decode("a".repeat(129))))
      assert.isTrue(Either.isLeft(decode("")))
    })
  }
})
