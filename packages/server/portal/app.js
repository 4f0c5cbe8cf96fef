// The Custos web portal: sign-in, then one view per section, chosen by the URL's hash (#/gallery, #/apps/notes, ...).
import { api, session, whenUnauthorized } from "./api.js"
import { h, view, say, attempt } from "./ui.js"
import { galleryView } from "./gallery.js"
import { appsView, appLabels } from "./apps.js"
import { settingsView } from "./settings.js"
import { trashView } from "./trash.js"
import { membershipView } from "./membership.js"
import { privacyView } from "./privacy.js"
import { devicesView } from "./devices.js"

const sections = [
  ["gallery", "Photos"],
  ["apps", "Apps"],
  ["settings", "Sync settings"],
  ["trash", "Trash"],
  ["membership", "Membership"],
  ["privacy", "Privacy"],
  ["devices", "Devices"]
]

const views = {
  gallery: galleryView,
  apps: appsView,
  settings: settingsView,
  trash: trashView,
  membership: membershipView,
  privacy: privacyView,
  devices: devicesView
}

/** What the current view set up (observers, object URLs) and must tear down when another view replaces it. */
let cleanups = []
let generation = 0

function route() {
  for (const f of cleanups) f()
  cleanups = []
  const mine = ++generation
  const ctx = {
    /** False once the person has moved on to another view: late answers must not draw over it. */
    alive: () => mine === generation,
    onLeave: (f) => cleanups.push(f)
  }
  if (!session.token) return signInView()
  showChrome(true)
  const [name = "gallery", ...rest] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent)
  const render = views[name] ?? galleryView
  markCurrent(views[name] ? name : "gallery")
  render(ctx, ...rest)
}

function showChrome(signedIn) {
  document.getElementById("nav").hidden = !signedIn
  document.getElementById("sign-out").hidden = !signedIn
}

function markCurrent(name) {
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.section === name) link.setAttribute("aria-current", "page")
    else link.removeAttribute("aria-current")
  }
}

function signInView() {
  showChrome(false)
  const loginName = h("input", { id: "login", name: "username", autocomplete: "username", required: true, value: session.loginName })
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true })
  const deviceName = h("input", { id: "device-name", name: "device", value: localStorage.getItem("custos.deviceName") ?? "Web browser", required: true })
  const error = h("p", { class: "error", role: "alert" })
  const form = h("form", { class: "card narrow", onsubmit: async (event) => {
    event.preventDefault()
    error.textContent = ""
    try {
      const grant = await api.post("/sessions", {
        loginName: loginName.value.trim(),
        password: password.value,
        deviceName: deviceName.value.trim() || "Web browser",
        ...(session.deviceId ? { deviceId: session.deviceId } : {})
      }, { auth: false })
      localStorage.setItem("custos.deviceName", deviceName.value.trim())
      session.start(grant, loginName.value.trim())
      location.hash = "#/gallery"
      route()
    } catch (e) {
      error.textContent = `${e.message}${e.code ? ` (${e.code})` : ""}`
    }
  } },
    h("label", { for: "login" }, "Login name"), loginName,
    h("label", { for: "password" }, "Password"), password,
    h("label", { for: "device-name" }, "This browser's name"), deviceName,
    h("p", { class: "muted small" }, "The portal signs in as a device of your account; you can revoke it under Devices."),
    error,
    h("button", { type: "submit", class: "primary" }, "Sign in"))
  view("Sign in", form)
  loginName.focus()
}

async function signOut() {
  await attempt(() => api.del("/sessions/current"))
  session.end()
  say("Signed out")
  location.hash = ""
  route()
}

function buildNav() {
  const nav = document.getElementById("nav")
  nav.replaceChildren(h("ul", {}, sections.map(([name, label]) =>
    h("li", {}, h("a", { href: `#/${name}`, "data-section": name }, label)))))
  document.getElementById("sign-out").addEventListener("click", signOut)
}

whenUnauthorized(() => {
  if (!session.token) return
  session.end()
  say("Your session has ended; please sign in again.", "error")
  route()
})

buildNav()
window.addEventListener("hashchange", route)
route()

export { appLabels }
