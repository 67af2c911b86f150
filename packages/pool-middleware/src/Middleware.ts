/**
 * Middleware for fiberpool workers: `retry`, `timeout`, `recover`, `validate`, `rateLimit`.
 *
 * Every middleware here is a `Worker.Middleware<A, E, R>`: a function from a worker to a worker
 * that adds the errors `E` and requirements `R`. Use them in the pool's `middleware` option (the
 * FIRST element is the OUTERMOST wrapper, go-pkgz order) or apply them yourself with
 * `pipe(worker, m3, m2, m1)` (Effect order: the last one is the outermost).
 *
 * @since 0.1.0
 */
import type { Worker } from "@fiberpool/pool"
import type * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import * as errors from "./internal/errors.js"
import * as rateLimit_ from "./internal/rateLimit.js"
import * as recover_ from "./internal/recover.js"
import * as retry_ from "./internal/retry.js"
import * as timeout_ from "./internal/timeout.js"
import * as validate_ from "./internal/validate.js"

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

/**
 * An item rejected by {@link validate}. It never reached the worker.
 *
 * `cause` is what rejected it: the `ParseError` of a schema, the error of an effectful check, or a
 * description for a predicate that returned `false`.
 *
 * @example
 * ```ts
 * import { Middleware } from "@fiberpool/pool-middleware"
 * import { Effect } from "effect"
 *
 * const worker = Middleware.validate((n: number) => n > 0)((n: number) => Effect.log(n))
 *
 * const program = worker(-1).pipe(
 *   Effect.catchTag("ValidationError", (e) => Effect.log(`skipped ${e.item}: ${e.message}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export interface ValidationError extends Cause.YieldableError {
  readonly _tag: "ValidationError"
  /** the rejected item */
  readonly item: unknown
  /** why it was rejected: a `ParseError`, the check's error, or a description */
  readonly cause: unknown
}

/**
 * Constructs a {@link ValidationError} (a `Data.TaggedError`, yieldable in `Effect.gen`).
 *
 * @example
 * ```ts
 * import { Middleware } from "@fiberpool/pool-middleware"
 *
 * const error = new Middleware.ValidationError({ item: "", cause: "empty string" })
 * console.log(error.message)
 * // item "" rejected by Middleware.validate and not processed: empty string
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ValidationError: new(args: { readonly item: unknown; readonly cause: unknown }) => ValidationError =
  errors.ValidationError

/**
 * A defect (a throw, `Effect.die`) of a worker, turned into a typed failure by {@link recover}.
 * `defect` is what was thrown; `item` the item being processed. The message shows the defect.
 *
 * @example
 * ```ts
 * import { Middleware } from "@fiberpool/pool-middleware"
 * import { Cause, Effect } from "effect"
 *
 * const worker = Middleware.recover()((_: string) => Effect.die(new Error("boom")))
 *
 * // the defect as the log's cause, with its stack (a bare Error logs as `{}`)
 * const program = worker("a").pipe(
 *   Effect.catchTag("WorkerDefect", (e) => Effect.logError(e.message, Cause.die(e.defect)))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export interface WorkerDefect extends Cause.YieldableError {
  readonly _tag: "WorkerDefect"
  /** what the worker threw or died with */
  readonly defect: unknown
  /** the item being processed */
  readonly item: unknown
}

