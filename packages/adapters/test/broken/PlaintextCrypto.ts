/**
 * Broken on purpose: a Crypto whose sealing is the identity. The plaintext goes out between an all-zero nonce and an
 * all-zero "tag", and opening strips them again, so every round trip works while nothing is encrypted at rest.
 * Hashing, HKDF, HMAC, randomness and key wrapping stay real: only content sealing is faked.
 *
 * The requirements that must catch it: ENC-001 (content reaches storage only sealed), ENC-002 (only the columns
 * sync needs are stored in clear) and ENC-003 (files reach storage only sealed).
 */
import {
  Crypto,
  DecryptionFailed,
  NONCE_BYTES,
  SEAL_OVERHEAD,
  TAG_BYTES,
  VALUE_KEY_SALT_BYTES
} from "@custos/core/ports/Crypto"
import { Effect } from "effect"
import { type Fault, referenceStorageWith } from "./internal/referenceStorageWith.js"

/** `prefix ‖ nonce(zeros) ‖ plaintext ‖ tag(zeros)`. */
const fakeSeal = (plaintext: Uint8Array, prefix: Uint8Array = new Uint8Array(0)) => {
  const out = new Uint8Array(prefix.length + plaintext.length + SEAL_OVERHEAD)
  out.set(prefix, 0)
  out.set(plaintext, prefix.length + NONCE_BYTES)
  return out
}

const fakeOpen = (sealed: Uint8Array) =>
  sealed.length < SEAL_OVERHEAD
    ? Effect.fail(new DecryptionFailed({ reason: "too short" }))
    : Effect.succeed(sealed.slice(NONCE_BYTES, sealed.length - TAG_BYTES))

export const name = "broken: seals nothing"

/** The fault, as a wrapper of the real port (to stack a test's own hooks on it). */
export const fault = {
  crypto: (real) =>
    Crypto.of({
      ...real,
      seal: ({ plaintext }) => Effect.succeed(fakeSeal(plaintext)),
      open: ({ sealed }) => fakeOpen(sealed),
      sealMany: ({ items }) =>
        Effect.succeed(items.map((item) => ({
          nonce: new Uint8Array(NONCE_BYTES),
          ciphertext: item.plaintext.slice(),
          tag: new Uint8Array(TAG_BYTES)
        }))),
      openMany: ({ items }) =>
        Effect.sync(() => ({
          opened: items.map((item) => item.sealed.slice(NONCE_BYTES, item.sealed.length - TAG_BYTES)),
          failed: undefined
        })),
      sealValues: ({ items }) =>
        Effect.forEach(items, ({ plaintext, prefix }) =>
          Effect.map(real.randomBytes(VALUE_KEY_SALT_BYTES), (salt) => {
            const head = new Uint8Array(prefix.length + salt.length)
            head.set(prefix, 0)
            head.set(salt, prefix.length)
            return fakeSeal(plaintext, head)
          })),
      openValues: ({ items }) =>
        Effect.forEach(items, ({ sealed }) => Effect.either(fakeOpen(sealed))),
      openDerived: ({ sealed }) => fakeOpen(sealed)
    })
} satisfies Fault

export const storage = referenceStorageWith(fault)
