// Privacy (§4.1.2, §4.1.5): the data inventory as the code enforces it (GET /v1/privacy/inventory, the same
// constant), the access log and its verification, the whole account's data as one archive, and deletion of one
// data type or of the account.
import { api, saveResponse, session } from "./api.js"
import { appLabels } from "./apps.js"
import { attempt, confirmAction, fmt, h, say, table, view } from "./ui.js"

const categories = {
  identifiers: "Identifiers",
  purchases: "Purchases",
  contacts: "Contacts",
  "browsing-history": "Browsing history",
  "user-content": "Your content",
  "other-data": "Other data"
}
const words = {
  identified: "Linked to your account",
  "app-functionality": "To provide this service to you",
  https: "HTTPS",
  "aes-128": "Encrypted (AES-128)",
  plain: "Not encrypted; access-controlled",
  "until-user-deletes": "Until you delete it"
}
const holder = (h) => h.kind === "app" ? `the ${appLabels[h.app] ?? h.app} app` : h.kind === "account" ? "your account" : "your membership"
const onDelete = { trash: "moves to the trash", permanent: "is deleted for good", "backup-delete": "deletes that backup for good" }
const onDisable = { keep: "cloud copy kept", purge: "cloud copy deleted for good" }

/** The access log's head as last verified in this browser: verifying against it also catches a log cut short. */
const headKey = () => `custos.log-head.${session.accountId}`

