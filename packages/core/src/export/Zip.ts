/**
 * A streaming ZIP writer (PKWARE APPNOTE 6.3): entries go in as streams and the archive comes out as a stream, so an
 * archive of any size is written in bounded memory; only the central directory (a few dozen bytes per entry) is kept
 * until the end.
 *
 * - Entries are stored (method 0), not compressed: photos and videos are compressed already, and a stored entry can
 *   be read back by any tool.
 * - The CRC-32 and sizes are not known when an entry starts, so each entry has general-purpose flag bit 3 and a data
 *   descriptor after its bytes; names are UTF-8 (flag bit 11).
 * - ZIP64: an entry whose size may pass 4 GiB (its expected size says so, or it has none) carries a ZIP64 extra
 *   field in its local header and an 8-byte data descriptor; the central directory switches an entry to ZIP64 when its
 *   size or offset passes 0xFFFFFFFF, and the archive ends with a ZIP64 end record and locator when it has 65535
 *   entries or more, or its directory's size or offset passes 0xFFFFFFFF.
 * - A name must be a relative path of `/`-separated parts, none empty, `.` or `..`, no backslash or control
 *   character, at most 65535 UTF-8 bytes, and unique in the archive; anything else is refused with `ZipRefused`
 *   before a byte of that entry is written.
 */
import { Chunk, DateTime, Effect, Schema, Stream } from "effect"
import { encodeUtf8 } from "../domain/Sealed.js"
import { concatBytes } from "../internal/bytes.js"

/** An entry was refused: its name is not a safe relative path, repeats one, or it outgrew its expected size. */
export class ZipRefused extends Schema.TaggedError<ZipRefused>()("ZipRefused", {
  name: Schema.String,
  reason: Schema.String
}) {
  readonly code = "zip-entry-refused"
  override get message() {
    return `The archive entry ${JSON.stringify(this.name)} was refused: ${this.reason}`
  }
}

export interface ZipEntry<E = never, R = never> {
  /** A relative path such as `media/gallery/photo.jpg`. */
  readonly name: string
  /** The content: bytes at hand, or a stream of them. */
  readonly data: Uint8Array | Stream.Stream<Uint8Array, E, R>
  /**
   * The size the data is expected to have, when known: under 4 GiB it lets the entry go without a ZIP64 local extra
   * field. When absent the entry is written as one that may pass 4 GiB.
   */
  readonly size?: number | undefined
  /** Epoch milliseconds; the DOS time of the entry (1980-01-01 when earlier). */
  readonly modifiedAt: number
}

// ---------------------------------------------------------------------------------------------------------------
// CRC-32 (ISO-HDLC, as ZIP uses it), slicing by 8
// ---------------------------------------------------------------------------------------------------------------

const CRC_TABLES: ReadonlyArray<Uint32Array> = (() => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256))
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    tables[0]![n] = c >>> 0
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[0]![n]!
    for (let t = 1; t < 8; t++) {
      c = tables[0]![c & 0xff]! ^ (c >>> 8)
      tables[t]![n] = c >>> 0
    }
  }
  return tables
})()

