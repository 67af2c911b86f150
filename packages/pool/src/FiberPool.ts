/**
 * A pool of worker fibers: bounded queues with back-pressure, batching, key routing to the same
 * worker, per-worker state as `Layer`s, middleware, stats and Effect metrics.
 *
 * @since 0.1.0
 */
import type { Metrics, Stats } from "@fiberpool/pool-metrics"
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import { hasProperty } from "effect/Predicate"
import type * as Record from "effect/Record"
import * as Schedule from "effect/Schedule"
import * as Scheduler from "effect/Scheduler"
import type * as Scope from "effect/Scope"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import * as errors from "./internal/errors.js"
import * as internal from "./internal/pool.js"
import { show } from "./internal/show.js"
import type * as Worker from "./Worker.js"

/**
 * The error of `submit`, `send` and `submitAll` once the pool no longer accepts items: `reason`
 * is `"closed"` after `end`/`close`, `"failed"` after a fail-fast stop, `"interrupted"` after the
 * pool's scope closed (or, in a keyed pool or with no worker left, a worker fiber was interrupted
 * from outside the pool). With `gracefulShutdown`, a scope close first ends input as `end` does, so
 * the reason is `"closed"` until the grace period runs out. `submitAll` sets `accepted`: how many
 * items of that call were accepted. With `"failed"`, `failure` names the failure that `wait` and
 * `close` report (the item's error, or the defect) in a few words, and so does the message: a
 * program whose `submitAll` fails before it reaches `close` still shows what went wrong.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const pool = yield* FiberPool.make({ workers: 1, worker: (n: number) => Effect.log(n) })
 *   yield* pool.close
 *   return yield* pool.submit(1).pipe(
 *     Effect.as("accepted"),
 *     Effect.catchTag("PoolClosedError", (e) => Effect.succeed(`rejected: ${e.reason}`)) // "rejected: closed"
 *   )
 * }))
 *
 * const error = new FiberPool.PoolClosedError({ pool: "emails", reason: "failed" })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const PoolClosedError: new(args: {
  readonly pool: string
  readonly reason: "closed" | "failed" | "interrupted"
  readonly accepted?: number | undefined
  readonly failure?: string | undefined
}) => PoolClosedError = errors.PoolClosedError

/**
 * The type of {@link PoolClosedError}: a tagged error with `pool` (the pool's name), `reason` and,
 * from `submitAll`, `accepted`.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * const describe = (e: FiberPool.PoolClosedError): string =>
 *   e.accepted === undefined ? `${e.pool}: ${e.reason}` : `${e.pool}: ${e.reason} after ${e.accepted} item(s)`
 *
 * const submitOrReport = (pool: FiberPool.FiberPool<string>, item: string) =>
 *   pool.submit(item).pipe(Effect.catchTag("PoolClosedError", (e) => Effect.log(describe(e))))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export interface PoolClosedError extends Cause.YieldableError {
  readonly _tag: "PoolClosedError"
  /** The pool's name. */
  readonly pool: string
  /** Why the pool no longer accepts items. */
  readonly reason: "closed" | "failed" | "interrupted"
  /** From `submitAll`: how many items of that call were accepted. */
  readonly accepted?: number | undefined
  /**
   * With reason `"failed"`: the failure `wait` and `close` report (the item's error, or the defect),
   * in a few words (its tag or name and message, first line, at most 200 characters).
   */
  readonly failure?: string | undefined
}

/**
 * A running pool: a plain object of readonly fields.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * // a function that feeds any pool of strings and reports how far it got
 * const feed = <E>(pool: FiberPool.FiberPool<string, E>, lines: ReadonlyArray<string>) =>
 *   Effect.gen(function*() {
 *     yield* pool.submitAll(lines)
 *     yield* pool.close
 *     const stats = yield* pool.stats
 *     return stats.processed
 *   })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FiberPool<in A, out E = never, out B = void> {
  /** The pool's name (the `pool` label of its Effect metrics). */
  readonly name: string
  /**
   * Hands `item` to the pool. Suspends while the target queue is full (back-pressure); fails with
   * `PoolClosedError` once the pool no longer accepts items. Safe from any number of fibers.
   */
  readonly submit: (item: A) => Effect.Effect<void, PoolClosedError>
  /** Alias of `submit`, kept for go-pkgz users (feeding a pool from another pool's workers). */
  readonly send: (item: A) => Effect.Effect<void, PoolClosedError>
  /**
   * Submits every item in order, cheaper than one by one. Stops at the first rejected item and
   * fails with a `PoolClosedError` whose `accepted` counts the items of this call that were accepted.
   * A call that stops reading before the end (rejected, interrupted, a throwing `keyBy`) closes the
   * iterator, as `for…of` does: a generator's `finally` runs. On a pool that closed while the call
   * waited for room, the next element is read to tell whether any was left (a call whose every
   * item was accepted succeeds).
   */
  readonly submitAll: (items: Iterable<A>) => Effect.Effect<void, PoolClosedError>
  /**
   * Load shedding: hands `item` over if its queue has room and returns `true`; returns `false`
   * without suspending when the queue is full. To retry a refusal, wait (`Effect.sleep`) or use
   * `submit`, which waits for room: a retry loop with `Effect.yieldNow()` lets no time pass. (A
   * worker feeding its own pool keeps what it refuses instead: only the workers make room.)
   */
  readonly trySubmit: (item: A) => Effect.Effect<boolean, PoolClosedError>
  /**
   * Submits `item` and waits for that item's own outcome: the worker's result, its failure `E`, its
   * defect, or `PoolClosedError` if the pool dropped it (a stop, a scope close). An item that
   * interrupts itself interrupts the caller, as `Fiber.join` would. Interrupting the caller after
   * the item was accepted does not cancel the item. In fail-fast mode its failure also stops the pool.
   * Calls that arrive together while workers idle are shared among them. For request/response with
   * slow items under load, use `batchSize: 1`: the queues then hold items rather than batches of
   * them, so a call waits behind fewer. (Without `keyBy`, a worker that has timed its items at more
   * than half a millisecond takes them one at a time from a queue that holds less than a batch per
   * worker, whatever `batchSize` is.)
   */
  readonly execute: (item: A) => Effect.Effect<B, E | PoolClosedError>
  /**
   * Ends input: later submits, and submits suspended on a full queue now, fail with
   * `PoolClosedError`; partial batches are flushed and the workers drain. Does not wait.
   */
  readonly end: Effect.Effect<void>
  /**
   * Waits for the pool's outcome without ending input: success, or exactly one cause — the first in
   * time of an item failure `E`, a defect, a callback failure, or interruption.
   */
  readonly wait: Effect.Effect<void, E>
  /**
   * Workers finish the item they are running and wait; `submit` keeps its back-pressure. Time
   * spent paused is reported as `pausedTime`, apart from wait time. `close` on a paused pool waits
   * for `resume` (closing the pool's scope does not).
   */
  readonly pause: Effect.Effect<void>
  /** Lets paused workers go on. */
  readonly resume: Effect.Effect<void>
  /** `end`, then `wait`. Idempotent. Do not call it from the pool's own workers: use `end`. */
  readonly close: Effect.Effect<void, E>
  /** Statistics: live while running, final once the pool has ended. */
  readonly stats: Effect.Effect<Stats.Stats>
  /** The custom counters of `Metrics.increment` / `Metrics.add`, also after the end. */
  readonly metrics: Effect.Effect<Record.ReadonlyRecord<string, number>>
}

