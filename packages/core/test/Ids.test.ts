/**
 * Ids travel in URL paths: every id type takes letters, digits and a few marks, up to 128 characters, and never the
 * two path segments a URL resolves away.
 */
import { AccountId, DeviceId, MutationId, RecordId } from "@custos/core/domain/Ids"
import { BlobId } from "@custos/core/ports/BlobStore"
import { assert, describe, it } from "@effect/vitest"
import { Either, Schema } from "effect"

const schemas: Record<string, Schema.Schema<any, string>> = { AccountId, DeviceId, MutationId, RecordId, BlobId }

describe("ids", () => {
  for (const [name, schema] of Object.entries(schemas)) {
    const decode = Schema.decodeUnknownEither(schema)
    it(`${name} refuses "." and "..", which a URL path would resolve away`, () => {
      for (const id of [".", ".."]) {
        const decoded = decode(id)
        assert.isTrue(Either.isLeft(decoded), `${name} ${id}`)
        if (Either.isLeft(decoded)) assert.include(String(decoded.left.message), `"." or ".."`)
      }
    })
    it(`${name} takes other ids of dots and letters, up to 128 characters`, () => {
      for (const id of ["...", ".a", "a.", ".tmp", "a".repeat(128)]) assert.isTrue(Either.isRight(decode(id)), `${name} ${id}`)
      assert.isTrue(Either.isLeft(decode("a".repeat(129))))
      assert.isTrue(Either.isLeft(decode("")))
    })
  }
})
