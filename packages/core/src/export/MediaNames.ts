/**
 * File names for the media of an export: safe on every common file system and unique in the archive, yet close to
 * what the person saw on the device (`media/gallery/Camera/IMG_0001.jpg`).
 *
 * A part keeps letters of any script, digits, spaces and ordinary punctuation; `/ \ : * ? " < > |` and control
 * characters become `_`, leading and trailing dots and spaces go, reserved device names of Windows (`CON`, `NUL`,
 * `COM1`, ...) get a `_` in front, and a part is cut to 100 characters, its extension kept. A name already taken (in
 * any letter case, as case-insensitive systems see it) gets ` (2)`, ` (3)`, ... before its extension.
 */

const MAX_PART = 100

const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i

/** One path part made safe; `fallback` when nothing is left of it. */
export const safePart = (raw: string, fallback: string): string => {
  let s = raw.normalize("NFC")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, "_")
    .replace(/\s+/g, " ")
    .replace(/^[\s.]+|[\s.]+$/g, "")
  if (s === "") s = fallback
  // A fallback made of a record id may be "." or "..", which no archive or file system takes as a name.
  if (s === "." || s === "..") s = `_${s}`
  if (RESERVED.test(s)) s = `_${s}`
  const chars = [...s]
  if (chars.length > MAX_PART) {
    const dot = s.lastIndexOf(".")
    const ext = dot > 0 && s.length - dot <= 10 ? [...s.slice(dot)] : []
    s = chars.slice(0, MAX_PART - ext.length).join("").replace(/[\s.]+$/, "") + ext.join("")
  }
  return s
}

const splitExtension = (name: string): readonly [string, string] => {
  const dot = name.lastIndexOf(".")
  return dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""]
}

/** Hands out unique paths within one archive. */
export class NameRegistry {
  private readonly taken = new Set<string>()

  /** `dir/name`, or `dir/name (n)` with the first free `n`; `dir` is joined as given (already safe). */
  claim(dir: string, name: string): string {
    const [stem, ext] = splitExtension(name)
    for (let n = 1;; n++) {
      const candidate = `${dir}/${n === 1 ? name : `${stem} (${n})${ext}`}`
      const key = candidate.toLowerCase()
      if (!this.taken.has(key)) {
        this.taken.add(key)
        return candidate
      }
    }
  }
}

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/gif": ".gif",
  "image/webp": ".webp",
  "image/heic": ".heic",
  "image/heif": ".heif",
  "video/mp4": ".mp4",
  "video/quicktime": ".mov",
  "video/webm": ".webm",
  "video/3gpp": ".3gp",
  "audio/mpeg": ".mp3",
  "audio/mp4": ".m4a",
  "audio/aac": ".aac",
  "audio/ogg": ".ogg",
  "audio/opus": ".opus",
  "audio/wav": ".wav",
  "audio/x-wav": ".wav",
  "audio/amr": ".amr",
  "audio/flac": ".flac",
  "audio/webm": ".webm"
}

/** The usual extension of a MIME type, or "" when it has none known. */
export const extensionOf = (mimeType: string | undefined): string =>
  mimeType === undefined ? "" : EXTENSIONS[mimeType.toLowerCase()] ?? ""
