/**
 * When a device takes its next home-screen backup under the schedule in the sync settings (§4.1.4(2)). Pure, so
 * every device client decides the same way; times are the device's local time, given as an offset from UTC.
 */
import type { BackupSchedule } from "./SyncSettings.js"

const hour = 60 * 60 * 1000
const day = 24 * hour

const periodDays = { daily: 1, weekly: 7, monthly: 30 } as const

/**
 * The first instant at or after which the next backup is due, or undefined for a manual schedule (backups only
 * when the person asks). It is the first scheduled hour at least the period less 12 hours after the last backup,
 * so a backup taken off schedule (by hand, say) does not push the next one a whole period late.
 */
export const nextBackupAt = (
  schedule: BackupSchedule,
  lastBackupAt: number | undefined,
  now: number,
  utcOffsetMinutes = 0
): number | undefined => {
  if (schedule.every === "manual") return undefined
  if (lastBackupAt === undefined) return now
  const offset = utcOffsetMinutes * 60 * 1000
  const earliest = lastBackupAt + offset + periodDays[schedule.every] * day - 12 * hour
  const startOfDay = Math.floor(earliest / day) * day
  let due = startOfDay + schedule.hour * hour
  if (due < earliest) due += day
  return due - offset
}

export const isBackupDue = (
  schedule: BackupSchedule,
  lastBackupAt: number | undefined,
  now: number,
  utcOffsetMinutes = 0
): boolean => {
  const next = nextBackupAt(schedule, lastBackupAt, now, utcOffsetMinutes)
  return next !== undefined && now >= next
}
