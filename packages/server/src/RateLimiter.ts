/**
 * A per-key token bucket in memory: each key (a network address, an account) may make `perMinute` requests a
 * minute, in bursts up to the same number. It is per process: several instances each allow as much.
 */
import { Context, Effect, Layer, Option } from "effect"

interface Bucket {
  tokens: number
  at: number
}

/** Buckets kept before full ones are dropped. */
const maxBuckets = 100_000

export class RateLimiter extends Context.Tag("@custos/server/RateLimiter")<RateLimiter, {
  /** Takes one token of `key`'s bucket; when it is empty, the seconds until one is back. */
  readonly take: (key: string, perMinute: number) => Effect.Effect<Option.Option<number>>
}>() {
  static readonly layer = Layer.sync(RateLimiter, () => {
    const buckets = new Map<string, Bucket>()
    const take = (key: string, perMinute: number) =>
      Effect.clockWith((clock) => clock.currentTimeMillis).pipe(Effect.map((now) => {
        const perMs = perMinute / 60_000
        const bucket = buckets.get(key) ?? { tokens: perMinute, at: now }
        bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.at) * perMs)
        bucket.at = now
        if (buckets.size >= maxBuckets && !buckets.has(key)) {
          for (const [k, b] of buckets) if (b.tokens + (now - b.at) * perMs >= perMinute) buckets.delete(k)
        }
        buckets.set(key, bucket)
        if (bucket.tokens >= 1) {
          bucket.tokens -= 1
          return Option.none()
        }
        return Option.some(Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)))
      }))
    return { take }
  })
}
