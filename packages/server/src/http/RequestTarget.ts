/**
 * How the guard in front of the API reads a request target: as the router will (find-my-way, configured in `Http.ts`
 * to match paths exactly: case-sensitive, no trailing or doubled slashes dropped). Checks and limits that go by path,
 * such as the sign-in rate limit, see the path that is served, whatever form the client wrote it in.
 */
import { isDotSegment } from "@custos/core/domain/Ids"

/** A request target read as the router reads it. */
export interface RequestTarget {
  /** The path the router matches: without query, in origin form, percent-escapes of unreserved characters decoded. */
  readonly path: string
  /** Why a target under `/v1/` names no path of the protocol; undefined when it may name one. */
  readonly problem: string | undefined
}

/** The prefix the router drops from an absolute-form target (`POST http://host/v1/...`, RFC 9112 §3.2.2). */
const absoluteForm = /^https?:\/\/.*?\//

export const readTarget = (target: string): RequestTarget => {
  const origin = target.startsWith("/") ? target : target.replace(absoluteForm, "/")
  // The router never looks at a path's first character, so it would serve `*v1/sessions` as `/v1/sessions`.
  if (!origin.startsWith("/")) {
    return { path: origin, problem: "A request target is a path that starts with '/', or an absolute URL" }
  }
  const end = origin.search(/[?#]/)
  const raw = end === -1 ? origin : origin.slice(0, end)
  let path: string
  try {
    // As the router does, `%25` stays an escaped `%`, so `%252E` is no `.`.
    path = decodeURI(raw.replaceAll("%25", "%2525"))
  } catch {
    return {
      path: raw,
      problem: raw.startsWith("/v1/") ? "The path is not valid percent-encoded UTF-8" : undefined
    }
  }
  if (!path.startsWith("/v1/")) return { path, problem: undefined }
  // The router would end the path at `;` or `#` and serve `/v1/trash/notes/keep;junk` as `keep`.
  if (raw.includes(";") || origin.includes("#")) {
    return { path, problem: "A path of the protocol never holds ';' or '#'; ids are letters, digits and . _ : -" }
  }
  // A client that sends `..` as it is (or as `%2E%2E`) would name what no URL can name.
  if (path.split("/").some(isDotSegment)) {
    return { path, problem: "A path of the protocol never holds a '.' or '..' segment; no id is '.' or '..'" }
  }
  return { path, problem: undefined }
}

/** The path the router matches for `target`. */
export const routedPath = (target: string): string => readTarget(target).path
