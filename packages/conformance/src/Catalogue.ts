/**
 * Every requirement a Custos target is tested against, in one list. `REQUIREMENTS.md` is generated from it.
 */
import type { Requirement } from "./Requirement.js"
import { AccessRequirements } from "./requirements/AccessRequirements.js"
import { BlobRequirements } from "./requirements/BlobRequirements.js"
import { EncryptionRequirements } from "./requirements/EncryptionRequirements.js"
import { InventoryRequirements } from "./requirements/InventoryRequirements.js"
import {
  CopyRequirements,
  IsolationRequirements,
  OrganisationalRequirements
} from "./requirements/IsolationRequirements.js"
import {
  DeletionRequirements,
  GalleryRequirements,
  MembershipRequirements,
  QuotaRequirements,
  RegionRequirements,
  RetentionRequirements,
  TrashRequirements
} from "./requirements/LifecycleRequirements.js"
import { SyncRequirements } from "./requirements/SyncRequirements.js"

const all = [
  ...InventoryRequirements,
  ...SyncRequirements,
  ...TrashRequirements,
  ...RetentionRequirements,
  ...MembershipRequirements,
  ...QuotaRequirements,
  ...RegionRequirements,
  ...DeletionRequirements,
  ...GalleryRequirements,
  ...EncryptionRequirements,
  ...AccessRequirements,
  ...BlobRequirements,
  ...IsolationRequirements,
  ...CopyRequirements,
  ...OrganisationalRequirements
] as const

export const Catalogue: ReadonlyArray<Requirement> = all

export type KnownRequirementId = (typeof all)[number]["id"]

export const requirementById = (id: string): Requirement => {
  const found = Catalogue.find((r) => r.id === id)
  if (found === undefined) throw new Error(`No requirement ${id} in the catalogue`)
  return found
}

const escape = (text: string) => text.replaceAll("|", "\\|")

/** The catalogue as a Markdown table, the content of `REQUIREMENTS.md`. */
export const renderCatalogue = (): string => {
  const lines = [
    "# Custos conformance requirements",
    "",
    "Generated from `packages/conformance/src/Catalogue.ts` by `pnpm requirements`; a test fails when it is stale.",
    "Sections refer to the source whitepaper, §4.1; `ours` marks a decision of the design that makes a promise checkable.",
    "",
    "| id | level | section | requirement | needs |",
    "|---|---|---|---|---|"
  ]
  for (const r of Catalogue) {
    const needs = r.untestable !== undefined ? `not testable: ${r.untestable}` : r.capabilities.join(", ")
    lines.push(`| ${r.id} | ${r.level} | ${r.section} | ${escape(r.statement)} | ${escape(needs)} |`)
  }
  return lines.join("\n") + "\n"
}