/**
 * Any middleware: the reusable {@link Worker.Middleware} or a one-off {@link Worker.MiddlewareFn},
 * of any item type. A type to test values against, not one for a list given to a pool: the
 * `middleware` option does not take a list typed `ReadonlyArray<FiberPool.AnyMiddleware>` (it
 * could not read what its middleware add, nor check their item types: such a list lost its errors,
 * a `close` typed `never` could fail); nor does it take elements whose requirements are typed
 * `any` (elements whose errors are typed `any` make the pool's error `unknown`). Keep a list apart with `as const`, which keeps each element's type, or type its
 * elements with what they add (`Array<Worker.Middleware<A, TimeoutException, R>>`, for a list
 * built imperatively); {@link MiddlewareFor} is what the option checks each element against.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Middleware } from "@fiberpool/pool-middleware"
 * import { Effect } from "effect"
 *
 * // a list kept apart: the pool's error type gets TimeoutException
 * const middleware = [Middleware.timeout("1 second"), Middleware.retry()] as const
 *
 * const pool = FiberPool.make({ workers: 2, worker: (url: string) => Effect.log(url), middleware })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type AnyMiddleware =
  | Worker.Middleware<any, any, any>
  | ((next: never) => Worker.Worker<any, any, any>)

/**
 * An element of a `middleware` list for a pool of items `A` and results `B` (in `makeBatched`, of
 * batches, results `void`), whose middleware add at most the errors `E` (default `unknown`: the
 * pool's error type is then `unknown`) and the requirements `R` (default none): a reusable
 * {@link Worker.Middleware} that takes `A` (`Worker.Middleware<unknown>`, or one of `A` itself), or
 * a one-off {@link Worker.MiddlewareFn} whose `next` is a worker of `A` returning `B` and failing
 * with any error (the list's type does not know the worker's errors: a one-off that reads them, as
 * `MiddlewareFn<A, Oops>`, goes in a list kept with `as const`, where the pool checks it). The type of a
 * list kept apart (`ReadonlyArray<FiberPool.MiddlewareFor<string>>`); name `E` and `R` to keep
 * them in the pool's types (`FiberPool.MiddlewareFor<string, void, TimeoutException, Db>`), or keep
 * the list's own element types with `as const`. `Added` is the result its middleware may add
 * (default none): `FiberPool.MiddlewareFor<string, number, TimeoutException, never, undefined>`
 * holds a skip middleware, `Worker.catchCause<unknown, never, never, undefined>`, and the pool's
 * result is then `number | undefined`; its one-offs' `next` must then take `B | Added` (the list's
 * order is not known).
 *
 * The `middleware` option itself checks each element against the pool's items (a middleware of
 * another item type does not compile, as in the `pipe` form; in `makeBatched`, a one-off's `next` is
 * checked against the batch type the worker declares; the parameters of a handler written
 * inline in the list, `Middleware.validate((item) => …)`, `Worker.catchCause((cause, item) => …)`,
 * are typed from the pool's items), checks a one-off's `next` against the errors and results it gets
 * (the worker's, and what the elements after it add), and reads what each adds: errors,
 * requirements and results ({@link PoolResult}).
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Middleware } from "@fiberpool/pool-middleware"
 * import type { Cause } from "effect"
 * import { Effect } from "effect"
 *
 * const pool = FiberPool.make({
 *   workers: 2,
 *   worker: (url: string) => Effect.log(url),
 *   // `url` is a string here; `Middleware.validate((n: number) => n > 0)` would not compile
 *   middleware: [Middleware.validate((url) => url.startsWith("https://"))]
 * })
 *
 * // a list kept apart for pools of strings: the pool's error type gets TimeoutException
 * const list: ReadonlyArray<FiberPool.MiddlewareFor<string, void, Cause.TimeoutException>> = [
 *   Middleware.timeout("1 second"),
 *   Middleware.retry()
 * ]
 * const listed = FiberPool.make({ workers: 2, worker: (url: string) => Effect.log(url), middleware: list })
 * ```
 *
 * @since 0.2.0
 * @category type-level
 */
export type MiddlewareFor<A, B = void, E = unknown, R = never, Added = never> =
  | Worker.Middleware<A, E, R, Added>
  | ((next: Worker.Worker<A, unknown, never, B | Added>) => Worker.Worker<A, E, R, B | Added>)

/**
 * What the `middleware` option accepts: {@link MiddlewareFor} whose elements may add any errors,
 * requirements and results, which the pool then reads from each element's own type. The first
 * member, `Worker.Middleware<A, never, never>`, types the parameters of handlers written in the
 * list; it must stay at `B = never`: a `void` there would let TypeScript compare a middleware of
 * another item type structurally, and accept it.
 */
type MiddlewareOption<A, B, AN = A> =
  | Worker.Middleware<A, never, never>
  | ((next: Worker.Worker<AN, never, never, B>) => Worker.Worker<A, unknown, unknown, unknown>)

/**
 * The result type of a pool: the worker's `B` and what its middleware add (a middleware that
 * recovers a failure with a value of its own, as `Effect.catchAll` widens an effect's success type).
 *
 * @example
 * ```ts
 * import { FiberPool, Worker } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * // logs a failing item and skips it: the pool's result gets `undefined`
 * const skip = Worker.catchCause<unknown, never, never, undefined>((cause, item) =>
 *   Effect.as(Effect.logWarning(`skipped ${String(item)}`, cause), undefined)
 * )
 *
 * // number | undefined
 * type Result = FiberPool.PoolResult<number, typeof skip>
 * ```
 *
 * @since 0.2.0
 * @category type-level
 */
export type PoolResult<B, M> = [M] extends [never] ? B : M extends unknown ? B | AddedResult<M, B> : never
/**
 * What one middleware adds to a worker's results `B`. A generic function that passes the result
 * through adds nothing; a `Worker.Middleware<A, E, R, B2>` adds `B2`; another function adds what the
 * worker it returns, given a worker of `B`, returns (`void` for one typed against `void` results:
 * it may have replaced the result; `unknown` for a generic function whose result cannot be read).
 * A result typed `any` adds `unknown`; an element typed `any` as a whole adds nothing.
 */
type AddedResult<M, B> = IsAny<M> extends true ? never
  // a result typed `any` could be anything: `unknown`, not nothing (it also matches the next test)
  : IsAny<ResultRead<M>> extends true ? unknown
  : M extends <A1, E1, R1, B1>(next: Worker.Worker<A1, E1, R1, B1>) => Worker.Worker<A1, any, any, B1> ? never
  : M extends Worker.Middleware<any, any, any, infer B2> ? unknown extends B2 ? ReturnedResult<M, B> : B2
  : ReturnedResult<M, B>
type ResultRead<M> = M extends Worker.Middleware<any, any, any, infer B2> ? B2
  : M extends (next: any) => Worker.Worker<any, any, any, infer B2> ? B2
  : never
type ReturnedResult<M, B> = M extends
  (next: Worker.Worker<any, never, never, B>) => Worker.Worker<any, any, any, infer B2> ? B2
  : M extends (next: any) => Worker.Worker<any, any, any, infer B2> ? B2
  : never
/**
 * Rejects a one-off middleware whose `next` does not take what it gets: the worker's results and
 * errors, and those the middleware inside it (later in the list) add. Typed with the worker's result
 * while a middleware inside it adds one, it would get values its type does not say; typed with
 * fewer errors than it gets (`MiddlewareFn<A, Oops>` around a worker that fails with another
 * error, or around `timeout`), it would handle them as errors they are not. The list is read from
 * its last (innermost) element; a list that is not a tuple is checked against every element.
 */
type NextChecked<M, B, E> = undefined extends M ? unknown : NextMessage<Unchecked<M, B, E>>
/**
 * The message is a property of an object, not a string: a list with a spread, `[...fns, skip]`,
 * was compared element by element with `element & string`, and the message did not show.
 */
type NextMessage<U> = [U] extends [never] ? unknown
  : [Extract<U, "result">] extends [never] ? {
      readonly middleware: {
        readonly "a one-off middleware's next does not take the errors it gets (the worker's, and what the middleware after it add): type it MiddlewareFn<A, E | Added, …>":
          true
      }
    }
  : {
    readonly middleware: {
      readonly "a one-off middleware's next does not take the result that a middleware after it adds: type it MiddlewareFn<A, E, R, E2, R2, B | Added>":
        true
    }
  }
/**
 * A tuple is read from its last element, or from its first while it ends with a spread
 * (`[skip, ...fns]`: the spread elements are inside `skip`); a spread that comes last, or an array,
 * has every element checked against what they all add.
 */
