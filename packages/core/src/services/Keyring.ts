/**
 * The key hierarchy of DESIGN.md "Encryption at rest": a master key (`KeyManagement`) wraps one key per account and
 * version (`AccountKeyStore`); each sealed value gets its own key, derived from the account key and a random salt
 * kept in the value's envelope, so no key comes near the GCM limit of 2^32 random nonces and a value's key goes with
 * its salt. The Keyring seals and opens fields with AAD binding (account, app, record id, field, key version), rotates
 * account keys (the newest version seals, every older one still opens) and the master key (every account key
 * re-wrapped, none lost), and destroys an account's keys, after which nothing sealed for it opens (crypto-shredding).
 *
 * Value keys (envelope version 2): a key-generating key per account key version and algorithm,
 * HKDF-SHA-256(account key, "custos/value-keys/v2/<algorithm>"), is made once; a value's key is the AES-GCM-SIV key
 * derivation (RFC 8452 §4) of its 12-byte salt under it, one AES pass for a whole batch. Version 1 envelopes, whose
 * key was HKDF-SHA-256(account key, 16-byte salt, "custos/record/v1") for each value, still open; nothing new is
 * sealed that way, and key rotation re-seals them.
 *
 * Unwrapped account keys are cached in this process only, for a bounded number of accounts (the least recently used
 * is dropped; its bytes are left to the garbage collector, never overwritten, since an operation may still hold it). Every seal and open still asks the store which versions the account has,
 * once per operation (a batch is one operation), so a rotation or a destruction made by another instance is seen at
 * the next operation; a version the store no longer lists, or an account it reports destroyed, is dropped from the
 * cache at once.
 */
import { Context, Effect, Either, Layer, Redacted, Schema } from "effect"
import type { App } from "../domain/App.js"
import type { AccountId, RecordId } from "../domain/Ids.js"
import {
  decodeUtf8,
  encodeAccountKeyAad,
  encodeEnvelopeHead,
  encodeFieldAad,
  encodeUtf8,
  type Envelope,
  ENVELOPE_VERSION,
  type EnvelopeVersion,
  fieldAadOf,
  envelopeFromText,
  type MalformedEnvelope
} from "../domain/Sealed.js"
import { encodeBase64 } from "../internal/base64.js"
import {
  AccountKeyStore,
  AccountKeysDestroyed,
  AccountKeyVersionExists,
  type StoredAccountKey
} from "../ports/AccountKeyStore.js"
import {
  type AeadAlgorithm,
  Crypto,
  DecryptionFailed,
  type InvalidKeyMaterial,
  keyBytes
} from "../ports/Crypto.js"
import {
  KeyManagement,
  type KeyManagementError,
  MasterKeyInUse,
  type MasterKeyVersionUnknown
} from "../ports/KeyManagement.js"
import type { StoreError } from "../ports/StoreError.js"

/** A sealed value names a key version its account never had. */
export class KeyVersionNotFound extends Schema.TaggedError<KeyVersionNotFound>()("KeyVersionNotFound", {
  accountId: Schema.String,
  version: Schema.Number
}) {
  readonly code = "key-version-not-found"
  override get message() {
    return `Account ${this.accountId} has no key version ${this.version}`
  }
}

/** Why an account key could not be had. */
export type AccountKeyError =
  | AccountKeysDestroyed
  | KeyVersionNotFound
  | DecryptionFailed
  | InvalidKeyMaterial
  | MasterKeyVersionUnknown
  | KeyManagementError
  | StoreError

/** Why a sealed field could not be opened. */
export type OpenFieldError = AccountKeyError | MalformedEnvelope

export interface KeyringOptions {
  /** What new fields and blobs are sealed with; AES-128-GCM (the inventory's AES-128) unless chosen. */
  readonly algorithm?: AeadAlgorithm | undefined
  /** How many accounts' unwrapped keys this process keeps at most; 1,000 unless chosen (at least 1). */
  readonly cachedAccounts?: number | undefined
}

