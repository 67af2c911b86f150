/**
 * @since 0.1.0
 */

/**
 * Worker middleware: `retry`, `timeout`, `recover`, `validate`, `rateLimit`, and their errors
 * `ValidationError` and `WorkerDefect`.
 *
 * @since 0.1.0
 */
export * as Middleware from "./Middleware.js"
