/**
 * Tests of `reframe`, the cutter under streaming blob encryption (services/BlobSealing.ts, DESIGN.md "Encryption at
 * rest"): however a byte stream is chunked, it gives the same frames, a header of the asked size, full segments,
 * and a last segment (possibly empty) shorter than a full one; a header that gives no segment size stops the stream.
 */
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, FastCheck, Stream } from "effect"
import { type Frame, reframe } from "../src/services/BlobSealing.js"

/** `bytes` cut at the given points. */
const cutAt = (bytes: Uint8Array, points: ReadonlyArray<number>) => {
  const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b)
  const pieces: Array<Uint8Array> = []
  let from = 0
  for (const p of [...sorted, bytes.length]) {
    pieces.push(bytes.subarray(from, p))
    from = p
  }
  return pieces
}

const frames = (pieces: ReadonlyArray<Uint8Array>, headerBytes: number, frameBytes: number) =>
  Chunk.toReadonlyArray(
    Effect.runSync(
      Stream.runCollect(
        reframe(Stream.fromIterable(pieces), { headerBytes, frameBytes: () => Either.right(frameBytes) })
      )
    )
  )

const describeFrames = (list: ReadonlyArray<Frame>) =>
  list.map((f) => (f._tag === "Header" ? `H${f.bytes.length}` : `S${f.index}:${f.bytes.length}${f.last ? "L" : ""}`))

const joined = (list: ReadonlyArray<Frame>) => Buffer.concat(list.map((f) => f.bytes)).toString("hex")

describe("reframe", () => {
  it.prop(
    "gives the same frames for any chunking: header, full segments, then a shorter last one",
    [
      FastCheck.uint8Array({ maxLength: 700 }),
      FastCheck.array(FastCheck.nat(), { maxLength: 30 }),
      FastCheck.constantFrom(0, 1, 26),
      FastCheck.integer({ min: 1, max: 130 })
    ],
    ([bytes, points, headerBytes, frameBytes]) => {
      const whole = frames([bytes], headerBytes, frameBytes)
      const cut = frames(cutAt(bytes, points), headerBytes, frameBytes)
      assert.deepStrictEqual(describeFrames(cut), describeFrames(whole))
      assert.strictEqual(joined(cut), Buffer.from(bytes).toString("hex"))
      const segments = cut.filter((f) => f._tag === "Segment")
      if (bytes.length < headerBytes) {
        assert.deepStrictEqual(describeFrames(cut), [`H${bytes.length}`])
        return
      }
      if (headerBytes > 0) assert.strictEqual(describeFrames(cut)[0], `H${headerBytes}`)
      assert.strictEqual(segments.length, Math.floor((bytes.length - headerBytes) / frameBytes) + 1)
      segments.forEach((f, i) => {
        assert.strictEqual(f.index, i)
        assert.strictEqual(f.last, i === segments.length - 1)
        if (!f.last) assert.strictEqual(f.bytes.length, frameBytes)
        else assert.isBelow(f.bytes.length, frameBytes)
      })
    },
    { fastCheck: { numRuns: 300 } }
  )

  it("reads the segment size from the header, and stops when the header gives none", () => {
    const bytes = Uint8Array.from({ length: 40 }, (_, i) => i)
    const fromHeader = (header: Uint8Array) =>
      header[0] === 0 ? Either.right(header[1]! + 1) : Either.left("bad header" as const)
    const run = (input: Uint8Array) =>
      Effect.runSync(
        Effect.either(Stream.runCollect(reframe(Stream.make(input), { headerBytes: 2, frameBytes: fromHeader })))
      )
    const ok = run(bytes)
    assert.isTrue(Either.isRight(ok))
    if (Either.isRight(ok)) {
      const full = Array.from({ length: 19 }, (_, i) => `S${i}:2`)
      assert.deepStrictEqual(describeFrames(Chunk.toReadonlyArray(ok.right)), ["H2", ...full, "S19:0L"])
    }
    const bad = run(Uint8Array.of(1, 0, 5, 5))
    assert.deepStrictEqual(bad, Either.left("bad header"))
  })
})
