/**
 * Tests of the error types: every domain error has a stable machine `code`, a sentence for people naming the value
 * at fault, and a tag of its own; storage failures are `StoreError`, whatever the backend threw.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as Errors from "../src/domain/Errors.js"
import { refail, StoreError } from "../src/ports/StoreError.js"

interface DomainError extends Error {
  readonly _tag: string
  readonly code: string
}

interface Case {
  readonly make: () => DomainError
  /** The stable code clients rely on: changing one is a breaking change, so each is spelled out. */
  readonly code: string
  /** Field values the message must quote. */
  readonly mentions: ReadonlyArray<string>
}

/** One case per export of `domain/Errors.ts`; the mapped type makes a new error class fail to compile here. */
const cases: { readonly [K in keyof typeof Errors]: Case } = {
  InvalidPayload: {
    make: () => new Errors.InvalidPayload({ app: "call-history", field: "phones[0].number", reason: "it is odd" }),
    code: "invalid-payload",
    mentions: ["call-history", "phones[0].number", "it is odd"]
  },
  InvalidMutation: {
    make: () => new Errors.InvalidMutation({ reason: "a delete carries no payload" }),
    code: "invalid-mutation",
    mentions: ["a delete carries no payload"]
  },
  AppDisabled: {
    make: () => new Errors.AppDisabled({ app: "frequent-phrases" }),
    code: "app-disabled",
    mentions: ["frequent-phrases"]
  },
  AppUnavailableInRegion: {
    make: () => new Errors.AppUnavailableInRegion({ app: "browser", region: "CH" }),
    code: "app-unavailable-in-region",
    mentions: ["browser", "CH"]
  },
  FolderNotSelected: {
    make: () => new Errors.FolderNotSelected({ folder: "WhatsApp Images" }),
    code: "folder-not-selected",
    mentions: ["WhatsApp Images"]
  },
  InvalidSettings: {
    make: () => new Errors.InvalidSettings({ reason: "the backup hour must be between 0 and 23" }),
    code: "invalid-settings",
    mentions: ["the backup hour must be between 0 and 23"]
  },
  InvalidCursor: {
    make: () => new Errors.InvalidCursor({ reason: "its position is malformed" }),
    code: "invalid-cursor",
    mentions: ["its position is malformed"]
  },
  ResyncRequired: {
    make: () => new Errors.ResyncRequired({ horizon: 4711 }),
    code: "resync-required",
    // The horizon is a feed position for the device client, not something a person reads.
    mentions: []
  },
  AccountNotFound: {
    make: () => new Errors.AccountNotFound({ accountId: "acct-404" }),
    code: "account-not-found",
    mentions: ["acct-404"]
  },
  AccountExists: {
    make: () => new Errors.AccountExists({ accountId: "acct-dup" }),
    code: "account-exists",
    mentions: ["acct-dup"]
  },
  InvalidRegion: {
    make: () => new Errors.InvalidRegion({ region: "de" }),
    code: "invalid-region",
    mentions: ["de"]
  },
  BatchTooLarge: {
    make: () => new Errors.BatchTooLarge({ size: 1234, limit: 500 }),
    code: "batch-too-large",
    mentions: ["1234", "500"]
  },
  InvalidAccountId: {
    make: () => new Errors.InvalidAccountId({ reason: "account id must not be empty" }),
    code: "invalid-account-id",
    mentions: ["account id must not be empty"]
  },
  PurchaseExists: {
    make: () => new Errors.PurchaseExists({ purchaseId: "order-42" }),
    code: "purchase-exists",
    mentions: ["order-42"]
  },
  InvalidPurchase: {
    make: () => new Errors.InvalidPurchase({ reason: "validUntil must be after validFrom" }),
    code: "invalid-purchase",
    mentions: ["validUntil must be after validFrom"]
  },
  QuotaExceeded: {
    make: () => new Errors.QuotaExceeded({ usageBytes: 4900, quotaBytes: 5000, neededBytes: 250 }),
    code: "quota-exceeded",
    mentions: ["4900", "5000", "250"]
  },
  SyncTooSoon: {
    make: () => new Errors.SyncTooSoon({ retryAt: Date.UTC(2026, 0, 2, 3, 4, 5) }),
    code: "sync-too-soon",
    mentions: ["2026-01-02T03:04:05.000Z"]
  },
  RecordNotFound: {
    make: () => new Errors.RecordNotFound({ app: "notes", recordId: "note-7" }),
    code: "record-not-found",
    mentions: ["notes", "note-7"]
  },
  NotInTrash: {
    make: () => new Errors.NotInTrash({ app: "contacts", recordId: "c-1", state: "active" }),
    code: "not-in-trash",
    mentions: ["contacts", "c-1", "active"]
  },
  NoTrash: {
    make: () => new Errors.NoTrash({ app: "wifi" }),
    code: "no-trash",
    mentions: ["wifi"]
  },
  ContentDeletedOnPurpose: {
    make: () => new Errors.ContentDeletedOnPurpose({ recordId: "IMG_0042" }),
    code: "deleted-on-purpose",
    mentions: ["IMG_0042"]
  },
  UnknownDataType: {
    make: () => new Errors.UnknownDataType({ dataType: "horoscopes" }),
    code: "unknown-data-type",
    mentions: ["horoscopes"]
  }
}

