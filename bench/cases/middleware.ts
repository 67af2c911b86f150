/**
 * The W4 middleware stacks, built from `@fiberpool/pool-middleware`, applied in the pool's order
 * (the first element is the outermost wrapper) and, for `Effect.forEach`, by hand in the same order.
 */
import type { Worker } from "@fiberpool/pool"
import { Middleware } from "@fiberpool/pool-middleware"
import type { MiddlewareKind } from "../registry.js"

/**
 * The stacks' elements, typed so that a pool reads what they add (its error type is `unknown`): a
 * list of middleware typed with `any` errors is rejected by the pool's `middleware` option.
 */
type AnyMiddleware = Worker.Middleware<number, unknown>

/**
 * A rate far above what one thread can reach: the limiter is on the path but never waits. It reads
 * the clock to a fraction of a microsecond, so an item would wait only if items started faster than
 * 10^9 per second, or more than 1,000 (the burst) at once: none of the W4 rows' 1,050,000 items
 * (N = 1,000,000 and the warm-up) waited. While it read `Date.now()`, which moves once per
 * millisecond, at most 1,000 went per millisecond, and thousands to tens of thousands queued.
 */
export const NON_BINDING_RATE = { rate: 1e9, burst: 1000 } as const

export const middlewareFor = (kind: MiddlewareKind): ReadonlyArray<AnyMiddleware> => {
  const rvr: Array<AnyMiddleware> = [
    Middleware.recover(),
    Middleware.retry({ attempts: 3, baseDelay: "10 millis", jitter: 0.2 }),
    Middleware.validate((i: number) => Number.isInteger(i) && i >= 0)
  ]
  switch (kind) {
    case "rvr":
      return rvr
    case "rvr-rl":
      return [Middleware.rateLimit(NON_BINDING_RATE), ...rvr]
    case "timeout":
      return [Middleware.timeout("1 minute")]
  }
}

/** `m1(m2(m3(worker)))` for `[m1, m2, m3]`, as the pool applies its `middleware` option. */
export const applyMiddleware = <A extends number>(
  middleware: ReadonlyArray<AnyMiddleware>,
  worker: Worker.Worker<A, any, never>
): Worker.Worker<A, unknown, never> => middleware.reduceRight<Worker.Worker<A, unknown, never>>((w, m) => m(w), worker)
