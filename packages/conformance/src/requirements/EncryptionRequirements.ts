/**
 * ENC-*: content is sealed at rest (§4.1.2: every data type but the account id is AES-protected at rest), the files
 * records name as much as the records, and only the plain columns sync needs stay in clear (DESIGN.md "Encryption at
 * rest").
 */
import { requirement } from "../Requirement.js"

export const EncryptionRequirements = [
  requirement(
    "ENC-001",
    "MUST",
    "§4.1.2",
    "Content of every AES-protected data type reaches storage only sealed: a marker written into every app and into a purchase appears nowhere in what the target stores.",
    { capabilities: ["storage-probe", "admin-purchases"] }
  ),
  requirement(
    "ENC-002",
    "MUST",
    "§4.1.2",
    "Only the columns sync needs are stored in clear: ids, app, state, version, sequence, sizes and times.",
    { capabilities: ["storage-probe"] }
  ),
  requirement(
    "ENC-003",
    "MUST",
    "§4.1.2",
    "A file a record names (a photo, a video, a recording's audio) reaches storage only sealed: a marker running " +
      "through an uploaded file appears nowhere in what the target stores.",
    { capabilities: ["storage-probe", "blobs"] }
  )
] as const
