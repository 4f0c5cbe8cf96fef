// Every app other than the gallery, read-only in the browser: its active records, pulled in pages and shown as a
// table drawn a slice at a time. Recordings play; Wi-Fi passwords stay hidden until revealed, one at a time.
import { api, blobUrl } from "./api.js"
import { activeRecords } from "./gallery.js"
import { attempt, confirmAction, fmt, h, say, succeeded, table, view } from "./ui.js"

export const appLabels = {
  gallery: "Photos and videos",
  contacts: "Contacts",
  messages: "Messages",
  "call-history": "Call history",
  notes: "Notes",
  recordings: "Recordings",
  calendar: "Calendar",
  browser: "Browser",
  wifi: "Wi-Fi networks",
  bluetooth: "Bluetooth",
  "frequent-phrases": "Frequent phrases",
  "home-screen": "Home-screen backups"
}

const t = (iso) => iso === undefined ? "" : fmt.time(Date.parse(iso))
const joined = (xs, f) => (xs ?? []).map(f).join(", ")

/** One line that names a record, for the trash and for confirmations. */
export function summaryOf(app, p) {
  if (p === undefined) return "(no content)"
  switch (app) {
    case "gallery": return `${p.fileName} (${p.folder})`
    case "contacts": return p.name.formatted
    case "messages": return `${p.direction === "sent" ? "To" : "From"} ${p.address}: ${p.body.slice(0, 80)}`
    case "call-history": return `${p.direction} call, ${p.number}, ${t(p.startedAt)}`
    case "notes": return p.title || p.body.slice(0, 80) || "(untitled)"
    case "recordings": return p.title || `Recording of ${t(p.recordedAt)}`
    case "calendar": return `${p.title}, ${t(p.startsAt)}`
    case "browser": return p.title || p.url
    case "wifi": return p.ssid
    case "bluetooth": return p.name || p.address
    case "frequent-phrases": return p.text
    case "home-screen": return `${p.deviceModel}, ${t(p.takenAt)}`
    default: return ""
  }
}

function playButton(p) {
  const cell = h("span")
  const button = h("button", { type: "button", onclick: async () => {
    if (!p.blob) return say("This recording's audio has not been uploaded yet.", "error")
    const url = await attempt(() => blobUrl(p.blob.id, p.mimeType))
    if (!url) return
    const audio = h("audio", { controls: true, src: url, "aria-label": `Play ${p.title || "recording"}` })
    cell.replaceChildren(audio)
    audio.focus()
    audio.play().catch(() => {})
  } }, "Play")
  cell.append(button)
  return cell
}

function passwordCell(p) {
  if (p.password === undefined) return h("span", { class: "muted" }, p.security === "open" ? "none (open)" : "not saved")
  const value = h("code", { class: "secret" }, "••••••••")
  let shown = false
  const toggle = h("button", { type: "button", "aria-pressed": "false", onclick: () => {
    shown = !shown
    value.textContent = shown ? p.password : "••••••••"
    toggle.textContent = shown ? "Hide" : "Reveal"
    toggle.setAttribute("aria-pressed", String(shown))
  } }, "Reveal")
  return h("span", { class: "password" }, value, " ", toggle)
}

const td = (...xs) => h("td", {}, ...xs)

/** Columns and row of each structured app. */
const layouts = {
  contacts: [["Name", "Phone", "Email", "Organization", "Birthday"], (p) =>
    [p.name.formatted, joined(p.phones, (x) => `${x.number} (${x.label})`), joined(p.emails, (x) => x.address), p.organization ?? "", p.birthday ?? ""]],
  messages: [["When", "", "With", "Message", "SIM"], (p) =>
    [t(p.at), p.direction === "sent" ? "Sent" : "Received", p.address, `${p.favourite ? "★ " : ""}${p.body}`, p.simNumber]],
  "call-history": [["When", "Direction", "Number", "Duration", "SIM"], (p) =>
    [t(p.startedAt), p.direction, p.number, fmt.duration(p.durationSeconds * 1000), p.simNumber]],
  notes: [["Title", "Kind", "Text", "Folder", "Due"], (p) =>
    [`${p.private ? "🔒 " : ""}${p.title}`, p.kind === "task" ? (p.done ? "task (done)" : "task") : "note", p.body, p.folder ?? "", t(p.dueAt)]],
  recordings: [["Title", "Recorded", "Length", "Size", "Listen"], (p) =>
    [p.title, t(p.recordedAt), fmt.duration(p.durationMs), fmt.bytes(p.size), playButton(p)]],
  calendar: [["Event", "Starts", "Ends", "Where", "Repeats"], (p) =>
    [p.title, p.allDay ? fmt.date(Date.parse(p.startsAt)) : t(p.startsAt), p.allDay ? fmt.date(Date.parse(p.endsAt)) : t(p.endsAt), p.location ?? "", p.recurrence ?? ""]],
  browser: [["Kind", "Title", "Address", "When"], (p) =>
    [p.kind === "favourite" ? "Favourite" : "History", p.title, p.url, t(p.kind === "favourite" ? p.addedAt : p.visitedAt)]],
  wifi: [["Network", "Security", "Hidden", "Joins automatically", "Password"], (p) =>
    [p.ssid, p.security, p.hidden ? "yes" : "no", p.autoJoin ? "yes" : "no", passwordCell(p)]],
  bluetooth: [["Name", "Address", "Kind", "Paired"], (p) => [p.name, p.address, p.deviceClass ?? "", t(p.pairedAt)]],
  "frequent-phrases": [["Position", "Phrase"], (p) => [String(p.position), p.text]]
}

