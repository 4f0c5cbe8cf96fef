// Membership (§4.1.3(3)): the plan in force, storage used against the quota as a picture, trash retention, the
// plans on offer and the purchase history.
import { api } from "./api.js"
import { attempt, fmt, h, svg, table, view } from "./ui.js"

/** A ring filled to `share` (0..1), with the percentage in its middle. */
function usageRing(share) {
  const r = 52
  const length = 2 * Math.PI * r
  const pct = Math.round(share * 1000) / 10
  return svg("svg", { viewBox: "0 0 120 120", class: "ring", role: "img", "aria-label": `${pct}% of the storage is used` },
    svg("circle", { cx: 60, cy: 60, r, class: "ring-track" }),
    svg("circle", { cx: 60, cy: 60, r, class: share > 0.9 ? "ring-fill high" : "ring-fill",
      "stroke-dasharray": `${Math.max(share > 0 ? 1 : 0, share * length)} ${length}`, transform: "rotate(-90 60 60)" }),
    svg("text", { x: 60, y: 66, "text-anchor": "middle", class: "ring-text" }, `${pct < 0.1 && share > 0 ? "<0.1" : pct}%`))
}

export async function membershipView(ctx) {
  const body = h("div")
  view("Membership", body)
  const [m, plans, purchases] = await Promise.all([
    attempt(() => api.get("/membership")), attempt(() => api.get("/plans")), attempt(() => api.get("/membership/purchases"))])
  if (!ctx.alive() || m === undefined) return
  const share = Math.min(1, m.usage.bytes / m.quotaBytes)
  body.append(
    h("section", { class: "card usage", id: "usage" },
      usageRing(share),
      h("div", {},
        h("h2", {}, `${m.plan.name} plan`),
        h("p", {}, `${fmt.bytes(m.usage.bytes)} of ${fmt.bytes(m.quotaBytes)} used, by ${m.usage.records} ${m.usage.records === 1 ? "item" : "items"} (the trash included).`),
        h("meter", { min: 0, max: m.quotaBytes, value: m.usage.bytes, high: m.quotaBytes * 0.9, "aria-label": "Storage used" }),
        h("p", {}, m.validUntil ? `Valid until ${fmt.time(m.validUntil)}; then the free plan applies unless renewed.` : "The free plan has no end."),
        h("p", {}, `Deleted items wait in the trash for ${m.plan.trashDays} days. Devices sync in the background at most every ${m.plan.syncIntervalMinutes} minutes.`))))
  if (plans) {
    const t = table(["Plan", "Storage", "Background sync", "Trash kept"], (p) => h("tr", { class: p.id === m.plan.id ? "current" : "" },
      h("td", {}, p.name, p.id === m.plan.id ? " (yours)" : ""), h("td", {}, fmt.bytes(p.storageBytes)),
      h("td", {}, `every ${p.syncIntervalMinutes} min`), h("td", {}, `${p.trashDays} days`)), { caption: "Plans" })
    body.append(h("section", { class: "card" }, h("h2", {}, "Plans"), t.el))
    t.rows().add(plans)
  }
  if (purchases) {
    const names = new Map((plans ?? []).map((p) => [p.id, p.name]))
    const t = table(["Bought", "Plan", "Valid", "Paid", "Through"], (p) => h("tr", {},
      h("td", {}, fmt.date(p.purchasedAt)), h("td", {}, names.get(p.planId) ?? p.planId),
      h("td", {}, `${fmt.date(p.validFrom)} – ${fmt.date(p.validUntil)}`),
      h("td", {}, fmt.money(p.details.amountMinor, p.details.currency)), h("td", {}, p.details.channel)), { caption: "Purchase history" })
    body.append(h("section", { class: "card" }, h("h2", {}, "Purchase history"),
      purchases.length === 0 ? h("p", { class: "muted" }, "No purchases.") : t.el))
    t.rows().add([...purchases].sort((a, b) => b.purchasedAt - a.purchasedAt))
  }
}