type Unchecked<L, B, E> = L extends readonly [] ? never
  : L extends readonly [infer First, ...infer Rest]
    ? number extends L["length"]
      ? NextRejects<First, PoolResult<B, Listed<Rest>>, E | AddedError<Listed<Rest>>> | Unchecked<Rest, B, E>
    : L extends readonly [...infer Init, infer Last]
      ? NextRejects<Last, B, E> | Unchecked<Init, PoolResult<B, Last>, E | AddedError<Last>>
    : never
  : L extends readonly [...infer Init, infer Last]
    ? NextRejects<Last, B, E> | Unchecked<Init, PoolResult<B, Last>, E | AddedError<Last>>
  : L extends ReadonlyArray<infer X> ? NextRejects<X, PoolResult<B, X>, E | AddedError<X>>
  : never
type AddedError<M> = IsAny<M> extends true ? never : MiddlewareError<M>
/** `"result"` or `"error"` if `M` is a function whose `next` does not take a worker of results `B`, errors `E`. */
type NextRejects<M, B, E> = IsAny<M> extends true ? never
  : M extends unknown ?
    M extends (next: Worker.Worker<any, never, never, B>) => any
      ? M extends (next: Worker.Worker<any, E, never, B>) => any ? never : "error"
    : "result"
  : never

type IsAny<T> = 0 extends 1 & T ? true : false
/**
 * For what middleware and callbacks require: `any` and `unknown` (what an uninferred type parameter,
 * or an untyped one-off middleware, gives) count as nothing.
 */
type OrNever<T> = IsAny<T> extends true ? never : unknown extends T ? never : T
/**
 * For errors of middleware, start-up, callbacks and input: `any` (what an uninferred type parameter
 * can pick up from its context) counts as nothing; `unknown` is a real error type
 * (`Effect.tryPromise` with `catch: (e) => e`) and stays: dropped, a `close` typed `never` could fail.
 */
type ErrorOf<T> = IsAny<T> extends true ? never : T
/**
 * The elements of a `middleware` option, as a union. Left out, the option's `M` is inferred as its
 * constraint, which includes `undefined` for this test (no list a caller passes has `undefined` in
 * its type: `M | undefined` takes that part): no middleware. A default for `M` would do, were it
 * not that TypeScript then fixes `M` to it before reading a list whose elements are generic calls.
 */
type Listed<M> = undefined extends M ? never : M extends ReadonlyArray<infer X> ? X : never

/**
 * The errors a middleware adds (for a {@link Worker.MiddlewareFn}: the errors of the worker it
 * returns). Errors typed `any` give `unknown`.
 *
 * @example
 * ```ts
 * import type { FiberPool } from "@fiberpool/pool"
 * import type { Middleware } from "@fiberpool/pool-middleware"
 *
 * // Cause.TimeoutException
 * type Added = FiberPool.MiddlewareError<ReturnType<typeof Middleware.timeout>>
 * ```
 *
 * @since 0.1.0
 * @category type-level
 */
export type MiddlewareError<M> = M extends Worker.Middleware<any, infer E, any, any> ? AddsError<M, E>
  : M extends (next: any) => Worker.Worker<any, infer E, any> ? AddsError<M, E>
  : never
/**
 * A middleware's errors typed `any` (a list typed `ReadonlyArray<Worker.Middleware<any, any, any>>`)
 * could be anything: `unknown`, not nothing (a `close` typed `never` could fail). Not a rejection,
 * which could not be decided for a generic helper's own `E` (`<E>(m: Worker.Middleware<unknown, E>)
 * => FiberPool.run(…, { middleware: [m] })`): TypeScript defers an `any` test of a type parameter.
 */
type AddsError<M, E> = IsAny<E> extends true ? unknown
  // a generic function that passes the worker's errors through as they are (tracing, logging) adds
  // none (its `E` is inferred `unknown`), also one not generic in the result (typed against `void`
  // results: its result may be `void`, see `AddedResult`, but it can fail only with the errors it
  // gets); a middleware whose errors are `any` matches these tests too
  : M extends <A1, E1, R1, B1>(next: Worker.Worker<A1, E1, R1, B1>) => Worker.Worker<A1, E1, R1, B1> ? never
  : M extends <A1, E1, R1>(next: Worker.Worker<A1, E1, R1>) => Worker.Worker<A1, E1, R1> ? never
  : E

/**
 * The requirements a middleware adds. A middleware whose requirements read as `unknown` (a bare
 * generic function that adds one) gives `never` here; the pool's constructors reject it instead of
 * dropping what it requires.
 *
 * @example
 * ```ts
 * import type { FiberPool, Worker } from "@fiberpool/pool"
 * import { Context, Effect } from "effect"
 *
 * class Audit extends Context.Tag("Audit")<Audit, { readonly record: (item: unknown) => Effect.Effect<void> }>() {}
 *
 * const audited: Worker.Middleware<unknown, never, Audit> = (next) => (item) =>
 *   Effect.zipRight(Effect.flatMap(Audit, (audit) => audit.record(item)), next(item))
 *
 * // Audit
 * type Needs = FiberPool.MiddlewareContext<typeof audited>
 * ```
 *
 * @since 0.1.0
 * @category type-level
 */
export type MiddlewareContext<M> = M extends Worker.Middleware<any, any, infer R, any> ? OrNever<R>
  : M extends (next: any) => Worker.Worker<any, any, infer R> ? OrNever<R>
  : never

/**
 * The requirements a middleware's type gives, before `OrNever`. A plain function of `any` workers
 * reads as `unknown` against the generic `Worker.Middleware`: its own return type then says `any`.
 */
type ContextOf<M> = M extends Worker.Middleware<any, any, infer R, any> ? unknown extends R ? ReturnedContext<M> : R
  : ReturnedContext<M>
type ReturnedContext<M> = M extends (next: any) => Worker.Worker<any, any, infer R> ? R : never
/**
 * The middleware whose requirements cannot be read: a generic function `<A, E, R>(next: Worker<A,
 * E, R>) => Worker<A, E, R | Db>` infers its `R` as `unknown`, which `MiddlewareContext` counts as
 * nothing (so does an untyped one-off middleware). One that, given a worker requiring nothing,
 * returns a worker requiring nothing (a pass-through: tracing, logging) adds nothing indeed: the
 * test instantiates a generic function, which `infer` cannot. `any` is left to `TypedNotAny`.
 */
type UnreadableContext<M> = IsAny<M> extends true ? never
  : M extends unknown ? unknown extends ContextOf<M> ? IsAny<ContextOf<M>> extends true ? never
      : M extends (next: Worker.Worker<any, any, never>) => Worker.Worker<any, any, never> ? never
      : M
    : never
  : never
/**
 * Rejects, at compile time, a middleware whose requirements the pool cannot read (they would be
 * dropped from `make`'s requirements, and the program would compile and fail with "Service not
 * found").
 */
type ReadableContext<M> = [UnreadableContext<M>] extends [never] ? unknown : {
  readonly middleware:
    "cannot read what a middleware requires (its requirements read as unknown, as a generic function's do): annotate it as Worker.Middleware<A, E, R>"
}

/**
 * The middleware whose requirements are typed `any`: a list typed
 * `ReadonlyArray<Worker.Middleware<any, any, any>>`, a function of `any` workers. `any` counted as
 * nothing in the pool's requirements, so `run` required nothing and failed with "Service not
 * found". (Errors typed `any` make the pool's error `unknown`: see `MiddlewareError`.) An element
 * typed `any` as a whole is not tested.
 */
type AnyTyped<M> = IsAny<M> extends true ? never
  : M extends unknown ? IsAny<ContextOf<M>> extends true ? M : never
  : never
/** Rejects, at compile time, a middleware whose requirements are typed `any`. */
type TypedNotAny<M> = [AnyTyped<M>] extends [never] ? unknown : {
  readonly middleware:
    "a middleware's requirements are any: type the list's elements, e.g. Array<Worker.Middleware<A, TimeoutException | ValidationError, R>>, or use as const"
}

/**
 * What the pool provides to workers, middleware, `makeWorker` and `onWorkerComplete`.
 *
 * @example
 * ```ts
 * import type { FiberPool } from "@fiberpool/pool"
 *
 * // without a workerLayer: Worker.WorkerId | Metrics.PoolMetrics, usable by every worker unprovided
 * type Services = FiberPool.Provided<never>
 * ```
 *
 * @since 0.1.0
 * @category type-level
 */
