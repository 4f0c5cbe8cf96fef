// The portal's only way out: the /v1 JSON API of the server that served it, with the session's bearer token.
// The token lives in sessionStorage (gone when the tab closes); media and downloads are fetched with the same
// header and handed to the browser as blob: URLs, so no token ever appears in a URL.

const TOKEN = "custos.token"
const LOGIN = "custos.login"
const DEVICE = "custos.device"
const ACCOUNT = "custos.account"

export const session = {
  get token() { return sessionStorage.getItem(TOKEN) },
  get loginName() { return sessionStorage.getItem(LOGIN) ?? "" },
  get accountId() { return sessionStorage.getItem(ACCOUNT) ?? "" },
  /** The portal's device id, kept across sign-ins so each browser is one device of the account, not many. */
  get deviceId() { return localStorage.getItem(DEVICE) ?? undefined },
  start(grant, loginName) {
    sessionStorage.setItem(TOKEN, grant.token)
    sessionStorage.setItem(LOGIN, loginName)
    sessionStorage.setItem(ACCOUNT, grant.accountId)
    localStorage.setItem(DEVICE, grant.deviceId)
  },
  end() {
    sessionStorage.removeItem(TOKEN)
    sessionStorage.removeItem(LOGIN)
    sessionStorage.removeItem(ACCOUNT)
  }
}

/** A refusal of the API: its stable code and its sentence. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `The server answered ${status}`)
    this.status = status
    this.code = body?.code ?? `http-${status}`
    this.retryAfter = body?.retryAfterSeconds
  }
}

/** Called when the server no longer accepts the session (signed out elsewhere, revoked, account deleted). */
let onUnauthorized = () => {}
export const whenUnauthorized = (f) => { onUnauthorized = f }

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function send(method, path, { body, query, headers = {}, auth = true } = {}) {
  const url = new URL(`/v1${path}`, location.origin)
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, String(value))
  }
  const h = { ...headers }
  if (auth && session.token) h.authorization = `Bearer ${session.token}`
  if (body !== undefined) h["content-type"] = "application/json"
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) })
    // The server paces requests per address; wait as it says and try again, a few times.
    if (response.status === 429 && attempt < 3) {
      const seconds = Number(response.headers.get("retry-after") ?? "1")
      await sleep(Math.min(Math.max(seconds, 1), 10) * 1000)
      continue
    }
    if (!response.ok) {
      const text = await response.text()
      let parsed
      try { parsed = JSON.parse(text) } catch { parsed = undefined }
      if (response.status === 401 && auth) onUnauthorized()
      throw new ApiError(response.status, parsed)
    }
    return response
  }
}

const json = async (response) => {
  const text = await response.text()
  return text === "" ? undefined : JSON.parse(text)
}

export const api = {
  get: (path, query) => send("GET", path, { query }).then(json),
  post: (path, body, opts = {}) => send("POST", path, { body, ...opts }).then(json),
  patch: (path, body) => send("PATCH", path, { body }).then(json),
  del: (path, query) => send("DELETE", path, { query }).then(json),
  /** The raw response, for binary content (blobs, the export archive). */
  raw: (path, query) => send("GET", path, { query })
}

/** Every record of an app, page by page; `onPage` sees each page's changes as they arrive. */
export async function pullAll(app, onPage, { limit = 500 } = {}) {
  let cursor
  for (;;) {
    const page = await api.get(`/apps/${app}/changes`, { cursor, limit, trigger: "user" })
    onPage(page.changes)
    cursor = page.cursor
    if (!page.hasMore) return
  }
}

const blobUrls = new Map()

/** A blob of the account as an object URL (cached for the page's life). */
export async function blobUrl(blobId, type) {
  const known = blobUrls.get(blobId)
  if (known) return known
  const response = await api.raw(`/blobs/${encodeURIComponent(blobId)}`)
  const data = await response.blob()
  const url = URL.createObjectURL(type ? new Blob([data], { type }) : data)
  blobUrls.set(blobId, url)
  return url
}

/** Hands the browser a file to save, under `name`. */
export function saveAs(url, name) {
  const a = document.createElement("a")
  a.href = url
  a.download = name
  a.hidden = true
  document.body.append(a)
  a.click()
  a.remove()
}

/** Downloads a response as a file, named by its Content-Disposition when it has one. */
export async function saveResponse(response, fallbackName) {
  const disposition = response.headers.get("content-disposition") ?? ""
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)
  const name = match ? decodeURIComponent(match[1]) : fallbackName
  const url = URL.createObjectURL(await response.blob())
  saveAs(url, name)
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
