/**
 * Workers and middleware: the functions a pool runs for each item.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"

/**
 * A worker processes one item. The pool runs it once per item, on one of its worker fibers. It
 * may return a result `B`, which `pool.execute(item)` hands back to its caller (and `submit`
 * ignores).
 *
 * @example
 * ```ts
 * import { Worker } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * class FetchError {
 *   readonly _tag = "FetchError"
 *   constructor(readonly url: string) {}
 * }
 *
 * // a worker of strings that may fail with FetchError and returns the page size
 * const fetchPage: Worker.Worker<string, FetchError, never, number> = (url) =>
 *   url.startsWith("https://") ? Effect.succeed(url.length) : Effect.fail(new FetchError(url))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Worker<in A, out E = never, out R = never, out B = void> {
  (item: A): Effect.Effect<B, E, R>
}

/**
 * Reusable middleware: wraps any worker of `A`, adding the errors `E` and requirements `R`.
 * Every built-in middleware has this type, so a pool's error type shows what its middleware add.
 * Middleware sees workers as returning `void`; at run time a worker's result passes through it to
 * `pool.execute`, so a middleware that wraps `next(item)` should return what `next(item)` returns
 * (use `Effect.tap` for steps after it; every built-in middleware does). Write your own by
 * annotation:
 *
 * @example
 * ```ts
 * import { Worker } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * const logged: Worker.Middleware = (next) => (item) =>
 *   Effect.log("processing", item).pipe(Effect.zipRight(next(item)))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Middleware<in A = unknown, out E = never, out R = never> {
  <A1 extends A, E1, R1>(next: Worker<A1, E1, R1>): Worker<A1, E | E1, R | R1>
}

/**
 * One-off middleware for one concrete worker (the go-pkgz shape): a function from a worker to a
 * worker. It may change the error and requirement types (`E2`, `R2`); typed exactly in the `pipe`
 * form, `pipe(worker, m3, m2, m1)`.
 *
 * @example
 * ```ts
 * import type { Worker } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * class Invalid {
 *   readonly _tag = "Invalid"
 * }
 *
 * // one-off middleware for workers of numbers: rejects negative items
 * const nonNegative: Worker.MiddlewareFn<number, never, never, Invalid> = (next) => (n) =>
 *   n < 0 ? Effect.fail(new Invalid()) : next(n)
 *
 * const worker = nonNegative((n: number) => Effect.log(n))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type MiddlewareFn<A, E = never, R = never, E2 = E, R2 = R> = (next: Worker<A, E, R>) => Worker<A, E2, R2>

/**
 * Builds a worker from a function; an identity helper that fixes the item type for inference.
 *
 * @example
 * ```ts
 * import { Worker } from "@fiberpool/pool"
 * import { Console } from "effect"
 *
 * const worker = Worker.make((url: string) => Console.log(`fetching ${url}`))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <A, E = never, R = never, B = void>(
  f: (item: A) => Effect.Effect<B, E, R>
): Worker<A, E, R, B> => f

/**
 * The index (`0 .. workers - 1`) of the worker fiber running the current item. Provided by the pool
 * to workers, middleware, `makeWorker`, `workerLayer` and `onWorkerComplete`.
 *
 * @example
 * ```ts
 * import { Worker } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * const worker = Worker.make((item: string) =>
 *   Effect.flatMap(Worker.WorkerId, (id) => Effect.log(`worker ${id} got ${item}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class WorkerId extends Context.Tag("@fiberpool/pool/WorkerId")<WorkerId, number>() {}
