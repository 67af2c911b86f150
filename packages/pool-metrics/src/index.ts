/**
 * @since 0.1.0
 */

/**
 * Per-pool custom counters and the Effect `Metric` series of every pool.
 *
 * @since 0.1.0
 */
export * as Metrics from "./Metrics.js"

/**
 * Pool statistics with go-pkgz's derived figures and format.
 *
 * @since 0.1.0
 */
export * as Stats from "./Stats.js"
