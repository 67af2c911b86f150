/**
 * A pool of worker fibers with batching, key routing, per-worker state and middleware.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * const program = FiberPool.run(["a", "b", "c"], {
 *   workers: 2,
 *   worker: (item: string) => Effect.log(item)
 * })
 * ```
 *
 * @since 0.1.0
 * @category modules
 */
export * as FiberPool from "./FiberPool.js"

/**
 * Gathers the results of concurrent workers for a consumer to read.
 *
 * @example
 * ```ts
 * import { Collector } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const results = yield* Collector.make<number>(16)
 *   yield* results.submit(42)
 *   yield* results.close
 *   return yield* results.all // [42]
 * }))
 * ```
 *
 * @since 0.1.0
 * @category modules
 */
export * as Collector from "./Collector.js"

/**
 * Workers and middleware: the functions a pool runs for each item.
 *
 * @example
 * ```ts
 * import { Worker } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * const worker = Worker.make((n: number) => Effect.log(n * 2))
 * ```
 *
 * @since 0.1.0
 * @category modules
 */
export * as Worker from "./Worker.js"
