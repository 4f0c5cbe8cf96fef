/**
 * The port for the master key, the root of the key hierarchy of DESIGN.md "Encryption at rest": it wraps and
 * unwraps account keys with AES-256 and never hands out the master key itself. Master keys are versioned so they
 * rotate without downtime: `rotate` adds a version and makes it the one `wrap` uses, earlier versions still unwrap
 * until `retire` destroys them. The embedded default is a key file; a KMS adapter can provide the same port.
 */
import type { Effect } from "effect"
import { Context, Schema } from "effect"
import type { DecryptionFailed, InvalidKeyMaterial } from "./Crypto.js"

/** An account key sealed under one master key version. */
export interface WrappedKey {
  readonly masterVersion: number
  /** `nonce(12) ‖ ciphertext ‖ tag(16)` under that master key version. */
  readonly sealed: Uint8Array
}

/** The key management backend failed (a file could not be written, a KMS did not answer); nothing changed. */
export class KeyManagementError extends Schema.TaggedError<KeyManagementError>()("KeyManagementError", {
  /** The port operation that failed, e.g. `KeyManagement.rotate`. */
  operation: Schema.String,
  cause: Schema.Defect
}) {
  readonly code = "key-management-failure"
  override get message() {
    return `Key management failed during ${this.operation}; nothing was changed by the failed step, try again`
  }
}

/** A wrapped key names a master key version this key manager does not hold: never issued, or retired. */
export class MasterKeyVersionUnknown extends Schema.TaggedError<MasterKeyVersionUnknown>()(
  "MasterKeyVersionUnknown",
  { version: Schema.Number }
) {
  readonly code = "master-key-version-unknown"
  override get message() {
    return `Master key version ${this.version} is not available: it was never issued or has been retired`
  }
}

/** A request to retire the master key version `wrap` still uses. */
export class MasterKeyInUse extends Schema.TaggedError<MasterKeyInUse>()("MasterKeyInUse", {
  version: Schema.Number,
  reason: Schema.String
}) {
  readonly code = "master-key-in-use"
  override get message() {
    return `Master key version ${this.version} cannot be retired: ${this.reason}`
  }
}

export class KeyManagement extends Context.Tag("@custos/core/KeyManagement")<KeyManagement, {
  /** The version `wrap` uses now. */
  readonly currentVersion: Effect.Effect<number, KeyManagementError>
  /** Every version that can still unwrap, ascending. */
  readonly versions: Effect.Effect<ReadonlyArray<number>, KeyManagementError>
  /** Wraps `key` under the current master key version with AES-256-GCM, binding `aad`. */
  readonly wrap: (
    key: Uint8Array,
    aad: Uint8Array
  ) => Effect.Effect<WrappedKey, InvalidKeyMaterial | KeyManagementError>
  /** Unwraps with the master key version the wrapped key names, checking `aad`. */
  readonly unwrap: (
    wrapped: WrappedKey,
    aad: Uint8Array
  ) => Effect.Effect<Uint8Array, DecryptionFailed | InvalidKeyMaterial | MasterKeyVersionUnknown | KeyManagementError>
  /** Adds a new master key version and makes it current; returns it. Earlier versions keep unwrapping. */
  readonly rotate: Effect.Effect<number, KeyManagementError>
  /**
   * Destroys an earlier master key version for good: keys wrapped under it can no longer be unwrapped. The current
   * version cannot be retired. Retiring an unknown version is a no-op.
   */
  readonly retire: (version: number) => Effect.Effect<void, MasterKeyInUse | KeyManagementError>
}>() {}
