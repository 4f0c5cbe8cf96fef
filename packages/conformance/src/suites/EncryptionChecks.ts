/**
 * Checks of the ENC-* requirements, through the storage probe: what the target keeps must not show content.
 */
import { assert } from "../Assert.js"
import { Apps } from "@custos/core/domain/App"
import { Effect, Either, Encoding } from "effect"
import { type Check, check } from "../Check.js"
import { Driver } from "../Driver.js"
import { accountWith, del, freshMutationId, pushOne, put, sample } from "../internal/scenario.js"

/** Puts `marker` into a free-text field of each app's sample payload. */
const withMarker = (app: (typeof Apps)[number], marker: string): Record<string, unknown> => {
  const payload = sample(app, 7)
  switch (app) {
    case "gallery":
      return { ...payload, fileName: `${marker}.jpg` }
    case "messages":
    case "notes":
      return { ...payload, body: marker }
    case "contacts":
      return { ...payload, name: { formatted: marker } }
    case "call-history":
      return { ...payload, number: `+1 ${marker}` }
    case "recordings":
    case "calendar":
    case "browser":
      return { ...payload, title: marker }
    case "wifi":
      return { ...payload, ssid: marker.slice(0, 32), password: `${marker}-secret` }
    case "bluetooth":
      return { ...payload, name: marker }
    case "frequent-phrases":
      return { ...payload, text: marker }
    case "home-screen":
      return { ...payload, deviceModel: marker }
  }
}

/** Bytes as one character each, in slices (a spread of a large array would overflow the call's arguments). */
const latin1 = (bytes: Uint8Array) => {
  let text = ""
  for (let at = 0; at < bytes.length; at += 8192) text += String.fromCharCode(...bytes.subarray(at, at + 8192))
  return text
}

/**
 * A stored text as the probe reads it, and every run in it that base64 (standard or URL-safe) or hex could decode,
 * decoded: content stored merely encoded is stored in the clear, so a marker must not show in any of these views.
 */
export const storedViews = (text: string): ReadonlyArray<string> => {
  const views = [text]
  for (const run of text.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? []) {
    const standard = run.replaceAll("-", "+").replaceAll("_", "/").replace(/=+$/, "")
    // Every alignment: a run may start inside a longer encoded value, or carry a few bytes before it.
    for (let skip = 0; skip < 4 && standard.length - skip >= 16; skip++) {
      const body = standard.slice(skip)
      const whole = body.slice(0, body.length - (body.length % 4 === 1 ? 1 : 0))
      const decoded = Encoding.decodeBase64(whole.padEnd(Math.ceil(whole.length / 4) * 4, "="))
      if (Either.isRight(decoded)) views.push(latin1(decoded.right))
    }
  }
  for (const run of text.match(/(?:[0-9a-fA-F]{2}){16,}/g) ?? []) {
    for (const at of [0, 1]) {
      const decoded = Encoding.decodeHex(run.slice(at, run.length - ((run.length - at) % 2)))
      if (Either.isRight(decoded)) views.push(latin1(decoded.right))
    }
  }
  return views
}

export const EncryptionChecks: ReadonlyArray<Check> = [
  check("ENC-001", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const marker = `canary${freshMutationId("x").replace(/[^a-z0-9]/gi, "")}`.slice(0, 30)
    const account = yield* accountWith(Apps)
    for (const app of Apps) {
      const outcome = yield* pushOne(account, app, put(`${app}-secret`, withMarker(app, marker)))
      assert.strictEqual(outcome._tag, "applied", app)
    }
    yield* pushOne(account, "notes", del("notes-secret", { baseVersion: 1 }))
    const now = yield* driver.now
    yield* driver.recordPurchase({
      account,
      id: freshMutationId("order"),
      planId: (yield* driver.plans).find((p) => p.trashDays > 30)!.id,
      validFrom: now,
      validUntil: now + 86_400_000,
      details: { amountMinor: 100, currency: "EUR", channel: "voucher", reference: marker }
    })
    const raw = yield* driver.rawStorage(account)
    assert.isAbove(raw.length, Apps.length, "the probe sees what was stored")
    for (const text of raw) {
      for (const view of storedViews(text)) assert.notInclude(view, marker.slice(6), "the marker is stored only sealed")
    }
  })),

  check("ENC-002", undefined, Effect.gen(function*() {
    const driver = yield* Driver
    const account = yield* accountWith(["contacts"])
    yield* pushOne(account, "contacts", put("c1", sample("contacts", 1)))
    const stored = (yield* driver.rawStorage(account)).map((text) => JSON.parse(text) as unknown)
    const record = stored.find((s) => typeof s === "object" && s !== null && (s as { id?: string }).id === "c1") as
      | Record<string, unknown>
      | undefined
    assert.isDefined(record, "the record is visible to the probe")
    const plain = new Set([
      "accountId", "app", "id", "version", "seq", "state", "body", "changedAt", "changedBy", "trashedAt", "deleteBy",
      "size", "blobs"
    ])
    for (const key of Object.keys(record!)) assert.isTrue(plain.has(key), `${key} is a plain column sync needs`)
    assert.isString(record!.body)
    assert.notInclude(record!.body as string, "{", "the body is not JSON")
    // Long enough that random sealed bytes never show it by chance.
    const name = (sample("contacts", 1) as { readonly name: { readonly formatted: string } }).name.formatted
    for (const view of storedViews(record!.body as string)) {
      assert.notInclude(view, name, "the body is sealed, not merely encoded")
    }
  })),

  check("ENC-003", "a photo whose bytes spell a marker throughout", Effect.gen(function*() {
    const driver = yield* Driver
    const marker = `canary${freshMutationId("f").replace(/[^a-z0-9]/gi, "")}`.slice(0, 30)
    const account = yield* accountWith(["gallery"])
    // Three segments and a little more of the marker, over and over: any stored stretch of it shows.
    const text = `${marker} `.repeat(Math.ceil((3 * 64 * 1024 + 100) / (marker.length + 1)))
    const bytes = new TextEncoder().encode(text)
    const uploaded = yield* driver.uploadBlob(account, "photo-secret", bytes)
    const blob = { id: "photo-secret", ...uploaded }
    const payload = { ...sample("gallery", 7), size: blob.size, sha256: blob.sha256, blob }
    assert.strictEqual((yield* pushOne(account, "gallery", put("photo-secret", payload)))._tag, "applied")
    const raw = yield* driver.rawStorage(account)
    assert.isTrue(raw.some((stored) => stored.includes("photo-secret")), "the probe sees the stored file")
    for (const stored of raw) {
      for (const view of storedViews(stored)) assert.notInclude(view, marker.slice(6), "the file is stored only sealed")
    }
  }))
]