export type Provided<LO> = Worker.WorkerId | Metrics.PoolMetrics | LO

/**
 * Rejects, at compile time, a worker or middleware that requires `Scope`, with a message at the
 * option `Field` that names it (`"worker"`, `"makeWorker"`, `"middleware"`).
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * // a worker that needs a Scope is rejected at compile time; scope each item instead
 * const pool = FiberPool.make({
 *   workers: 2,
 *   worker: (path: string) => Effect.scoped(Effect.acquireRelease(Effect.succeed(path), () => Effect.void))
 * })
 * ```
 *
 * @since 0.1.0
 * @category type-level
 */
export type NoScope<R, Field extends string = "worker"> = Scope.Scope extends R ? {
    readonly [K in Field]: K extends "middleware"
      ? "a middleware must not require Scope: use Effect.scoped per item, or workerLayer per worker"
      : K extends "makeWorker"
        ? "the worker makeWorker returns must not require Scope: use Effect.scoped per item (makeWorker itself may: it runs in its worker fiber's scope)"
      : "a worker must not require Scope: use Effect.scoped per item, or workerLayer / makeWorker per worker"
  }
  : unknown

/**
 * Options shared by {@link make} and {@link makeStateful}.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * const program = FiberPool.run(["alice:1", "bob:1", "alice:2"], {
 *   workers: 4,
 *   batchSize: 1,
 *   workerQueueSize: 2,
 *   keyBy: (event: string) => event.split(":")[0]!, // alice's events stay in order on one worker
 *   continueOnError: true,
 *   name: "events",
 *   onPoolComplete: Effect.log("all events handled"),
 *   worker: (event: string) => Effect.log(event)
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CommonOptions<A, M, LO, LE, LR, EW, RW, EP, RP> {
  /** Number of worker fibers, an integer ≥ 1. */
  readonly workers: number
  /** Items handed to a worker in one queue operation; 0 or 1 = no batching. Default 10. */
  readonly batchSize?: number | undefined
  /** Queue capacity in batches, per worker. Default 1. */
  readonly workerQueueSize?: number | undefined
  /** Routes equal keys to the same worker, in submission order (FNV-1a-32 of the key mod workers). */
  readonly keyBy?: ((item: A) => string) | undefined
  /** A failing item does not stop the pool. Default false (fail fast). */
  readonly continueOnError?: boolean | undefined
  /** Built once per worker fiber, in that fiber's scope; its services are provided to the worker. */
  readonly workerLayer?: Layer.Layer<LO, LE, LR> | undefined
  /**
   * Middleware; the FIRST element is the OUTERMOST wrapper. Applied once per pool. Each element
   * must take the pool's items (in `makeBatched`, its batches): see {@link MiddlewareFor}.
   */
  readonly middleware?: M | undefined
  /** Runs in each worker fiber when its input ended through `end`/`close` and the pool did not stop. */
  readonly onWorkerComplete?: ((id: number) => Effect.Effect<void, EW, RW>) | undefined
  /** Runs once after every worker ended (also after a fail-fast stop), before `wait` returns. */
  readonly onPoolComplete?: Effect.Effect<void, EP, RP> | undefined
  /** The `pool` label of the Effect metrics; keep it low-cardinality. Default `"fiberpool"`. */
  readonly name?: string | undefined
  /** Publish Effect `Metric` series. Default true. */
  readonly metrics?: boolean | undefined
  /**
   * When the pool's scope closes: end input and let the workers drain for up to this long, then
   * interrupt; what is left is dropped and counted. Default: interrupt at once. A drain that ends
   * in time ends the pool as `close` does (`onPoolComplete` runs, `wait` reports success or the
   * first failure).
   */
  readonly gracefulShutdown?: Duration.DurationInput | undefined
  /**
   * Run each item in a span (named by the string, or `"fiberpool <name>"`), child of the submitter's
   * span (a root span when the submitter had none), with attributes `fiberpool.pool`,
   * `fiberpool.worker` and `fiberpool.key`. A batched call (`makeBatched`) runs in one root span
   * linked to its items' submitters' spans, with `fiberpool.items` for its size. Default off.
   */
  readonly span?: boolean | string | undefined
}

/**
 * Options of {@link make}: one worker shared by every worker fiber.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * // FiberPool.make, .run and .layer with one worker shared by every worker fiber
 * const program = FiberPool.run([1, 2, 3], {
 *   workers: 2,
 *   worker: (n: number) => Effect.log(n * n)
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedOptions<A, E, R, M, LO, LE, LR, EW, RW, EP, RP, B = void>
  extends CommonOptions<A, M, LO, LE, LR, EW, RW, EP, RP>
{
  readonly worker: Worker.Worker<A, E, R, B>
}

/**
 * Options of {@link makeStateful}: each worker fiber makes its own worker, in its own scope.
 *
 * @example
 * ```ts
 * import { FiberPool, Worker } from "@fiberpool/pool"
 * import { Effect, Ref } from "effect"
 *
 * // each worker fiber counts what it saw in its own Ref
 * const program = FiberPool.run(["a", "b", "c"], {
 *   workers: 2,
 *   makeWorker: (id: number) =>
 *     Effect.map(Ref.make(0), (seen) =>
 *       Worker.make((item: string) =>
 *         Effect.flatMap(Ref.updateAndGet(seen, (n) => n + 1), (n) => Effect.log(`worker ${id}: ${item} (#${n})`))
 *       ))
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface StatefulOptions<A, E, R, EI, RI, M, LO, LE, LR, EW, RW, EP, RP, B = void>
  extends CommonOptions<A, M, LO, LE, LR, EW, RW, EP, RP>
{
  readonly makeWorker: (id: number) => Effect.Effect<Worker.Worker<A, E, R, B>, EI, RI>
}

/**
 * The requirements left to the caller of `make`.
 *
 * @example
 * ```ts
 * import type { FiberPool } from "@fiberpool/pool"
 * import { Context } from "effect"
 *
 * class Database extends Context.Tag("Database")<Database, { readonly query: (sql: string) => unknown }>() {}
 *
 * // a worker that needs Database, no middleware, no workerLayer: the caller provides Database
 * type Left = FiberPool.Requirements<Database, never, never, never, never, never> // Database
 * ```
 *
 * @since 0.1.0
 * @category type-level
 */
export type Requirements<R, M, LO, LR, RW, RP> =
  | Exclude<R | MiddlewareContext<M>, Provided<LO>>
  // `onWorkerComplete` runs in the worker fiber's own scope
  | Exclude<OrNever<RW>, Scope.Scope | Provided<LO>>
  | Exclude<OrNever<LR>, Worker.WorkerId | Metrics.PoolMetrics>
  | OrNever<RP>

/**
 * The error type of a pool: the worker's errors, what its middleware add, and the errors of its
 * completion callbacks.
 *
 * @example
 * ```ts
 * import type { FiberPool } from "@fiberpool/pool"
 * import type { Middleware } from "@fiberpool/pool-middleware"
 *
 * class NotFound {
 *   readonly _tag = "NotFound"
 * }
 *
 * // NotFound | Cause.TimeoutException
 * type Errors = FiberPool.PoolError<NotFound, ReturnType<typeof Middleware.timeout>, never, never>
 * ```
 *
 * @since 0.1.0
 * @category type-level
 */
export type PoolError<E, M, EW, EP> = E | MiddlewareError<M> | ErrorOf<EW> | ErrorOf<EP>