/** Feeds `bytes` into a running CRC-32 (start with 0); returns the new value. */
export const crc32 = (bytes: Uint8Array, crc = 0): number => {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array
  ]
  let c = ~crc >>> 0
  let i = 0
  const end8 = bytes.length - (bytes.length % 8)
  while (i < end8) {
    const a = (c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0
    c = t7[a & 0xff]! ^ t6[(a >>> 8) & 0xff]! ^ t5[(a >>> 16) & 0xff]! ^ t4[a >>> 24]! ^
      t3[bytes[i + 4]!]! ^ t2[bytes[i + 5]!]! ^ t1[bytes[i + 6]!]! ^ t0[bytes[i + 7]!]!
    i += 8
  }
  while (i < bytes.length) c = t0[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}

// ---------------------------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------------------------

const MAX32 = 0xffffffff
const MAX16 = 0xffff
const FLAGS = (1 << 3) | (1 << 11)
/** 4.5: ZIP64. */
const VERSION_ZIP64 = 45
/** 2.0: folders and stored entries. */
const VERSION_PLAIN = 20
/** Made by Unix (3), so `unzip` honours the file mode in the external attributes. */
const MADE_BY_UNIX = 3 << 8
/** A regular file, rw-r--r--. */
const UNIX_FILE_MODE = 0o100644

class Writer {
  readonly bytes: Uint8Array
  private readonly view: DataView
  private at = 0
  constructor(length: number) {
    this.bytes = new Uint8Array(length)
    this.view = new DataView(this.bytes.buffer)
  }
  u16(n: number) {
    this.view.setUint16(this.at, n, true)
    this.at += 2
    return this
  }
  u32(n: number) {
    this.view.setUint32(this.at, n >>> 0, true)
    this.at += 4
    return this
  }
  u64(n: number) {
    this.view.setBigUint64(this.at, BigInt(n), true)
    this.at += 8
    return this
  }
  raw(bytes: Uint8Array) {
    this.bytes.set(bytes, this.at)
    this.at += bytes.length
    return this
  }
}

/** MS-DOS time and date of an epoch-ms instant, in UTC, clamped to 1980..2107. */
export const dosDateTime = (epochMs: number): { readonly time: number; readonly date: number } => {
  const parts = DateTime.toPartsUtc(DateTime.unsafeMake(epochMs))
  if (parts.year < 1980) return { time: 0, date: (1 << 5) | 1 }
  if (parts.year > 2107) return { time: (23 << 11) | (59 << 5) | 29, date: (127 << 9) | (12 << 5) | 31 }
  return {
    time: (parts.hours << 11) | (parts.minutes << 5) | (parts.seconds >>> 1),
    date: ((parts.year - 1980) << 9) | (parts.month << 5) | parts.day
  }
}

const checkName = (name: string, seen: Set<string>): string | undefined => {
  if (name.length === 0) return "a name must not be empty"
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return "a name must not hold control characters"
  if (name.includes("\\")) return "a name separates its parts with / only"
  const parts = name.split("/")
  if (parts.some((p) => p === "" || p === "." || p === "..")) {
    return "a name must be a relative path without empty, . or .. parts"
  }
  if (encodeUtf8(name).length > MAX16) return "a name must be at most 65535 bytes of UTF-8"
  if (seen.has(name)) return "another entry has the same name"
  return undefined
}

interface Central {
  readonly name: Uint8Array
  readonly crc: number
  readonly size: number
  readonly offset: number
  readonly time: number
  readonly date: number
}

const centralRecord = (e: Central): Uint8Array => {
  const sizeBig = e.size >= MAX32
  const offsetBig = e.offset >= MAX32
  const extraLength = sizeBig || offsetBig ? 4 + (sizeBig ? 16 : 0) + (offsetBig ? 8 : 0) : 0
  const version = extraLength > 0 ? VERSION_ZIP64 : VERSION_PLAIN
  const w = new Writer(46 + e.name.length + extraLength)
    .u32(0x02014b50)
    .u16(MADE_BY_UNIX | VERSION_ZIP64)
    .u16(version)
    .u16(FLAGS)
    .u16(0)
    .u16(e.time)
    .u16(e.date)
    .u32(e.crc)
    .u32(sizeBig ? MAX32 : e.size)
    .u32(sizeBig ? MAX32 : e.size)
    .u16(e.name.length)
    .u16(extraLength)
    .u16(0)
    .u16(0)
    .u16(0)
    .u32(UNIX_FILE_MODE * 0x10000)
    .u32(offsetBig ? MAX32 : e.offset)
    .raw(e.name)
  if (extraLength > 0) {
    w.u16(0x0001).u16(extraLength - 4)
    if (sizeBig) w.u64(e.size).u64(e.size)
    if (offsetBig) w.u64(e.offset)
  }
  return w.bytes
}

const endRecords = (count: number, dirOffset: number, dirSize: number): Uint8Array => {
  const zip64 = count >= MAX16 || dirOffset >= MAX32 || dirSize >= MAX32
  const end = new Writer(22)
    .u32(0x06054b50)
    .u16(0)
    .u16(0)
    .u16(Math.min(count, MAX16))
    .u16(Math.min(count, MAX16))
    .u32(Math.min(dirSize, MAX32))
    .u32(Math.min(dirOffset, MAX32))
    .u16(0).bytes
  if (!zip64) return end
  const zip64EndOffset = dirOffset + dirSize
  const w = new Writer(56 + 20 + 22)
    .u32(0x06064b50)
    .u64(44)
    .u16(MADE_BY_UNIX | VERSION_ZIP64)
    .u16(VERSION_ZIP64)
    .u32(0)
    .u32(0)
    .u64(count)
    .u64(count)
    .u64(dirSize)
    .u64(dirOffset)
    .u32(0x07064b50)
    .u32(0)
    .u64(zip64EndOffset)
    .u32(1)
    .raw(end)
  return w.bytes
}

/**
 * The archive of `entries`, in their order. It fails with `ZipRefused` for an entry whose name is unsafe or taken,
 * or that outgrew 4 GiB after announcing a smaller size, and with whatever an entry's data fails with.
 */
export const zipStream = <E, R, E2 = never, R2 = never>(
  entries: Stream.Stream<ZipEntry<E, R>, E2, R2>
): Stream.Stream<Uint8Array, E | E2 | ZipRefused, R | R2> =>
  Stream.suspend(() => {
    let offset = 0
    const seen = new Set<string>()
    const central: Array<Uint8Array> = []

    /** Called only once the entry before has been written whole: it reads and moves the running offset. */
    const writeEntry = (entry: ZipEntry<E, R>): Stream.Stream<Uint8Array, E | ZipRefused, R> => {
      const problem = checkName(entry.name, seen)
      if (problem !== undefined) return Stream.fail(new ZipRefused({ name: entry.name, reason: problem }))
      seen.add(entry.name)
      const name = encodeUtf8(entry.name)
      const { date, time } = dosDateTime(entry.modifiedAt)
      const zip64Local = entry.size === undefined || entry.size >= MAX32
      const start = offset
      let crc = 0
      let size = 0

      const local = new Writer(30 + name.length + (zip64Local ? 20 : 0))
        .u32(0x04034b50)
        .u16(zip64Local ? VERSION_ZIP64 : VERSION_PLAIN)
        .u16(FLAGS)
        .u16(0)
        .u16(time)
        .u16(date)
        .u32(0)
        .u32(zip64Local ? MAX32 : 0)
        .u32(zip64Local ? MAX32 : 0)
        .u16(name.length)
        .u16(zip64Local ? 20 : 0)
        .raw(name)
      if (zip64Local) local.u16(0x0001).u16(16).u64(0).u64(0)
      offset += local.bytes.length

      const add = (bytes: Uint8Array) => {
        crc = crc32(bytes, crc)
        size += bytes.length
        offset += bytes.length
      }

      const descriptor = (): Uint8Array | ZipRefused => {
        if (!zip64Local && size >= MAX32) {
          return new ZipRefused({ name: entry.name, reason: "its data passed 4 GiB after it was announced as smaller" })
        }
        const d = new Writer(zip64Local ? 24 : 16).u32(0x08074b50).u32(crc)
        if (zip64Local) d.u64(size).u64(size)
        else d.u32(size).u32(size)
        offset += d.bytes.length
        central.push(centralRecord({ name, crc, size, offset: start, time, date }))
        return d.bytes
      }

      if (entry.data instanceof Uint8Array) {
        // Bytes at hand: the whole entry at once.
        add(entry.data)
        const end = descriptor()
        return end instanceof ZipRefused ?
          Stream.fail(end) :
          Stream.fromChunk(Chunk.unsafeFromArray([local.bytes, entry.data, end]))
      }
      const body = entry.data.pipe(
        Stream.filter((bytes) => bytes.length > 0),
        Stream.tap((bytes) => Effect.sync(() => add(bytes)))
      )
      return Stream.concat(
        Stream.make(local.bytes),
        Stream.concat(
          body,
          Stream.suspend(() => {
            const end = descriptor()
            return end instanceof ZipRefused ? Stream.fail(end) : Stream.make(end)
          })
        )
      )
    }

    // `flatMap` may map a whole chunk of entries before running the first: each entry starts inside `suspend`, so it
    // sees the offset and names of those before it.
    const entryStream = (entry: ZipEntry<E, R>) => Stream.suspend(() => writeEntry(entry))

    const directory = Stream.suspend(() => {
      const dirOffset = offset
      const dirSize = central.reduce((n, c) => n + c.length, 0)
      return Stream.fromChunk(Chunk.unsafeFromArray([...central, endRecords(central.length, dirOffset, dirSize)]))
    })

    return Stream.concat(Stream.flatMap(entries, entryStream), directory)
  })

/** An entry of in-memory bytes or text. */
export const bytesEntry = (name: string, content: Uint8Array | string, modifiedAt: number): ZipEntry => {
  const bytes = typeof content === "string" ? encodeUtf8(content) : content
  return { name, data: bytes, size: bytes.length, modifiedAt }
}

/** Collects a stream of archive bytes into one array: for tests and small archives only. */
export const collectBytes = <E, R>(stream: Stream.Stream<Uint8Array, E, R>): Effect.Effect<Uint8Array, E, R> =>
  Effect.map(Stream.runCollect(stream), concatBytes)
