/**
 * Writes REQUIREMENTS.md from the catalogue. Run with `pnpm requirements` after changing a requirement.
 */
import { writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { renderCatalogue } from "../src/Catalogue.js"

const target = fileURLToPath(new URL("../REQUIREMENTS.md", import.meta.url))
writeFileSync(target, renderCatalogue())
console.log(`Wrote ${target}`)
