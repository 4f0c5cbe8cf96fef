/**
 * Domain errors: what a caller asked for that Custos refuses. Each has a stable `code` for machines and a
 * `message` sentence for people. Storage failures are not here: they are `StoreError`, see `ports/StoreError.ts`.
 */
import { Schema } from "effect"
import { App } from "./App.js"

export class InvalidPayload extends Schema.TaggedError<InvalidPayload>()("InvalidPayload", {
  app: App,
  field: Schema.String,
  reason: Schema.String
}) {
  readonly code = "invalid-payload"
  override get message() {
    return `The ${this.app} payload is invalid at "${this.field}": ${this.reason}`
  }
}

export class InvalidMutation extends Schema.TaggedError<InvalidMutation>()("InvalidMutation", {
  reason: Schema.String
}) {
  readonly code = "invalid-mutation"
  override get message() {
    return `The mutation is invalid: ${this.reason}`
  }
}

export class AppDisabled extends Schema.TaggedError<AppDisabled>()("AppDisabled", { app: App }) {
  readonly code = "app-disabled"
  override get message() {
    return `Sync is turned off for ${this.app}; turn it on in the sync settings before sending its data`
  }
}

export class AppUnavailableInRegion extends Schema.TaggedError<AppUnavailableInRegion>()("AppUnavailableInRegion", {
  app: App,
  region: Schema.String
}) {
  readonly code = "app-unavailable-in-region"
  override get message() {
    return `Sync for ${this.app} is not offered to accounts in region ${this.region}`
  }
}

export class FolderNotSelected extends Schema.TaggedError<FolderNotSelected>()("FolderNotSelected", {
  folder: Schema.String
}) {
  readonly code = "folder-not-selected"
  override get message() {
    return `The gallery folder "${this.folder}" is not selected for sync`
  }
}

export class InvalidSettings extends Schema.TaggedError<InvalidSettings>()("InvalidSettings", {
  reason: Schema.String
}) {
  readonly code = "invalid-settings"
  override get message() {
    return `The sync settings are invalid: ${this.reason}`
  }
}

export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {
  reason: Schema.String
}) {
  readonly code = "invalid-cursor"
  override get message() {
    return `The sync cursor is not valid: ${this.reason}`
  }
}

export class ResyncRequired extends Schema.TaggedError<ResyncRequired>()("ResyncRequired", {
  /** The oldest position changes can still be pulled from. */
  horizon: Schema.Number
}) {
  readonly code = "resync-required"
  override get message() {
    return "The cursor is older than the oldest change still kept; pull again from the beginning"
  }
}

export class AccountNotFound extends Schema.TaggedError<AccountNotFound>()("AccountNotFound", {
  accountId: Schema.String
}) {
  readonly code = "account-not-found"
  override get message() {
    return `There is no account ${this.accountId}`
  }
}

export class AccountExists extends Schema.TaggedError<AccountExists>()("AccountExists", {
  accountId: Schema.String
}) {
  readonly code = "account-exists"
  override get message() {
    return `An account ${this.accountId} exists already`
  }
}

export class InvalidRegion extends Schema.TaggedError<InvalidRegion>()("InvalidRegion", {
  region: Schema.String
}) {
  readonly code = "invalid-region"
  override get message() {
    return `The region "${this.region}" is not an ISO 3166-1 alpha-2 country code such as DE`
  }
}

export class BatchTooLarge extends Schema.TaggedError<BatchTooLarge>()("BatchTooLarge", {
  size: Schema.Number,
  limit: Schema.Number
}) {
  readonly code = "batch-too-large"
  override get message() {
    return `A push may carry at most ${this.limit} mutations; this one has ${this.size}`
  }
}

export class InvalidAccountId extends Schema.TaggedError<InvalidAccountId>()("InvalidAccountId", {
  reason: Schema.String
}) {
  readonly code = "invalid-account-id"
  override get message() {
    return `The account id is not valid: ${this.reason}`
  }
}

export class PurchaseExists extends Schema.TaggedError<PurchaseExists>()("PurchaseExists", {
  purchaseId: Schema.String
}) {
  readonly code = "purchase-exists"
  override get message() {
    return `A purchase ${this.purchaseId} is recorded already`
  }
}

export class InvalidPurchase extends Schema.TaggedError<InvalidPurchase>()("InvalidPurchase", {
  reason: Schema.String
}) {
  readonly code = "invalid-purchase"
  override get message() {
    return `The purchase is invalid: ${this.reason}`
  }
}

export class QuotaExceeded extends Schema.TaggedError<QuotaExceeded>()("QuotaExceeded", {
  usageBytes: Schema.Number,
  quotaBytes: Schema.Number,
  neededBytes: Schema.Number
}) {
  readonly code = "quota-exceeded"
  override get message() {
    return `Storage is full: ${this.usageBytes} of ${this.quotaBytes} bytes are used and this write needs ${this.neededBytes} more; delete something or choose a larger plan`
  }
}

export class SyncTooSoon extends Schema.TaggedError<SyncTooSoon>()("SyncTooSoon", {
  /** Epoch ms from which the device may sync in the background again. */
  retryAt: Schema.Number
}) {
  readonly code = "sync-too-soon"
  override get message() {
    return `Background sync is allowed again at ${new Date(this.retryAt).toISOString()} under the account's plan`
  }
}

export class RecordNotFound extends Schema.TaggedError<RecordNotFound>()("RecordNotFound", {
  app: App,
  recordId: Schema.String
}) {
  readonly code = "record-not-found"
  override get message() {
    return `There is no ${this.app} record ${this.recordId}`
  }
}

export class NotInTrash extends Schema.TaggedError<NotInTrash>()("NotInTrash", {
  app: App,
  recordId: Schema.String,
  state: Schema.String
}) {
  readonly code = "not-in-trash"
  override get message() {
    return this.state === "purged"
      ? `The ${this.app} record ${this.recordId} was deleted permanently and cannot be restored`
      : `The ${this.app} record ${this.recordId} is not in the trash (it is ${this.state})`
  }
}

export class NoTrash extends Schema.TaggedError<NoTrash>()("NoTrash", { app: App }) {
  readonly code = "no-trash"
  override get message() {
    return `The ${this.app} app has no trash: its deletions are permanent`
  }
}

export class UnknownDataType extends Schema.TaggedError<UnknownDataType>()("UnknownDataType", {
  dataType: Schema.String
}) {
  readonly code = "unknown-data-type"
  override get message() {
    return `The data inventory has no data type "${this.dataType}"`
  }
}

export class ContentDeletedOnPurpose extends Schema.TaggedError<ContentDeletedOnPurpose>()("ContentDeletedOnPurpose", {
  recordId: Schema.String
}) {
  readonly code = "deleted-on-purpose"
  override get message() {
    return `The content of ${this.recordId} was deleted on purpose; restore it from the trash or re-add it explicitly to upload it again`
  }
}
