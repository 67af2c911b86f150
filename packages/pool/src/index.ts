/**
 * @since 0.1.0
 */

/**
 * Gathers the results of concurrent workers for a consumer to read.
 *
 * @since 0.1.0
 */
export * as Collector from "./Collector.js"

/**
 * A pool of worker fibers with batching, key routing, per-worker state and middleware.
 *
 * @since 0.1.0
 */
export * as FiberPool from "./FiberPool.js"

/**
 * Workers and middleware: the functions a pool runs for each item.
 *
 * @since 0.1.0
 */
export * as Worker from "./Worker.js"
