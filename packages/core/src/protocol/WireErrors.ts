/**
 * The wire form of every error the protocol can answer with (see `Errors.ts`), made once per class so each keeps
 * one schema and one status across all endpoints. Statuses are given where the groups add them.
 */
import {
  AccountExists as AccountExistsError,
  AccountNotFound as AccountNotFoundError,
  AppUnavailableInRegion as AppUnavailableInRegionError,
  BatchTooLarge as BatchTooLargeError,
  InvalidCursor as InvalidCursorError,
  InvalidPurchase as InvalidPurchaseError,
  InvalidRegion as InvalidRegionError,
  InvalidSettings as InvalidSettingsError,
  NotInTrash as NotInTrashError,
  NoTrash as NoTrashError,
  PurchaseExists as PurchaseExistsError,
  RecordNotFound as RecordNotFoundError,
  ResyncRequired as ResyncRequiredError,
  SyncTooSoon as SyncTooSoonError,
  UnknownDataType as UnknownDataTypeError
} from "../domain/Errors.js"
import { LoginNameTaken as LoginNameTakenError } from "../ports/CredentialStore.js"
import { StoreError as StoreErrorClass } from "../ports/StoreError.js"
import { SealingFailed as SealingFailedError } from "../services/RecordSealing.js"
import {
  DeviceNotFound as DeviceNotFoundError,
  InvalidCredentials as InvalidCredentialsError,
  SessionNotFound as SessionNotFoundError,
  wire
} from "./Errors.js"

export const AccountExists = wire(AccountExistsError)
export const AccountNotFound = wire(AccountNotFoundError)
export const AppUnavailableInRegion = wire(AppUnavailableInRegionError)
export const BatchTooLarge = wire(BatchTooLargeError)
export const InvalidCursor = wire(InvalidCursorError)
export const InvalidPurchase = wire(InvalidPurchaseError)
export const InvalidRegion = wire(InvalidRegionError)
export const InvalidSettings = wire(InvalidSettingsError)
export const NotInTrash = wire(NotInTrashError)
export const NoTrash = wire(NoTrashError)
export const PurchaseExists = wire(PurchaseExistsError)
export const RecordNotFound = wire(RecordNotFoundError)
export const ResyncRequired = wire(ResyncRequiredError)
export const SyncTooSoon = wire(SyncTooSoonError, {
  description: "A background sync came before the plan allows; the response carries `Retry-After`"
})
export const UnknownDataType = wire(UnknownDataTypeError)
export const LoginNameTaken = wire(LoginNameTakenError)
export const DeviceNotFound = wire(DeviceNotFoundError)
export const SessionNotFound = wire(SessionNotFoundError)
export const InvalidCredentials = wire(InvalidCredentialsError)
/** Storage failed; the cause stays in the server's log. */
export const StoreError = wire(StoreErrorClass, { withhold: ["cause"] })
/** Encrypting or decrypting a record failed; the cause stays in the server's log. */
export const SealingFailed = wire(SealingFailedError, { withhold: ["cause"] })

/**
 * How a refusal names where a problem is (`phones[0].number`, each key cut to 64 characters: keys are what the client
 * sent, and may be any length), as core names it in its own errors.
 */
export { joinPath as issueField, shortKey as issueKey } from "../internal/parseErrors.js"
