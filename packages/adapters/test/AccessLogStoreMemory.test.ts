/**
 * The memory `AccessLogStore` against the port suite (§4.1.5: the access log), and the plain SHA-256 the chain is
 * hashed with, against the FIPS 180-2 vectors.
 */
import { assert, describe, it } from "@effect/vitest"
import { makeNodeCrypto } from "@custos/adapters/crypto/NodeCrypto"
import { layerAccessLogStoreMemory } from "@custos/adapters/memory/AccessLogStoreMemory"
import { accessLogStoreSuite } from "@custos/conformance/ports/AccessLogStoreSuite"
import { Effect } from "effect"

accessLogStoreSuite("memory", layerAccessLogStoreMemory)

describe("NodeCrypto sha256", () => {
  it.effect("matches the FIPS 180-2 examples", () =>
    Effect.gen(function*() {
      const crypto = makeNodeCrypto()
      const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")
      assert.strictEqual(
        hex(yield* crypto.sha256(new Uint8Array())),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
      )
      assert.strictEqual(
        hex(yield* crypto.sha256(new TextEncoder().encode("abc"))),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
      )
      assert.strictEqual(
        hex(yield* crypto.sha256(new TextEncoder().encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
      )
    }))
})
