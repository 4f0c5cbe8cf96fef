/**
 * Custos as the server runs it: the core services, blobs, sign-in, password hashing and rate limiting, over the storage
 * and key ports the caller provides.
 */
import { layerBlobService } from "@custos/core/services/BlobService"
import { layerCoreServices } from "@custos/core/services/CoreServices"
import { ExportService } from "@custos/core/services/ExportService"
import { Layer } from "effect"
import { Auth } from "./auth/Auth.js"
import { PasswordHasher } from "./auth/PasswordHasher.js"
import { RateLimiter } from "./RateLimiter.js"

export const layerCustos = (
  options: { readonly hasher?: Layer.Layer<PasswordHasher>; readonly maxBlobBytes?: number | undefined } = {}
) =>
  Layer.merge(Auth.layer, ExportService.layer).pipe(
    Layer.provideMerge(layerBlobService({ maxBlobBytes: options.maxBlobBytes })),
    Layer.provideMerge(layerCoreServices),
    Layer.provideMerge(options.hasher ?? PasswordHasher.layer),
    Layer.provideMerge(RateLimiter.layer)
  )
