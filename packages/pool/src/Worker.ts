/**
 * Workers and middleware: the functions a pool runs for each item.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as internalCall from "./internal/call.js"
import * as internal from "./internal/catchCause.js"

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
 * Reusable middleware: wraps any worker of `A`, adding the errors `E`, requirements `R` and results
 * `B` (default `never`: none). Every built-in middleware has this type, so a pool's error type
 * shows what its middleware add. It is generic in the wrapped worker's result `B1` and returns it,
 * or a `B` of its own: the pool's result, in `pool.execute` and `mapStream`, is the worker's or what
 * its middleware add, in both the `middleware` option and the `pipe` form. Use `Effect.tap` for
 * steps after `next(item)`.
 *
 * A middleware that recovers a failure with a value (log and skip: `Effect.void`, `undefined`)
 * names it as `B`: `Worker.Middleware<unknown, never, never, void>`, or
 * `Worker.catchCause<unknown, never, never, undefined>(…)`; a pool of numbers then types `execute`
 * as `number | undefined`. Without it, it does not compile (`Type 'Effect<void | B1, never, R1>'
 * is not assignable to type 'Effect<B1, E1, R1>'`): it would make a pool whose `execute` is typed
 * `number` return `undefined`. A {@link MiddlewareFn} keeps its `B` in and out: it can recover
 * with a `B` (a default value), not skip. Write your own by annotation:
 *
 * @example
 * ```ts
 * import { Worker } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * const logged: Worker.Middleware = (next) => (item) =>
 *   Effect.log("processing", item).pipe(Effect.zipRight(next(item)))
 *
 * // logs and skips a failing item: adds `void` to the pool's result
 * const skipping: Worker.Middleware<unknown, never, never, void> = (next) => (item) =>
 *   Effect.catchAll(next(item), (error) => Effect.logWarning("skipped", item, error))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Middleware<in A = unknown, out E = never, out R = never, out B = never> {
  <A1 extends A, E1, R1, B1>(next: Worker<A1, E1, R1, B1>): Worker<A1, E | E1, R | R1, B | B1>
}

/**
 * One-off middleware for one concrete worker (the go-pkgz shape): a function from a worker to a
 * worker. It may change the error and requirement types (`E2`, `R2`); typed exactly in the `pipe`
 * form, `pipe(worker, m3, m2, m1)`. `B` is the result type of the worker it wraps (default `void`),
 * which it returns: it can recover with a `B` (a default value), not with another result. In a
 * pool's `middleware` option, `B` is the pool's worker's result, or more when a middleware after it
 * adds one (`number | undefined` behind a skipping {@link catchCause}); one typed against `void`
 * results in a pool of numbers adds `void` to the pool's result. Its `next`'s errors `E` must
 * include those it gets there too (the worker's, and what the middleware after it add); its
 * requirements are not checked, and what it removes (errors, a service it provides) stays in the
 * pool's types: that is typed exactly only in the `pipe` form.
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
export type MiddlewareFn<A, E = never, R = never, E2 = E, R2 = R, B = void> = (
  next: Worker<A, E, R, B>
) => Worker<A, E2, R2, B>

/**
 * What {@link catchCause} runs when the worker it wraps fails: the failure's `cause` (failures,
 * defects and interruption alike), the `item`, and `again`, an effect that runs the wrapped worker
 * on the item once more. The effect it returns decides the item's outcome: `again` (or an effect
 * that ends with it) to try once more, `Effect.failCause(cause)` to pass the failure on unchanged,
 * another failure, or a value of the result type `B` it adds (log and skip). Generic in the wrapped
 * worker's errors `E1`, requirements `R1` and result `B1`, like {@link Middleware}: what it adds
 * (`E`, `R`, `B`) it names. A handler that recovers with a value it does not name does not
 * compile: `Type 'Effect<void, never, never>' is not assignable to type 'Effect<B1, E1, R1>' …
 * 'B1' could be instantiated with an arbitrary type which could be unrelated to 'void'`; write
 * `Worker.catchCause<unknown, never, never, void>(…)` (or `undefined`, or the value's type).
 *
 * @example
 * ```ts
 * import { Worker } from "@fiberpool/pool"
 * import { Cause, Effect } from "effect"
 *
 * // logs the items whose worker died; every failure passes on unchanged
 * const logDefects: Worker.CauseHandler = (cause, item) =>
 *   Cause.isDie(cause) && !Cause.isInterrupted(cause)
 *     ? Effect.logError(`item ${String(item)} died`, cause).pipe(Effect.zipRight(Effect.failCause(cause)))
 *     : Effect.failCause(cause)
 *
 * const middleware: Worker.Middleware = Worker.catchCause(logDefects)
 *
 * // logs and skips failing items (not interruption): adds `undefined` to the pool's result
 * const skip: Worker.CauseHandler<unknown, never, never, undefined> = (cause, item) =>
 *   Cause.isInterruptedOnly(cause)
 *     ? Effect.failCause(cause)
 *     : Effect.as(Effect.logWarning(`skipped ${String(item)}`, cause), undefined)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CauseHandler<in A = unknown, out E = never, out R = never, out B = never> {
  <A1 extends A, E1, R1, B1>(
    cause: Cause.Cause<E1>,
    item: A1,
    again: Effect.Effect<B1, E1, R1>
  ): Effect.Effect<B | B1, E | E1, R | R1>
}

/**
 * Middleware that acts only when the worker fails: `catchCause(handler)` wraps `next` as
 * `(item) => Effect.catchAllCause(next(item), (cause) => handler(cause, item, again))`.
 *
 * A pool runs the handlers of the middleware at the START of its `middleware` list that were made
 * this way (the built-in `retry` and `recover` are) from its own per-item failure path instead of
 * wrapping every item in them: an item that succeeds costs nothing for them. Their order and
 * behaviour are those of the list. Put them first to get this; anywhere else, and with the `span`
 * option, they run as ordinary middleware.
 *
 * The handler is generic in the worker's error and result, so TypeScript cannot infer what it adds:
 * a handler that adds errors, requirements or results names them as type arguments,
 * `Worker.catchCause<unknown, never, Audit>((cause, item) => …)`, and to log and skip failing items
 * `Worker.catchCause<unknown, never, never, undefined>(…)` (a pool of numbers then types `execute`
 * as `number | undefined`); without them it does not compile, also written inside a pool's
 * `middleware` list (where `item` is typed from the pool's items): `Type 'Effect<void, never,
 * never>' is not assignable to type 'Effect<B1, E1, R1>'` for a handler that recovers with
 * `Effect.void`.
 *
 * A `handler` that is not a function (from JavaScript) does not throw here: every item of the
 * wrapped worker dies with a `Cause.IllegalArgumentException` naming it, before the worker runs.
 *
 * @example
 * ```ts
 * import { Worker } from "@fiberpool/pool"
 * import { Cause, Effect } from "effect"
 *
 * // logs every failure of the worker it wraps, and passes it on
 * const logFailures: Worker.Middleware = Worker.catchCause((cause, item) =>
 *   Effect.logWarning(`item ${String(item)} failed`, cause).pipe(Effect.zipRight(Effect.failCause(cause)))
 * )
 *
 * // tries an item a second time when it fails (not when it dies or is interrupted)
 * const onceMore: Worker.Middleware = Worker.catchCause((cause, _item, again) =>
 *   Cause.isFailType(cause) ? again : Effect.failCause(cause)
 * )
 *
 * // logs and skips failing items: the pool's result gets `undefined`
 * const skipFailures = Worker.catchCause<unknown, never, never, undefined>((cause, item) =>
 *   Cause.isInterruptedOnly(cause)
 *     ? Effect.failCause(cause)
 *     : Effect.as(Effect.logWarning(`skipped ${String(item)}`, cause), undefined)
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const catchCause: <A = unknown, E = never, R = never, B = never>(
  handler: CauseHandler<A, E, R, B>
) => Middleware<A, E, R, B> = internal.catchCause

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
 * Calls `worker` with `item`, as an Effect whatever the worker does at call time: a throw becomes a
 * defect, and so does a result that is not an Effect (a Promise is given a rejection handler, so it
 * does not also become an unhandled rejection). For middleware, to call the worker they wrap as the
 * pool calls the outermost one. A `worker` that is not a function (from JavaScript) makes the effect
 * die with a `Cause.IllegalArgumentException` that says so.
 *
 * @example
 * ```ts
 * import { Worker } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * const logged: Worker.Middleware = (next) => (item) =>
 *   Effect.zipRight(Effect.log("item", item), Worker.call(next, item))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const call: {
  <A>(item: A): <E, R, B>(worker: Worker<A, E, R, B>) => Effect.Effect<B, E, R>
  <A, E, R, B>(worker: Worker<A, E, R, B>, item: A): Effect.Effect<B, E, R>
} = dual(2, internalCall.call)

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