/**
 * Starts a pool whose worker fibers share one worker. Returns once every worker fiber is ready
 * (its `workerLayer` built), or fails with the first start-up error after releasing what was built.
 * The pool lives in the current `Scope`: closing it interrupts the workers and drops what is left.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Console, Effect } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const pool = yield* FiberPool.make({
 *     workers: 2,
 *     worker: (n: number) => Console.log(`processing ${n}`)
 *   })
 *   yield* pool.submitAll([1, 2, 3])
 *   yield* pool.close
 *   return yield* pool.stats
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <
  A,
  const M extends ReadonlyArray<MiddlewareOption<NoInfer<A>, NoInfer<B>>> | undefined,
  E = never,
  R = never,
  LO = never,
  LE = never,
  LR = never,
  EW = never,
  RW = never,
  EP = never,
  RP = never,
  B = void
>(
  options:
    & SharedOptions<A, E, R, M, LO, LE, LR, EW, RW, EP, RP, B>
    & NoScope<R>
    & NoScope<MiddlewareContext<Listed<M>>, "middleware">
    & ReadableContext<Listed<M>>
    & TypedNotAny<Listed<M>>
    & NextChecked<M, B, E>
) => Effect.Effect<
  FiberPool<A, PoolError<E, Listed<M>, EW, EP>, PoolResult<B, Listed<M>>>,
  ErrorOf<LE>,
  Scope.Scope | Requirements<R, Listed<M>, LO, LR, RW, RP>
> = (options: any) => internal.make("FiberPool.make", options, false)

/**
 * Starts a pool in which every worker fiber makes its own worker with `makeWorker(id)`, in that
 * fiber's scope (after its `workerLayer`): per-worker state and resources. Start-up time is
 * recorded as `initTime`.
 *
 * @example
 * ```ts
 * import { FiberPool, Worker } from "@fiberpool/pool"
 * import { Effect, Ref } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const pool = yield* FiberPool.makeStateful({
 *     workers: 4,
 *     makeWorker: (id) =>
 *       Effect.map(Ref.make(0), (count) =>
 *         Worker.make((word: string) => Ref.update(count, (n) => n + word.length))
 *       )
 *   })
 *   yield* pool.submitAll(["a", "bb", "ccc"])
 *   yield* pool.close
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeStateful: <
  A,
  const M extends ReadonlyArray<MiddlewareOption<NoInfer<A>, NoInfer<B>>> | undefined,
  E = never,
  R = never,
  EI = never,
  RI = never,
  LO = never,
  LE = never,
  LR = never,
  EW = never,
  RW = never,
  EP = never,
  RP = never,
  B = void
>(
  options:
    & StatefulOptions<A, E, R, EI, RI, M, LO, LE, LR, EW, RW, EP, RP, B>
    & NoScope<R, "makeWorker">
    & NoScope<MiddlewareContext<Listed<M>>, "middleware">
    & ReadableContext<Listed<M>>
    & TypedNotAny<Listed<M>>
    & NextChecked<M, B, E>
) => NoInfer<
  Effect.Effect<
    FiberPool<A, PoolError<E, Listed<M>, EW, EP>, PoolResult<B, Listed<M>>>,
    ErrorOf<LE> | ErrorOf<EI>,
    | Scope.Scope
    | Requirements<R, Listed<M>, LO, LR, RW, RP>
    | Exclude<OrNever<RI>, Scope.Scope | Provided<LO>>
  >
> = (options: any) => internal.make("FiberPool.makeStateful", options, true)

const isStream = (u: unknown): u is Stream.Stream<any, any, any> => hasProperty(u, Stream.StreamTypeId)
const isIterable = (u: unknown): u is Iterable<any> =>
  typeof u === "string" || (typeof u === "object" && u !== null && Symbol.iterator in u)

/** The feed's own marker for "the pool rejected a submit": not an error of the stream's. */
const rejected: unique symbol = Symbol("FiberPool/rejected")

/**
 * Submits every item of `items` to `pool` until the items end or the pool does. A submit the pool
 * rejects (it stopped) ends the feed without an error: `close` reports why. So does the pool's end
 * while a stream waits for its next element (a slow source is not waited for). The stream's own
 * failures go on, also a `PoolClosedError` of another pool.
 */
const feedPool = (
  pool: FiberPool<any, any>,
  items: Iterable<any> | Stream.Stream<any, any, any>
): Effect.Effect<void, any, any> => {
  if (!isStream(items)) {
    // `submitAll` fails only when this pool rejects an item
    return Effect.catchTag(pool.submitAll(items), "PoolClosedError", () => Effect.void)
  }
  const feed = Stream.runForEachChunk(items, (chunk) => Effect.mapError(pool.submitAll(chunk), () => rejected)).pipe(
    Effect.catchIf((error): error is typeof rejected => error === rejected, () => Effect.void)
  )
  // raced once, not per pull as `Stream.interruptWhen` would (it forks a fiber for every pull: ~50 µs
  // per element of a stream of one-element chunks)
  return Effect.raceFirst(feed, Effect.asVoid(Effect.exit(pool.wait)))
}

