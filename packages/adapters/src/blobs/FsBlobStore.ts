/**
 * `BlobStore` on the local filesystem: the embedded default of DESIGN.md "Storage" (`./data/blobs`, beside the
 * SQLite file). One file per blob, id-addressed:
 *
 *   <root>/<account id>/<shard>/<blob id>     shard: the first two hex digits of SHA-256(blob id), 256 folders
 *   <root>/.tmp/<random>.part                 uploads in progress; emptied when the store starts
 *
 * A name that starts with "." is stored with "%2E" in its place ("%" is in no id), so no id can name ".", "..",
 * ".tmp" or a hidden file, and every path stays inside the root.
 *
 * Each file starts with a 56-byte header, then the blob's bytes:
 *
 *   "CSTB" | version 1 | 3 zero bytes | size (u64 BE) | createdAt epoch ms (u64 BE) | SHA-256 of the bytes (32)
 *
 * so `stat` and `list` read 56 bytes per blob and a file cut short is detected, never served.
 *
 * `put` streams the bytes into a temp file one chunk at a time (memory is one chunk, whatever the size), hashing as it
 * goes, writes the header last, fsyncs the file, renames it over the blob's path (atomic: readers see the old file or
 * the new one, whole; the rename is the step `publishWith` wraps or refuses) and fsyncs the folder, so after `put`
 * returns the blob survives a power cut, and a crash before the rename leaves only a temp file, removed at the next
 * start. `get` opens the file once and reads that file to its end, so a blob replaced or deleted meanwhile still reads
 * as it was; it emits 64 KiB chunks, read 4 MiB per call (each call's round trip through the thread pool costs more
 * than its bytes), the next read started while the consumer takes the step before (so at most two steps are held).
 * `put` hashes each chunk while it is written.
 *
 * One process per root: a second store starting on the same root would empty the first one's uploads in progress
 * (they then fail with `StoreError`, nothing is corrupted). Several server instances share an object store instead.
 * Ids that differ only in letter case are distinct on Linux but collide on a case-insensitive filesystem.
 */
import { AccountId } from "@custos/core/domain/Ids"
import {
  BlobId,
  type BlobInfo,
  BlobNotFound,
  BlobStore,
  BlobTooLarge,
  type PutOptions,
  type PutResult
} from "@custos/core/ports/BlobStore"
import { StoreError } from "@custos/core/ports/StoreError"
import { Chunk, Clock, Effect, Exit, Layer, Option, Schema, Stream } from "effect"
import { createHash, randomBytes } from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { resolveRange } from "./internal/blobRange.js"

export interface FsBlobStoreOptions {
  /** The folder that holds every blob, e.g. `data/blobs`; created if missing. */
  readonly root: string
  /** Bytes `get` reads and emits at a time; 64 KiB by default. */
  readonly readChunkBytes?: number | undefined
}

export const HEADER_BYTES = 56
const MAGIC = Buffer.from("CSTB", "latin1")
const FORMAT_VERSION = 1
const TMP_FOLDER = ".tmp"
const DEFAULT_READ_CHUNK = 64 * 1024
const LOCK_STRIPES = 64
/**
 * Bytes `get` reads with one call, in whole chunks: a call's round trip through the thread pool costs more than 1 MiB
 * of bytes (measured: 1 MiB reads and writes copied a file at ~400 MiB/s, 4 MiB ones at ~1.7 GiB/s).
 */
const READ_STEP_BYTES = 4 * 1024 * 1024

interface Header {
  readonly size: number
  readonly createdAt: number
  readonly sha256: string
}

const encodeHeader = (header: Header): Buffer => {
  const bytes = Buffer.alloc(HEADER_BYTES)
  MAGIC.copy(bytes, 0)
  bytes.writeUInt8(FORMAT_VERSION, 4)
  bytes.writeBigUInt64BE(BigInt(header.size), 8)
  bytes.writeBigUInt64BE(BigInt(header.createdAt), 16)
  Buffer.from(header.sha256, "hex").copy(bytes, 24)
  return bytes
}

/** The header, or why the file is not a blob of this format. */
const decodeHeader = (bytes: Buffer, fileSize: number): Header | string => {
  if (bytes.length < HEADER_BYTES) return `the file is ${fileSize} bytes, shorter than its header`
  if (!bytes.subarray(0, 4).equals(MAGIC)) return "the file does not start with the blob header"
  if (bytes.readUInt8(4) !== FORMAT_VERSION) return `blob format version ${bytes.readUInt8(4)} is not known`
  const size = Number(bytes.readBigUInt64BE(8))
  const createdAt = Number(bytes.readBigUInt64BE(16))
  if (fileSize !== HEADER_BYTES + size) {
    return `the header says ${size} bytes but the file holds ${fileSize - HEADER_BYTES}: it is damaged or cut short`
  }
  return { size, createdAt, sha256: bytes.subarray(24, 56).toString("hex") }
}