const names = Object.keys(cases) as Array<keyof typeof Errors>
const kebab = /^[a-z]+(-[a-z]+)*$/

describe("Errors", () => {
  it("covers every class exported by domain/Errors.ts", () => {
    assert.deepStrictEqual([...names].sort(), Object.keys(Errors).sort())
    assert.strictEqual(names.length, 22)
  })

  for (const name of names) {
    const { code, make, mentions } = cases[name]

    describe(name, () => {
      it("has its stable kebab-case code", () => {
        const error = make()
        assert.match(error.code, kebab)
        assert.strictEqual(error.code, code)
        assert.strictEqual(make().code, error.code)
      })

      it("is an Error tagged with its class name", () => {
        const error = make()
        assert.instanceOf(error, Error)
        assert.isTrue(error instanceof Errors[name])
        assert.strictEqual(error._tag, name)
      })

      it("has a message that is a sentence starting upper case", () => {
        const { message } = make()
        assert.match(message, /^[A-Z]/)
        assert.strictEqual(message, message.trim())
        assert.isAbove(message.split(" ").length, 3, message)
      })

      if (mentions.length > 0) {
        it("quotes the values at fault in its message", () => {
          const { message } = make()
          for (const value of mentions) {
            assert.include(message, value)
          }
        })
      }

      it.effect("fails an effect as itself, code and message intact", () =>
        Effect.gen(function*() {
          const error = make()
          const caught = yield* Effect.flip(Effect.fail(error))
          assert.strictEqual(caught, error)
          assert.strictEqual(caught.code, code)
          assert.strictEqual(caught.message, make().message)
        }))
    })
  }

  it("gives every class a distinct code and a distinct tag", () => {
    const errors = names.map((name) => cases[name].make())
    assert.strictEqual(new Set(errors.map((e) => e.code)).size, names.length)
    assert.strictEqual(new Set(errors.map((e) => e._tag)).size, names.length)
  })

  it.effect("survives a trip through its encoded form", () =>
    Effect.gen(function*() {
      const error = new Errors.InvalidPayload({ app: "notes", field: "title", reason: "too long" })
      const encoded = yield* Schema.encode(Errors.InvalidPayload)(error)
      const decoded = yield* Schema.decodeUnknown(Errors.InvalidPayload)(JSON.parse(JSON.stringify(encoded)))
      assert.instanceOf(decoded, Errors.InvalidPayload)
      assert.strictEqual(decoded.code, "invalid-payload")
      assert.strictEqual(decoded.message, error.message)
    }))
})

describe("StoreError", () => {
  it("has the code storage-failure and names the operation in a sentence", () => {
    const error = new StoreError({ operation: "RecordStore.transact", cause: new Error("disk full") })
    assert.strictEqual(error.code, "storage-failure")
    assert.strictEqual(error._tag, "StoreError")
    assert.match(error.message, /^[A-Z]/)
    assert.include(error.message, "RecordStore.transact")
  })

  it("has a code no domain error uses", () => {
    for (const name of names) {
      assert.notStrictEqual(cases[name].make().code, "storage-failure", name)
    }
  })

  it.effect("refail maps a failure into a StoreError for the operation, keeping the cause", () =>
    Effect.gen(function*() {
      const cause = new Error("connection reset")
      const error = yield* Effect.flip(Effect.fail(cause).pipe(refail("X")))
      assert.instanceOf(error, StoreError)
      assert.strictEqual(error.operation, "X")
      assert.strictEqual(error.code, "storage-failure")
      assert.strictEqual(error.cause, cause)
    }))

  it.effect("refail wraps a domain error too, and leaves success alone", () =>
    Effect.gen(function*() {
      const domain = new Errors.AccountNotFound({ accountId: "a" })
      const error = yield* Effect.flip(Effect.fail(domain).pipe(refail("AccountStore.get")))
      assert.strictEqual(error._tag, "StoreError")
      assert.strictEqual(error.operation, "AccountStore.get")
      assert.strictEqual(error.cause, domain)
      assert.strictEqual(yield* Effect.succeed(42).pipe(refail("X")), 42)
    }))

  it.effect("refail leaves defects as defects", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.die("boom").pipe(refail("X")))
      assert.isTrue(exit._tag === "Failure" && exit.cause._tag === "Die")
    }))
})
