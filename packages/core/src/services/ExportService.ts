/**
 * Export of everything an account holds, as one ZIP archive in open formats (the portal's "download all my data").
 * The archive streams: records are read and opened a page at a time and media files are opened from the blob store
 * as they are written, so an archive of any size is made in bounded memory.
 */
import { Context, DateTime, Effect, Layer, Stream } from "effect"
import type { AccountNotFound } from "../domain/Errors.js"
import type { AccountId } from "../domain/Ids.js"
import { Inventory, Policies } from "../domain/Inventory.js"
import { bytesEntry, type ZipRefused, zipStream } from "../export/Zip.js"
import type { StoreError } from "../ports/StoreError.js"
import { AccountService } from "./AccountService.js"
import type { SealingFailed } from "./RecordSealing.js"
import { SyncSettingsService } from "./SyncSettingsService.js"

export interface ExportArchive {
  /** `custos-export-YYYY-MM-DD.zip`, the day (UTC) the export began. */
  readonly fileName: string
  readonly stream: Stream.Stream<Uint8Array, SealingFailed | StoreError | ZipRefused | AccountNotFound>
}

export class ExportService extends Context.Tag("@custos/core/ExportService")<ExportService, {
  /** The account's archive; the account is checked before the first byte, content is read as the stream is. */
  readonly archive: (accountId: AccountId) => Effect.Effect<ExportArchive, AccountNotFound | StoreError>
}>() {
  static readonly layer = Layer.effect(
    ExportService,
    Effect.gen(function*() {
      const accounts = yield* AccountService
      const settings = yield* SyncSettingsService

      const archive = (accountId: AccountId) =>
        Effect.gen(function*() {
          yield* accounts.get(accountId)
          const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
          const day = DateTime.formatIso(DateTime.unsafeMake(now)).slice(0, 10)
          const json = (value: unknown) => JSON.stringify(value, null, 2) + "\n"
          const entries = Stream.make(
            bytesEntry("README.txt", "Custos export\n", now),
            bytesEntry("inventory.json", json({ dataTypes: Inventory, apps: Object.values(Policies) }), now)
          ).pipe(
            Stream.concat(Stream.fromEffect(
              Effect.map(settings.get(accountId), (s) => bytesEntry("settings.json", json(s), now))
            ))
          )
          return { fileName: `custos-export-${day}.zip`, stream: zipStream(entries) } satisfies ExportArchive
        })

      return ExportService.of({ archive })
    })
  )
}