export interface AccountKey {
  readonly version: number
  readonly key: Redacted.Redacted<Uint8Array>
}

export interface SealFieldInput {
  readonly accountId: AccountId
  /** The app the value belongs to, or `membership` for purchase records. */
  readonly app: App | "membership"
  readonly recordId: RecordId
  readonly field: string
  /** Bytes, or text sealed as its UTF-8. */
  readonly plaintext: Uint8Array | string
}

export interface OpenFieldInput {
  readonly accountId: AccountId
  /** The app the value belongs to, or `membership` for purchase records. */
  readonly app: App | "membership"
  readonly recordId: RecordId
  readonly field: string
  /** The envelope text `sealField` returned. */
  readonly sealed: string
}

/** Account key bytes: 256 bits, whatever the algorithm values are sealed with. */
export const ACCOUNT_KEY_BYTES = 32

const RECORD_INFO = encodeUtf8("custos/record/v1")
const BLOB_INFO = encodeUtf8("custos/blob/v1")
/** The HKDF info of the key-generating key of each algorithm: values of the two algorithms never share keys. */
const VALUE_KEYS_INFO: { readonly [A in AeadAlgorithm]: Uint8Array } = {
  "aes-128-gcm": encodeUtf8("custos/value-keys/v2/aes-128-gcm"),
  "aes-256-gcm": encodeUtf8("custos/value-keys/v2/aes-256-gcm")
}
const NO_SALT = new Uint8Array(0)

const REWRAP_PAGE = 100

export class Keyring extends Context.Tag("@custos/core/Keyring")<Keyring, {
  /** The algorithm new values are sealed with. */
  readonly algorithm: AeadAlgorithm
  /** The account's primary key (the newest version), made, wrapped and stored on first use. */
  readonly accountKey: (accountId: AccountId) => Effect.Effect<AccountKey, AccountKeyError>
  /**
   * HKDF(account key `keyVersion`, `salt`, "custos/record/v1"): the key a format 1 envelope's value was sealed
   * under, and the key of the gallery's deleted-on-purpose fingerprints.
   */
  readonly recordKey: (
    accountId: AccountId,
    salt: Uint8Array,
    keyVersion: number,
    algorithm?: AeadAlgorithm
  ) => Effect.Effect<Redacted.Redacted<Uint8Array>, AccountKeyError>
  /** The key of one blob: HKDF(account key `keyVersion`, `salt`, "custos/blob/v1"). */
  readonly blobKey: (
    accountId: AccountId,
    salt: Uint8Array,
    keyVersion: number,
    algorithm?: AeadAlgorithm
  ) => Effect.Effect<Redacted.Redacted<Uint8Array>, AccountKeyError>
  /** Seals one field of one record under the account's primary key; returns the envelope text. */
  readonly sealField: (input: SealFieldInput) => Effect.Effect<string, AccountKeyError>
  /** Opens what `sealField` returned for exactly the same account, app, record and field. */
  readonly openField: (input: OpenFieldInput) => Effect.Effect<Uint8Array, OpenFieldError>
  /** `openField` for a value sealed from text. */
  readonly openFieldText: (input: OpenFieldInput) => Effect.Effect<string, OpenFieldError>
  /**
   * `sealField` of every input, in order, asking the store for each account's versions once for the whole batch.
   * Fails with the first error; nothing is returned then.
   */
  readonly sealFields: (inputs: ReadonlyArray<SealFieldInput>) => Effect.Effect<ReadonlyArray<string>, AccountKeyError>
  /**
   * `openField` of every input, in order, asking the store for each account's versions once for the whole batch:
   * each value's plaintext, or why that value did not open.
   */
  readonly openFields: (
    inputs: ReadonlyArray<OpenFieldInput>
  ) => Effect.Effect<ReadonlyArray<Either.Either<Uint8Array, OpenFieldError>>>
  /** The key versions of the account this process holds unwrapped (diagnostics and tests of the cache). */
  readonly cachedKeyVersions: (accountId: AccountId) => Effect.Effect<ReadonlyArray<number>>
  /** Adds a new account key version and makes it primary for new writes; returns it. Older versions still open. */
  readonly rotateAccountKey: (accountId: AccountId) => Effect.Effect<number, AccountKeyError>
  /**
   * Adds a master key version, makes it current, and re-wraps every account key under it. Returns the new version
   * and how many account keys were re-wrapped. Account keys themselves do not change, so all data still opens.
   */
  readonly rotateMasterKey: Effect.Effect<
    { readonly masterVersion: number; readonly rewrapped: number },
    AccountKeyError
  >
  /** Re-wraps every account key not yet under the current master version (resumes an interrupted rotation). */
  readonly rewrapAccountKeys: Effect.Effect<number, AccountKeyError>
  /** Destroys an earlier master key version once no account key is wrapped under it any more. */
  readonly retireMasterKey: (version: number) => Effect.Effect<void, MasterKeyInUse | KeyManagementError | StoreError>
  /** Destroys every key of the account; afterwards its data fails to open with `AccountKeysDestroyed`. */
  readonly destroyAccountKeys: (accountId: AccountId) => Effect.Effect<number, StoreError>
}>() {
  static readonly layer = (options: KeyringOptions = {}) => Layer.effect(Keyring, makeKeyring(options))
}