/**
 * Constructs a {@link WorkerDefect} (a `Data.TaggedError`, yieldable in `Effect.gen`).
 *
 * @example
 * ```ts
 * import { Middleware } from "@fiberpool/pool-middleware"
 *
 * const error = new Middleware.WorkerDefect({ defect: new Error("boom"), item: 1 })
 * console.log(error.message)
 * // worker died on item 1: boom (a defect, turned into a WorkerDefect failure by Middleware.recover)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const WorkerDefect: new(args: { readonly defect: unknown; readonly item: unknown }) => WorkerDefect =
  errors.WorkerDefect

// -----------------------------------------------------------------------------
// retry
// -----------------------------------------------------------------------------

/**
 * Options of {@link retry}.
 *
 * - `attempts`: every try counts, the first one included (Effect's `times + 1`). An integer >= 1.
 *   Default 3.
 * - `baseDelay`: the delay before the first retry. Default `"1 second"`.
 * - `factor`: each retry waits `factor` times longer than the previous one (>= 1). Default 2.
 * - `jitter`: adds up to this fraction of the delay, drawn from Effect's `Random` (>= 0). Default 0.2.
 * - `while`: retries only the errors for which it returns `true`; others fail at once. It must
 *   return a boolean: from JavaScript, any other value (an Effect, a Promise) makes the item die
 *   with a `Cause.IllegalArgumentException` that shows it; for an effectful decision, pass a
 *   `Schedule` with `Schedule.whileInputEffect`.
 *
 * @example
 * ```ts
 * import { Middleware } from "@fiberpool/pool-middleware"
 * import { Predicate } from "effect"
 *
 * const options: Middleware.RetryOptions = {
 *   attempts: 5,
 *   baseDelay: "100 millis",
 *   while: Predicate.isTagged("Transient")
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions {
  readonly attempts?: number | undefined
  readonly baseDelay?: Duration.DurationInput | undefined
  readonly factor?: number | undefined
  readonly jitter?: number | undefined
  readonly while?: ((error: unknown) => boolean) | undefined
}

/**
 * Retries failed items with exponential backoff, or with any `Schedule`.
 *
 * With options, the delay before retry `n` (`n = 0` for the first retry) is
 * `baseDelay · factor^n`, plus up to `jitter` of it drawn from Effect's `Random` (a seeded one,
 * `Effect.withRandom(Random.make(seed))`, makes it reproducible), rounded up to whole milliseconds;
 * a zero delay does not wait at all. Delays use Effect's `Clock` (`TestClock` drives them). With a
 * schedule, `Effect.retry(schedule)` decides; the schedule sees the error as input.
 *
 * Only failures are retried: defects and interruption never are, nor is a failure that comes with
 * a defect (its finalizer died), on whichever try: the item fails with that cause as it is (the
 * failure beside its defect; `Effect.retry` turns the failure into a second defect).
 * When retries run out, the item fails with the last error, unchanged, so `catchTag` still works
 * (go-pkgz wraps it).
 *
 * Invalid options (`attempts` < 1, fractional or infinite; a negative, NaN, infinite or malformed
 * `baseDelay`; `factor` < 1, NaN or infinite; `jitter` < 0, NaN or infinite; `while` not a
 * function; from JavaScript, an argument that is neither a Schedule nor an options object) do
 * not throw: every item of the wrapped worker dies with a `Cause.IllegalArgumentException` naming
 * the option and the value. Options whose reading throws (a getter, a Proxy) do not throw either:
 * every item dies with what was thrown. Each option is read once, here.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Middleware } from "@fiberpool/pool-middleware"
 * import { Effect, Schedule } from "effect"
 *
 * const fetchUrl = (url: string) => Effect.log(`GET ${url}`)
 *
 * // 4 tries in all: now, +100ms, +300ms, +700ms (plus up to 20% jitter)
 * const pool = FiberPool.make({
 *   workers: 4,
 *   worker: fetchUrl,
 *   middleware: [Middleware.retry({ attempts: 4, baseDelay: "100 millis" })]
 * })
 *
 * // or any Schedule
 * const withSchedule = Middleware.retry(Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(2))))
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export const retry: {
  <Out, RS = never>(schedule: Schedule.Schedule<Out, unknown, RS>): Worker.Middleware<unknown, never, RS>
  (options?: RetryOptions | undefined): Worker.Middleware
} = retry_.retry as any

// -----------------------------------------------------------------------------
// timeout
// -----------------------------------------------------------------------------

/**
 * Gives each item at most `duration`. A slower item is interrupted (its finalizers run, and the
 * middleware waits for them) and then fails with `Cause.TimeoutException`, whose message names the
 * duration. Unlike go-pkgz's context deadline, the worker does not have to cooperate. As with
 * `Effect.timeoutFail`, which it is: an uninterruptible item runs to its end and, if that was
 * late, still fails with the timeout; a defect of a finalizer run by the interruption is not kept.
 *
 * A duration that is zero, negative or malformed makes every item die with a
 * `Cause.IllegalArgumentException`; nothing throws here, even for a value whose inspection throws
 * (a Proxy).
 *
 * @example
 * ```ts
 * import { Middleware } from "@fiberpool/pool-middleware"
 * import { Effect } from "effect"
 *
 * const slow = (n: number) => Effect.sleep(`${n} seconds`)
 *
 * // Worker<number, TimeoutException>
 * const bounded = Middleware.timeout("5 seconds")(slow)
 *
 * const program = bounded(10).pipe(Effect.catchTag("TimeoutException", (e) => Effect.log(e.message)))
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export const timeout: (duration: Duration.DurationInput) => Worker.Middleware<unknown, Cause.TimeoutException> =
  timeout_.timeout

// -----------------------------------------------------------------------------
// recover
// -----------------------------------------------------------------------------

/**
 * Turns defects into typed failures: a throw inside the worker's effect, a worker function that
 * throws before returning an effect, or `Effect.die` becomes a {@link WorkerDefect} carrying the
 * defect and the item. Without it, a defect stops the pool in both modes; with it (and
 * `continueOnError`) the pool counts the item as an error and goes on.
 *
 * `onDefect(defect, item)` runs first; it may return an effect (run before the failure; it must
 * handle its own errors) or nothing. Failures and interruption pass through untouched. A defect is
 * recovered wherever `Effect.catchAllDefect` would find it, also beside interruption: a child of
 * `Effect.all` that dies while its siblings are interrupted, a finalizer that dies. An item
 * interrupted from outside (the pool stopping) is not: Effect runs no handler in an interrupted fiber.
 * An `onDefect` that is not a function makes every item die with a `Cause.IllegalArgumentException`
 * (nothing throws here).
 *
 * @example
 * ```ts
 * import { Middleware } from "@fiberpool/pool-middleware"
 * import { Effect } from "effect"
 *
 * const parse = (line: string) => Effect.sync(() => JSON.parse(line))
 *
 * // Worker<string, WorkerDefect>
 * const safe = Middleware.recover((defect, line: string) =>
 *   Effect.logWarning(`bad line ${line}`, defect)
 * )(parse)
 *
 * // or without a handler
 * const alsoSafe = Middleware.recover()(parse)
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export const recover: {
  (onDefect?: undefined): Worker.Middleware<unknown, WorkerDefect>
  <A = unknown, R = never>(
    onDefect: ((defect: unknown, item: A) => Effect.Effect<unknown, never, R> | void) | undefined
  ): Worker.Middleware<A, WorkerDefect, R>
} = recover_.recover as any

// -----------------------------------------------------------------------------
// validate
// -----------------------------------------------------------------------------

/**
 * Checks each item before the worker sees it. A rejected item fails with
 * {@link ValidationError} `{ item, cause }` and never reaches the worker.
 *
 * `check` is one of:
 * - an Effect `Schema`: the item must be a valid value of its type (`Schema.validate`, all issues
 *   reported); `cause` is the `ParseError`, and the message shows the issues;
 * - a predicate `(item) => boolean`: `false` rejects;
 * - a function `(item) => Effect<void, E, R>`: a failure rejects, and becomes the `cause`; an
 *   effectful predicate, `(item) => Effect<boolean, E, R>`, also rejects by succeeding with `false`
 *   (any other value passes). A check whose value may be a legitimate `false` (a
 *   `Schema.validate(Schema.Boolean)` of a field, say) ends with `Effect.asVoid`.
 *
 * Defects of the check are not rejections: they pass through as defects. A `check` that is none
 * of these makes every item die with a `Cause.IllegalArgumentException`, and one whose inspection
 * throws (a Proxy) with what was thrown: nothing throws here.
 *
 * @example
 * ```ts
 * import { Middleware } from "@fiberpool/pool-middleware"
 * import { Effect, Schema } from "effect"
 *
 * const User = Schema.Struct({ name: Schema.NonEmptyString, age: Schema.Int.pipe(Schema.positive()) })
 * const save = (user: typeof User.Type) => Effect.log(`saving ${user.name}`)
 *
 * const bySchema = Middleware.validate(User)(save)
 * const byPredicate = Middleware.validate((n: number) => Number.isInteger(n))
 * const byEffect = Middleware.validate((url: string) =>
 *   url.startsWith("https://") ? Effect.void : Effect.fail(`not https: ${url}`)
 * )
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export const validate: {
  <A, I, R>(schema: Schema.Schema<A, I, R>): Worker.Middleware<A, ValidationError, R>
  <A>(predicate: (item: A) => boolean): Worker.Middleware<A, ValidationError>
  <A, E, R>(check: (item: A) => Effect.Effect<unknown, E, R>): Worker.Middleware<A, ValidationError, R>
} = validate_.validate as any

// -----------------------------------------------------------------------------
// rateLimit
// -----------------------------------------------------------------------------

/**
 * Options of {@link rateLimit}: `rate` tokens per second (a finite number > 0, fractions allowed),
 * `burst` the bucket's capacity (an integer from 1 to 2^53 - 1, default 1).
 *
 * @example
 * ```ts
 * import { Middleware } from "@fiberpool/pool-middleware"
 *
 * const options: Middleware.RateLimitOptions = { rate: 10, burst: 5 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimitOptions {
  readonly rate: number
  readonly burst?: number | undefined
}

/**
 * Limits how often items start: a token bucket refilled at `rate` tokens per second, holding at
 * most `burst` tokens, full at first. Each item takes a token before the worker runs; without one
 * it waits (it never fails), first come first served. A waiter that is interrupted gives its place
 * (and its token) to the next one. Timing uses Effect's `Clock`, so `TestClock` drives it.
 *
 * The bucket is created when the middleware is applied to a worker. A pool applies its middleware
 * once, so all workers of a pool share one bucket, and two pools given the same `rateLimit(...)`
 * value each have their own (go-pkgz shares one limiter across every pool that uses the value).
 * Applying it by hand to two workers also gives two buckets.
 *
 * Invalid options (`rate` <= 0, NaN or infinite, or so small that 1000 / `rate` ms overflows; `burst` not
 * an integer from 1 to 2^53 - 1, or so large with a tiny rate that its tolerance overflows) make every
 * item die with a `Cause.IllegalArgumentException` naming the option; options whose reading throws (a
 * getter, a Proxy) make every item die with what was thrown. Nothing throws where it is applied.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Middleware } from "@fiberpool/pool-middleware"
 * import { Effect } from "effect"
 *
 * // at most 10 calls per second across the pool's 8 workers, bursts of up to 5
 * const pool = FiberPool.make({
 *   workers: 8,
 *   worker: (url: string) => Effect.log(`GET ${url}`),
 *   middleware: [Middleware.rateLimit({ rate: 10, burst: 5 })]
 * })
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export const rateLimit: (options: RateLimitOptions) => Worker.Middleware = rateLimit_.rateLimit
