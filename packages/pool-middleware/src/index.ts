/**
 * Worker middleware: `retry`, `timeout`, `recover`, `validate`, `rateLimit`, and their errors
 * `ValidationError` and `WorkerDefect`.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Middleware } from "@fiberpool/pool-middleware"
 * import { Effect } from "effect"
 *
 * const program = FiberPool.run([1, 2, 3], {
 *   workers: 2,
 *   worker: (n: number) => Effect.log(n),
 *   middleware: [Middleware.timeout("5 seconds"), Middleware.retry({ attempts: 3 })]
 * })
 * ```
 *
 * @since 0.1.0
 * @category modules
 */
export * as Middleware from "./Middleware.js"
