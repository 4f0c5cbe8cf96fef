/**
 * All core services in one Layer. It needs the storage ports (`RecordStore`, `AccountStore`, `SyncSettingsStore`,
 * `MembershipStore`, `DeviceStore`, `AccountKeyStore`, `DeletedContentStore`, `AccessLogStore`), which the embedding
 * application chooses (memory, SQLite or PostgreSQL), and the key ports (`Crypto`, `KeyManagement`): node:crypto and
 * a key file, say. Every opening of content goes through `AccessLog` (§4.1.5).
 */
import { Layer } from "effect"
import { AccessLog } from "./AccessLog.js"
import { AccountService } from "./AccountService.js"
import { BackupService } from "./BackupService.js"
import { MembershipService } from "./MembershipService.js"
import { DeletedOnPurpose } from "./DeletedOnPurpose.js"
import { Keyring } from "./Keyring.js"
import { KeyRotation } from "./KeyRotation.js"
import { PrivacyService } from "./PrivacyService.js"
import { RecordSealing } from "./RecordSealing.js"
import { SyncEngine } from "./SyncEngine.js"
import { SyncPacing } from "./SyncPacing.js"
import { SyncSettingsService } from "./SyncSettingsService.js"
import { TombstoneCompaction } from "./TombstoneCompaction.js"
import { TrashService } from "./TrashService.js"
import { TrashSweeper } from "./TrashSweeper.js"

export const layerCoreServices = Layer.mergeAll(
  SyncEngine.layer,
  TrashService.layer,
  TrashSweeper.layer,
  BackupService.layer,
  PrivacyService.layer,
  KeyRotation.layer,
  TombstoneCompaction.layer()
).pipe(
  Layer.provideMerge(SyncPacing.layer),
  Layer.provideMerge(MembershipService.layer),
  Layer.provideMerge(SyncSettingsService.layer),
  Layer.provideMerge(DeletedOnPurpose.layer),
  Layer.provideMerge(RecordSealing.layer),
  Layer.provideMerge(AccessLog.layer),
  Layer.provideMerge(AccountService.layer),
  Layer.provideMerge(Keyring.layer())
)
