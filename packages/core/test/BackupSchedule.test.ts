import { assert, describe, it } from "@effect/vitest"
import { isBackupDue, nextBackupAt } from "@custos/core/domain/BackupSchedule"

const hour = 3_600_000
const day = 24 * hour
const monday3am = Date.UTC(2026, 0, 5, 3)

describe("home-screen backup schedule", () => {
  it("the first backup is due at once, unless backups are manual", () => {
    assert.strictEqual(nextBackupAt({ every: "daily", hour: 3 }, undefined, monday3am), monday3am)
    assert.isUndefined(nextBackupAt({ every: "manual", hour: 3 }, undefined, monday3am))
    assert.isFalse(isBackupDue({ every: "manual", hour: 3 }, monday3am - 999 * day, monday3am))
  })

  it("daily backups fall at the scheduled hour of the next day", () => {
    assert.strictEqual(nextBackupAt({ every: "daily", hour: 3 }, monday3am, monday3am), monday3am + day)
    assert.strictEqual(nextBackupAt({ every: "daily", hour: 22 }, monday3am, monday3am), monday3am + 19 * hour)
    assert.isFalse(isBackupDue({ every: "daily", hour: 3 }, monday3am, monday3am + 23 * hour))
    assert.isTrue(isBackupDue({ every: "daily", hour: 3 }, monday3am, monday3am + day))
  })

  it("weekly and monthly backups wait their period", () => {
    assert.strictEqual(nextBackupAt({ every: "weekly", hour: 3 }, monday3am, monday3am), monday3am + 7 * day)
    assert.strictEqual(nextBackupAt({ every: "monthly", hour: 3 }, monday3am, monday3am), monday3am + 30 * day)
  })

  it("the hour is the device's local hour", () => {
    // 03:00 in UTC+2 is 01:00 UTC.
    assert.strictEqual(nextBackupAt({ every: "daily", hour: 3 }, monday3am, monday3am, 120), monday3am + day - 2 * hour)
  })
})