const makeKeyring = (options: KeyringOptions) =>
  Effect.gen(function*() {
    const crypto = yield* Crypto
    const master = yield* KeyManagement
    const store = yield* AccountKeyStore
    const algorithm = options.algorithm ?? "aes-128-gcm"
    const cachedAccounts = options.cachedAccounts ?? 1_000
    if (!Number.isInteger(cachedAccounts) || cachedAccounts < 1) {
      return yield* Effect.dieMessage(`Keyring: cachedAccounts must be a whole number >= 1, not ${cachedAccounts}`)
    }
    /** Unwrapped account keys of this process, by account and version; the Map's order is least recently used first. */
    const cache = new Map<AccountId, Map<number, Uint8Array>>()
    /** Serializes creating versions in this process; the store's insert-only `put` settles races between them. */
    const creating = yield* Effect.makeSemaphore(1)

    /**
     * Drops an account's cached keys. Their bytes are not overwritten: a cached key is handed to the operations that
     * asked for it, and one still sealing a batch would go on under zeros, leaving values anyone can open.
     */
    const forget = (accountId: AccountId) => {
      cache.delete(accountId)
    }

    /**
     * The key-generating keys of each cached account key bytes, by algorithm, made once. They go with the account key
     * when it is dropped from the cache, and are overwritten when the store reports the key destroyed: an operation
     * still holding one then fails, as `sealValues` and `openValues` refuse an all-zero key-generating key.
     */
    const generatingKeys = new WeakMap<Uint8Array, Map<AeadAlgorithm, Uint8Array>>()

    /** Forgets and overwrites the key-generating keys made from `ikm`, whose account key version is destroyed. */
    const shredGeneratingKeys = (ikm: Uint8Array) => {
      for (const kgk of generatingKeys.get(ikm)?.values() ?? []) kgk.fill(0)
      generatingKeys.delete(ikm)
    }

    /** `forget`, after overwriting the key-generating keys of the account's cached versions: they are destroyed. */
    const shred = (accountId: AccountId) => {
      for (const ikm of cache.get(accountId)?.values() ?? []) shredGeneratingKeys(ikm)
      forget(accountId)
    }

    /** Caches a key; a version cached already keeps its buffer (operations may hold it), the new one is not used. */
    const remember = (accountId: AccountId, version: number, key: Uint8Array): Uint8Array => {
      const versions = cache.get(accountId) ?? new Map<number, Uint8Array>()
      const kept = versions.get(version) ?? key
      versions.set(version, kept)
      cache.delete(accountId)
      cache.set(accountId, versions)
      while (cache.size > cachedAccounts) forget(cache.keys().next().value!)
      return kept
    }

    /** A cached key, marking its account as recently used. */
    const cachedKey = (accountId: AccountId, version: number) => {
      const versions = cache.get(accountId)
      const key = versions?.get(version)
      if (key !== undefined && versions !== undefined) {
        cache.delete(accountId)
        cache.set(accountId, versions)
      }
      return key
    }

    /**
     * The versions the store lists for the account, in order. What the store no longer has is dropped from the
     * cache at once: every key of an account it reports destroyed, and any version it does not list.
     */
    const liveVersions = (accountId: AccountId) =>
      store.versions(accountId).pipe(
        Effect.tapError((e) => e instanceof AccountKeysDestroyed ? Effect.sync(() => shred(accountId)) : Effect.void),
        Effect.tap((versions) =>
          Effect.sync(() => {
            const cached = cache.get(accountId)
            if (cached === undefined) return
            for (const [version, ikm] of [...cached]) {
              if (!versions.includes(version)) {
                shredGeneratingKeys(ikm)
                cached.delete(version)
              }
            }
          })
        )
      )

    /** Makes, wraps and stores version `version`; false when another writer stored it first. */
    const createVersion = (accountId: AccountId, version: number) =>
      Effect.gen(function*() {
        const key = yield* crypto.randomBytes(ACCOUNT_KEY_BYTES)
        const wrapped = yield* master.wrap(key, encodeAccountKeyAad(accountId, version))
        return yield* store.put({ accountId, version, wrapped }).pipe(
          Effect.as(true),
          Effect.tap(() => remember(accountId, version, key)),
          Effect.catchIf((e) => e instanceof AccountKeyVersionExists, () => Effect.succeed(false))
        )
      })

    /** The newest of `versions`, making version 1 when the account has none. */
    const primaryOf = (accountId: AccountId, versions: ReadonlyArray<number>) =>
      versions.length > 0 ? Effect.succeed(versions[versions.length - 1]!) : createFirst(accountId)

    /** The newest version, making version 1 when the account has none. */
    const primaryVersion = (accountId: AccountId) => Effect.flatMap(liveVersions(accountId), (v) => primaryOf(accountId, v))

    /** Makes version 1 unless another writer just did; returns the newest version either way. */
    const createFirst = (accountId: AccountId) =>
      creating.withPermits(1)(Effect.gen(function*() {
        const again = yield* store.versions(accountId)
        if (again.length === 0) yield* createVersion(accountId, 1)
        const after = yield* store.versions(accountId)
        return after[after.length - 1]!
      }))

    /** The bytes of one version; the caller has checked the account has it. */
    const versionKey = (accountId: AccountId, version: number): Effect.Effect<Uint8Array, AccountKeyError> =>
      Effect.suspend(() => {
        // Every value of a batch asks: a cached key is answered without a trip through the store's effects.
        const cached = cachedKey(accountId, version)
        return cached !== undefined ? Effect.succeed(cached) : unwrapVersionKey(accountId, version)
      })

    /** Reads, unwraps and caches one version's bytes. */
    const unwrapVersionKey = (accountId: AccountId, version: number) =>
      Effect.gen(function*() {
        const stored = yield* store.get(accountId, version)
        if (stored._tag === "None") return yield* new KeyVersionNotFound({ accountId, version })
        const key = yield* master.unwrap(stored.value.wrapped, encodeAccountKeyAad(accountId, version))
        return remember(accountId, version, key)
      })

    /** One version's bytes, when `versions` (the store's answer for this operation) lists it. */
    const listedVersionKey = (accountId: AccountId, versions: ReadonlyArray<number>, version: number) =>
      versions.includes(version)
        ? versionKey(accountId, version)
        : Effect.fail(new KeyVersionNotFound({ accountId, version }))

    /** One version's bytes, after asking the store that the account still has it (and is not destroyed). */
    const liveVersionKey = (accountId: AccountId, version: number) =>
      Effect.flatMap(liveVersions(accountId), (versions) => listedVersionKey(accountId, versions, version))

    /** HKDF-SHA-256(account key `keyVersion`, `salt`, `info`), as long as `chosen` needs. */
    const derive = (info: Uint8Array) =>
      (accountId: AccountId, salt: Uint8Array, keyVersion: number, chosen: AeadAlgorithm = algorithm) =>
        Effect.flatMap(
          liveVersionKey(accountId, keyVersion),
          (ikm) => crypto.hkdfSha256({ ikm, salt, info, length: keyBytes[chosen] })
        )

    /** Runs `use` with a derived key and overwrites the key's bytes afterwards (best effort in JavaScript). */
    const withKey = <A, E>(key: Uint8Array, use: (key: Uint8Array) => Effect.Effect<A, E>) =>
      Effect.ensuring(use(key), Effect.sync(() => key.fill(0)))

    const plaintextOf = (input: SealFieldInput) =>
      typeof input.plaintext === "string" ? encodeUtf8(input.plaintext) : input.plaintext

    /** The key-generating key of `chosen` values under the account key bytes `ikm`, made on first use. */
    const generatingKeyOf = (ikm: Uint8Array, chosen: AeadAlgorithm): Effect.Effect<Uint8Array, InvalidKeyMaterial> => {
      const known = generatingKeys.get(ikm)?.get(chosen)
      return known !== undefined ? Effect.succeed(known) : Effect.tap(
        crypto.hkdfSha256({ ikm, salt: NO_SALT, info: VALUE_KEYS_INFO[chosen], length: 32 }),
        (kgk) =>
          Effect.sync(() => {
            const made = generatingKeys.get(ikm) ?? new Map<AeadAlgorithm, Uint8Array>()
            made.set(chosen, kgk)
            generatingKeys.set(ikm, made)
          })
      )
    }

    /**
     * The field AAD of values of one account under one key version, algorithm and envelope version, by app, field
     * and record id: the encoder of each app and field is made once per batch.
     */
    const fieldAads = (accountId: AccountId, keyVersion: number, chosen: AeadAlgorithm, version: EnvelopeVersion) => {
      const encoders = new Map<string, (recordId: string) => Uint8Array>()
      return (input: { readonly app: string; readonly field: string; readonly recordId: string }) => {
        const key = `${input.app}\u0000${input.field}`
        let encode = encoders.get(key)
        if (encode === undefined) {
          encode = fieldAadOf({ accountId, app: input.app, field: input.field, keyVersion }, chosen, version)
          encoders.set(key, encode)
        }
        return encode(input.recordId)
      }
    }

    /** Positions of `inputs` grouped by a key, in order of first appearance. */
    const groupBy = <K>(count: number, keyOf: (index: number) => K | undefined) => {
      const groups = new Map<K, Array<number>>()
      for (let i = 0; i < count; i++) {
        const key = keyOf(i)
        if (key === undefined) continue
        const group = groups.get(key)
        if (group === undefined) groups.set(key, [i])
        else group.push(i)
      }
      return groups
    }

    /** The store's versions of each account in `inputs`, asked once per account; a failed answer is kept as such. */
    const versionsOfAll = (inputs: ReadonlyArray<{ readonly accountId: AccountId }>) =>
      Effect.gen(function*() {
        const answers = new Map<AccountId, Either.Either<ReadonlyArray<number>, StoreError | AccountKeysDestroyed>>()
        for (const { accountId } of inputs) {
          if (!answers.has(accountId)) answers.set(accountId, yield* Effect.either(liveVersions(accountId)))
        }
        return answers
      })

    const sealFields = (inputs: ReadonlyArray<SealFieldInput>) =>
      Effect.gen(function*() {
        const answers = yield* versionsOfAll(inputs)
        const out: Array<string> = new Array(inputs.length)
        // One `sealValues` per account: its values share the primary version and its key-generating key.
        for (const [accountId, positions] of groupBy(inputs.length, (i) => inputs[i]!.accountId)) {
          const keyVersion = yield* primaryOf(accountId, yield* answers.get(accountId)!)
          const kgk = yield* generatingKeyOf(yield* versionKey(accountId, keyVersion), algorithm)
          const prefix = encodeEnvelopeHead(algorithm, keyVersion)
          const aadOf = fieldAads(accountId, keyVersion, algorithm, ENVELOPE_VERSION)
          const sealed = yield* crypto.sealValues({
            kgk,
            algorithm,
            items: positions.map((i) => ({ prefix, plaintext: plaintextOf(inputs[i]!), aad: aadOf(inputs[i]!) }))
          })
          positions.forEach((i, k) => {
            out[i] = encodeBase64(sealed[k]!)
          })
        }
        return out
      })

    const sealField = (input: SealFieldInput) => Effect.map(sealFields([input]), (sealed) => sealed[0]!)

    /** Opens one version 1 envelope (a key of its own by HKDF) whose account has `versions`. */
    const openVersion1 = (
      input: OpenFieldInput,
      envelope: Envelope,
      versions: ReadonlyArray<number>
    ): Effect.Effect<Uint8Array, OpenFieldError> =>
      Effect.flatMap(listedVersionKey(input.accountId, versions, envelope.keyVersion), (ikm) =>
        crypto.openDerived({
          ikm,
          info: RECORD_INFO,
          salt: envelope.salt,
          algorithm: envelope.algorithm,
          sealed: envelope.sealed,
          aad: encodeFieldAad({ ...input, keyVersion: envelope.keyVersion }, envelope.algorithm, 1)
        }))

    const openFields = (inputs: ReadonlyArray<OpenFieldInput>) =>
      Effect.gen(function*() {
        const answers = yield* versionsOfAll(inputs)
        const out: Array<Either.Either<Uint8Array, OpenFieldError>> = new Array(inputs.length)
        const envelopes: Array<Envelope | undefined> = new Array(inputs.length)
        for (let i = 0; i < inputs.length; i++) {
          const input = inputs[i]!
          const versions = answers.get(input.accountId)!
          if (Either.isLeft(versions)) {
            out[i] = Either.left(versions.left)
            continue
          }
          const parsed = envelopeFromText(input.sealed)
          if (Either.isLeft(parsed)) out[i] = Either.left(parsed.left)
          else if (parsed.right.version === 1) out[i] = yield* Effect.either(openVersion1(input, parsed.right, versions.right))
          else envelopes[i] = parsed.right
        }
        // One `openValues` per account, key version and algorithm of the version 2 envelopes.
        const groups = groupBy(inputs.length, (i) => {
          const envelope = envelopes[i]
          return envelope === undefined
            ? undefined
            : `${inputs[i]!.accountId}\u0000${envelope.keyVersion}\u0000${envelope.algorithm}`
        })
        for (const positions of groups.values()) {
          const { accountId } = inputs[positions[0]!]!
          const { algorithm: chosen, keyVersion } = envelopes[positions[0]!]!
          const versions = Either.getOrThrow(answers.get(accountId)!)
          const aadOf = fieldAads(accountId, keyVersion, chosen, ENVELOPE_VERSION)
          const opened = yield* Effect.either(
            listedVersionKey(accountId, versions, keyVersion).pipe(
              Effect.flatMap((ikm) => generatingKeyOf(ikm, chosen)),
              Effect.flatMap((kgk) =>
                crypto.openValues({
                  kgk,
                  items: positions.map((i) => {
                    const envelope = envelopes[i]!
                    return { algorithm: envelope.algorithm, salt: envelope.salt, sealed: envelope.sealed, aad: aadOf(inputs[i]!) }
                  })
                })
              )
            )
          )
          positions.forEach((i, k) => {
            out[i] = Either.isLeft(opened) ? Either.left(opened.left) : opened.right[k]!
          })
        }
        return out
      })

    const openField = (input: OpenFieldInput) =>
      Effect.flatMap(openFields([input]), (opened) => opened[0]!)

    const openFieldText = (input: OpenFieldInput) =>
      Effect.flatMap(openField(input), (bytes) => {
        const text = decodeUtf8(bytes)
        return text === undefined
          ? Effect.fail(new DecryptionFailed({ reason: "the value opened, but it is bytes, not text" }))
          : Effect.succeed(text)
      })

    const rotateAccountKey = (accountId: AccountId) =>
      creating.withPermits(1)(Effect.gen(function*() {
        const versions = yield* store.versions(accountId)
        const next = versions.length === 0 ? 1 : versions[versions.length - 1]! + 1
        yield* createVersion(accountId, next)
        const after = yield* store.versions(accountId)
        return after[after.length - 1]!
      }))

    /** Visits every stored account key, page by page. */
    const forEachAccountKey = <E>(visit: (key: StoredAccountKey) => Effect.Effect<void, E>) =>
      Effect.gen(function*() {
        let after: { readonly accountId: AccountId; readonly version: number } | undefined = undefined
        while (true) {
          const page: ReadonlyArray<StoredAccountKey> = yield* store.list({ after, limit: REWRAP_PAGE })
          for (const key of page) yield* visit(key)
          if (page.length < REWRAP_PAGE) return
          const last: StoredAccountKey = page[page.length - 1]!
          after = { accountId: last.accountId, version: last.version }
        }
      })

    const rewrapAccountKeys = Effect.gen(function*() {
      const current = yield* master.currentVersion
      let rewrapped = 0
      yield* forEachAccountKey((stored) =>
        Effect.gen(function*() {
          if (stored.wrapped.masterVersion === current) return
          const aad = encodeAccountKeyAad(stored.accountId, stored.version)
          const key = yield* master.unwrap(stored.wrapped, aad)
          const wrapped = yield* withKey(key, (key) => master.wrap(key, aad))
          if (yield* store.rewrap({ ...stored, wrapped }, stored.wrapped.masterVersion)) rewrapped++
        })
      )
      return rewrapped
    })

    const rotateMasterKey = Effect.gen(function*() {
      const masterVersion = yield* master.rotate
      const rewrapped = yield* rewrapAccountKeys
      return { masterVersion, rewrapped }
    })

    const retireMasterKey = (version: number) =>
      Effect.gen(function*() {
        let remaining = 0
        yield* forEachAccountKey((stored) =>
          Effect.sync(() => {
            if (stored.wrapped.masterVersion === version) remaining++
          })
        )
        if (remaining > 0) {
          return yield* new MasterKeyInUse({
            version,
            reason: `${remaining} account key version(s) are still wrapped under it; re-wrap them first`
          })
        }
        yield* master.retire(version)
      })

    const destroyAccountKeys = (accountId: AccountId) =>
      Effect.ensuring(store.destroy(accountId), Effect.sync(() => shred(accountId)))

    const accountKey = (accountId: AccountId) =>
      Effect.gen(function*() {
        const version = yield* primaryVersion(accountId)
        const key = yield* versionKey(accountId, version)
        return { version, key: Redacted.make(new Uint8Array(key)) }
      })

    const redactedDerive = (info: Uint8Array) =>
      (accountId: AccountId, salt: Uint8Array, keyVersion: number, chosen?: AeadAlgorithm) =>
        Effect.map(derive(info)(accountId, salt, keyVersion, chosen ?? algorithm), (key) => Redacted.make(key))

    return Keyring.of({
      algorithm,
      accountKey,
      recordKey: redactedDerive(RECORD_INFO),
      blobKey: redactedDerive(BLOB_INFO),
      sealField,
      openField,
      openFieldText,
      sealFields,
      openFields,
      cachedKeyVersions: (accountId) => Effect.sync(() => [...(cache.get(accountId)?.keys() ?? [])].sort((a, b) => a - b)),
      rotateAccountKey,
      rotateMasterKey,
      rewrapAccountKeys,
      retireMasterKey,
      destroyAccountKeys
    })
  })