export async function privacyView(ctx) {
  const body = h("div")
  view("Privacy", body)
  const [inventory, policies] = await Promise.all([attempt(() => api.get("/privacy/inventory")), attempt(() => api.get("/privacy/apps"))])
  if (!ctx.alive() || inventory === undefined) return

  // Export
  const exportButton = h("button", { type: "button", class: "primary", id: "export", onclick: async () => {
    exportButton.disabled = true
    exportButton.textContent = "Preparing the archive…"
    const response = await attempt(() => api.raw("/privacy/export"))
    if (response) {
      await saveResponse(response, "custos-export.zip")
      say("Your archive is downloading")
    }
    exportButton.disabled = false
    exportButton.textContent = "Download all my data"
  } }, "Download all my data")
  body.append(h("section", { class: "card" }, h("h2", {}, "Your data, in one archive"),
    h("p", {}, "A ZIP file in open formats: contacts as vCard 4, the calendar as iCalendar, everything else as JSON, and your photos, videos, recordings and wallpapers as their original files."),
    exportButton))

  // Inventory
  const inv = table(["Data", "Category", "Linked to you", "Why", "In transit", "At rest", "Kept", "Held by", ""], (e) =>
    h("tr", { "data-type": e.id },
      h("th", { scope: "row" }, e.name), h("td", {}, categories[e.category] ?? e.category), h("td", {}, words[e.identification]),
      h("td", {}, words[e.purpose]), h("td", {}, words[e.inTransit]), h("td", {}, words[e.atRest] ?? e.atRest),
      h("td", {}, words[e.retention]), h("td", {}, holder(e.heldBy)),
      h("td", {}, e.id === "account-id" ? "" : h("button", { type: "button", class: "danger", "aria-label": `Delete all ${e.name}`, onclick: () => deleteType(e) }, "Delete all"))),
    { caption: `The ${inventory.length} kinds of data Custos holds (${inventory[0]?.section ?? "§4.1.2"})` })
  body.append(h("section", { class: "card", id: "inventory" }, h("h2", {}, "What Custos holds about you"),
    h("p", { class: "muted small" }, "Generated from the same inventory the server enforces; nothing else is stored."), inv.el))
  inv.rows().add(inventory)

  if (policies) {
    const pol = table(["App", "Deleting an item", "Turning sync off", "Offered"], (p) => h("tr", {},
      h("th", { scope: "row" }, appLabels[p.app] ?? p.label), h("td", {}, onDelete[p.onDelete] ?? p.onDelete),
      h("td", {}, onDisable[p.onSyncDisabled] ?? p.onSyncDisabled),
      h("td", {}, p.availability.kind === "only" ? `only in ${p.availability.regions}` : "everywhere")), { caption: "What each app does" })
    body.append(h("section", { class: "card" }, h("h2", {}, "What deleting and turning off do"), pol.el))
    pol.rows().add(policies)
  }

  // Access log
  const verdict = h("p", { id: "log-verdict", role: "status" })
  const logTable = table(["#", "When", "Who", "App", "Why", "Items"], (e) => h("tr", {},
    h("td", {}, String(e.index)), h("td", {}, fmt.time(e.at)), h("td", {}, `${e.actor.kind} ${e.actor.id}`),
    h("td", {}, appLabels[e.app] ?? e.app), h("td", {}, e.purpose), h("td", {}, String(e.recordIds.length))),
    { caption: "Every opening of your content, oldest first" })
  const logCount = h("p", { class: "muted small" }, "Loading…")
  const verify = h("button", { type: "button", id: "verify-log", onclick: async () => {
    const kept = JSON.parse(localStorage.getItem(headKey()) ?? "null")
    const v = await attempt(() => api.get("/privacy/access-log/verify", kept ? { anchorIndex: kept.index, anchorHash: kept.hash } : {}))
    if (v === undefined) return
    if (v.ok) {
      if (v.head) localStorage.setItem(headKey(), JSON.stringify(v.head))
      verdict.textContent = `✔ The log verifies: ${v.entries} entries, each chained to the one before${kept ? `, and it still holds the entry ${kept.index} this browser saw last time` : ""}.`
      verdict.className = "ok"
    } else {
      verdict.textContent = `✘ The log does not verify at entry ${v.brokenAt}: ${v.detail ?? v.reason}`
      verdict.className = "error"
    }
  } }, "Verify the log")
  body.append(h("section", { class: "card", id: "access-log" }, h("h2", {}, "Access log"),
    h("p", { class: "muted small" }, "Content is opened only for a request of yours (or a job you started), and each opening is written here first, in a hash chain you can verify."),
    h("div", { class: "toolbar" }, verify), verdict, logCount, logTable.el))
  const rows = logTable.rows()
  ctx.onLeave(() => rows.stop())
  let after
  let total = 0
  for (;;) {
    const page = await attempt(() => api.get("/privacy/access-log", { after, limit: 500 }))
    if (!ctx.alive() || page === undefined) return
    rows.add(page.entries)
    total += page.entries.length
    logCount.textContent = `${total} ${total === 1 ? "entry" : "entries"}`
    if (page.next === undefined) break
    after = page.next
  }

  // Account
  const del = h("button", { type: "button", class: "danger", id: "delete-account", onclick: async () => {
    const ok = await confirmAction("Delete your account?",
      "Everything is deleted for good: every app's data, the trash, backups, settings, devices, purchases and your sign-in. The keys that protect it are destroyed, so even backups of the cloud no longer open. This cannot be undone.",
      "Delete my account")
    if (!ok) return
    const answer = await attempt(() => api.del("/account"))
    if (answer === undefined) return
    session.end()
    localStorage.removeItem(headKey())
    location.hash = ""
    location.reload()
  } }, "Delete my account")
  body.append(h("section", { class: "card" }, h("h2", {}, "Delete your account"), del))
}

async function deleteType(entry) {
  const ok = await confirmAction(`Delete all ${entry.name}?`,
    `Every item of ${entry.name} is deleted from the cloud for good, the trash included, and cannot be restored. Devices that still sync it may upload their copies again: turn its sync off first.`,
    "Delete for good")
  if (!ok) return
  const answer = await attempt(() => api.del(`/privacy/data/${encodeURIComponent(entry.id)}`))
  if (answer) say(`${entry.name}: ${answer.removed} ${answer.removed === 1 ? "item" : "items"} deleted for good`)
}