/** A path component for an id: a leading "." becomes "%2E". */
const encodeName = (id: string) => (id.startsWith(".") ? `%2E${id.slice(1)}` : id)
const decodeName = (name: string) => (name.startsWith("%2E") ? `.${name.slice(3)}` : name)

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex")
const shardOf = (blobId: string) => sha256Hex(blobId).slice(0, 2)

const isAccountId = Schema.is(AccountId)
const isBlobId = Schema.is(BlobId)

const errorCode = (error: unknown) =>
  typeof error === "object" && error !== null && "code" in error ? (error as { code?: unknown }).code : undefined

const io = <A>(operation: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (cause) => new StoreError({ operation, cause }) })

/** Like `io`, but a missing file is `None`. */
const ioUnlessMissing = <A>(operation: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (cause) => cause }).pipe(
    Effect.map(Option.some),
    Effect.catchAll((cause) =>
      errorCode(cause) === "ENOENT" ? Effect.succeedNone : Effect.fail(new StoreError({ operation, cause }))
    )
  )

/** Flushes a folder's entries (a rename, a new file) to disk. Filesystems that cannot sync folders are let be. */
const syncFolder = (operation: string, folder: string) =>
  io(operation, async () => {
    const handle = await Fs.open(folder, "r")
    try {
      await handle.sync()
    } catch (error) {
      if (!["EINVAL", "EISDIR", "EPERM", "ENOTSUP"].includes(String(errorCode(error)))) throw error
    } finally {
      await handle.close()
    }
  })

/**
 * Writes `pieces`, one after the other, at `position` with as few calls as the OS allows (one `pwritev` when it
 * takes them all): a sealed blob arrives as many small pieces (each segment's nonce, ciphertext and tag).
 */
const writeAllPieces = async (handle: Fs.FileHandle, pieces: ReadonlyArray<Uint8Array>, position: number) => {
  let rest = pieces.filter((piece) => piece.length > 0)
  let at = position
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest as Array<Uint8Array>, at)
    if (bytesWritten === 0) throw new Error("the file system took none of the bytes written")
    at += bytesWritten
    // Drop what was written: whole pieces, then the written start of a piece cut short.
    let skip = 0
    while (skip < rest.length && bytesWritten >= rest[skip]!.length) bytesWritten -= rest[skip++]!.length
    rest = rest.slice(skip)
    if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten)
  }
}

