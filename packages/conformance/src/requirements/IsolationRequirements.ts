/**
 * ISO-*, COPY-* and the promises the suite cannot check from outside (ORG-*).
 *
 * - ISO: the account identifier is the one plain field (§4.1.2, note 3), kept safe by access control; to a person,
 *   that means nothing of their account is ever visible to, or changed by, another account.
 * - COPY: §4.1.4(1), a person gets their data back by syncing it to a device.
 * - ORG: what rests on the operator's conduct or on what sits around a deployment, listed with the reason, so the
 *   catalogue shows every promise of §4.1.1 to §4.1.5 and none is silently taken as kept.
 */
import { requirement } from "../Requirement.js"

export const IsolationRequirements = [
  requirement(
    "ISO-001",
    "MUST",
    "§4.1.2",
    "An account never sees or changes another's data: pulls, trash, backups and deletions reach only the account's own records, even under the same record ids."
  )
] as const

export const CopyRequirements = [
  requirement(
    "COPY-001",
    "MUST",
    "§4.1.4(1)",
    "A person gets a copy of everything synced back: a pull from the start returns every active record of every app with its content as it was sent."
  ),
  requirement(
    "COPY-002",
    "SHOULD",
    "§4.1.4(1)",
    "Photos can be viewed and downloaded in a web portal.",
    {
      untestable:
        "a portal is a user interface, and the suite speaks only the protocol; the downloads a portal makes are BLOB-001 to BLOB-008, and the reference server's portal is checked by its own browser tests"
    }
  )
] as const

export const OrganisationalRequirements = [
  requirement(
    "ORG-001",
    "MUST",
    "§4.1.2",
    "Content travels only over HTTPS.",
    {
      untestable:
        "whether a deployment's traffic is encrypted depends on what stands in front of it; the suite sees only the URL it is given (the reference server refuses plain HTTP off loopback, checked by its own tests)"
    }
  ),
  requirement(
    "ORG-002",
    "MUST",
    "§4.1.2",
    "The plain account identifier is protected by strict access control and other technical and management measures.",
    { untestable: "staff access rules and operational measures are the operator's conduct, not observable behaviour" }
  ),
  requirement(
    "ORG-003",
    "MUST",
    "§4.1.1",
    "Stored data is not viewed or analysed by the operator outside the service.",
    {
      untestable:
        "reads through the service are logged and checked (ACCESS-001); reading the database or disks directly bypasses anything a suite can observe"
    }
  ),
  requirement(
    "ORG-004",
    "MUST",
    "§4.1.2",
    "Data is collected only for the service's own functionality.",
    { untestable: "purpose limitation is a policy of the operator; the suite can only check what is published (INV-001)" }
  ),
  requirement(
    "ORG-005",
    "MAY",
    "§4.1.3(1)",
    "A synced app may be retired, with its data handed over elsewhere.",
    { untestable: "a business decision announced by the operator, not a behaviour of the service" }
  )
] as const
