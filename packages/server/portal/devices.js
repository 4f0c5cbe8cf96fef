// Where the account is signed in: its devices and their sessions; revoke one session, or remove a device (which
// revokes all of its sessions).
import { api, session } from "./api.js"
import { attempt, confirmAction, fmt, h, say, succeeded, table, view } from "./ui.js"

export async function devicesView(ctx) {
  const body = h("div")
  view("Devices", body)
  const [devices, sessions] = await Promise.all([attempt(() => api.get("/devices")), attempt(() => api.get("/sessions"))])
  if (!ctx.alive() || devices === undefined || sessions === undefined) return
  const current = sessions.find((s) => s.current)
  const t = table(["Device", "First seen", "Last seen", "Sessions", ""], (d) => {
    const mine = current?.deviceId === d.id
    const own = sessions.filter((s) => s.deviceId === d.id)
    const list = h("ul", { class: "plain" }, own.map((s) => h("li", {},
      `since ${fmt.time(s.createdAt)}, last used ${fmt.time(s.lastUsedAt)}${s.current ? " (this one)" : ""} `,
      s.current ? null : h("button", { type: "button", onclick: async (e) => {
        if (await succeeded(() => api.del(`/sessions/${encodeURIComponent(s.id)}`))) {
          e.target.closest("li").remove()
          say("Session revoked")
        }
      } }, "Revoke"))))
    const remove = h("button", { type: "button", class: "danger", onclick: async () => {
      const ok = await confirmAction(`Remove ${d.name}?`, mine
        ? "This is the browser you are using: it is signed out at once."
        : `${d.name} is signed out at once and must sign in again to sync.`, "Remove")
      if (!ok || !(await succeeded(() => api.del(`/devices/${encodeURIComponent(d.id)}`)))) return
      if (mine) { session.end(); location.hash = ""; location.reload(); return }
      row.remove()
      say(`${d.name} removed`)
    } }, "Remove")
    const row = h("tr", { "data-id": d.id }, h("td", {}, d.name, mine ? " (this browser)" : ""),
      h("td", {}, fmt.time(d.registeredAt)), h("td", {}, fmt.time(d.lastSeenAt)), h("td", {}, list), h("td", {}, remove))
    return row
  }, { caption: "Devices signed in to your account" })
  body.append(t.el)
  t.rows().add([...devices].sort((a, b) => b.lastSeenAt - a.lastSeenAt))
}
