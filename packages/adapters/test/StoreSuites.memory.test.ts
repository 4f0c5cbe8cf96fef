/**
 * The port suites written in this package (for ports conformance has no suite for yet) on the memory stores, the
 * reference every other adapter is held to.
 */
import { layerAccountKeyStoreMemory } from "@custos/adapters/memory/AccountKeyStoreMemory"
import { layerDeviceStoreMemory } from "@custos/adapters/memory/DeviceStoreMemory"
import { layerMembershipStoreMemory } from "@custos/adapters/memory/MembershipStoreMemory"
import { accountKeyStoreSuite } from "./AccountKeyStoreSuite.js"
import { deviceStoreSuite } from "./DeviceStoreSuite.js"
import { membershipStoreSuite } from "./MembershipStoreSuite.js"

membershipStoreSuite("memory", layerMembershipStoreMemory)
deviceStoreSuite("memory", layerDeviceStoreMemory)
accountKeyStoreSuite("memory", layerAccountKeyStoreMemory)
