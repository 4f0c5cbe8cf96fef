/**
 * Session tokens and ids: 32 random bytes in base64url for a token, stored only as its SHA-256 hash (hex); random
 * ids for sessions and devices.
 */
import { Redacted } from "effect"
import * as NodeCrypto from "node:crypto"

export const newToken = (): Redacted.Redacted<string> => Redacted.make(NodeCrypto.randomBytes(32).toString("base64url"))

export const hashToken = (token: Redacted.Redacted<string>): string =>
  NodeCrypto.createHash("sha256").update(Redacted.value(token), "utf8").digest("hex")

export const randomId = (prefix: string): string => `${prefix}_${NodeCrypto.randomBytes(16).toString("hex")}`
