/**
 * The reference `BlobStore`, in memory: the semantics every other blob store must have, for tests and embedding
 * where nothing is persisted. An upload is gathered aside and stored in one synchronous step when its stream ends,
 * so readers see the previous blob or the whole new one, never a part. Blobs are held whole in memory, so this
 * store is for small data only; `FsBlobStore` streams.
 */
import type { AccountId } from "@custos/core/domain/Ids"
import {
  type BlobId,
  type BlobInfo,
  BlobNotFound,
  BlobStore,
  BlobTooLarge,
  type PutOptions,
  type PutResult
} from "@custos/core/ports/BlobStore"
import { Clock, Effect, Layer, Stream } from "effect"
import { createHash } from "node:crypto"
import { resolveRange } from "./internal/blobRange.js"

interface StoredBlob {
  readonly info: BlobInfo
  readonly bytes: Uint8Array
}

/** Chunk size of reads: what `FsBlobStore` reads at a time too. */
const READ_CHUNK = 64 * 1024

export const makeBlobStoreMemory = Effect.sync(() => {
  const accounts = new Map<AccountId, Map<BlobId, StoredBlob>>()

  const find = (accountId: AccountId, blobId: BlobId) =>
    Effect.suspend(() => {
      const blob = accounts.get(accountId)?.get(blobId)
      return blob === undefined ? Effect.fail(new BlobNotFound({ accountId, blobId })) : Effect.succeed(blob)
    })

  const byId = (a: BlobInfo, b: BlobInfo) => (a.blobId < b.blobId ? -1 : a.blobId > b.blobId ? 1 : 0)

  return BlobStore.of({
    put: <E, P = never>(
      accountId: AccountId,
      blobId: BlobId,
      bytes: Stream.Stream<Uint8Array, E>,
      options: PutOptions<P>
    ) =>
      Effect.gen(function*() {
        const hash = createHash("sha256")
        const parts: Array<Uint8Array> = []
        let size = 0
        yield* Stream.runForEach(bytes, (chunk) => {
          size += chunk.length
          if (size > options.maxBytes) {
            return Effect.fail(new BlobTooLarge({ accountId, blobId, maxBytes: options.maxBytes }))
          }
          hash.update(chunk)
          parts.push(new Uint8Array(chunk))
          return Effect.void
        })
        const whole = new Uint8Array(size)
        let offset = 0
        for (const part of parts) {
          whole.set(part, offset)
          offset += part.length
        }
        const result: PutResult = { size, sha256: hash.digest("hex") }
        const createdAt = yield* Clock.currentTimeMillis
        const publish = Effect.sync(() => {
          const blobs = accounts.get(accountId) ?? new Map<BlobId, StoredBlob>()
          blobs.set(blobId, { info: { accountId, blobId, createdAt, ...result }, bytes: whole })
          accounts.set(accountId, blobs)
        })
        yield* options.publishWith === undefined ? publish : options.publishWith(publish)
        return result
      }),
    get: (accountId, blobId, range) =>
      Stream.unwrap(Effect.gen(function*() {
        const blob = yield* find(accountId, blobId)
        const { end, start } = yield* resolveRange(blobId, blob.info.size, range)
        return Stream.fromIterable({
          *[Symbol.iterator]() {
            for (let at = start; at < end; at += READ_CHUNK) yield blob.bytes.slice(at, Math.min(end, at + READ_CHUNK))
          }
        })
      })),
    stat: (accountId, blobId) => Effect.map(find(accountId, blobId), (blob) => blob.info),
    delete: (accountId, blobId) => Effect.sync(() => accounts.get(accountId)?.delete(blobId) ?? false),
    list: (accountId) =>
      Effect.sync(() => [...(accounts.get(accountId)?.values() ?? [])].map((blob) => blob.info).sort(byId)),
    listIds: (accountId) =>
      Effect.sync(() => [...(accounts.get(accountId)?.keys() ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))),
    deleteAccount: (accountId) =>
      Effect.sync(() => {
        const count = accounts.get(accountId)?.size ?? 0
        accounts.delete(accountId)
        return count
      }),
    collectUnreferenced: (isReferenced, graceMs) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        let examined = 0
        let deleted = 0
        for (const [accountId, blobs] of [...accounts]) {
          for (const [blobId, blob] of [...blobs]) {
            examined++
            if (now - blob.info.createdAt < graceMs) continue
            if (yield* isReferenced(accountId, blobId)) continue
            // Deleted only if it is still the version looked at: a put meanwhile made it young again.
            if (blobs.get(blobId) === blob) {
              blobs.delete(blobId)
              deleted++
            }
          }
        }
        return { examined, deleted }
      })
  })
})

export const layerBlobStoreMemory = Layer.effect(BlobStore, makeBlobStoreMemory)
