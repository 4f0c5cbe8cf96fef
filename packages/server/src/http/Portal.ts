/**
 * The web portal (issue 8): a browser client of the `/v1` API, served by the reference server itself at `/`, with
 * its scripts and styles under `/portal/`. The files are plain JavaScript modules and CSS in
 * `packages/server/portal/`, read once when the server starts, so `start` needs no build step. Nothing is fetched
 * from anywhere else: the portal's Content-Security-Policy allows only this origin's scripts, styles and API, and
 * `blob:` URLs for the media and downloads it fetches with the session's bearer token.
 */
import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

export const portalPath = "/"
export const portalAssetsPath = "/portal/"

/** Scripts, styles, images and fonts only from this origin; media and downloads as `blob:` URLs made in the page. */
export const portalCsp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; " +
  "media-src 'self' blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; frame-ancestors 'none'; " +
  "base-uri 'none'; form-action 'none'"

/** Whether a request path is the portal's (it gets `portalCsp` instead of the API's policy). */
export const isPortalPath = (path: string): boolean => path === portalPath || path.startsWith(portalAssetsPath)

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml"
}

/** The folder of the portal's files, beside `src/`. */
export const portalDir = fileURLToPath(new URL("../../portal/", import.meta.url))

/** Every servable file of the folder (flat, known extensions only), read into memory. */
const readAssets = (dir: string): ReadonlyMap<string, { readonly body: Uint8Array; readonly type: string }> =>
  new Map(
    Fs.readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && contentTypes[Path.extname(entry.name)] !== undefined)
      .map((entry) => [
        entry.name,
        { body: Fs.readFileSync(Path.join(dir, entry.name)), type: contentTypes[Path.extname(entry.name)]! }
      ])
  )

const notFound = HttpServerResponse.text("Not found", { status: 404 })

/** Mounts `/` (the portal's page) and `/portal/<file>` on the API's router. */
export const layerPortal = (dir: string = portalDir) =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function*() {
      const assets = readAssets(dir)
      const serve = (name: string) => {
        const asset = assets.get(name)
        return asset === undefined ? notFound : HttpServerResponse.uint8Array(asset.body, {
          contentType: asset.type,
          // Assets change only with a new server; revalidating each time keeps an upgraded portal consistent.
          headers: { "cache-control": "no-cache" }
        })
      }
      yield* router.get(portalPath, Effect.sync(() => serve("index.html")))
      yield* router.get(
        `${portalAssetsPath}*`,
        Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
          const name = decodeURIComponent((request.url.split("?")[0] ?? "").slice(portalAssetsPath.length))
          // Only names read from the folder are served: no path separators, no way out of it.
          return name.includes("/") || name === "index.html" ? notFound : serve(name)
        })
      )
    })
  )
