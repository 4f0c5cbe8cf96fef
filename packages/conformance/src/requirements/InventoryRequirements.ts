/**
 * INV-*: the data inventory of §4.1.2 and the apps of §4.1.3(1), as a target must publish and enforce them.
 */
import { requirement } from "../Requirement.js"

export const InventoryRequirements = [
  requirement(
    "INV-001",
    "MUST",
    "§4.1.2",
    "The inventory lists all 14 data types, each with category, identification, purpose, protection in transit and at rest, and retention."
  ),
  requirement(
    "INV-002",
    "MUST",
    "§4.1.2",
    "Every data type except the account identifier is protected at rest with AES; all travel over HTTPS."
  ),
  requirement(
    "INV-003",
    "MUST",
    "§4.1.3(1)",
    "Each of the 12 apps and settings maps to inventory data types, and every data type is held by an app, the account or the membership."
  ),
  requirement(
    "INV-004",
    "MUST",
    "§4.1.3(1)",
    "Each app accepts the details the whitepaper lists for it: SIM number and favourites for messages, direction, time and duration for calls, private notes and tasks, SSID and password for Wi-Fi, and so on."
  ),
  requirement(
    "INV-005",
    "MUST",
    "ours",
    "A payload that does not match its app's schema is rejected with a reason naming the field, and nothing of it is stored."
  ),
  requirement(
    "INV-006",
    "MUST",
    "§4.1.2",
    "Data is retained until the person deletes it: nothing an account stores disappears without a deletion, purge or retention rule of its own app.",
    { capabilities: ["clock-control"] }
  )
] as const
