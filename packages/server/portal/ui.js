// Small DOM helpers. Content from the API is only ever set as text, never parsed as HTML.

/** `h("p", { class: "x", onclick: f }, "text", child)`: an element with attributes, listeners and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value)
    else if (key === "class") el.className = value
    else if (key in el && typeof value !== "string") el[key] = value
    else el.setAttribute(key, value === true ? "" : String(value))
  }
  append(el, children)
  return el
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue
    el.append(child instanceof Node ? child : String(child))
  }
}

const SVG = "http://www.w3.org/2000/svg"
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag)
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value))
  append(el, children)
  return el
}

/** Replaces the main area with a titled view and moves focus to its heading. */
export function view(title, ...children) {
  const main = document.getElementById("main")
  const heading = h("h1", { tabindex: "-1" }, title)
  main.replaceChildren(heading, ...children.flat())
  document.title = `${title} · Custos`
  heading.focus({ preventScroll: false })
  return main
}

let statusTimer
/** A short message in the live region (read out by screen readers). */
export function say(message, kind = "info") {
  const status = document.getElementById("status")
  status.textContent = message
  status.dataset.kind = kind
  status.classList.add("shown")
  clearTimeout(statusTimer)
  statusTimer = setTimeout(() => status.classList.remove("shown"), 6000)
}

/** Runs `f`, reporting an API refusal (its sentence and code) instead of failing silently. */
export async function attempt(f) {
  try {
    return await f()
  } catch (error) {
    say(error.code ? `${error.message} (${error.code})` : String(error.message ?? error), "error")
    return undefined
  }
}

/** Runs `f` like `attempt`; true when it succeeded. */
export async function succeeded(f) {
  try {
    await f()
    return true
  } catch (error) {
    say(error.code ? `${error.message} (${error.code})` : String(error.message ?? error), "error")
    return false
  }
}

/**
 * Asks before an action, stating its consequence. Resolves true only on "Continue"; Escape or Cancel say no.
 */
export function confirmAction(title, text, okLabel = "Continue") {
  const dialog = document.getElementById("confirm")
  document.getElementById("confirm-title").textContent = title
  document.getElementById("confirm-text").textContent = text
  const ok = document.getElementById("confirm-ok")
  const cancel = document.getElementById("confirm-cancel")
  ok.textContent = okLabel
  return new Promise((resolve) => {
    const done = (answer) => {
      ok.removeEventListener("click", yes)
      cancel.removeEventListener("click", no)
      dialog.removeEventListener("cancel", no)
      if (dialog.open) dialog.close()
      resolve(answer)
    }
    const yes = () => done(true)
    const no = () => done(false)
    ok.addEventListener("click", yes)
    cancel.addEventListener("click", no)
    dialog.addEventListener("cancel", no)
    dialog.showModal()
    cancel.focus()
  })
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" })
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" })
const monthFormat = new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric" })

export const fmt = {
  date: (t) => t === undefined ? "" : dateFormat.format(new Date(t)),
  time: (t) => t === undefined ? "" : timeFormat.format(new Date(t)),
  month: (t) => monthFormat.format(new Date(t)),
  bytes(n) {
    const units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
    let i = 0
    let v = n
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
    return i === 0 ? `${n} bytes` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`
  },
  duration(ms) {
    const s = Math.round(ms / 1000)
    const m = Math.floor(s / 60)
    return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m}:${String(s % 60).padStart(2, "0")}`
  },
  money: (minor, currency) => new Intl.NumberFormat(undefined, { style: "currency", currency }).format(minor / 100)
}

/** Time left until `t`, in whole days (at least 0). */
export const daysUntil = (t) => Math.max(0, Math.ceil((t - Date.now()) / 86_400_000))

/**
 * Renders a long list a slice at a time: the first `step` items now, more whenever the sentinel after them comes
 * near the viewport. `add(items)` may be called again as pages arrive. Thousands of rows never block the page.
 */
export function incremental(container, renderItem, { step = 150, after = container } = {}) {
  const items = []
  let shown = 0
  const sentinel = h("div", { class: "sentinel", "aria-hidden": "true" })
  after.after(sentinel)
  const more = () => {
    const end = Math.min(items.length, shown + step)
    const fragment = document.createDocumentFragment()
    for (; shown < end; shown++) fragment.append(renderItem(items[shown], shown))
    container.append(fragment)
  }
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && shown < items.length) more()
  }, { rootMargin: "800px" })
  observer.observe(sentinel)
  return {
    add(next) {
      items.push(...next)
      if (shown < step) more()
      else { observer.unobserve(sentinel); observer.observe(sentinel) }
    },
    get count() { return items.length },
    stop() { observer.disconnect(); sentinel.remove() }
  }
}

/** Calls `load(el)` once, when `el` first comes near the viewport; at most `parallel` loads run at once. */
export function lazyLoader({ parallel = 4 } = {}) {
  const queue = []
  let running = 0
  const pump = () => {
    while (running < parallel && queue.length > 0) {
      const [el, load] = queue.shift()
      if (!el.isConnected) continue
      running++
      Promise.resolve(load(el)).catch(() => el.classList.add("failed")).finally(() => { running--; pump() })
    }
  }
  const loads = new WeakMap()
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue
      observer.unobserve(entry.target)
      queue.push([entry.target, loads.get(entry.target)])
    }
    pump()
  }, { rootMargin: "300px" })
  return {
    watch(el, load) { loads.set(el, load); observer.observe(el) },
    stop() { observer.disconnect(); queue.length = 0 }
  }
}

/** A table whose rows render incrementally; wrapped so a narrow screen scrolls it, not the page. */
export function table(headers, rowOf, { caption } = {}) {
  const body = h("tbody")
  const t = h("table", {}, caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))), body)
  const wrap = h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption ?? headers.join(", ") }, t)
  // Each cell names its column, so a phone's screen can show a row as a small card (see app.css).
  const labelled = (item, index) => {
    const row = rowOf(item, index)
    if (row instanceof HTMLTableRowElement) {
      ;[...row.cells].forEach((cell, i) => { if (headers[i]) cell.dataset.label = headers[i] })
    }
    return row
  }
  return { el: wrap, body, rows: () => incremental(body, labelled, { after: wrap }) }
}
