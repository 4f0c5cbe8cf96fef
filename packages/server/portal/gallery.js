// Photos and videos (§4.1.4(1)): every gallery record's metadata is pulled in pages (small), sorted by capture
// time and drawn a slice at a time; thumbnails load only when their tile comes near the screen, a few at once.
import { api, blobUrl, pullAll, saveAs } from "./api.js"
import { attempt, fmt, h, incremental, lazyLoader, say, view } from "./ui.js"

/** The latest state of each record of `app`, active ones only, as pages arrive. */
export async function activeRecords(ctx, app, progress) {
  const byId = new Map()
  await pullAll(app, (changes) => {
    for (const record of changes) {
      if (record.state === "active") byId.set(record.id, record)
      else byId.delete(record.id)
    }
    if (progress && ctx.alive()) progress(byId.size)
  })
  return [...byId.values()]
}

const takenAt = (r) => Date.parse(r.payload.takenAt)

export async function galleryView(ctx) {
  const count = h("p", { class: "muted" }, "Loading your photos and videos…")
  const folder = h("select", { id: "folder-filter" }, h("option", { value: "" }, "All folders"))
  const selected = new Set()
  const selectionNote = h("span", { class: "muted" })
  const downloadSelected = h("button", { type: "button", disabled: true, onclick: () => downloadMany([...selected]) }, "Download selected")
  const clearSelection = h("button", { type: "button", disabled: true, onclick: () => {
    selected.clear()
    for (const box of grid.querySelectorAll("input[type=checkbox]")) box.checked = false
    updateSelection()
  } }, "Clear selection")
  const grid = h("div", { class: "gallery", id: "gallery-grid" })
  view("Photos and videos",
    h("div", { class: "toolbar" },
      h("label", { for: "folder-filter" }, "Folder"), folder, downloadSelected, clearSelection, selectionNote),
    count, grid)

  const records = await attempt(() => activeRecords(ctx, "gallery", (n) => { count.textContent = `Loading… ${n} items so far` }))
  if (!ctx.alive() || records === undefined) return
  records.sort((a, b) => takenAt(b) - takenAt(a) || (a.id < b.id ? -1 : 1))
  const folders = [...new Set(records.map((r) => r.payload.folder))].sort()
  folder.append(...folders.map((f) => h("option", { value: f }, f)))

  function updateSelection() {
    downloadSelected.disabled = clearSelection.disabled = selected.size === 0
    downloadSelected.textContent = selected.size === 0 ? "Download selected" : `Download ${selected.size} selected`
    selectionNote.textContent = selected.size === 0 ? "" : `${selected.size} selected`
  }

  let list
  let thumbs
  const draw = () => {
    list?.stop()
    thumbs?.stop()
    grid.replaceChildren()
    const shown = folder.value === "" ? records : records.filter((r) => r.payload.folder === folder.value)
    count.textContent = shown.length === 0 ? "No photos or videos yet." :
      `${shown.length} ${shown.length === 1 ? "item" : "items"}${folder.value ? ` in ${folder.value}` : ""}`
    thumbs = lazyLoader({ parallel: 4 })
    let lastMonth
    list = incremental(grid, (record, index) => {
      const month = fmt.month(takenAt(record))
      const tile = tileOf(record, index, shown, thumbs, selected, updateSelection)
      if (month === lastMonth) return tile
      lastMonth = month
      const fragment = document.createDocumentFragment()
      fragment.append(h("h2", { class: "month" }, month), tile)
      return fragment
    }, { step: 120 })
    list.add(shown)
  }
  folder.addEventListener("change", draw)
  draw()
  ctx.onLeave(() => { list?.stop(); thumbs?.stop() })
}

/** What to show small: the phone's thumbnail when it made one, else the photo itself. */
const previewBlob = (p) => p.thumbnail ?? (p.mediaType === "photo" ? p.blob : undefined)

