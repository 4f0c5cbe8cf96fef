/**
 * The Custos protocol, version 1: one HttpApi under `/v1`. The server implements it, and the typed client and the
 * OpenAPI document are derived from it, so the three cannot drift apart. See `Errors.ts` for how errors travel.
 */
import { HttpApi, OpenApi } from "@effect/platform"
import { AccountsApi } from "./Accounts.js"
import { BackupsApi } from "./Backups.js"
import { BlobsApi } from "./Blobs.js"
import { MembershipApi } from "./Membership.js"
import { OperatorApi } from "./Operator.js"
import { PrivacyApi } from "./Privacy.js"
import { SettingsApi } from "./Settings.js"
import { SyncApi } from "./Sync.js"
import { TrashApi } from "./Trash.js"

export class CustosApi extends HttpApi.make("custos")
  .add(AccountsApi)
  .add(SettingsApi)
  .add(SyncApi)
  .add(BlobsApi)
  .add(TrashApi)
  .add(BackupsApi)
  .add(MembershipApi)
  .add(PrivacyApi)
  .add(OperatorApi)
  .prefix("/v1")
  .annotate(OpenApi.Title, "Custos")
  .annotate(OpenApi.Version, "1")
  .annotate(
    OpenApi.Description,
    "A personal cloud for what lives on a phone, whose privacy promises are code. Errors are JSON objects with " +
      "`_tag`, a stable `code` and a `message` sentence."
  )
{}
