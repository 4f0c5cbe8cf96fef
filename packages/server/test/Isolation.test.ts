/**
 * One account can never reach another's data: a second account tries every endpoint that takes an id with the
 * first account's ids and gets 404 (or an empty answer), and the first account's data is untouched afterwards.
 */
import { MutationId, RecordId } from "@custos/core/domain/Ids"
import { assert, describe, it } from "@effect/vitest"
import { HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import { layerTestServer, raw, signUp } from "./support.js"

describe("isolation between accounts", () => {
  it.effect("a second account gets 404 or nothing for every id of the first", () =>
    Effect.gen(function*() {
      const alice = yield* signUp()
      const mallory = yield* signUp()
      yield* alice.api.settings.update({ payload: { apps: { notes: true, "home-screen": true } } })
      yield* mallory.api.settings.update({ payload: { apps: { notes: true, "home-screen": true } } })
      const put = (id: string, payload: unknown) => ({
        mutationId: MutationId.make(`m-${id}`),
        recordId: RecordId.make(id),
        op: "put" as const,
        baseVersion: 0,
        payload
      })
      yield* alice.api.sync.push({
        path: { app: "notes" },
        urlParams: {},
        payload: {
          mutations: [put("secret", { kind: "note", title: "Diary", body: "private", private: true }), put("trashed", {
            kind: "note",
            title: "Old",
            body: "x",
            private: false
          })]
        }
      })
      yield* alice.api.sync.push({
        path: { app: "notes" },
        urlParams: {},
        payload: {
          mutations: [{ mutationId: MutationId.make("d-trashed"), recordId: RecordId.make("trashed"), op: "delete", baseVersion: 1 }]
        }
      })

      // Ids Mallory can see of Alice: records, sessions, devices.
      const secret = RecordId.make("secret")
      const trashed = RecordId.make("trashed")
      const m = mallory.api
      const failures = yield* Effect.all({
        restore: m.trash.restore({ path: { app: "notes", id: trashed } }).pipe(Effect.flip),
        purge: m.trash.purge({ path: { app: "notes", id: trashed } }).pipe(Effect.flip),
        purgeActive: m.trash.purge({ path: { app: "notes", id: secret } }).pipe(Effect.flip),
        backup: m.backups.delete({ path: { id: secret } }).pipe(Effect.flip),
        session: m.accounts.revokeSession({ path: { id: alice.grant.sessionId } }).pipe(Effect.flip),
        device: m.accounts.removeDevice({ path: { id: alice.grant.deviceId } }).pipe(Effect.flip)
      })
      assert.deepStrictEqual(
        Object.fromEntries(Object.entries(failures).map(([name, error]) => [name, error._tag])),
        {
          restore: "RecordNotFound",
          purge: "RecordNotFound",
          purgeActive: "RecordNotFound",
          backup: "RecordNotFound",
          session: "SessionNotFound",
          device: "DeviceNotFound"
        }
      )

      // Reads answer with Mallory's own (empty) data only.
      assert.strictEqual((yield* m.sync.changes({ path: { app: "notes" }, urlParams: {} })).changes.length, 0)
      assert.strictEqual((yield* m.trash.list({ urlParams: {} })).items.length, 0)
      assert.strictEqual((yield* m.backups.list()).flatMap((d) => d.backups).length, 0)
      assert.deepStrictEqual((yield* m.accounts.listSessions()).map((s) => s.id), [mallory.grant.sessionId])
      assert.deepStrictEqual((yield* m.accounts.listDevices()).map((d) => d.id), [mallory.grant.deviceId])
      assert.deepStrictEqual((yield* m.membership.get()).usage, { records: 0, bytes: 0 })

      // Writing a record with the same id lands in Mallory's account, not Alice's.
      yield* m.sync.push({
        path: { app: "notes" },
        urlParams: {},
        payload: { mutations: [put("secret", { kind: "note", title: "Mine", body: "m", private: false })] }
      })
      yield* m.trash.empty({ urlParams: {} })
      yield* m.privacy.deleteDataType({ path: { dataType: "notes" } })

      // An id in the body or query cannot name another account either: there is no such field to set.
      const http = yield* raw
      const withAccountParam = yield* http.execute(
        HttpClientRequest.get(`/v1/apps/notes/changes?accountId=${alice.grant.accountId}`).pipe(
          HttpClientRequest.bearerToken(mallory.grant.token)
        )
      )
      assert.strictEqual(withAccountParam.status, 200)
      // Only Mallory's own tombstone of the note she deleted comes back.
      const seen = ((yield* withAccountParam.json) as { changes: Array<{ state: string; payload?: unknown }> }).changes
      assert.deepStrictEqual(seen.map((c) => [c.state, c.payload]), [["purged", undefined]])

      // Alice still has everything, with her sessions and devices.
      const mine = yield* alice.api.sync.changes({ path: { app: "notes" }, urlParams: {} })
      assert.deepStrictEqual(mine.changes.map((c) => [c.id, c.state]), [["secret", "active"], ["trashed", "trashed"]])
      assert.deepStrictEqual(mine.changes[0]!.payload, { kind: "note", title: "Diary", body: "private", private: true })
      assert.strictEqual((yield* alice.api.accounts.listSessions()).length, 1)
      assert.strictEqual((yield* alice.api.trash.list({ urlParams: {} })).items.length, 1)

      // Mallory deleting her account leaves Alice's alone.
      yield* m.privacy.deleteAccount()
      assert.strictEqual((yield* alice.api.sync.changes({ path: { app: "notes" }, urlParams: {} })).changes.length, 2)
    }).pipe(Effect.provide(layerTestServer())))
})