/**
 * Makes a pool, submits every item of an `Iterable` or a `Stream`, closes the pool and returns its
 * final statistics. Needs no `Scope`. Fails like `close`; a failing stream fails `run` with the
 * stream's error after stopping the pool (with `gracefulShutdown`, after the items already accepted
 * drained, for up to that long). A pool that stops (fail-fast) ends `run` at once, also
 * while the stream waits for its next element (the stream is interrupted).
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Stats } from "@fiberpool/pool-metrics"
 * import { Console, Effect } from "effect"
 *
 * const program = FiberPool.run([1, 2, 3], {
 *   workers: 2,
 *   worker: (n: number) => Console.log(n)
 * }).pipe(Effect.tap((stats) => Console.log(Stats.format(stats))))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const run: {
  <
    A,
    const M extends ReadonlyArray<MiddlewareOption<NoInfer<A>, NoInfer<B>>> | undefined,
    E = never,
    R = never,
    LO = never,
    LE = never,
    LR = never,
    EW = never,
    RW = never,
    EP = never,
    RP = never,
    B = void,
    ES = never,
    RS = never
  >(
    items: Iterable<A> | Stream.Stream<A, ES, RS>,
    options:
      & SharedOptions<A, E, R, M, LO, LE, LR, EW, RW, EP, RP, B>
      & NoScope<R>
      & NoScope<MiddlewareContext<Listed<M>>, "middleware">
      & ReadableContext<Listed<M>>
      & TypedNotAny<Listed<M>>
      & NextChecked<M, B, E>
  ): Effect.Effect<
    Stats.Stats,
    PoolError<E, Listed<M>, EW, EP> | ErrorOf<LE> | ErrorOf<ES>,
    Requirements<R, Listed<M>, LO, LR, RW, RP> | OrNever<RS>
  >
  <
    A,
    const M extends ReadonlyArray<MiddlewareOption<NoInfer<A>, NoInfer<B>>> | undefined,
    E = never,
    R = never,
    EI = never,
    RI = never,
    LO = never,
    LE = never,
    LR = never,
    EW = never,
    RW = never,
    EP = never,
    RP = never,
    B = void,
    ES = never,
    RS = never
  >(
    items: Iterable<A> | Stream.Stream<A, ES, RS>,
    options:
      & StatefulOptions<A, E, R, EI, RI, M, LO, LE, LR, EW, RW, EP, RP, B>
      & NoScope<R, "makeWorker">
      & NoScope<MiddlewareContext<Listed<M>>, "middleware">
      & ReadableContext<Listed<M>>
      & TypedNotAny<Listed<M>>
      & NextChecked<M, B, E>
  ): Effect.Effect<
    Stats.Stats,
    PoolError<E, Listed<M>, EW, EP> | ErrorOf<LE> | ErrorOf<EI> | ErrorOf<ES>,
    Requirements<R, Listed<M>, LO, LR, RW, RP> | Exclude<OrNever<RI>, Scope.Scope | Provided<LO>> | OrNever<RS>
  >
  <
    A,
    const M extends ReadonlyArray<MiddlewareOption<NoInfer<A>, NoInfer<B>>> | undefined,
    E = never,
    R = never,
    LO = never,
    LE = never,
    LR = never,
    EW = never,
    RW = never,
    EP = never,
    RP = never,
    B = void
  >(
    options:
      & SharedOptions<A, E, R, M, LO, LE, LR, EW, RW, EP, RP, B>
      & NoScope<R>
      & NoScope<MiddlewareContext<Listed<M>>, "middleware">
      & ReadableContext<Listed<M>>
      & TypedNotAny<Listed<M>>
      & NextChecked<M, B, E>
  ): <ES = never, RS = never>(items: Iterable<A> | Stream.Stream<A, ES, RS>) => Effect.Effect<
    Stats.Stats,
    PoolError<E, Listed<M>, EW, EP> | ErrorOf<LE> | ErrorOf<ES>,
    Requirements<R, Listed<M>, LO, LR, RW, RP> | OrNever<RS>
  >
  <
    A,
    const M extends ReadonlyArray<MiddlewareOption<NoInfer<A>, NoInfer<B>>> | undefined,
    E = never,
    R = never,
    EI = never,
    RI = never,
    LO = never,
    LE = never,
    LR = never,
    EW = never,
    RW = never,
    EP = never,
    RP = never,
    B = void
  >(
    options:
      & StatefulOptions<A, E, R, EI, RI, M, LO, LE, LR, EW, RW, EP, RP, B>
      & NoScope<R, "makeWorker">
      & NoScope<MiddlewareContext<Listed<M>>, "middleware">
      & ReadableContext<Listed<M>>
      & TypedNotAny<Listed<M>>
      & NextChecked<M, B, E>
  ): <ES = never, RS = never>(items: Iterable<A> | Stream.Stream<A, ES, RS>) => Effect.Effect<
    Stats.Stats,
    PoolError<E, Listed<M>, EW, EP> | ErrorOf<LE> | ErrorOf<EI> | ErrorOf<ES>,
    Requirements<R, Listed<M>, LO, LR, RW, RP> | Exclude<OrNever<RI>, Scope.Scope | Provided<LO>> | OrNever<RS>
  >
} = dual(
  // data-first also when the options were left out (from JavaScript): the call then fails with a
  // message that names them, instead of returning the data-last function
  (args) => args.length >= 2 || isStream(args[0]) || isIterable(args[0]),
  (items: Iterable<any> | Stream.Stream<any, any, any>, options: any): Effect.Effect<any, any, any> =>
    !isStream(items) && !isIterable(items)
      ? Effect.die(
        new Cause.IllegalArgumentException(
          `FiberPool.run: items must be an Iterable or a Stream, got ${items === null ? "null" : typeof items}${
            isAsyncIterable(items) ? " (an AsyncIterable: wrap it with Stream.fromAsyncIterable)" : ""
          }`
        )
      )
      : Effect.scoped(
        Effect.gen(function*() {
          const pool: FiberPool<any, any> = yield* internal.make(
            "FiberPool.run",
            options,
            "either",
            // `run` closes the pool itself: its scope closes early when its input failed (it fails
            // with that), or when it is interrupted
            { dropsOnEarlyClose: "unlessInterrupted", reportsOutcome: true }
          )
          yield* feedPool(pool, items)
          yield* pool.close
          return yield* pool.stats
        })
      )
) as any

/**
 * A `Layer` whose service is a pool made with `options` (shared worker, or `makeWorker` for a
 * stateful one); the pool lives as long as the layer. `Layer.scoped(Tag, FiberPool.make(options))`
 * is the same. A `tag` that is not a `Context.Tag` (from JavaScript), like invalid options, makes
 * the layer die when it is built, with a `Cause.IllegalArgumentException` naming it. The Tag's pool
 * type must be the one the options make, with what the middleware add: its errors, and its results
 * (`FiberPool<string, E, number | undefined>` for a worker returning a `number` with a middleware
 * that skips failing items, `Worker.catchCause<unknown, never, never, undefined>`).
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Context, Effect } from "effect"
 *
 * class Emails extends Context.Tag("Emails")<Emails, FiberPool.FiberPool<string>>() {}
 *
 * const EmailsLive = FiberPool.layer(Emails, {
 *   workers: 4,
 *   worker: (to: string) => Effect.log(`sending to ${to}`)
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: {
  <
    I,
    A,
    const M extends ReadonlyArray<MiddlewareOption<NoInfer<A>, NoInfer<B>>> | undefined,
    E = never,
    R = never,
    LO = never,
    LE = never,
    LR = never,
    EW = never,
    RW = never,
    EP = never,
    RP = never,
    B = void
  >(
    tag: Context.Tag<I, FiberPool<A, PoolError<E, Listed<M>, EW, EP>, PoolResult<B, Listed<M>>>>,
    options:
      & SharedOptions<A, E, R, M, LO, LE, LR, EW, RW, EP, RP, B>
      & NoScope<R>
      & NoScope<MiddlewareContext<Listed<M>>, "middleware">
      & ReadableContext<Listed<M>>
      & TypedNotAny<Listed<M>>
      & NextChecked<M, B, E>
  ): Layer.Layer<I, ErrorOf<LE>, Requirements<R, Listed<M>, LO, LR, RW, RP>>
  <
    I,
    A,
    const M extends ReadonlyArray<MiddlewareOption<NoInfer<A>, NoInfer<B>>> | undefined,
    E = never,
    R = never,
    EI = never,
    RI = never,
    LO = never,
    LE = never,
    LR = never,
    EW = never,
    RW = never,
    EP = never,
    RP = never,
    B = void
  >(
    tag: Context.Tag<I, FiberPool<A, PoolError<E, Listed<M>, EW, EP>, PoolResult<B, Listed<M>>>>,
    options:
      & StatefulOptions<A, E, R, EI, RI, M, LO, LE, LR, EW, RW, EP, RP, B>
      & NoScope<R, "makeWorker">
      & NoScope<MiddlewareContext<Listed<M>>, "middleware">
      & ReadableContext<Listed<M>>
      & TypedNotAny<Listed<M>>
      & NextChecked<M, B, E>
  ): Layer.Layer<
    I,
    ErrorOf<LE> | ErrorOf<EI>,
    Requirements<R, Listed<M>, LO, LR, RW, RP> | Exclude<OrNever<RI>, Scope.Scope | Provided<LO>>
  >
} = ((tag: Context.Tag<any, any>, options: any): Layer.Layer<any, any, any> =>
  Context.isTag(tag)
    // the options are read each time the layer is built, once (`make`)
    ? Layer.scoped(tag, internal.make("FiberPool.layer", options, "either"))
    // from JavaScript: not a "Not a valid effect" from deep inside Layer when it is built
    : Layer.die(
      new Cause.IllegalArgumentException(`FiberPool.layer: the tag must be a Context.Tag, got ${show(tag)}`)
    )) as any

/**
 * Options of {@link makeBatched}: the worker receives a whole batch at once.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const pool = yield* FiberPool.makeBatched({
 *     workers: 2,
 *     batchSize: 50,
 *     worker: (rows: ReadonlyArray<number>) => Effect.log(`INSERT ${rows.length} rows`)
 *   })
 *   yield* pool.submitAll(Array.from({ length: 120 }, (_, i) => i))
 *   yield* pool.close
 * }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchedOptions<A, E, R, M, LO, LE, LR, EW, RW, EP, RP, W = unknown>
  extends CommonOptions<A, M, LO, LE, LR, EW, RW, EP, RP>
{
  /**
   * Takes each batch. `W` is the batch type the worker declares (`ReadonlyArray<A>`, or
   * `NonEmptyReadonlyArray<A>`): `makeBatched` reads the item type `A` from it, and checks a
   * one-off middleware's `next` against it.
   */
  readonly worker: Worker.Worker<Batch<A, W>, E, R>
}

/**
 * The batch type a batch worker declares, `W`, inferred from the worker alone; an unannotated
 * worker (`W` left `unknown`) gets non-empty batches of `A`, read from `keyBy` (TypeScript infers
 * `W` from both branches).
 */
type Batch<A, W> = unknown extends W ? NonEmptyReadonlyArray<A> : W
/**
 * The item type of the batch type `W` a batch worker declares (`ReadonlyArray<A>`,
 * `NonEmptyReadonlyArray<A>`; an unannotated worker gets `NonEmptyReadonlyArray<A>`, `A` read from
 * `keyBy`). Read from the worker alone: an intersection with the batch type, as before, was not
 * inferred from `Worker.make(…)` or a `Worker.Worker` variable.
 */