const sortKey = {
  messages: (p) => -Date.parse(p.at),
  "call-history": (p) => -Date.parse(p.startedAt),
  recordings: (p) => -Date.parse(p.recordedAt),
  calendar: (p) => Date.parse(p.startsAt),
  browser: (p) => -Date.parse(p.kind === "favourite" ? p.addedAt : p.visitedAt),
  "frequent-phrases": (p) => p.position,
  contacts: (p) => p.name.formatted.toLowerCase(),
  bluetooth: (p) => p.name.toLowerCase(),
  wifi: (p) => p.ssid.toLowerCase(),
  notes: (p) => p.title.toLowerCase()
}

const subNav = (current) => h("nav", { class: "subnav", "aria-label": "Apps" }, h("ul", {},
  Object.entries(appLabels).filter(([app]) => app !== "gallery").map(([app, label]) =>
    h("li", {}, h("a", { href: `#/apps/${app}`, "aria-current": app === current ? "page" : undefined }, label)))))

export async function appsView(ctx, app = "contacts") {
  if (app === "home-screen") return backupsView(ctx)
  const layout = layouts[app]
  if (!layout) return view("Apps", subNav(), h("p", {}, "Choose an app."))
  const [headers, cells] = layout
  const count = h("p", { class: "muted" }, "Loading…")
  const tbl = table(headers, (record) => h("tr", { "data-id": record.id }, cells(record.payload).map((c) => td(c))),
    { caption: appLabels[app] })
  view(appLabels[app], subNav(app), count, tbl.el)
  const records = await attempt(() => activeRecords(ctx, app, (n) => { count.textContent = `Loading… ${n} so far` }))
  if (!ctx.alive() || records === undefined) return
  const key = sortKey[app]
  records.sort((a, b) => {
    const x = key(a.payload), y = key(b.payload)
    return x < y ? -1 : x > y ? 1 : 0
  })
  count.textContent = records.length === 0 ? `Nothing synced yet. Turn on ${appLabels[app]} sync under Sync settings.` :
    `${records.length} ${records.length === 1 ? "entry" : "entries"}`
  const rows = tbl.rows()
  rows.add(records)
  ctx.onLeave(() => rows.stop())
}

/** Home-screen backups (§4.1.4(3)): per device, newest first; one deleted at a time, for good. */
async function backupsView(ctx) {
  const body = h("div")
  view(appLabels["home-screen"], subNav("home-screen"), body)
  const [groups, devices] = await Promise.all([attempt(() => api.get("/backups")), attempt(() => api.get("/devices"))])
  if (!ctx.alive() || groups === undefined) return
  const names = new Map((devices ?? []).map((d) => [d.id, d.name]))
  if (groups.every((g) => g.backups.length === 0)) {
    body.append(h("p", { class: "muted" }, "No home-screen backups yet."))
    return
  }
  for (const group of groups) {
    const tbl = table(["Taken", "Device model", "Launcher", "Pages", "Apps", "Wallpaper", ""], (record) => {
      const p = record.payload
      const wallpaper = p.wallpaper ? h("button", { type: "button", onclick: async (e) => {
        const url = await attempt(() => blobUrl(p.wallpaper.id))
        if (url) e.target.replaceWith(h("img", { src: url, alt: "Wallpaper", class: "wallpaper" }))
      } }, "Show") : "none"
      const del = h("button", { type: "button", class: "danger", onclick: async () => {
        const ok = await confirmAction("Delete this backup?",
          `The backup of ${t(p.takenAt)} is deleted from the backup list for good; it cannot be restored.`, "Delete for good")
        if (!ok) return
        if (await succeeded(() => api.del(`/backups/${encodeURIComponent(record.id)}`))) {
          row.remove()
          say("Backup deleted")
        }
      } }, "Delete")
      const row = h("tr", {}, td(t(p.takenAt)), td(p.deviceModel), td(p.launcher), td(String(p.pages.length)),
        td(String(p.installedApps.length)), td(wallpaper), td(del))
      return row
    }, { caption: group.deviceId ? `From ${names.get(group.deviceId) ?? group.deviceId}` : "From an unknown device" })
    body.append(tbl.el)
    tbl.rows().add(group.backups)
  }
}
