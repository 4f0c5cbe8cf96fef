/**
 * The streaming ZIP writer of the export (`core/export/Zip.ts`), read back by other implementations: fflate's
 * `unzipSync` and Debian's `unzip -t`. ZIP64 is checked twice from synthetic streams that are never held in memory:
 * 65,536 entries (past the 16-bit count), and an entry of 4 GiB and a bit followed by one more (past the 32-bit size
 * and offset), whose structures are parsed from the head and tail of the stream.
 */
import { bytesEntry, collectBytes, type ZipEntry, zipStream } from "@custos/core/export/Zip"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { unzipSync } from "fflate"
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as zlib from "node:zlib"

const at = Date.UTC(2025, 2, 10, 9, 30, 0)
const utf8 = (s: string) => new TextEncoder().encode(s)

const unzipTest = (bytes: Uint8Array): string => {
  const dir = mkdtempSync(join(tmpdir(), "custos-zip-"))
  try {
    writeFileSync(join(dir, "a.zip"), bytes)
    return execFileSync("unzip", ["-t", join(dir, "a.zip")], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const entries = (...list: Array<ZipEntry>) => Stream.fromIterable(list)

describe("ZIP writer", () => {
  it.effect("writes entries fflate and unzip read back byte for byte, UTF-8 names included", () =>
    Effect.gen(function*() {
      const big = new Uint8Array(200_000).map((_, i) => (i * 13) & 0xff)
      const archive = yield* collectBytes(zipStream(entries(
        bytesEntry("README.txt", "hello\n", at),
        bytesEntry("empty.json", "", at),
        { name: "media/gallery/Été 🧮/IMG (2).jpg", data: Stream.fromIterable([big.subarray(0, 1), big.subarray(1, 70_000), new Uint8Array(0), big.subarray(70_000)]), size: big.length, modifiedAt: at },
        { name: "unknown-size.bin", data: Stream.make(utf8("no size given")), modifiedAt: at }
      )))
      const files = unzipSync(archive)
      assert.deepStrictEqual(Object.keys(files), [
        "README.txt",
        "empty.json",
        "media/gallery/Été 🧮/IMG (2).jpg",
        "unknown-size.bin"
      ])
      assert.strictEqual(new TextDecoder().decode(files["README.txt"]), "hello\n")
      assert.strictEqual(files["empty.json"]!.length, 0)
      assert.isTrue(Buffer.from(files["media/gallery/Été 🧮/IMG (2).jpg"]!).equals(Buffer.from(big)))
      assert.strictEqual(new TextDecoder().decode(files["unknown-size.bin"]), "no size given")

      const tested = unzipTest(archive)
      assert.match(tested, /No errors detected in compressed data/)
      assert.include(tested, "testing: media/gallery/Été 🧮/IMG (2).jpg")
      // The general-purpose flags say: data descriptor, UTF-8 name.
      assert.strictEqual(Buffer.from(archive).readUInt16LE(6), (1 << 3) | (1 << 11))
    }))

  it.effect("refuses unsafe and repeated names with a typed error", () =>
    Effect.gen(function*() {
      for (const name of ["../etc/passwd", "/abs", "a//b", "a\\b", "a/./b", "", "nul\u0000byte"]) {
        const error = yield* Effect.flip(collectBytes(zipStream(entries(bytesEntry(name, "x", at)))))
        assert.strictEqual(error._tag, "ZipRefused", name)
        assert.strictEqual(error.code, "zip-entry-refused")
        assert.include(error.message, "was refused")
      }
      const twice = yield* Effect.flip(collectBytes(zipStream(entries(bytesEntry("a.txt", "1", at), bytesEntry("a.txt", "2", at)))))
      assert.strictEqual(twice.reason, "another entry has the same name")
    }))

  it.effect("passes an entry's own error through", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(collectBytes(zipStream(Stream.make<[ZipEntry<string>]>({
        name: "broken.bin",
        data: Stream.concat(Stream.make(utf8("part")), Stream.fail("the source broke")),
        modifiedAt: at
      }))))
      assert.strictEqual(error, "the source broke")
    }))

  it.effect("switches to a ZIP64 end record past 65535 entries", () =>
    Effect.gen(function*() {
      const count = 65_536
      const archive = yield* collectBytes(zipStream(
        Stream.range(1, count).pipe(Stream.map((i) => bytesEntry(`f/${i}`, String(i), at)))
      ))
      const buf = Buffer.from(archive)
      // The classic end record says 0xFFFF; the ZIP64 one before it (found by its locator) has the count.
      const end = buf.length - 22
      assert.strictEqual(buf.readUInt32LE(end), 0x06054b50)
      assert.strictEqual(buf.readUInt16LE(end + 10), 0xffff)
      const locator = end - 20
      assert.strictEqual(buf.readUInt32LE(locator), 0x07064b50)
      const zip64End = Number(buf.readBigUInt64LE(locator + 8))
      assert.strictEqual(buf.readUInt32LE(zip64End), 0x06064b50)
      assert.strictEqual(Number(buf.readBigUInt64LE(zip64End + 32)), count)
      const files = unzipSync(archive)
      assert.strictEqual(Object.keys(files).length, count)
      assert.strictEqual(new TextDecoder().decode(files["f/65536"]), "65536")
      assert.match(unzipTest(archive), /No errors detected/)
    }), { timeout: 120_000 })

  it.effect("writes an entry past 4 GiB, and one after it, with ZIP64 sizes and offsets", () =>
    Effect.gen(function*() {
      const piece = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 31 + 7) & 0xff)
      const pieces = 1025 // 4 GiB and 4 MiB
      const bigSize = piece.length * pieces
      const expectedCrc = (() => {
        let crc = 0
        for (let i = 0; i < pieces; i++) crc = zlib.crc32(piece, crc)
        return crc
      })()
      const stream = zipStream(entries(
        {
          name: "big.bin",
          data: Stream.repeatValue(piece).pipe(Stream.take(pieces)),
          size: bigSize,
          modifiedAt: at
        },
        bytesEntry("after.txt", "after", at)
      ))
      // Only the head and the tail of the archive are kept.
      let total = 0
      let head = Buffer.alloc(0)
      let tail = Buffer.alloc(0)
      yield* Stream.runForEach(stream, (chunk) =>
        Effect.sync(() => {
          const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
          if (head.length < 64) head = Buffer.concat([head, b.subarray(0, 64 - head.length)])
          tail = Buffer.concat([tail, b.subarray(-1024)]).subarray(-1024)
          total += chunk.length
        }))

      // Local header of the big entry: ZIP64 extra field, sizes deferred to the descriptor.
      assert.strictEqual(head.readUInt32LE(0), 0x04034b50)
      assert.strictEqual(head.readUInt16LE(4), 45)
      assert.strictEqual(head.readUInt32LE(18), 0xffffffff)
      assert.strictEqual(head.readUInt16LE(28), 20)
      assert.strictEqual(head.readUInt16LE(30 + 7), 0x0001)

      const at0 = total - tail.length
      const read32 = (offset: number) => tail.readUInt32LE(offset - at0)
      const read64 = (offset: number) => Number(tail.readBigUInt64LE(offset - at0))
      const end = total - 22
      assert.strictEqual(read32(end), 0x06054b50)
      const zip64End = read64(end - 20 + 8)
      assert.strictEqual(read32(zip64End), 0x06064b50)
      const dirOffset = read64(zip64End + 48)
      assert.isAbove(dirOffset, 0xffffffff)
      assert.strictEqual(read64(zip64End + 32), 2)

      // Central record of big.bin: 0xFFFFFFFF sizes and the real ones in its ZIP64 extra.
      assert.strictEqual(read32(dirOffset), 0x02014b50)
      assert.strictEqual(read32(dirOffset + 16), expectedCrc)
      assert.strictEqual(read32(dirOffset + 20), 0xffffffff)
      const nameLength = tail.readUInt16LE(dirOffset + 28 - at0)
      const extra = dirOffset + 46 + nameLength
      assert.strictEqual(tail.readUInt16LE(extra - at0), 0x0001)
      assert.strictEqual(read64(extra + 4), bigSize)
      assert.strictEqual(read64(extra + 12), bigSize)
      // Its data descriptor, just before the next local header, has 8-byte sizes.
      const afterOffset = 30 + 7 + 20 + bigSize + 24
      const secondRecord = extra + 20
      assert.strictEqual(read32(secondRecord), 0x02014b50)
      assert.strictEqual(read32(secondRecord + 42), 0xffffffff)
      const secondName = tail.readUInt16LE(secondRecord + 28 - at0)
      assert.strictEqual(read64(secondRecord + 46 + secondName + 4), afterOffset)
      assert.strictEqual(read32(afterOffset), 0x04034b50)
      assert.strictEqual(read32(afterOffset - 24), 0x08074b50)
      assert.strictEqual(read32(afterOffset - 20), expectedCrc)
      assert.strictEqual(read64(afterOffset - 16), bigSize)
    }), { timeout: 300_000 })
})
