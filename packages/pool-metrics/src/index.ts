/**
 * Per-pool custom counters and the Effect `Metric` series of every pool.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   yield* Metrics.increment("pages")
 *   return yield* Metrics.snapshot // { pages: 1 }
 * }).pipe(Effect.provide(Metrics.layerTest))
 * ```
 *
 * @since 0.1.0
 * @category modules
 */
export * as Metrics from "./Metrics.js"

/**
 * Pool statistics with go-pkgz's derived figures and format.
 *
 * @example
 * ```ts
 * import { Stats } from "@fiberpool/pool-metrics"
 *
 * console.log(Stats.format(Stats.make({ processed: 3, totalTime: "1 second" })))
 * // [processed:3, rate:3.0/s, total:1s]
 * ```
 *
 * @since 0.1.0
 * @category modules
 */
export * as Stats from "./Stats.js"
