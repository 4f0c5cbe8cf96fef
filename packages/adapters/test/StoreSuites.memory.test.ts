/**
 * The port suites written in this package (for ports conformance has no suite for yet) on the memory stores, the
 * reference every other adapter is held to.
 */
import { layerAccountKeyStoreMemory } from "@custos/adapters/memory/AccountKeyStoreMemory"
import { layerCredentialStoreMemory } from "@custos/adapters/memory/CredentialStoreMemory"
import { layerDeletedContentStoreMemory } from "@custos/adapters/memory/DeletedContentStoreMemory"
import { layerDeviceStoreMemory } from "@custos/adapters/memory/DeviceStoreMemory"
import { layerMembershipStoreMemory } from "@custos/adapters/memory/MembershipStoreMemory"
import { layerSessionStoreMemory } from "@custos/adapters/memory/SessionStoreMemory"
import { accountKeyStoreSuite } from "./AccountKeyStoreSuite.js"
import { credentialStoreSuite } from "./CredentialStoreSuite.js"
import { deletedContentStoreSuite } from "./DeletedContentStoreSuite.js"
import { deviceStoreSuite } from "./DeviceStoreSuite.js"
import { membershipStoreSuite } from "./MembershipStoreSuite.js"
import { sessionStoreSuite } from "./SessionStoreSuite.js"

membershipStoreSuite("memory", layerMembershipStoreMemory)
deviceStoreSuite("memory", layerDeviceStoreMemory)
accountKeyStoreSuite("memory", layerAccountKeyStoreMemory)
deletedContentStoreSuite("memory", layerDeletedContentStoreMemory)
credentialStoreSuite("memory", layerCredentialStoreMemory)
sessionStoreSuite("memory", layerSessionStoreMemory)
