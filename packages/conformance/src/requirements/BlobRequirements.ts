/**
 * BLOB-*: the files records name (a photo or video of the gallery, the audio of a recording, a home-screen
 * wallpaper), which travel apart from their records (DESIGN.md "Protocol", "Storage").
 *
 * - A person gets their photos and videos back as they were (§4.1.4(1)), and the access control that keeps an
 *   account's records its own (§4.1.2, as ISO-001 reads it) keeps its files its own too.
 * - A file is served only through a record that names it, so it goes when that record is purged (§4.1.3(2); or
 *   with its data type, as DEL-005 deletes it) and every opening of it is in the account's access log (§4.1.5).
 * - The rest is ours: the file waits unseen until its record is stored, a record must state the very file it names
 *   (usage is counted by the size it states), that file cannot be swapped under it, and ranges are served exactly.
 */
import { requirement } from "../Requirement.js"

export const BlobRequirements = [
  requirement(
    "BLOB-001",
    "MUST",
    "§4.1.4(1)",
    "A file uploaded under an id is answered with its size and SHA-256, and once a record naming it with them is " +
      "stored it downloads byte for byte as it was uploaded.",
    { capabilities: ["blobs"] }
  ),
  requirement(
    "BLOB-002",
    "MUST",
    "ours",
    "An uploaded file is not served until a record naming it is stored: until then a download is refused with " +
      "blob-not-found.",
    { capabilities: ["blobs"] }
  ),
  requirement(
    "BLOB-003",
    "MUST",
    "ours",
    "A ranged download returns exactly the bytes asked, wherever the range starts and ends, and a range that " +
      "starts at or past the file's end is refused with blob-range-invalid.",
    { capabilities: ["blobs"] }
  ),
  requirement(
    "BLOB-004",
    "MUST",
    "ours",
    "A pushed record that states a size or SHA-256 other than that of the file uploaded under its id is rejected " +
      "with invalid-blob-ref and not stored; the other changes of the push are applied.",
    { capabilities: ["blobs"] }
  ),
  requirement(
    "BLOB-005",
    "MUST",
    "ours",
    "A file that a stored record names cannot be replaced: an upload under its id is refused with blob-in-use, and " +
      "the file downloads as before.",
    { capabilities: ["blobs"] }
  ),
  requirement(
    "BLOB-006",
    "MUST",
    "§4.1.2",
    "An account never gets another's file: a download of its id is refused with blob-not-found, even once that " +
      "account stores a record naming the same id.",
    { capabilities: ["blobs"] }
  ),
  requirement(
    "BLOB-007",
    "MUST",
    "§4.1.3(2)",
    "A file is served while the record naming it is active or in the trash, and no longer (blob-not-found) once " +
      "that record is purged, by hand or with its data type.",
    { capabilities: ["blobs"] }
  ),
  requirement(
    "BLOB-008",
    "MUST",
    "§4.1.5",
    "Every download of a file, whole or ranged, is in the account's access log as blob-download, naming the " +
      "record that names the file; a refused download is not logged.",
    { capabilities: ["blobs"] }
  )
] as const
