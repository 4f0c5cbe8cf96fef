// The trash (§4.1.3(2), §4.1.4(3)): per app or in total, each item with the date it will be deleted for good.
import { api } from "./api.js"
import { appLabels, summaryOf } from "./apps.js"
import { attempt, confirmAction, daysUntil, fmt, h, say, succeeded, table, view } from "./ui.js"

async function allTrash(app) {
  const items = []
  let after
  for (;;) {
    const page = await api.get("/trash", { app, after, limit: 500 })
    items.push(...page.items)
    if (page.next === undefined) return items
    after = page.next
  }
}

export async function trashView(ctx, app = "") {
  const filter = h("select", { id: "trash-app" }, h("option", { value: "" }, "All apps"))
  const empty = h("button", { type: "button", class: "danger", id: "empty-trash" }, "Empty trash")
  const summary = h("p", { class: "muted", id: "trash-summary" }, "Loading…")
  const tbl = table(["App", "Item", "Deleted", "Deleted for good on", ""], rowOf, { caption: "Items in the trash" })
  view("Trash", h("div", { class: "toolbar" }, h("label", { for: "trash-app" }, "Show"), filter, empty), summary, tbl.el)
  const policies = await attempt(() => api.get("/privacy/apps"))
  if (!ctx.alive() || policies === undefined) return
  for (const p of policies.filter((p) => p.onDelete === "trash")) {
    filter.append(h("option", { value: p.app, selected: p.app === app }, appLabels[p.app] ?? p.label))
  }
  filter.addEventListener("change", () => { location.hash = `#/trash/${filter.value}` })

  const items = await attempt(() => allTrash(app || undefined))
  if (!ctx.alive() || items === undefined) return
  const gone = new Set()
  let remaining = items.length
  const count = () => {
    const byApp = new Map()
    for (const item of items) {
      if (!gone.has(item)) byApp.set(item.app, (byApp.get(item.app) ?? 0) + 1)
    }
    summary.textContent = remaining === 0 ? "The trash is empty." :
      `${remaining} ${remaining === 1 ? "item" : "items"}${app ? "" : ` (${[...byApp].map(([a, n]) => `${appLabels[a]}: ${n}`).join(", ")})`}. ` +
      "Items are deleted for good on the date shown; restoring brings one back on every device."
    empty.disabled = remaining === 0
  }
  const rows = tbl.rows()
  ctx.onLeave(() => rows.stop())
  rows.add(items)
  count()

  function rowOf(item) {
    const r = item.record
    const label = summaryOf(item.app, r.payload)
    const restore = h("button", { type: "button", "aria-label": `Restore ${label}`, onclick: async () => {
      if (await succeeded(() => api.post(`/trash/${item.app}/${encodeURIComponent(r.id)}/restore`))) {
        row.remove(); gone.add(item); remaining--; count(); say(`Restored ${label}`)
      }
    } }, "Restore")
    const purge = h("button", { type: "button", class: "danger", "aria-label": `Delete ${label} for good`, onclick: async () => {
      const ok = await confirmAction("Delete for good?", `${label} is deleted permanently, with its files; it cannot be restored.`, "Delete for good")
      if (ok && await succeeded(() => api.del(`/trash/${item.app}/${encodeURIComponent(r.id)}`))) {
        row.remove(); gone.add(item); remaining--; count(); say(`Deleted ${label} for good`)
      }
    } }, "Delete for good")
    const days = daysUntil(r.deleteBy)
    const row = h("tr", { "data-id": r.id, "data-app": item.app },
      h("td", {}, appLabels[item.app] ?? item.app), h("td", {}, label), h("td", {}, fmt.time(r.trashedAt)),
      h("td", {}, h("time", { datetime: new Date(r.deleteBy).toISOString() }, fmt.date(r.deleteBy)),
        h("span", { class: "muted small" }, ` (in ${days} ${days === 1 ? "day" : "days"})`)),
      h("td", { class: "row-actions" }, restore, " ", purge))
    return row
  }

  empty.addEventListener("click", async () => {
    const what = app ? `the trash of ${appLabels[app]}` : "the whole trash"
    const ok = await confirmAction(`Empty ${what}?`,
      `Everything now in ${what} (${remaining} ${remaining === 1 ? "item" : "items"}) is deleted for good; it cannot be restored.`, "Empty for good")
    if (!ok) return
    const answer = await attempt(() => api.del("/trash", { app: app || undefined }))
    if (answer === undefined) return
    say(`${answer.purged} ${answer.purged === 1 ? "item" : "items"} deleted for good`)
    tbl.body.replaceChildren()
    rows.stop()
    for (const item of items) gone.add(item)
    remaining = 0
    count()
  })
}
