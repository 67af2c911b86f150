/**
 * A bounded, closable buffer that gathers results from concurrent producers (typically a pool's
 * workers) for one or more readers.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/collector.js"

/**
 * A collector: producers `submit` values, readers take them through `stream` or `all`, and
 * `close` ends input. A plain object of readonly fields, made by {@link make}.
 *
 * - `submit(value)` adds a value, suspending while the collector is full (back-pressure). Safe
 *   from any number of fibers; suspended submitters are admitted in FIFO order. Fails with
 *   {@link CollectorClosedError} once the collector is closed.
 * - `close` is a cut-off: submits that begin after it, AND submits suspended on a full collector
 *   at that moment, fail with {@link CollectorClosedError} (their values are not delivered).
 *   Readers then drain what is buffered and end. Idempotent; returns at once.
 * - `stream` emits values in arrival order and ends after `close` once the buffer is drained.
 *   Every run of the stream is a separate reader; concurrent readers share the values, each value
 *   goes to exactly ONE reader (it is a work queue, not a broadcast). A reader takes one value per
 *   pull: one that stops early (`Stream.take`, `Stream.runHead`, a failing consumer) leaves the
 *   rest for other readers, readers share a backlog, and each busy reader holds only the value it
 *   is working on outside the buffer. The price is a stream step per value: for throughput, read
 *   everything with `all`. (`Mailbox.toStream` and `Stream.fromQueue` take values in chunks,
 *   faster per value, and lose what such a reader took but did not use.)
 * - `all` collects every value taken from the moment it is called until the collector is closed
 *   and drained, in arrival order. Values another reader took are not included.
 *
 * Closing the scope the collector was made in discards buffered values, fails suspended
 * submitters with {@link CollectorClosedError}, and completes readers: `stream` ends, `all`
 * returns the values it had collected so far.
 *
 * **Deadlock hazard.** With a bounded collector fed by a pool, start `all` or `stream` (in a
 * forked fiber) BEFORE `pool.close`: otherwise, once `capacity` results are buffered, the
 * workers suspend in `submit`, and `pool.close` waits for them forever.
 *
 * @example
 * ```ts
 * import { Collector, FiberPool, Worker } from "@fiberpool/pool"
 * import { Effect, Fiber } from "effect"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const results = yield* Collector.make<number>(100)
 *     const pool = yield* FiberPool.make({
 *       workers: 4,
 *       worker: Worker.make((n: number) => results.submit(n * n))
 *     })
 *     const collected = yield* Effect.fork(results.all) // start reading first
 *     yield* pool.submitAll([1, 2, 3, 4, 5])
 *     yield* pool.close
 *     yield* results.close
 *     return yield* Fiber.join(collected) // the five squares, in arrival order
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Collector<in out V> {
  /** Adds a value; suspends while the collector is full; fails once it is closed. */
  readonly submit: (value: V) => Effect.Effect<void, CollectorClosedError>
  /** Cut-off: later and suspended submits fail; readers drain the buffer, then end. Idempotent. */
  readonly close: Effect.Effect<void>
  /** The values, each to exactly one reader; ends after `close` once drained. */
  readonly stream: Stream.Stream<V>
  /** Every value taken from this call until the collector is closed and drained, in arrival order. */
  readonly all: Effect.Effect<ReadonlyArray<V>>
}

/**
 * Makes a collector holding up to `capacity` buffered values, bound to the current `Scope`
 * (closing the scope discards the buffer, fails suspended submitters and ends readers).
 *
 * `capacity` is an integer `>= 1`, or `Infinity` for an unbounded collector whose `submit` never
 * suspends (no back-pressure, and so no deadlock hazard; memory grows with unread values). Any
 * other value (0, negative, fractional, `NaN`) makes the returned effect die with
 * `Cause.IllegalArgumentException`; nothing throws at call time.
 *
 * With a bounded collector fed by a pool, start `all` or `stream` before `pool.close`, or results
 * beyond `capacity` deadlock the workers (see {@link Collector}).
 *
 * @example
 * ```ts
 * import { Collector } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const collector = yield* Collector.make<string>(10)
 *     yield* collector.submit("a")
 *     yield* collector.submit("b")
 *     yield* collector.close
 *     return yield* collector.all // ["a", "b"]
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <V>(capacity: number): Effect.Effect<Collector<V>, never, Scope.Scope> => internal.make<V>(capacity)

/**
 * The failure of `submit` on a closed collector: called after `close` (or after the collector's
 * scope closed), or suspended on a full collector when it was closed. The value was not
 * collected. Match it with `Effect.catchTag("CollectorClosedError", ...)`.
 *
 * @example
 * ```ts
 * import type { Collector } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * // submit, or count the value as lost once the collector is closed
 * const offer = <V>(collector: Collector.Collector<V>, value: V) =>
 *   collector.submit(value).pipe(
 *     Effect.as(true),
 *     Effect.catchTag("CollectorClosedError", (e) =>
 *       Effect.as(Effect.logWarning(e.message), false))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export interface CollectorClosedError extends Cause.YieldableError {
  readonly _tag: "CollectorClosedError"
  readonly message: string
}

/**
 * Constructs a {@link CollectorClosedError}; also usable with `instanceof` (match by `_tag` where
 * the package may be loaded twice, as ESM and as CommonJS).
 *
 * @example
 * ```ts
 * import { Collector } from "@fiberpool/pool"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const collector = yield* Collector.make<number>(1)
 *     yield* collector.close
 *     return yield* collector.submit(1).pipe(
 *       Effect.as("accepted"),
 *       Effect.catchTag("CollectorClosedError", () => Effect.succeed("rejected"))
 *     )
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const CollectorClosedError: new() => CollectorClosedError = internal.CollectorClosedError