type BatchItem<W> = W extends ReadonlyArray<infer A> ? A : never
/**
 * The batch type the `middleware` elements are checked against, which also types the handlers
 * written in the list: `ReadonlyArray<unknown>` while TypeScript has not read the worker's batch
 * type yet (it reads `W` as `never` there when the worker is a generic call, `Worker.make(…)`):
 * `Middleware.validate((rows) => rows.length > 0)` then takes any batch.
 */
type ListBatch<W, A> = [W] extends [never] ? ReadonlyArray<unknown>
  // an unannotated worker (`W` left `unknown`): its batches, of `keyBy`'s items
  : unknown extends W ? NonEmptyReadonlyArray<A>
  : NonEmptyReadonlyArray<BatchItem<W>>
/**
 * For an unannotated batch worker (`W` left `unknown`, its batches typed from `keyBy`), the
 * `middleware` elements are checked here against those batches, `NonEmptyReadonlyArray<A>`: the
 * option's own check reads `W` alone (one that reads `A` as well lost `W` for a worker made by a
 * generic call, `Worker.make(…)`).
 */
type UnannotatedBatches<M, A, W> = unknown extends W
  ? [Exclude<Listed<M>, MiddlewareOption<NonEmptyReadonlyArray<A>, void>>] extends [never] ? unknown : {
    readonly middleware:
      "a middleware does not take this worker's batches: annotate the batch worker's parameter, (rows: ReadonlyArray<A>) => …"
  }
  : unknown
/**
 * Rejects a batch worker that does not take every non-empty batch of its items (a tuple type,
 * `readonly [string, string]`, would get batches of one), or whose items are not those `keyBy`
 * takes. Read against `Readonly<W>`: a worker may type its parameter as a mutable array
 * (`Array<Row>`, as database clients take); it gets an array of its own.
 */
type TakesBatches<A, W> = NonEmptyReadonlyArray<BatchItem<W>> extends Readonly<W> ? BatchItem<W> extends A ? unknown : {
    readonly keyBy: "keyBy takes another item type than the batch worker"
  }
  : {
    readonly worker:
      "a batch worker takes every non-empty batch: type its parameter ReadonlyArray<A> or NonEmptyReadonlyArray<A>"
  }

/**
 * Starts a pool whose worker receives each batch (up to `batchSize` items, in submission order) in
 * one call: bulk inserts, batched requests. Accounting stays per item: a batch that succeeds counts
 * each of its items as processed, one that fails counts each as an error. Middleware wraps the
 * batch worker. `execute` resolves each item with the outcome of its batch: its failure, or
 * `undefined` on success. What the batch worker returns is not split among the items (a worker
 * returning rows still type-checks, as any function does where `void` is expected): for a result
 * per item, carry a `Deferred` in each item and complete it from the worker.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Console, Effect } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const pool = yield* FiberPool.makeBatched({
 *     workers: 2,
 *     batchSize: 100,
 *     worker: (rows: ReadonlyArray<string>) => Console.log(`INSERT ${rows.length} rows`)
 *   })
 *   yield* pool.submitAll(["a", "b", "c"])
 *   yield* pool.close
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeBatched: <
  A,
  const M extends
    | ReadonlyArray<MiddlewareOption<NoInfer<ListBatch<W, A>>, void, NoInfer<W>>>
    | undefined,
  E = never,
  R = never,
  LO = never,
  LE = never,
  LR = never,
  EW = never,
  RW = never,
  EP = never,
  RP = never,
  W = unknown
>(
  options:
    & BatchedOptions<A & BatchItem<Batch<A, W>>, E, R, M, LO, LE, LR, EW, RW, EP, RP, W>
    & TakesBatches<A, Batch<A, W>>
    & UnannotatedBatches<NoInfer<M>, NoInfer<A>, NoInfer<W>>
    & NoScope<R>
    & NoScope<MiddlewareContext<Listed<M>>, "middleware">
    & ReadableContext<Listed<M>>
    & TypedNotAny<Listed<M>>
    & NextChecked<M, void, E>
) => Effect.Effect<
  FiberPool<BatchItem<Batch<A, W>>, PoolError<E, Listed<M>, EW, EP>>,
  ErrorOf<LE>,
  Scope.Scope | Requirements<R, Listed<M>, LO, LR, RW, RP>
> = (options: any) => internal.make("FiberPool.makeBatched", options, false, { batched: true }) as any

/**
 * A `Sink` that submits each chunk of a stream to `pool`, with back-pressure. It does not end or
 * close the pool: several streams may feed one pool.
 *
 * If the pool stops (a fail-fast failure, its scope closing), the sink fails with the
 * `PoolClosedError` of its rejected submit, not with the pool's failure, which `pool.wait` and
 * `pool.close` report; and a stream waiting for its next element goes on waiting. To feed one
 * stream to a pool of its own and get the pool's failure, use {@link run}, which does both.
 *
 * From JavaScript, a `pool` that is not a pool (no `submitAll` function) makes the sink die with a
 * `Cause.IllegalArgumentException` that says so.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Effect, Stream } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const pool = yield* FiberPool.make({ workers: 4, worker: (n: number) => Effect.log(n) })
 *   yield* Stream.range(1, 100).pipe(Stream.run(FiberPool.sink(pool)))
 *   yield* pool.close
 * }))
 * ```
 *
 * @since 0.1.0
 * @category streams
 */
export const sink = <A, E, B>(pool: FiberPool<A, E, B>): Sink.Sink<void, A, never, PoolClosedError> =>
  Sink.suspend(() =>
    hasMember(pool, "submitAll", isFunction)
      ? Sink.forEachChunk((chunk) => pool.submitAll(chunk))
      // from JavaScript: not a TypeError from deep inside Stream
      : Sink.die(notAPool("FiberPool.sink", pool, "a submitAll function"))
  )

/**
 * The pool's statistics sampled on `schedule`, then once more when the pool has ended (unless the
 * last sample already showed the ended pool's final stats); the stream ends with the pool.
 *
 * From JavaScript, a `pool` that is not a pool (no `stats` and `wait` effects) or a `schedule` that
 * is not a `Schedule` (also one left out: `progress(pool)`) makes the stream die with a
 * `Cause.IllegalArgumentException` naming it.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Stats } from "@fiberpool/pool-metrics"
 * import { Effect, Schedule, Stream } from "effect"
 *
 * const showProgress = <A, E>(pool: FiberPool.FiberPool<A, E>) =>
 *   FiberPool.progress(pool, Schedule.spaced("1 second")).pipe(
 *     Stream.runForEach((stats) => Effect.log(Stats.format(stats)))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category streams
 */
export const progress: {
  <R>(
    schedule: Schedule.Schedule<unknown, Stats.Stats, R>
  ): <A, E, B>(pool: FiberPool<A, E, B>) => Stream.Stream<Stats.Stats, never, R>
  <A, E, B, R>(
    pool: FiberPool<A, E, B>,
    schedule: Schedule.Schedule<unknown, Stats.Stats, R>
  ): Stream.Stream<Stats.Stats, never, R>
} = dual(
  // data-first also when the schedule was left out (from JavaScript): the stream then dies with a
  // message that names it, instead of the call returning the data-last function
  (args) => args.length >= 2 || hasMember(args[0], "stats", Effect.isEffect),
  <A, E, B, R>(
    pool: FiberPool<A, E, B>,
    schedule: Schedule.Schedule<unknown, Stats.Stats, R>
  ): Stream.Stream<Stats.Stats, never, R> =>
    Stream.suspend(() => {
      if (!hasMember(pool, "stats", Effect.isEffect) || !hasMember(pool, "wait", Effect.isEffect)) {
        // from JavaScript: not a TypeError from deep inside Stream
        return Stream.die(notAPool("FiberPool.progress", pool, "the effects stats and wait"))
      }
      if (!isSchedule(schedule)) {
        // from JavaScript: not a TypeError from deep inside Stream
        return Stream.die(
          new Cause.IllegalArgumentException(
            `FiberPool.progress: the schedule must be a Schedule, got ${schedule === null ? "null" : typeof schedule}`
          )
        )
      }
      let last: Stats.Stats | undefined
      // each sample yields to the event loop first (a timer, not only a hop through Effect's
      // scheduler, which hands each sample between fibers without ever reaching its own fallback to
      // a timer): under a schedule without delay (`Schedule.forever`, `spaced(0)`, `recurs(n)`) the
      // samples would otherwise come in one loop that starves the process's timers and I/O, and so
      // a worker that waits on either (the process froze, and the stream never ended)
      const sample = Effect.zipRight(Effect.withScheduler(Effect.yieldNow(), Scheduler.timer(0)), pool.stats)
      return Stream.concat(
        Stream.repeatEffectWithSchedule(sample, schedule).pipe(
          // the pool's end, not a read of its outcome (`wait`): a failure that this stream does not
          // show is still logged as the pool's scope closes if nothing else read it
          Stream.interruptWhen(internal.ended(pool)),
          // the last sample emitted, not the last taken: the pool's end can cut one off after it
          Stream.tap((stats) => Effect.sync(() => last = stats))
        ),
        // the last sample once the pool has ended, also after a finite schedule ended first; not a
        // second time when the schedule's last sample already showed the ended pool (an ended pool's
        // stats no longer change)
        Stream.fromEffect(Effect.zipRight(internal.ended(pool), pool.stats)).pipe(
          Stream.filter((stats) => last === undefined || !sameStats(last, stats))
        )
      )
    })
)

