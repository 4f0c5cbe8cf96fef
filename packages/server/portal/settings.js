// Sync settings (§4.1.3(1), §4.1.4(2)): what each switch does is stated beside it and again before it happens,
// from the same per-app policy the server enforces (GET /v1/privacy/apps).
import { api } from "./api.js"
import { appLabels } from "./apps.js"
import { attempt, confirmAction, h, say, view } from "./ui.js"

/** What turning an app's sync off does to its cloud copy, in a sentence. */
export function offConsequence(policy) {
  const label = appLabels[policy.app] ?? policy.label
  return policy.onSyncDisabled === "purge"
    ? `Turning off ${label} sync deletes its copy in the cloud for good, at once; it cannot be restored. Your devices keep their own.`
    : `Turning off ${label} sync stops devices uploading it; what is already in the cloud is kept, and you can still see and delete it here.`
}

const availability = (policy) => policy.availability.kind === "only"
  ? ` Offered only to accounts in ${policy.availability.regions}.` : ""

export async function settingsView(ctx) {
  const body = h("div")
  view("Sync settings", body)
  const [settings, policies] = await Promise.all([attempt(() => api.get("/settings")), attempt(() => api.get("/privacy/apps"))])
  if (!ctx.alive() || settings === undefined || policies === undefined) return
  let current = settings

  const patch = async (change, done) => {
    const answer = await attempt(() => api.patch("/settings", change))
    if (answer === undefined) return false
    current = answer.settings
    const purged = answer.purged.map((a) => appLabels[a] ?? a)
    say(purged.length > 0 ? `Saved. Cloud copy deleted for good: ${purged.join(", ")}.` : "Saved")
    done?.()
    return true
  }

  // Apps
  const appList = h("ul", { class: "switches", id: "app-switches" }, policies.map((policy) => {
    const id = `sync-${policy.app}`
    const box = h("input", { type: "checkbox", id, role: "switch", checked: current.enabled.includes(policy.app) })
    box.addEventListener("change", async () => {
      const on = box.checked
      const label = appLabels[policy.app] ?? policy.label
      const consequence = on
        ? `Devices signed in to your account will start uploading ${label}${current.wifiOnly ? " (on Wi-Fi only)" : ""}.${availability(policy)}`
        : offConsequence(policy)
      const ok = await confirmAction(on ? `Turn on ${label} sync?` : `Turn off ${label} sync?`, consequence,
        on ? "Turn on" : policy.onSyncDisabled === "purge" ? "Turn off and delete" : "Turn off")
      if (!ok || !(await patch({ apps: { [policy.app]: on } }))) box.checked = !on
    })
    return h("li", {}, box, h("label", { for: id }, appLabels[policy.app] ?? policy.label),
      h("p", { class: "muted small" }, policy.onSyncDisabled === "purge" ? "⚠ " : "", offConsequence(policy), availability(policy)))
  }))

  // Wi-Fi only
  const wifiOnly = h("input", { type: "checkbox", id: "wifi-only", role: "switch", checked: current.wifiOnly })
  wifiOnly.addEventListener("change", async () => {
    if (!(await patch({ wifiOnly: wifiOnly.checked }))) wifiOnly.checked = !wifiOnly.checked
  })

  // Gallery folders
  const folderList = h("ul", { class: "folders", id: "gallery-folders" })
  const drawFolders = () => folderList.replaceChildren(...current.galleryFolders.map((f) =>
    h("li", {}, h("span", {}, f), " ", h("button", { type: "button", "aria-label": `Stop syncing folder ${f}`, onclick: async () => {
      const ok = await confirmAction(`Stop syncing ${f}?`,
        `New photos and videos in ${f} are no longer accepted from your devices; those already in the cloud stay.`, "Stop syncing")
      if (ok) await patch({ galleryFolders: current.galleryFolders.filter((x) => x !== f) }, drawFolders)
    } }, "Remove"))))
  drawFolders()
  const newFolder = h("input", { id: "new-folder", maxlength: 255, placeholder: "e.g. Screenshots" })
  const addFolder = h("form", { class: "inline", onsubmit: async (e) => {
    e.preventDefault()
    const name = newFolder.value.trim()
    if (name === "" || current.galleryFolders.includes(name)) return
    if (await patch({ galleryFolders: [...current.galleryFolders, name] }, drawFolders)) newFolder.value = ""
  } }, h("label", { for: "new-folder" }, "Add a folder"), newFolder, h("button", { type: "submit" }, "Add"))

  // Backup schedule
  const every = h("select", { id: "backup-every" }, ["manual", "daily", "weekly", "monthly"].map((v) =>
    h("option", { value: v, selected: current.homeScreenBackup.every === v }, v === "manual" ? "Only when I ask" : v[0].toUpperCase() + v.slice(1))))
  const hour = h("select", { id: "backup-hour" }, Array.from({ length: 24 }, (_, i) =>
    h("option", { value: String(i), selected: current.homeScreenBackup.hour === i }, `${String(i).padStart(2, "0")}:00`)))
  const schedule = h("form", { class: "inline", onsubmit: async (e) => {
    e.preventDefault()
    await patch({ homeScreenBackup: { every: every.value, hour: Number(hour.value) } })
  } }, h("label", { for: "backup-every" }, "Back up"), every, h("label", { for: "backup-hour" }, "at"), hour,
    h("button", { type: "submit" }, "Save schedule"))

  body.append(
    h("section", { class: "card" }, h("h2", {}, "Apps that sync"), appList),
    h("section", { class: "card" }, h("h2", {}, "Network"),
      h("div", { class: "switch-row" }, wifiOnly, h("label", { for: "wifi-only" }, "Sync only on Wi-Fi")),
      h("p", { class: "muted small" }, "Your devices obey this; the cloud cannot see which network they use.")),
    h("section", { class: "card" }, h("h2", {}, "Gallery folders"),
      h("p", { class: "muted small" }, "Only photos and videos in these folders of your devices sync."), folderList, addFolder),
    h("section", { class: "card" }, h("h2", {}, "Home-screen backup schedule"), schedule,
      h("p", { class: "muted small" }, "The hour is your device's local time.")))
}