function tileOf(record, index, all, thumbs, selected, onSelect) {
  const p = record.payload
  const label = `${p.mediaType === "video" ? "Video" : "Photo"} ${p.fileName}, ${fmt.time(takenAt(record))}`
  const img = h("img", { alt: "", width: 160, height: 160 })
  const open = h("button", { type: "button", class: "thumb", "aria-label": `Open ${label}`, "data-id": record.id,
    onclick: () => openViewer(all, index) },
    img, p.mediaType === "video" ? h("span", { class: "badge" }, fmt.duration(p.durationMs ?? 0)) : null)
  const preview = previewBlob(p)
  if (preview) {
    thumbs.watch(open, async () => {
      img.src = await blobUrl(preview.id, preview === p.blob ? p.mimeType : undefined)
    })
  } else open.classList.add(p.blob ? "video" : "missing")
  const box = h("input", { type: "checkbox", "aria-label": `Select ${p.fileName}`, checked: selected.has(record.id),
    onchange: (e) => { if (e.target.checked) selected.add(record.id); else selected.delete(record.id); onSelect() } })
  box.dataset.record = JSON.stringify({ id: record.id, fileName: p.fileName, blob: p.blob, mimeType: p.mimeType })
  return h("figure", { class: "tile" }, open, h("figcaption", {}, box, h("span", {}, p.fileName)))
}

async function downloadOne(p) {
  if (!p.blob) return say(`${p.fileName} has no uploaded file yet.`, "error")
  saveAs(await blobUrl(p.blob.id, p.mimeType), p.fileName)
}

/** A selection is saved as one file per item, one after the other (the browser may ask once to allow that). */
async function downloadMany(ids) {
  const boxes = [...document.querySelectorAll("#gallery-grid input[type=checkbox]")]
  const items = boxes.map((b) => JSON.parse(b.dataset.record)).filter((r) => ids.includes(r.id))
  for (const item of items) await attempt(() => downloadOne(item))
  say(`Downloaded ${items.length} ${items.length === 1 ? "file" : "files"}`)
}

function openViewer(all, start) {
  const dialog = document.getElementById("viewer")
  let index = start
  const show = async () => {
    const record = all[index]
    const p = record.payload
    const media = p.mediaType === "video"
      ? h("video", { controls: true, class: "full", "aria-label": p.fileName })
      : h("img", { class: "full", alt: p.fileName })
    const facts = h("dl", { class: "facts" },
      h("dt", {}, "Taken"), h("dd", {}, fmt.time(takenAt(record))),
      h("dt", {}, "Folder"), h("dd", {}, p.folder),
      p.width ? [h("dt", {}, "Size"), h("dd", {}, `${p.width} × ${p.height ?? "?"} px, ${fmt.bytes(p.size)}`)]
        : [h("dt", {}, "Size"), h("dd", {}, fmt.bytes(p.size))])
    const prev = h("button", { type: "button", disabled: index === 0, onclick: () => { index--; show() } }, "← Previous")
    const next = h("button", { type: "button", disabled: index === all.length - 1, onclick: () => { index++; show() } }, "Next →")
    const download = h("button", { type: "button", class: "primary", onclick: () => attempt(() => downloadOne(p)) }, "Download")
    const close = h("button", { type: "button", onclick: () => dialog.close() }, "Close")
    dialog.replaceChildren(h("h2", { id: "viewer-title" }, p.fileName), h("div", { class: "stage" }, media), facts,
      h("div", { class: "actions" }, prev, next, download, close))
    if (!dialog.open) dialog.showModal()
    close.focus()
    if (p.blob) {
      const url = await attempt(() => blobUrl(p.blob.id, p.mimeType))
      if (url) media.src = url
    } else media.replaceWith(h("p", { class: "muted" }, "The file has not been uploaded yet."))
  }
  dialog.onkeydown = (e) => {
    if (e.key === "ArrowLeft" && index > 0) { index--; show() }
    if (e.key === "ArrowRight" && index < all.length - 1) { index++; show() }
  }
  show()
}