export const makeFsBlobStore = (options: FsBlobStoreOptions) =>
  Effect.gen(function*() {
    const root = Path.resolve(options.root)
    const tmp = Path.join(root, TMP_FOLDER)
    const readChunk = options.readChunkBytes ?? DEFAULT_READ_CHUNK
    const locks = yield* Effect.forEach(Array.from({ length: LOCK_STRIPES }), () => Effect.makeSemaphore(1))

    // Start: the folders exist, and uploads a crash left behind are gone.
    yield* io("BlobStore.start", async () => {
      await Fs.mkdir(tmp, { recursive: true })
      for (const entry of await Fs.readdir(tmp)) await Fs.rm(Path.join(tmp, entry), { recursive: true, force: true })
    })

    /** Ids are checked here too: a path is built from them. One that slipped past the types is a bug: a defect. */
    const pathOf = (accountId: AccountId, blobId: BlobId) => {
      if (!isAccountId(accountId)) throw new Error(`not an account id: ${JSON.stringify(accountId)}`)
      if (!isBlobId(blobId)) throw new Error(`not a blob id: ${JSON.stringify(blobId)}`)
      const account = Path.join(root, encodeName(accountId))
      const shard = Path.join(account, shardOf(blobId))
      return { account, shard, file: Path.join(shard, encodeName(blobId)) }
    }
    const paths = (accountId: AccountId, blobId: BlobId) => Effect.sync(() => pathOf(accountId, blobId))
    const accountFolder = (accountId: AccountId) =>
      Effect.sync(() => {
        if (!isAccountId(accountId)) throw new Error(`not an account id: ${JSON.stringify(accountId)}`)
        return Path.join(root, encodeName(accountId))
      })

    /** Puts, deletes and collection of one blob take its lock around the step that changes the visible file. */
    const lockOf = (accountId: AccountId, blobId: BlobId) =>
      locks[parseInt(sha256Hex(`${accountId}\u0000${blobId}`).slice(0, 4), 16) % LOCK_STRIPES]!

    /** The header of the file at `file`, `None` when there is none. */
    const readHeader = (operation: string, file: string): Effect.Effect<Option.Option<Header>, StoreError> =>
      Effect.flatMap(
        ioUnlessMissing(operation, async () => {
          const handle = await Fs.open(file, "r")
          try {
            const { size } = await handle.stat()
            const bytes = Buffer.alloc(HEADER_BYTES)
            const { bytesRead } = await handle.read(bytes, 0, HEADER_BYTES, 0)
            return decodeHeader(bytes.subarray(0, bytesRead), size)
          } finally {
            await handle.close()
          }
        }),
        (found) => {
          if (Option.isNone(found)) return Effect.succeedNone
          const header = found.value
          return typeof header === "string"
            ? Effect.fail(new StoreError({ operation, cause: new Error(`${file}: ${header}`) }))
            : Effect.succeed(Option.some(header))
        }
      )

    const infoOf = (accountId: AccountId, blobId: BlobId, header: Header): BlobInfo => ({
      accountId,
      blobId,
      size: header.size,
      sha256: header.sha256,
      createdAt: header.createdAt
    })

    /** Streams `bytes` into the new temp file `file` and seals it with its header; returns what was written. */
    const writeTemp = <E>(
      file: string,
      accountId: AccountId,
      blobId: BlobId,
      bytes: Stream.Stream<Uint8Array, E>,
      maxBytes: number
    ) =>
      Effect.gen(function*() {
        const handle = yield* Effect.acquireRelease(
          io("BlobStore.put", () => Fs.open(file, "wx", 0o600)),
          (handle) => Effect.promise(() => handle.close().catch(() => undefined))
        )
        const hash = createHash("sha256")
        let size = 0
        // One write per chunk of the stream, however many pieces it holds.
        yield* Stream.runForEachChunk(bytes, (chunk) =>
          Effect.suspend((): Effect.Effect<void, BlobTooLarge | StoreError> => {
            const pieces = Chunk.toReadonlyArray(chunk)
            let length = 0
            for (const piece of pieces) length += piece.length
            if (size + length > maxBytes) {
              return Effect.fail(new BlobTooLarge({ accountId, blobId, maxBytes }))
            }
            const at = HEADER_BYTES + size
            size += length
            // The write runs on the thread pool while this thread hashes the same bytes; the step ends when both have.
            return io("BlobStore.put", () => {
              const writing = writeAllPieces(handle, pieces, at)
              try {
                for (const piece of pieces) hash.update(piece)
              } catch (error) {
                writing.catch(() => undefined)
                throw error
              }
              return writing
            })
          }))
        const header: Header = { size, createdAt: yield* Clock.currentTimeMillis, sha256: hash.digest("hex") }
        yield* io("BlobStore.put", async () => {
          await writeAllPieces(handle, [encodeHeader(header)], 0)
          await handle.sync()
        })
        return header
      }).pipe(Effect.scoped)

    /**
     * Renames the finished temp file over the blob's path (through `publishWith`, which may refuse it) and makes the
     * new folder entries durable.
     */
    const publish = <P>(temp: string, accountId: AccountId, blobId: BlobId, options: PutOptions<P>) =>
      Effect.gen(function*() {
        const where = pathOf(accountId, blobId)
        const created = yield* io("BlobStore.put", () => Fs.mkdir(where.shard, { recursive: true }))
        const rename = lockOf(accountId, blobId).withPermits(1)(io("BlobStore.put", () => Fs.rename(temp, where.file)))
        yield* options.publishWith === undefined ? rename : options.publishWith(rename)
        yield* syncFolder("BlobStore.put", where.shard)
        // New folders are entries of their parents: those are synced too, up to the root.
        if (created !== undefined) {
          yield* syncFolder("BlobStore.put", where.account)
          yield* syncFolder("BlobStore.put", root)
        }
      })

    const removeQuietly = (file: string) => Effect.promise(() => Fs.rm(file, { force: true }).catch(() => undefined))

    const put = <E, P = never>(
      accountId: AccountId,
      blobId: BlobId,
      bytes: Stream.Stream<Uint8Array, E>,
      options: PutOptions<P>
    ): Effect.Effect<PutResult, E | P | BlobTooLarge | StoreError> =>
      Effect.gen(function*() {
        yield* paths(accountId, blobId)
        const temp = Path.join(tmp, `${randomBytes(16).toString("hex")}.part`)
        return yield* Effect.gen(function*() {
          const header = yield* writeTemp(temp, accountId, blobId, bytes, options.maxBytes)
          yield* Effect.uninterruptible(publish(temp, accountId, blobId, options))
          return { size: header.size, sha256: header.sha256 }
        }).pipe(Effect.onExit((exit) => Exit.isSuccess(exit) ? Effect.void : removeQuietly(temp)))
      })

    const get: BlobStore["Type"]["get"] = (accountId, blobId, range) =>
      Stream.unwrapScoped(Effect.gen(function*() {
        const { file } = yield* paths(accountId, blobId)
        const opened = yield* Effect.acquireRelease(
          ioUnlessMissing("BlobStore.get", () => Fs.open(file, "r")),
          (handle) => Option.match(handle, {
            onNone: () => Effect.void,
            onSome: (handle) => Effect.promise(() => handle.close().catch(() => undefined))
          })
        )
        if (Option.isNone(opened)) return yield* new BlobNotFound({ accountId, blobId })
        const handle = opened.value
        const header = yield* io("BlobStore.get", async () => {
          const { size } = await handle.stat()
          const bytes = Buffer.alloc(HEADER_BYTES)
          const { bytesRead } = await handle.read(bytes, 0, HEADER_BYTES, 0)
          return decodeHeader(bytes.subarray(0, bytesRead), size)
        })
        if (typeof header === "string") {
          return yield* new StoreError({ operation: "BlobStore.get", cause: new Error(`${file}: ${header}`) })
        }
        const { end, start } = yield* resolveRange(blobId, header.size, range)
        const step = readChunk * Math.max(1, Math.floor(READ_STEP_BYTES / readChunk))
        /** Bytes [at, at + length) of the blob, every one of them read from the file. */
        const readStep = async (at: number, length: number) => {
          // Not zero-filled, as every byte is read into before it is handed out; never from Node's shared pool, so
          // a chunk's `.buffer` holds only this blob's bytes.
          const bytes = Buffer.allocUnsafeSlow(length)
          let done = 0
          while (done < length) {
            const { bytesRead } = await handle.read(bytes, done, length - done, HEADER_BYTES + at + done)
            if (bytesRead === 0) throw new Error(`${file} ended early`)
            done += bytesRead
          }
          return bytes
        }
        /** The step starting at `at`, read ahead while the consumer took the one before. */
        let ahead: { readonly at: number; readonly bytes: Promise<Buffer> } | undefined
        const readAhead = (at: number) => {
          if (at >= end) return undefined
          const bytes = readStep(at, Math.min(step, end - at))
          // Awaited by the next step; a stream stopped before then must not leave an unhandled rejection. The file is
          // closed after the read settles (a `FileHandle` waits for its pending operations).
          bytes.catch(() => undefined)
          return { at, bytes }
        }
        // One read call fills the chunks of a step, emitted together: a stream step per chunk costs more than
        // reading it. The next step's read is started as this one is emitted, so reading overlaps the consumer's
        // work; memory stays two steps.
        return Stream.unfoldChunkEffect(start, (at) =>
          at >= end
            ? Effect.succeedNone
            : io("BlobStore.get", async () => {
              const current = ahead?.at === at ? ahead.bytes : readStep(at, Math.min(step, end - at))
              ahead = undefined
              const bytes = await current
              const length = bytes.length
              ahead = readAhead(at + length)
              const chunks: Array<Uint8Array> = []
              for (let from = 0; from < length; from += readChunk) {
                chunks.push(new Uint8Array(bytes.buffer, bytes.byteOffset + from, Math.min(readChunk, length - from)))
              }
              return Option.some([Chunk.unsafeFromArray(chunks), at + length] as const)
            }))
      }))

    const stat: BlobStore["Type"]["stat"] = (accountId, blobId) =>
      Effect.gen(function*() {
        const { file } = yield* paths(accountId, blobId)
        const header = yield* readHeader("BlobStore.stat", file)
        if (Option.isNone(header)) return yield* new BlobNotFound({ accountId, blobId })
        return infoOf(accountId, blobId, header.value)
      })

    const deleteBlob: BlobStore["Type"]["delete"] = (accountId, blobId) =>
      Effect.gen(function*() {
        const where = yield* paths(accountId, blobId)
        const removed = yield* lockOf(accountId, blobId).withPermits(1)(
          ioUnlessMissing("BlobStore.delete", () => Fs.unlink(where.file))
        )
        if (Option.isNone(removed)) return false
        yield* syncFolder("BlobStore.delete", where.shard)
        return true
      })

    /** The blob ids stored for the account, as found in its folders (unsorted). */
    const blobIdsOf = (accountId: AccountId, operation: string) =>
      Effect.gen(function*() {
        const account = yield* accountFolder(accountId)
        const shards = yield* ioUnlessMissing(operation, () => Fs.readdir(account))
        const ids: Array<BlobId> = []
        for (const shard of Option.getOrElse(shards, () => [])) {
          if (!/^[0-9a-f]{2}$/.test(shard)) continue
          const files = yield* ioUnlessMissing(operation, () => Fs.readdir(Path.join(account, shard)))
          for (const name of Option.getOrElse(files, () => [])) {
            const blobId = decodeName(name)
            if (isBlobId(blobId) && shardOf(blobId) === shard) ids.push(blobId)
          }
        }
        return ids
      })

    /** Every account that has a folder. */
    const accountIds = io("BlobStore.collectUnreferenced", () => Fs.readdir(root)).pipe(
      Effect.map((names) =>
        names.filter((name) => name !== TMP_FOLDER).map(decodeName).filter((id): id is AccountId => isAccountId(id))
      )
    )

    const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

    const listIds: BlobStore["Type"]["listIds"] = (accountId) =>
      Effect.map(blobIdsOf(accountId, "BlobStore.listIds"), (ids) => ids.sort(byteOrder))

    const list: BlobStore["Type"]["list"] = (accountId) =>
      Effect.gen(function*() {
        const ids = yield* blobIdsOf(accountId, "BlobStore.list")
        const infos = yield* Effect.forEach(
          ids,
          (blobId) =>
            readHeader("BlobStore.list", pathOf(accountId, blobId).file).pipe(
              Effect.map(Option.map((header) => infoOf(accountId, blobId, header)))
            ),
          { concurrency: 16 }
        )
        return infos.flatMap((info) => Option.isSome(info) ? [info.value] : [])
          .sort((a, b) => byteOrder(a.blobId, b.blobId))
      })

    const deleteAccount: BlobStore["Type"]["deleteAccount"] = (accountId) =>
      Effect.gen(function*() {
        const account = yield* accountFolder(accountId)
        const count = (yield* blobIdsOf(accountId, "BlobStore.deleteAccount")).length
        // Out of sight in one step, then removed.
        const gone = Path.join(tmp, `deleted-${randomBytes(8).toString("hex")}`)
        const moved = yield* ioUnlessMissing("BlobStore.deleteAccount", () => Fs.rename(account, gone))
        if (Option.isNone(moved)) return 0
        yield* syncFolder("BlobStore.deleteAccount", root)
        yield* io("BlobStore.deleteAccount", () => Fs.rm(gone, { recursive: true, force: true }))
        return count
      })

    const collectUnreferenced = <E>(
      isReferenced: (accountId: AccountId, blobId: BlobId) => Effect.Effect<boolean, E>,
      graceMs: number
    ): Effect.Effect<{ readonly examined: number; readonly deleted: number }, E | StoreError> =>
      Effect.gen(function*() {
        let examined = 0
        let deleted = 0
        for (const accountId of yield* accountIds) {
          for (const blobId of (yield* blobIdsOf(accountId, "BlobStore.collectUnreferenced")).sort(byteOrder)) {
            const { file, shard } = pathOf(accountId, blobId)
            const seen = yield* readHeader("BlobStore.collectUnreferenced", file)
            if (Option.isNone(seen)) continue
            examined++
            const now = yield* Clock.currentTimeMillis
            if (now - seen.value.createdAt < graceMs) continue
            if (yield* isReferenced(accountId, blobId)) continue
            // Deleted only if it is still the version looked at: a put meanwhile made it young again.
            const removed = yield* lockOf(accountId, blobId).withPermits(1)(Effect.gen(function*() {
              const current = yield* readHeader("BlobStore.collectUnreferenced", file)
              const same = Option.isSome(current) && current.value.createdAt === seen.value.createdAt &&
                current.value.sha256 === seen.value.sha256
              if (!same) return false
              return Option.isSome(yield* ioUnlessMissing("BlobStore.collectUnreferenced", () => Fs.unlink(file)))
            }))
            if (removed) {
              yield* syncFolder("BlobStore.collectUnreferenced", shard)
              deleted++
            }
          }
        }
        return { examined, deleted }
      })

    return BlobStore.of({ put, get, stat, delete: deleteBlob, list, listIds, deleteAccount, collectUnreferenced })
  })

/** `BlobStore` on the filesystem under `root`; the folder is created, and left-over uploads removed, at start. */
export const layerFsBlobStore = (options: FsBlobStoreOptions): Layer.Layer<BlobStore, StoreError> =>
  Layer.effect(BlobStore, makeFsBlobStore(options))