const isFunction = (u: unknown): boolean => typeof u === "function"

/**
 * Whether `u` is an object whose member `key` passes `test`: how `progress` and `sink` recognise
 * a pool, by the members they use (a fake of one, in a test, is one too). Never throws: a member
 * whose reading throws (a Proxy's trap, a getter) fails the test.
 */
const hasMember = (u: unknown, key: string, test: (member: unknown) => boolean): boolean => {
  if ((typeof u !== "object" && typeof u !== "function") || u === null) return false
  try {
    return test((u as Record<string, unknown>)[key])
  } catch {
    return false
  }
}

/** The defect for a pool argument that is not a pool; `uses`: the members it lacks. */
const notAPool = (api: string, pool: unknown, uses: string): Cause.IllegalArgumentException =>
  new Cause.IllegalArgumentException(
    `${api}: the pool must be a FiberPool, got ${
      typeof pool === "object" && pool !== null
        ? `an object without ${uses}`
        : typeof pool === "function"
        ? `a function without ${uses}`
        : show(pool)
    }`
  )

const isAsyncIterable = (u: unknown): boolean => typeof u === "object" && u !== null && Symbol.asyncIterator in u

/** `Schedule.isSchedule` without its narrowing (which would widen the schedule's requirements). */
const isSchedule = (u: unknown): boolean => Schedule.isSchedule(u)

const durationFields = ["processingTime", "waitTime", "initTime", "wrapTime", "pausedTime", "totalTime"] as const

/** The same counts and timings (what the derived fields are computed from). */
const sameStats = (a: Stats.Stats, b: Stats.Stats): boolean =>
  a.submitted === b.submitted && a.processed === b.processed && a.errors === b.errors &&
  a.dropped === b.dropped && durationFields.every((field) => Duration.equals(a[field], b[field]))

/**
 * Processes a stream through a pool and returns the stream of the workers' results. Results of
 * items with the same key (`keyBy`) come in submission order; across keys, and without `keyBy`,
 * they come in completion order. The output stream fails like `close` (the first failure, in
 * fail-fast mode, also while the input waits for its next element), or with the input stream's
 * error; ending the output early interrupts the pool (with `gracefulShutdown`, the pool first
 * drains what it had accepted, for up to the grace period, and those results are discarded).
 *
 * From JavaScript, an input that is neither a Stream nor an Iterable, and options that are invalid
 * or left out (`mapStream(stream)`), make the output stream die with a
 * `Cause.IllegalArgumentException` naming them.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Effect, Stream } from "effect"
 *
 * const lengths = Stream.make("a", "bb", "ccc").pipe(
 *   FiberPool.mapStream({ workers: 2, worker: (s: string) => Effect.succeed(s.length) })
 * )
 * ```
 *
 * @since 0.1.0
 * @category streams
 */
export const mapStream: {
  <
    A,
    const M extends ReadonlyArray<MiddlewareOption<NoInfer<A>, NoInfer<B>>> | undefined,
    E = never,
    R = never,
    LO = never,
    LE = never,
    LR = never,
    EW = never,
    RW = never,
    EP = never,
    RP = never,
    B = void
  >(
    options:
      & SharedOptions<A, E, R, M, LO, LE, LR, EW, RW, EP, RP, B>
      & NoScope<R>
      & NoScope<MiddlewareContext<Listed<M>>, "middleware">
      & ReadableContext<Listed<M>>
      & TypedNotAny<Listed<M>>
      & NextChecked<M, B, E>
  ): <ES, RS>(self: Stream.Stream<A, ES, RS>) => Stream.Stream<
    PoolResult<B, Listed<M>>,
    PoolError<E, Listed<M>, EW, EP> | ErrorOf<LE> | ES,
    Requirements<R, Listed<M>, LO, LR, RW, RP> | RS
  >
  <
    A,
    ES,
    RS,
    const M extends ReadonlyArray<MiddlewareOption<NoInfer<A>, NoInfer<B>>> | undefined,
    E = never,
    R = never,
    LO = never,
    LE = never,
    LR = never,
    EW = never,
    RW = never,
    EP = never,
    RP = never,
    B = void
  >(
    self: Stream.Stream<A, ES, RS>,
    options:
      & SharedOptions<A, E, R, M, LO, LE, LR, EW, RW, EP, RP, B>
      & NoScope<R>
      & NoScope<MiddlewareContext<Listed<M>>, "middleware">
      & ReadableContext<Listed<M>>
      & TypedNotAny<Listed<M>>
      & NextChecked<M, B, E>
  ): Stream.Stream<
    PoolResult<B, Listed<M>>,
    PoolError<E, Listed<M>, EW, EP> | ErrorOf<LE> | ES,
    Requirements<R, Listed<M>, LO, LR, RW, RP> | RS
  >
} = dual(
  // data-first also when the options were left out (from JavaScript): the stream then dies with a
  // message that names them, instead of the call returning the data-last function
  (args) => args.length >= 2 || isStream(args[0]),
  (self: Stream.Stream<any, any, any>, options: any): Stream.Stream<any, any, any> =>
    Stream.unwrapScoped(Effect.gen(function*() {
      if (!isStream(self) && !isIterable(self)) {
        // from JavaScript: not a message of `submitAll`'s, which the stream is fed through
        return yield* Effect.die(
          new Cause.IllegalArgumentException(`FiberPool.mapStream: the stream must be a Stream, got ${show(self)}`)
        )
      }
      // read once: the buffer is sized from the options the pool is made with
      options = internal.snapshot(options)
      const workers = typeof options?.workers === "number" && options.workers > 0 ? options.workers : 1
      // room for two rounds of what the workers take at once, and at least two batches of 10 per
      // worker: with batchSize 0 or 1, a buffer of 2 per worker cost 30-55% of the throughput of
      // cheap items (a hand-off to the reader every few results), and a reader that feeds the
      // pool's own input (a crawl) stood still where it had finished (measured)
      const batch = typeof options?.batchSize === "number" && options.batchSize > 10 ? options.batchSize : 10
      const results = yield* Mailbox.make<any, any>(Math.min(workers * batch * 2, 4096))
      const pool: FiberPool<any, any> = yield* internal.make(
        "FiberPool.mapStream",
        options,
        false,
        {
          onResult: (value: unknown) => Effect.asVoid(results.offer(value)),
          dropsOnEarlyClose: "always",
          reportsOutcome: true
        }
      )
      // when the output ends early, the results buffer shuts down before the pool's scope closes (the
      // finalizers run in reverse): a worker waiting for room in it goes on, its result discarded.
      // Else, with `gracefulShutdown`, the drain waited for a reader that was gone until the grace
      // period ran out
      yield* Effect.addFinalizer(() => results.shutdown)
      yield* feedPool(pool, self).pipe(
        Effect.zipRight(pool.close),
        Effect.exit,
        Effect.flatMap((exit) => results.done(exit)),
        Effect.forkScoped
      )
      return Mailbox.toStream(results)
    }))
)
