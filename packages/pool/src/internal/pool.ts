import { Metrics, Stats } from "@fiberpool/pool-metrics"
import * as Cause from "effect/Cause"
import * as ClockModule from "effect/Clock"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Runtime from "effect/Runtime"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as Scope from "effect/Scope"
import type * as Tracer from "effect/Tracer"
import type * as FiberPool from "../FiberPool.js"
import type * as Worker from "../Worker.js"
import { WorkerId } from "../Worker.js"
import { callWorker, isEffectValue, notAnEffect } from "./call.js"
import { type AnyCauseHandler, handle, handlerOf } from "./catchCause.js"
import { Deque } from "./deque.js"
import { briefly, PoolClosedError } from "./errors.js"
import { workerForKey } from "./hash.js"
import { printable } from "./printable.js"
import { interruptWhenInterruptible } from "./shield.js"
import { show } from "./show.js"
import { parkAgain, takeAfterTurn, turnSeenSince, watchNextTurn, yieldToEventLoop } from "./turn.js"

// ---------------------------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------------------------

/** @internal */
export interface AnyOptions {
  readonly workers: number
  readonly batchSize?: number | undefined
  readonly workerQueueSize?: number | undefined
  readonly keyBy?: ((item: any) => string) | undefined
  readonly continueOnError?: boolean | undefined
  readonly workerLayer?: Layer.Layer<any, any, any> | undefined
  readonly middleware?: ReadonlyArray<(next: Worker.Worker<any, any, any>) => Worker.Worker<any, any, any>> | undefined
  readonly onWorkerComplete?: ((id: number) => Effect.Effect<void, any, any>) | undefined
  readonly onPoolComplete?: Effect.Effect<void, any, any> | undefined
  readonly name?: string | undefined
  readonly metrics?: boolean | undefined
  readonly gracefulShutdown?: Duration.DurationInput | undefined
  readonly span?: boolean | string | undefined
  readonly worker?: Worker.Worker<any, any, any> | undefined
  readonly makeWorker?: ((id: number) => Effect.Effect<Worker.Worker<any, any, any>, any, any>) | undefined
}

/**
 * What the module's own constructors add to a user's options, kept apart from them: spreading the
 * user's object would copy only its own enumerable properties (a class instance's getters and
 * methods would be lost).
 *
 * @internal
 */
export interface Internals {
  /** The worker takes the whole batch (`makeBatched`). */
  readonly batched?: boolean | undefined
  /** Runs after each successful item, outside the middleware, with its result (`mapStream`). */
  readonly onResult?: ((value: unknown) => Effect.Effect<void>) | undefined
  /**
   * The pool's owner drops what is left on purpose when it closes the scope early, so that close
   * logs no warning then: `"always"` (`mapStream`: its output ended, also by interruption, as
   * `Stream.zip` ends it), or `"unlessInterrupted"` (`run`, whose input failed; interrupted while a
   * grace period runs out, it warns as any pool).
   */
  readonly dropsOnEarlyClose?: "always" | "unlessInterrupted" | undefined
  /**
   * The owner reports the pool's outcome itself (`run`, `mapStream` fail with it): a defect that
   * stops a `continueOnError` pool is not also logged at once.
   */
  readonly reportsOutcome?: boolean | undefined
}

const isOptionalBoolean = (u: unknown) => u === undefined || typeof u === "boolean"
const isOptionalFunction = (u: unknown) => u === undefined || typeof u === "function"

/**
 * Whether `Duration.decode` would turn this input into zero rather than reject it: a negative or
 * NaN number of millis, a negative bigint of nanos, a string such as `"-5 seconds"`, a
 * `[seconds, nanos]` pair below zero in all. The pool rejects those instead (no silent clamping).
 */
const decodesClamped = (input: unknown): boolean => {
  if (typeof input === "number") return !(input >= 0)
  if (typeof input === "bigint") return input < BigInt(0)
  if (typeof input === "string") return Number.parseFloat(input) < 0
  // only called on what `Duration.decodeUnknown` accepted: a tuple here is two numbers
  if (Array.isArray(input)) return !(input[0] * 1e9 + input[1] >= 0)
  return false
}

const MAX_ARRAY_LENGTH = 2 ** 32 - 1

/**
 * Checks every option; returns the message of the first invalid one.
 *
 * @internal
 */
export const validateOptions = (api: string, options: AnyOptions, stateful: boolean): string | undefined => {
  if (typeof options !== "object" || options === null) return `${api}: options must be an object, got ${show(options)}`
  const o = options
  if (typeof o.workers !== "number" || !Number.isInteger(o.workers) || o.workers < 1) {
    return `${api}: option "workers" must be an integer >= 1, got ${show(o.workers)}`
  }
  // the pool keeps an array entry per worker (each worker costs ~20 KB besides: memory gives out
  // long before this)
  if (o.workers > MAX_ARRAY_LENGTH) {
    return `${api}: option "workers" must be at most ${MAX_ARRAY_LENGTH} (an array's length), got ${show(o.workers)}`
  }
  if (
    o.batchSize !== undefined && (typeof o.batchSize !== "number" || !Number.isInteger(o.batchSize) || o.batchSize < 0)
  ) {
    return `${api}: option "batchSize" must be an integer >= 0 (0 or 1: no batching), got ${show(o.batchSize)}`
  }
  if (
    o.workerQueueSize !== undefined &&
    (typeof o.workerQueueSize !== "number" || !Number.isInteger(o.workerQueueSize) || o.workerQueueSize < 1)
  ) {
    return `${api}: option "workerQueueSize" must be an integer >= 1, got ${show(o.workerQueueSize)}`
  }
  if (!isOptionalFunction(o.keyBy)) return `${api}: option "keyBy" must be a function, got ${show(o.keyBy)}`
  if (!isOptionalBoolean(o.continueOnError)) {
    return `${api}: option "continueOnError" must be a boolean, got ${show(o.continueOnError)}`
  }
  if (!isOptionalBoolean(o.metrics)) return `${api}: option "metrics" must be a boolean, got ${show(o.metrics)}`
  if (o.workerLayer !== undefined && !Layer.isLayer(o.workerLayer)) {
    return `${api}: option "workerLayer" must be a Layer, got ${show(o.workerLayer)}`
  }
  if (o.middleware !== undefined) {
    if (!Array.isArray(o.middleware)) return `${api}: option "middleware" must be an array, got ${show(o.middleware)}`
    const bad = o.middleware.findIndex((m) => typeof m !== "function")
    if (bad >= 0) return `${api}: option "middleware"[${bad}] must be a function, got ${show(o.middleware[bad])}`
  }
  if (!isOptionalFunction(o.onWorkerComplete)) {
    return `${api}: option "onWorkerComplete" must be a function, got ${show(o.onWorkerComplete)}`
  }
  if (o.onPoolComplete !== undefined && !Effect.isEffect(o.onPoolComplete)) {
    return `${api}: option "onPoolComplete" must be an Effect, got ${show(o.onPoolComplete)}`
  }
  if (o.name !== undefined && (typeof o.name !== "string" || o.name.length === 0)) {
    return `${api}: option "name" must be a non-empty string, got ${show(o.name)}`
  }
  if (o.gracefulShutdown !== undefined) {
    if (Option.isNone(Duration.decodeUnknown(o.gracefulShutdown)) || decodesClamped(o.gracefulShutdown)) {
      return `${api}: option "gracefulShutdown" must be a duration >= 0, got ${show(o.gracefulShutdown)}`
    }
  }
  if (o.span !== undefined && typeof o.span !== "boolean" && (typeof o.span !== "string" || o.span.length === 0)) {
    return `${api}: option "span" must be a boolean or a non-empty span name, got ${show(o.span)}`
  }
  if (stateful) {
    if (typeof o.makeWorker !== "function") {
      return `${api}: option "makeWorker" must be a function (id) => Effect<Worker>, got ${show(o.makeWorker)}`
    }
  } else if (typeof o.worker !== "function") {
    const takes = api === "FiberPool.makeBatched" ? "batch" : "item"
    return `${api}: option "worker" must be a function (${takes}) => Effect, got ${show(o.worker)}`
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// state
// ---------------------------------------------------------------------------------------------

const OPEN = 0
const ENDED = 1
const STOPPED = 2

/** With metrics on, the end of an item publishes the counters if they were last published this long ago. */
const PUBLISH_MILLIS = 1000

/**
 * A full batch is shared among idle workers only while some worker's last batch ran at least this
 * long per item (or has run none): a share costs a take and a wake (microseconds), worth it for items
 * of a tenth of a millisecond and more, not for cheap ones streamed through a starved pool.
 */
const SHARE_ITEM_MILLIS = 0.1

/** ... or while the taker had idled at least this long before its take (`takeQueued`). */
const SHARE_IDLE_MILLIS = 1

/**
 * A worker of a shared queue takes about this much work at once, judged by how long its items
 * have lately taken (`WorkerState.itemMillis`): one item at a time when they take more than half a
 * millisecond, whole batches when they are cheap. What a worker took stays with it, so this bounds how long
 * items wait on one worker while another frees up and finds nothing: slow items submitted in
 * batches are spread as with `batchSize: 1`. A take costs microseconds.
 */
const TAKE_MILLIS = 1

type Resume<A, E = never> = (effect: Effect.Effect<A, E>) => void

interface WorkerState {
  readonly id: number
  /** The batch being processed (handed over, not yet finished); `null` between batches. */
  batch: Array<unknown> | null
  /** Items of `batch` whose outcome was recorded. */
  index: number
  /** Clock reading at the end of the last step (item, take). */
  last: number
  proc: number
  wait: number
  init: number
  wrap: number
  paused: number
  /** The envelope of the item running now, if it has one. */
  envelope: Envelope | undefined
  /** Set while the worker waits for a batch (in its channel's takers, or woken and not yet run). */
  taker: Taker | undefined
  /** Set while the worker waits for the pool to be resumed. */
  pausing: boolean
  /** Set while the worker is parked for the event loop's next turn, before a take. */
  parked: boolean
  /**
   * The count of turns of the event loop seen (`watchNextTurn`) as the worker began to wait for
   * input, `-1` otherwise: the yield check of the take it is woken for reads how long it was idle
   * (since `last`) for `yieldToEventLoop`, if the loop was seen to turn meanwhile (`turnSeenSince`).
   */
  waitTurn: number
  /** The failure of this worker's item that stopped the pool: its scope closes with it. */
  stopCause: Cause.Cause<unknown> | undefined
  /** `proc` when the current batch was taken. */
  procAtTake: number
  /** The worker's last batch ran `SHARE_ITEM_MILLIS` or more per item, or it has run none. */
  slow: boolean
  /**
   * How long its items took, in ms: a moving average, halved toward each batch's mean per item;
   * 0 before its first batch. Kept only by workers of a shared queue of single items.
   */
  itemMillis: number
  /** `TAKE_MILLIS` of its items (`itemMillis`), at least one: the most it takes at once, unless its share of the queue is more (`takeCap`). */
  takeMax: number
  /** Set while the worker waits for the pool to be resumed before a take, and until that take. */
  resumed: boolean
  /** Its loop was interrupted while the pool had not stopped: from outside the pool (`workerInterrupted`). */
  cut: boolean
}

/** A worker waiting for a batch: `wake` resumes it with `woken`, which goes on to take the batch. */
interface Taker {
  readonly resume: Resume<void>
  readonly woken: Effect.Effect<void>
}

interface Putter {
  readonly item: unknown
  readonly resume: Resume<void, PoolClosedError>
}

/**
 * A bounded queue of full batches with the batch being filled beside it (as go-pkgz accumulates a
 * batch before it sends it to a worker's channel): the item that would complete a batch with no room
 * in the queue waits, so at most `limit` items are queued.
 */
interface Channel {
  readonly buffer: Deque<Array<unknown>>
  partial: Array<unknown>
  readonly takers: Deque<Taker>
  readonly putters: Deque<Putter>
  /** Items `buffer` and `partial` hold together at most: the queue's batches and one item less than a batch. */
  readonly limit: number
  /** Items in `buffer` and `partial`. */
  depth: number
  /** Takers woken that have not run yet. */
  signalled: number
  /** Workers parked for the event loop's next turn before a take (idle too). */
  parked: number
  /** Workers waiting for the pool to be resumed before a take (idle too). */
  pausedIdle: number
}

/** A channel whose queue holds `capacity` batches. */
const makeChannel = (capacity: number, batchSize: number): Channel => ({
  buffer: new Deque(),
  partial: [],
  takers: new Deque(),
  putters: new Deque(),
  limit: capacity * batchSize + batchSize - 1,
  depth: 0,
  signalled: 0,
  parked: 0,
  pausedIdle: 0
})

/**
 * An item that carries more than itself: a completion callback (`execute`) or a parent span
 * (`span`). Plain `submit`s store the bare item, so the common path pays one `instanceof`.
 */
class Envelope {
  constructor(
    readonly item: unknown,
    readonly onDone: ((exit: Exit.Exit<unknown, unknown>) => void) | undefined,
    readonly parent: Tracer.AnySpan | undefined,
    readonly key: string | undefined
  ) {}
}

/** What a plain submit's effect needs of its pool. */
interface SubmitPath {
  /** The pool's name, for printing. */
  readonly pool: string
  /** The pool is open and every channel has room: a submit can place its item without waiting. */
  open: boolean
  /** Places the item (when `open`). */
  readonly place: (item: unknown) => void
  /** Offers the item: waits for room, or fails when the pool is closed. */
  readonly offer: (item: unknown) => Effect.Effect<void, PoolClosedError>
}

/**
 * The effect of a plain `submit(item)`, one small object per item.
 *
 * When it runs while the pool is open and every channel has room (`path.open`), Effect's run loop
 * evaluates it as a `Sync` primitive: `effect_instruction_i0` places the item and the producer goes
 * straight on to its next step. Otherwise it is a `Commit` (Effectable's protocol) whose `commit`
 * offers the item, waiting for room or failing when the pool is closed: two run-loop steps, the
 * offer and the effect it returns. The run loop reads `_op` right before it dispatches on it, so
 * the choice is made when the submit runs, as often as it runs.
 *
 * `Sync` and `effect_instruction_i0` are Effect 3's primitive protocol, which `Effectable.Class`
 * does not expose: the peer range (`~3.22.4`) holds it fixed. Tests count the producer's steps on
 * the direct path, before and after a queue was full, and check that a submit to a full queue
 * waits, also in a keyed pool where another queue has drained. Most submits find room: one
 * run-loop step fewer per item is ~10–13% of the instructions of a pool fed by `submit`
 * (bench/README.md). `keyBy` runs inside the direct path, after the choice: a `keyBy` that submits
 * to or closes its own pool can leave no room for the item, which then dies with a message that
 * says so (it cannot wait any more).
 */
class Submission extends Effectable.Class<void, PoolClosedError> {
  constructor(
    readonly path: SubmitPath,
    readonly item: unknown
  ) {
    super()
  }
  get _op(): string {
    return this.path.open ? "Sync" : "Commit"
  }
  effect_instruction_i0(): void {
    this.path.place(this.item)
  }
  commit(): Effect.Effect<void, PoolClosedError> {
    return this.path.offer(this.item)
  }
  /** Printed as what it is, not as its fields (the pool's internals) or `[object Object]`. */
  toJSON(): unknown {
    return {
      _id: "Effect",
      method: "FiberPool.submit",
      pool: this.path.pool,
      item: Inspectable.toJSON(this.item)
    }
  }
  override toString(): string {
    return Inspectable.format(this.toJSON())
  }
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

const liveClockPrototype = Object.getPrototypeOf(ClockModule.make())

/**
 * A millisecond reading of `clock`. Effect's live clock reads `process.hrtime.bigint()`; for it we
 * read `performance.now()` (same monotonic source, no BigInt per read). Any other clock
 * (`TestClock`, a custom one) is read through its own interface, so it drives the stats.
 */
const isLiveClock = (clock: Clock.Clock): boolean => Object.getPrototypeOf(clock) === liveClockPrototype

/**
 * Whether `clock` is a `TestClock`, by its interface: the methods `adjust`, `adjustWith` and
 * `setTime`, and the effects `save` and `sleeps` (getters of Effect's implementation). Recognised
 * without importing the test services into the pool, and whichever copy of effect made it.
 */
const isTestClock = (clock: Clock.Clock): boolean => {
  const c = clock as Partial<Record<"adjust" | "adjustWith" | "setTime" | "save" | "sleeps", unknown>>
  return typeof c.adjust === "function" && typeof c.adjustWith === "function" && typeof c.setTime === "function" &&
    Effect.isEffect(c.save) && Effect.isEffect(c.sleeps)
}

const millisOf = (clock: Clock.Clock): () => number => {
  if (!isLiveClock(clock)) return () => Number(clock.unsafeCurrentTimeNanos()) / 1_000_000
  // `performance` is a lazy accessor of Node's global object: read once, when the pool is made, not
  // through a getter call per reading
  const perf = performance
  return () => perf.now()
}

/**
 * The time from a worker's last reading to `t`, never below zero: a `TestClock` can be set back
 * (`TestClock.setTime`), and a negative duration would go into the histogram and the stats' sums.
 */
const sinceLast = (ws: { readonly last: number }, t: number): number => t > ws.last ? t - ws.last : 0

/** Why a defect stops a `continueOnError` pool, in the logs that say it did. */
const DEFECTS_STOP = "continueOnError goes on past failures, not defects"

/** A failure that is not the pool's outcome, to be logged with what it did (`failureStops`). */
interface Unreported {
  readonly cause: Cause.Cause<unknown>
  readonly message: string
  /** The worker it happened on. */
  readonly worker?: number
}

/** The first defect of a cause, or its first failure, as a cause of its own. */
const simplify = <E>(cause: Cause.Cause<E>): { readonly cause: Cause.Cause<E>; readonly defect: boolean } => {
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) return { cause: Cause.die(defect.value), defect: true }
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return { cause: Cause.fail(failure.value), defect: false }
  return { cause, defect: false }
}

// ---------------------------------------------------------------------------------------------
// make
// ---------------------------------------------------------------------------------------------

/**
 * The options, each read once, into an object of the pool's own: the values checked are the values
 * used, even if the user's object has getters that change (or a `middleware` array changed later).
 */
const readOnce = (o: AnyOptions): AnyOptions => {
  const middleware = o.middleware
  const gracefulShutdown = o.gracefulShutdown
  // called once per worker, as methods of the user's object before: a class instance's methods that
  // read `this` keep their object (the per-item `worker` and `keyBy` are called without `this`)
  const makeWorker = o.makeWorker
  const onWorkerComplete = o.onWorkerComplete
  return {
    workers: o.workers,
    batchSize: o.batchSize,
    workerQueueSize: o.workerQueueSize,
    keyBy: o.keyBy,
    continueOnError: o.continueOnError,
    workerLayer: o.workerLayer,
    middleware: Array.isArray(middleware) ? Array.from(middleware) : middleware,
    onWorkerComplete: typeof onWorkerComplete === "function" ? onWorkerComplete.bind(o) : onWorkerComplete,
    onPoolComplete: o.onPoolComplete,
    name: o.name,
    metrics: o.metrics,
    // a `[seconds, nanos]` pair is read once too: checked, then decoded when the pool is made
    gracefulShutdown: Array.isArray(gracefulShutdown)
      ? Array.from(gracefulShutdown) as unknown as Duration.DurationInput
      : gracefulShutdown,
    span: o.span,
    worker: o.worker,
    makeWorker: typeof makeWorker === "function" ? makeWorker.bind(o) : makeWorker
  }
}

/**
 * `options` read once (see `readOnce`) if it is an object; anything else as it is, for
 * `validateOptions` to name. For the callers that read an option before they make the pool.
 *
 * @internal
 */
export const snapshot = (options: AnyOptions): AnyOptions =>
  typeof options === "object" && options !== null ? readOnce(options) : options

/**
 * Adds `context` to the current fiber's context until it is set back (`FiberRef.set`) to the one
 * this returns: one update of its `FiberRefs` each way, as `Effect.provide`, without the frame that
 * `provide` keeps on the stack for its restore.
 */
const addToContext = (context: Context.Context<never>): Effect.Effect<Context.Context<never>> =>
  FiberRef.modify(FiberRef.currentContext, (parent) => [parent, Context.merge(parent, context)])

/**
 * A one-shot signal that carries an exit, as a `Deferred` does: the first `complete` wins, and
 * `await` resumes with that exit. Built on Effect's `Latch` because Effect makes each `Deferred` by
 * spreading its prototype into a new object: ~2.3 KB, and for a pool's two ~5% of the CPU of making
 * and closing a small pool.
 */
interface Signal {
  readonly complete: (exit: Exit.Exit<void, unknown>) => void
  readonly await: Effect.Effect<void, unknown>
}

const makeSignal = (): Signal => {
  const latch = Effect.unsafeMakeLatch(false)
  let result: Exit.Exit<void, unknown> | undefined
  return {
    complete: (exit) => {
      if (result !== undefined) return
      result = exit
      latch.unsafeOpen()
    },
    await: Effect.zipRight(latch.await, Effect.suspend(() => result!))
  }
}

/**
 * Makes a pool from `options`, read once (`snapshot`). `stateful`: the kind of pool, or `"either"`
 * for the APIs whose options may hold `worker` or `makeWorker` (`run`, `layer`), stateful with
 * `makeWorker` and no `worker`, read from the same snapshot.
 *
 * @internal
 */
export const make = (
  api: string,
  options: AnyOptions,
  kind: boolean | "either",
  internals: Internals = {}
): Effect.Effect<any, any, any> =>
  Effect.suspend(() => {
    options = snapshot(options)
    const stateful = kind === "either"
      ? typeof options?.makeWorker === "function" && options?.worker === undefined
      : kind
    const invalid = validateOptions(api, options, stateful)
    if (invalid !== undefined) return Effect.die(new Cause.IllegalArgumentException(invalid))
    // uninterruptible but for the wait for the workers' start-up: interrupted anywhere else (between
    // two forks of the workers, or before the scope's finalizer is added), the forked workers and
    // their layers would be left running, with nothing to stop or release them
    return Effect.uninterruptibleMask((restore) => makeValid(options, internals, stateful, restore))
  })

const makeValid = (
  options: AnyOptions,
  internals: Internals,
  stateful: boolean,
  restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    const workers = options.workers
    const batchSize = Math.max(1, options.batchSize ?? 10)
    const queueSize = options.workerQueueSize ?? 1
    const keyBy = options.keyBy
    const continueOnError = options.continueOnError === true
    const name = options.name ?? "fiberpool"
    const publish = options.metrics !== false
    /**
     * This pool's series, their hooks taken once (registering each series at 0): `unsafeUpdate` of a
     * metric with labels looks its hook up in a WeakMap at every call. The histogram is updated once
     * per item, the others once per batch.
     */
    const series = publish ? Metrics.poolSeries(name) : undefined
    const durationHook = series?.itemDuration
    const counters = Metrics.makeCounters({ pool: name, publish })

    const clock = yield* Effect.clock
    const now = millisOf(clock)
    // under a TestClock the test drives time: a real-time yield would make fiber order depend on
    // the machine's speed. Any other clock (a wrapper, an offset clock, the live clock of a second
    // copy of effect) runs on the real event loop, which a busy pool must not starve
    const yieldsToEventLoop = !isTestClock(clock)
    const outerScope = yield* Effect.scope
    /** The caller's runtime, for what a callback outside any fiber of the pool must run. */
    const runtime = yield* Effect.runtime<never>()
    const madeWith = <A>(ref: FiberRef.FiberRef<A>): A => FiberRefs.getOrDefault(runtime.fiberRefs, ref)
    const loggers = madeWith(FiberRef.currentLoggers)
    const minimumLogLevel = madeWith(FiberRef.currentMinimumLogLevel)
    const logAnnotations = madeWith(FiberRef.currentLogAnnotations)
    const logSpans = madeWith(FiberRef.currentLogSpan)
    /**
     * Logs of the pool that a fiber outside it runs (the one closing its scope): with the loggers,
     * level, annotations and log spans of where the pool was made, as its own fibers log (they
     * inherit them). The closing fiber may be another runtime's (`ManagedRuntime.dispose`).
     */
    const asMade = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      effect.pipe(
        Effect.locally(FiberRef.currentLoggers, loggers),
        Effect.locally(FiberRef.currentMinimumLogLevel, minimumLogLevel),
        Effect.locally(FiberRef.currentLogAnnotations, logAnnotations),
        Effect.locally(FiberRef.currentLogSpan, logSpans)
      )
    /**
     * A warning of the pool's own, prefixed with its name and annotated with it (and with the worker
     * it is about, if any), so that logs of several pools and workers can be told apart and queried.
     */
    const warn = (message: string, cause?: Cause.Cause<unknown>, worker?: number): Effect.Effect<void> => {
      const log = (text: string, withCause?: Cause.Cause<unknown>) =>
        Effect.logWarning(`${name}: ${text}`, ...(withCause === undefined ? [] : [withCause])).pipe(
          Effect.annotateLogs(
            worker === undefined ? { "fiberpool.pool": name } : { "fiberpool.pool": name, "fiberpool.worker": worker }
          )
        )
      if (cause === undefined) return log(message)
      // a logger prints the cause, and printing runs user code (a defect's `toJSON`, `message` or
      // `stack` getter): one that throws must not take the warning with it, nor kill the fiber that
      // logs (a worker, the stop, a scope's close). Logged again without it, in brief
      return Effect.catchAllDefect(log(message, cause), (defect) =>
        Effect.catchAllDefect(
          log(`${message} (its cause, ${briefly(Cause.squash(cause))}, could not be printed: ${briefly(defect)})`),
          () => Effect.void
        ))
    }
    const fiberId = yield* Effect.fiberId

    /**
     * Workers share one queue of single items, so the size of a take decides how evenly slow items
     * spread (`TAKE_MILLIS`). Not with `keyBy` (a worker's queue is its own) nor for a batched
     * worker (its batch is one call).
     */
    const balances = keyBy === undefined && internals.batched !== true
    const channels: Array<Channel> = keyBy === undefined
      ? [makeChannel(workers * queueSize, batchSize)]
      : Array.from({ length: workers }, () => makeChannel(queueSize, batchSize))
    const states: Array<WorkerState> = Array.from({ length: workers }, (_, id) => ({
      id,
      batch: null,
      index: 0,
      last: 0,
      proc: 0,
      wait: 0,
      init: 0,
      wrap: 0,
      paused: 0,
      envelope: undefined,
      taker: undefined,
      pausing: false,
      parked: false,
      waitTurn: -1,
      stopCause: undefined,
      procAtTake: 0,
      slow: true,
      itemMillis: 0,
      takeMax: batchSize,
      resumed: false,
      cut: false
    }))
    /** Workers whose last batch ran slow items (`WorkerState.slow`): full batches are shared while any has. */
    let slowWorkers = workers

    const batched = internals.batched === true
    const onResult = internals.onResult
    const spanName = options.span === undefined || options.span === false
      ? undefined
      : options.span === true
      ? `fiberpool ${name}`
      : options.span
    /** Set once an envelope was submitted: drops must then tell their `execute` callers. */
    let hasEnvelopes = spanName !== undefined
    let paused = false
    const pauseWaiters = new Deque<() => void>()
    let state = OPEN
    /** Channels with no room: their buffer is full, and their partial batch one item short of a batch. */
    let full = 0
    let stopReason: "failed" | "interrupted" = "failed"
    let submitted = 0
    let processed = 0
    let errors = 0
    let dropped = 0
    let depth = 0
    const startTime = now()
    let endTime: number | undefined
    let outcome: Cause.Cause<unknown> | undefined
    let finished = false
    let interrupted = false
    const done = makeSignal()
    const fibers: Array<Fiber.RuntimeFiber<void, never>> = []

    // -- Effect metrics, published by deltas at batch boundaries --------------------------------
    let pubSubmitted = 0
    let pubProcessed = 0
    let pubErrors = 0
    let pubDropped = 0
    let pubDepth = 0
    /**
     * Publishes what a producer changes, the submitted counter and the queue depth: also when a batch
     * fills (`place`), through this small function. The whole `flush` there cost ~45 instructions per
     * item with batchSize 100 · `submitAll` (a JIT effect: it runs once per 100 items).
     */
    const publishQueued = (series: Metrics.PoolSeries): void => {
      series.submitted.update(submitted - pubSubmitted)
      pubSubmitted = submitted
      series.queueDepth.modify(depth - pubDepth)
      pubDepth = depth
    }
    const flush = (): void => {
      if (series === undefined) return
      publishQueued(series)
      if (processed !== pubProcessed) {
        series.processed.update(processed - pubProcessed)
        pubProcessed = processed
      }
      if (errors !== pubErrors) {
        series.failed.update(errors - pubErrors)
        pubErrors = errors
      }
      if (dropped !== pubDropped) {
        series.dropped.update(dropped - pubDropped)
        pubDropped = dropped
      }
    }

    /** Clock reading (ms) at which an item's end last published the counters (metrics on). */
    let publishedAt = -PUBLISH_MILLIS
    const publishNow = (t: number): void => {
      // a whole number of milliseconds: a small integer, not a boxed double, in the closure
      publishedAt = Math.floor(t)
      flush()
    }

    /**
     * With reason `"failed"`, the error names the failure `wait` and `close` report, in a few words
     * (a string: the error must print whatever the failure holds, a bigint, a throwing getter).
     */
    const closedError = (
      accepted?: number,
      reason: "closed" | "failed" | "interrupted" = state === STOPPED ? stopReason : "closed"
    ): PoolClosedError => {
      const failure = reason === "failed" ? failureInBrief() : undefined
      if (reason === "failed") outcomeSeen = true
      return new PoolClosedError({
        pool: name,
        reason,
        ...(accepted === undefined ? {} : { accepted }),
        ...(failure === undefined ? {} : { failure })
      })
    }
    /**
     * Whether the pool's outcome was, or will be, seen: by a `wait` or `close`, by a rejection that
     * names it (a `PoolClosedError` with reason `"failed"`), by a log of it, or by the owner that
     * reports it (`run`, `mapStream`). A failure nothing saw is logged as the scope closes.
     */
    let outcomeSeen = internals.reportsOutcome === true
    /** The callback whose failure decided the outcome without stopping the pool (`callbackFailed`). */
    let decidedBy: string | undefined
    /**
     * A `continueOnError` pool that a defect stops logs it at once, though `wait`/`close` report it
     * too: its stop is news to whoever relies on it going on (a service nobody waits for). Not when
     * the owner fails with the outcome (`run`, `mapStream`).
     */
    const logsStopAtOnce = continueOnError && internals.reportsOutcome !== true
    /** The outcome's failure in a few words, worked out once (the outcome never changes once set). */
    let failureBrief: string | undefined
    const failureInBrief = (): string | undefined => {
      if (failureBrief === undefined && outcome !== undefined && !Cause.isInterruptedOnly(outcome)) {
        failureBrief = briefly(Cause.squash(outcome))
      }
      return failureBrief
    }

    // -- channel operations (synchronous; JS runs one fiber step at a time) ----------------------

    const wake = (taker: Taker): void => taker.resume(taker.woken)

    /**
     * Wakes one idle worker. At most one wake is pending per channel: the woken worker wakes the
     * next one when it takes a batch and more are waiting, so a burst of submits does not wake
     * every worker only for one of them to drain the queue.
     */
    const wakeOne = (ch: Channel): void => {
      const taker = ch.takers.shift()
      if (taker !== undefined) {
        ch.signalled++
        wake(taker)
      }
    }

    /** The channel holds items to take (a full batch, or the one being filled). */
    const hasQueued = (ch: Channel): boolean => ch.buffer.length > 0 || ch.partial.length > 0

    /** Wakes an idle worker when batches are queued and no wake is pending (it passes the wake on). */
    const wakeIfQueued = (ch: Channel): void => {
      if (ch.signalled === 0 && hasQueued(ch)) wakeOne(ch)
    }

    /** Takes `item` into the channel if there is room, waking no one; never suspends. */
    const place = (ch: Channel, item: unknown): boolean => {
      if (ch.depth === ch.limit) return false
      ch.partial.push(item)
      depth++
      submitted++
      if (++ch.depth === ch.limit) {
        full++
        updatePath()
      }
      if (ch.partial.length === batchSize) {
        // there is room: the batch is complete only if its last item found the channel below `limit`
        ch.buffer.push(ch.partial)
        ch.partial = []
        // published once per batch here too, not only at takes: with every worker busy for long
        // (a stuck downstream) the queue-depth gauge and the submitted counter would stand still
        if (series !== undefined) publishQueued(series)
      }
      return true
    }

    /**
     * Takes `item` into the channel if there is room; never suspends. An idle worker is woken (if
     * no wake is pending) and takes what is there when it runs, so items submitted in one go still
     * travel in batches while a lone item is handed over at once.
     */
    const accept = (ch: Channel, item: unknown): boolean => {
      if (!place(ch, item)) return false
      if (ch.signalled === 0) wakeOne(ch)
      return true
    }

    /**
     * Moves waiting producers' items into the room a take made, resuming each producer. It wakes no
     * worker: the taker passes its wake on after this (`wakeIfQueued`), so the resumed producer is
     * scheduled first. A worker woken first would run before the producer refills the channel,
     * while the taker is still draining it: it would find nothing and wait again (a third fiber
     * suspension per refill of a busy channel, measured, where two suffice).
     */
    const drainPutters = (ch: Channel): void => {
      let putter = ch.putters.peek()
      while (putter !== undefined && place(ch, putter.item)) {
        ch.putters.shift()
        putter.resume(Effect.void)
        putter = ch.putters.peek()
      }
    }

    /**
     * The idle workers of the channel besides the taker (waiting, woken and not yet run, or parked
     * for the event loop), who share what it takes when there is not a batch for each of them. None
     * for batched workers: their batch is one call, and splitting it would multiply the calls.
     */
    const idleOthers = (ch: Channel): number =>
      batched ? 0 : ch.takers.length + ch.signalled + ch.parked + ch.pausedIdle

    /**
     * The most a worker of a shared queue takes at once (`balances`): `TAKE_MILLIS` of its items
     * (`takeMax`), or its share of what is queued, whichever is more. A worker that takes no more
     * than queued items / workers (rounded up) holds nothing another would have run sooner: the pool
     * needs that long to drain the queue anyway. A deep queue of slow items (many workers of I/O) is
     * then still taken a batch at a time, not an item at a time, which would cost a take, and an
     * event-loop check, per item: 1,024 workers of 10 ms items ran 100,000 of them 20–35% slower.
     * Rounded up: rounded down, a queue just short of a batch per worker (several workers taking
     * before the producer refills) split its batches 9 + 1, 14,695 takes for those 100,000 items
     * against 12,355 (10,000 before the timed takes).
     */
    const takeCap = (ws: WorkerState, ch: Channel): number => Math.max(ws.takeMax, Math.ceil(ch.depth / workers))

    /**
     * Takes the batch being filled (the buffer is empty). Other idle workers get their share of it:
     * the taker takes the first ⌈items / (idle + 1)⌉ and leaves the rest for them (`wakeIfQueued`
     * wakes the next). Items that arrive together while workers idle (concurrent `execute`s, a burst
     * of submits) are then run by as many workers, not one after another by the first to wake.
     */
    const takePartial = (ws: WorkerState, ch: Channel, others: number): Array<unknown> => {
      const batch = ch.partial
      let n = others === 0 ? batch.length : Math.ceil(batch.length / (others + 1))
      if (n > ws.takeMax) n = Math.min(n, takeCap(ws, ch))
      if (n >= batch.length) {
        ch.partial = []
        return batch
      }
      return batch.splice(0, n)
    }

    /**
     * Takes the first full batch (`head`): whole while there is one for every idle worker, or nobody
     * to share with. Fewer (a burst of `batchSize` or more concurrent `execute`s on an idle pool) are
     * shared out as the batch being filled is, the taker taking ⌈queued items / (idle + 1)⌉, when
     * items may be slow: some worker's last batch ran `SHARE_ITEM_MILLIS` or more per item, or the
     * taker had idled `SHARE_IDLE_MILLIS` or more (a burst after a quiet spell, whatever ran before).
     * Cheap items streamed through a starved pool keep whole batches: a share would cost more takes
     * and wakes than it saves.
     */
    const takeQueued = (ws: WorkerState, ch: Channel, head: Array<unknown>, others: number): Array<unknown> => {
      let n = head.length
      if (others > 0 && ch.buffer.length <= others) {
        // (after a pause, the quiet spell is the pause itself, whatever the clock reading since says)
        if (slowWorkers > 0 || ws.resumed || now() - ws.last >= SHARE_IDLE_MILLIS) {
          n = Math.ceil(ch.depth / (others + 1))
        }
      }
      if (n > ws.takeMax) n = Math.min(n, takeCap(ws, ch))
      return n >= head.length ? ch.buffer.shift()! : head.splice(0, n)
    }

    const tryTake = (ws: WorkerState, ch: Channel): boolean => {
      const head = ch.buffer.peek()
      let batch: Array<unknown>
      if (head !== undefined) {
        batch = takeQueued(ws, ch, head, idleOthers(ch))
      } else if (ch.partial.length > 0) {
        batch = takePartial(ws, ch, idleOthers(ch))
      } else {
        return false
      }
      if (ch.depth === ch.limit) {
        full--
        updatePath()
      }
      ch.depth -= batch.length
      depth -= batch.length
      ws.batch = batch
      ws.index = 0
      ws.procAtTake = ws.proc
      ws.resumed = false
      if (ch.putters.length > 0) drainPutters(ch)
      wakeIfQueued(ch)
      return true
    }

    const rejectPutters = (ch: Channel): void => {
      if (ch.putters.length === 0) return
      const error = Effect.fail(closedError())
      for (const putter of ch.putters.drain()) putter.resume(error)
    }

    const keyOf = (item: unknown): string => {
      const key = keyBy!(item)
      if (typeof key !== "string") {
        if (Predicate.isPromiseLike(key)) {
          Promise.resolve(key).catch(() => {})
          throw new Cause.IllegalArgumentException(
            `${name}: keyBy must return a string synchronously, got a Promise (an async keyBy?)`
          )
        }
        throw new Cause.IllegalArgumentException(`${name}: keyBy must return a string, got ${show(key)}`)
      }
      return key
    }

    const routeOf = keyBy === undefined ?
      (_item: unknown): Channel => channels[0]! :
      (item: unknown): Channel => channels[workerForKey(keyOf(item), workers)]!

    interface Routed {
      readonly ch: Channel
      readonly entry: unknown
    }

    /** Routes `item` and wraps it in an envelope (parent span, completion callback) when needed. */
    const envelope = (
      item: unknown,
      onDone: ((exit: Exit.Exit<unknown, unknown>) => void) | undefined,
      fiber: Fiber.RuntimeFiber<unknown, unknown>
    ): Routed => {
      const key = keyBy === undefined ? undefined : keyOf(item)
      const ch = key === undefined ? channels[0]! : channels[workerForKey(key, workers)]!
      const parent = spanName === undefined ? undefined : fiber.currentSpan
      return { ch, entry: new Envelope(item, onDone, parent, key) }
    }

    const putWait = (ch: Channel, item: unknown) =>
      Effect.async<void, PoolClosedError>((resume) => {
        if (state !== OPEN) return resume(Effect.fail(closedError()))
        if (ch.putters.length === 0 && accept(ch, item)) return resume(Effect.void)
        const putter: Putter = { item, resume }
        ch.putters.push(putter)
        flush()
        return Effect.sync(() => {
          ch.putters.remove(putter)
        })
      })

    const offer = (ch: Channel, entry: unknown): Effect.Effect<void, PoolClosedError> => {
      if (state !== OPEN) return Effect.fail(closedError())
      if (ch.putters.length === 0 && accept(ch, entry)) return Effect.void
      return putWait(ch, entry)
    }

    /** What a plain submit does when it runs (a closed pool fails it before its key is asked for). */
    const offerItem = (item: unknown): Effect.Effect<void, PoolClosedError> =>
      state !== OPEN ? Effect.fail(closedError()) : offer(routeOf(item), item)

    /**
     * Plain submits place their item directly while the pool is open and no channel is full (see
     * `Submission`). A channel without room holds `limit` items (`Channel`); producers
     * wait on a channel only then, so none is waiting while the path is open.
     */
    const path: SubmitPath = {
      pool: name,
      open: true,
      place: (item) => {
        const ch = routeOf(item)
        // the pool was open with room everywhere when the run loop read `_op`; only `keyBy`, user
        // code run just now, can have changed that (by submitting to or closing this pool)
        if (state !== OPEN || !accept(ch, item)) {
          throw new Cause.IllegalArgumentException(
            `${name}: keyBy must only compute the item's key: the pool filled up or closed while it ran for a submit`
          )
        }
      },
      offer: offerItem
    }
    /** The direct path is open while the pool is open and every channel has room. */
    const updatePath = (): void => {
      path.open = state === OPEN && full === 0
    }

    const submit: (item: unknown) => Effect.Effect<void, PoolClosedError> = spanName === undefined
      ? (item) => new Submission(path, item)
      : (item) =>
        Effect.withFiberRuntime((fiber) => {
          if (state !== OPEN) return Effect.fail(closedError())
          const routed = envelope(item, undefined, fiber)
          return offer(routed.ch, routed.entry)
        })

    const trySubmit = (item: unknown): Effect.Effect<boolean, PoolClosedError> =>
      Effect.withFiberRuntime((fiber) => {
        if (state !== OPEN) return Effect.fail(closedError())
        const routed = spanName === undefined ? undefined : envelope(item, undefined, fiber)
        const ch = routed === undefined ? routeOf(item) : routed.ch
        // `keyBy`, user code run just now, may have ended or stopped the pool (as in `submitAll`)
        if (state !== OPEN) return Effect.fail(closedError())
        return Effect.succeed(ch.putters.length === 0 && accept(ch, routed === undefined ? item : routed.entry))
      })

    const execute = (item: unknown): Effect.Effect<unknown, unknown> =>
      Effect.withFiberRuntime((fiber) => {
        if (state !== OPEN) return Effect.fail(closedError())
        hasEnvelopes = true
        // the item's outcome, handed to this caller once. Not a Deferred: Effect 3 builds each one as
        // an object literal spread from a prototype, and V8 migrates its map property by property.
        // Measured under callgrind, 64 callers in a forEach: ~86,000 instructions per execute with
        // a Deferred, ~43,000 without
        let outcome: Exit.Exit<unknown, unknown> | undefined
        let waiting: ((exit: Exit.Exit<unknown, unknown>) => void) | undefined
        const routed = envelope(item, (exit) => {
          if (outcome !== undefined) return
          outcome = exit
          waiting?.(exit)
        }, fiber)
        // once accepted, the item runs even if this caller is interrupted while it waits
        return Effect.zipRight(
          offer(routed.ch, routed.entry),
          Effect.async<unknown, unknown>((resume) => {
            if (outcome !== undefined) return resume(outcome)
            waiting = resume
            return Effect.sync(() => {
              waiting = undefined
            })
          })
        )
      })

    const submitAll = (items: Iterable<unknown>): Effect.Effect<void, PoolClosedError> =>
      Effect.withFiberRuntime((fiber) => {
        if (typeof items !== "string" && (typeof items !== "object" || items === null || !(Symbol.iterator in items))) {
          return Effect.die(
            new Cause.IllegalArgumentException(
              `${name}: submitAll(items): items must be an Iterable, got ${show(items)}`
            )
          )
        }
        const iterator = items[Symbol.iterator]()
        let accepted = 0
        // a call that ends before the iterator is done closes it (`return()`, which runs a
        // generator's `finally`), as `for…of` does; not after its own `next()` threw. A throw of
        // `return()` is left unseen, as `for…of` leaves it behind a throw.
        let closed = false
        const close = (): void => {
          if (closed) return
          closed = true
          try {
            iterator.return?.()
          } catch {
            // the call already fails with what ended it
          }
        }
        const rejected = () => {
          close()
          return Effect.fail(closedError(accepted))
        }
        /** The iterator's next result, which must be an object, as `for…of` requires (it throws too). */
        const read = (): IteratorResult<unknown> => {
          const next = iterator.next()
          if ((typeof next !== "object" && typeof next !== "function") || next === null) {
            throw new TypeError(
              `${name}: submitAll(items): the iterator's next() must return an object { done, value }, got ${
                show(next)
              }`
            )
          }
          return next
        }
        let suspended = false
        const loop = (): Effect.Effect<void, PoolClosedError> => {
          // whether a throw comes from the iterator's own `next()` (a local: no store to the
          // closure's context per item)
          let reading = false
          try {
            while (true) {
              reading = true
              // a call whose every item was accepted succeeds, even if the pool closed just after
              // (the next element, if any, is read to know that, and the iterator is then closed)
              if (state !== OPEN) return read().done ? Effect.void : rejected()
              const next = read()
              reading = false
              if (next.done) return Effect.void
              let entry = next.value
              let ch: Channel
              if (spanName === undefined) {
                ch = routeOf(entry)
              } else {
                const routed = envelope(entry, undefined, fiber)
                ch = routed.ch
                entry = routed.entry
              }
              // user code run just now (the iterator, `keyBy`) may have ended or stopped the pool: the
              // item it read is refused, as any submit after the cut-off
              if (state !== OPEN) return rejected()
              if (ch.putters.length === 0 && accept(ch, entry)) {
                accepted++
                continue
              }
              suspended = true
              return Effect.matchEffect(putWait(ch, entry), {
                onFailure: rejected,
                onSuccess: () => {
                  accepted++
                  return loop()
                }
              })
            }
          } catch (defect) {
            // `keyBy` threw, not the iterator
            if (!reading) close()
            throw defect
          }
        }
        const result = loop()
        // a caller interrupted while it waits for room closes the iterator too
        return suspended ? Effect.onInterrupt(result, () => Effect.sync(close)) : result
      })

    const end = Effect.sync(() => {
      if (state !== OPEN) return
      state = ENDED
      updatePath()
      for (const ch of channels) {
        rejectPutters(ch)
        // idle workers take what is left, then see the end of input
        for (const taker of ch.takers.drain()) {
          ch.signalled++
          wake(taker)
        }
      }
    })

    /** Stops the pool: drops everything queued, releases producers, interrupts other workers. */
    const stop = (reason: "failed" | "interrupted", self: number): void => {
      if (state === STOPPED) return
      state = STOPPED
      updatePath()
      stopReason = reason
      for (const ch of channels) {
        depth -= ch.depth
        // no room from now on: an item that user code run in the middle of a submit (an iterator,
        // `keyBy`) reads after this stop is refused (`place`), not queued where no worker takes it
        ch.depth = ch.limit
        for (const batch of ch.buffer.drain()) dropFrom(batch, 0)
        dropFrom(ch.partial, 0)
        ch.partial = []
        rejectPutters(ch)
        for (const taker of ch.takers.drain()) {
          ch.signalled++
          wake(taker)
        }
      }
      for (let i = 0; i < fibers.length; i++) {
        if (i !== self) interruptWorker(i)
      }
      releasePaused()
      flush()
    }

    /**
     * Counts `batch[from..]` as dropped and tells the `execute` callers among them: the pool stopped
     * (the reason it stopped for), or their worker was interrupted from outside while the pool goes on
     * (`reason`).
     */
    const dropFrom = (batch: ReadonlyArray<unknown>, from: number, reason?: "interrupted"): void => {
      dropped += batch.length - from
      if (!hasEnvelopes) return
      let error: Exit.Exit<never, PoolClosedError> | undefined
      for (let i = from; i < batch.length; i++) {
        const entry = batch[i]
        if (entry instanceof Envelope && entry.onDone !== undefined) {
          entry.onDone(error ??= Exit.fail(closedError(undefined, reason)))
        }
      }
    }

    /**
     * Interrupts worker `i` in the middle of an item, once it is interruptible (`shield.ts`). An
     * item that is uninterruptible from start to end is let finish (interrupting its fiber would lose
     * its result at the end of its uninterruptible region) and is recorded as what it was; the worker
     * then sees the pool stopped and drops the rest of its batch. An item uninterruptible only for a
     * while (the acquire of `acquireUseRelease`) is looked at again every 10 ms of real time and
     * interrupted once it is found interruptible, still on the same item; the interruptible fibers
     * it runs meanwhile (the one that `Effect.timeout` races) at once. Idle workers are woken by
     * `stop` anyway.
     */
    const interruptWorker = (i: number): void => {
      const ws = states[i]!
      const batch = ws.batch
      const index = ws.index
      interruptWhenInterruptible(fibers[i]!, fiberId, () => ws.batch === batch && ws.index === index)
    }

    const setOutcome = (cause: Cause.Cause<unknown>): boolean => {
      if (outcome !== undefined) return false
      outcome = cause
      return true
    }

    /** A failed item: counted, decides the outcome if first, stops the pool unless continuing. */
    const itemFailed = (ws: WorkerState, cause: Cause.Cause<unknown>): Unreported | undefined => {
      if (Cause.isInterruptedOnly(cause)) {
        // interrupted (by a stop, or by itself): it never completed
        dropped++
        ws.envelope?.onDone?.(state === STOPPED ? Exit.fail(closedError()) : Exit.failCause(cause))
        return undefined
      }
      if (ws.envelope?.onDone !== undefined) ws.envelope.onDone(Exit.failCause(cause))
      errors++
      return failureStops(ws, cause)
    }

    /**
     * Decides the outcome if first, and stops the pool on a defect or in fail-fast mode. Returns what
     * to log when the failure is not the outcome and would otherwise show nowhere but in the error
     * count: a failure that stopped the pool after an earlier one decided the outcome (a defect in
     * `continueOnError` mode), or a defect of an item that ended after the pool had stopped (one that
     * ran uninterruptibly through the stop).
     */
    const failureStops = (ws: WorkerState, cause: Cause.Cause<unknown>): Unreported | undefined => {
      const simple = simplify(cause)
      const decided = setOutcome(simple.cause)
      if (!simple.defect && continueOnError) return undefined
      const stopped = stopBy(ws, simple.cause)
      const worker = ws.id
      const anItem = batched ? "a batch" : "an item"
      if (decided) {
        const logged = stopped && logsStopAtOnce
        if (logged) outcomeSeen = true
        return logged
          ? {
            cause: simple.cause,
            message: `stopped by a defect of ${anItem} on worker ${worker}: ${DEFECTS_STOP} ` +
              "(Middleware.recover turns them into failures); it accepts no more items",
            worker
          }
          : undefined
      }
      if (stopped) {
        return {
          cause: simple.cause,
          message:
            `stopped by a defect of ${anItem} on worker ${worker} after its outcome was decided by an earlier failure`,
          worker
        }
      }
      return simple.defect
        ? { cause: simple.cause, message: `${anItem} on worker ${worker} died after the pool had stopped`, worker }
        : undefined
    }

    /**
     * Stops the pool for `cause`, a failure of worker `ws`'s item or callback, unless it is stopped
     * already; that worker's scope then closes with `cause` (`workerFiber`). Whether it stopped it.
     */
    const stopBy = (ws: WorkerState, cause: Cause.Cause<unknown>): boolean => {
      if (state === STOPPED) return false
      ws.stopCause = cause
      stop("failed", ws.id)
      return true
    }

    /** Logs a failure that is not the pool's outcome (`failureStops`), then goes on with `effect`. */
    const reportStop = (unreported: Unreported, effect: Effect.Effect<void>): Effect.Effect<void> =>
      Effect.zipRight(warn(unreported.message, unreported.cause, unreported.worker), effect)

    /** Tells the `execute` callers among `batch[from .. from + n]` how their items ended. */
    const settle = (batch: ReadonlyArray<unknown>, from: number, n: number, exit: Exit.Exit<unknown, unknown>) => {
      for (let i = from; i < from + n; i++) {
        const entry = batch[i]
        if (entry instanceof Envelope) entry.onDone?.(exit)
      }
    }

    /** A failed call of a batched worker: every item it covered failed (or, interrupted, dropped). */
    const itemsFailed = (
      ws: WorkerState,
      cause: Cause.Cause<unknown>,
      batch: ReadonlyArray<unknown>,
      from: number,
      n: number
    ): Unreported | undefined => {
      if (Cause.isInterruptedOnly(cause)) {
        // interrupted (by a stop, or by itself): never completed; as `itemFailed` tells its caller
        dropped += n
        if (hasEnvelopes) settle(batch, from, n, state === STOPPED ? Exit.fail(closedError()) : Exit.failCause(cause))
        return undefined
      }
      errors += n
      if (hasEnvelopes) settle(batch, from, n, Exit.failCause(cause))
      return failureStops(ws, cause)
    }

    /** A failed callback (onWorkerComplete, onPoolComplete): the outcome if first, else logged. */
    const callbackFailed = (what: string, ws: WorkerState | undefined, cause: Cause.Cause<unknown>) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.void
      const simple = simplify(cause)
      // a callback's defect stops the pool in both modes, a failure in fail-fast mode, whether or
      // not an earlier failure already decided the outcome
      // the outcome first: the stop rejects what is queued, and its errors name the outcome's failure
      const decided = setOutcome(simple.cause)
      const stopped = ws !== undefined && (simple.defect || !continueOnError) && stopBy(ws, simple.cause)
      if (decided && stopped && logsStopAtOnce) {
        outcomeSeen = true
        return warn(
          `${what} of worker ${ws!.id} died: the pool stops (${DEFECTS_STOP})`,
          simple.cause,
          ws!.id
        )
      }
      if (!decided) {
        return ws === undefined
          ? warn(`${what} failed after the pool's outcome was decided`, simple.cause)
          : warn(`${what} of worker ${ws.id} failed after the pool's outcome was decided`, simple.cause, ws.id)
      }
      // the outcome, but the pool did not stop on it (`onPoolComplete` runs once the pool ended; a
      // failure of `onWorkerComplete` in continue mode): unlike an item's failure, counted in the
      // stats, nothing else shows it. Logged as the scope closes if nothing read it
      if (!stopped) decidedBy = ws === undefined ? what : `${what} of worker ${ws.id}`
      return Effect.void
    }

    // -- worker fibers ---------------------------------------------------------------------------

    /** Milliseconds since the worker's last step; the clock reading becomes its last step. */
    const lap = (ws: WorkerState): number => {
      const t = now()
      const elapsed = sinceLast(ws, t)
      ws.last = t
      return elapsed
    }

    // -- pause / resume ---------------------------------------------------------------------------

    const awaitResume: Effect.Effect<void> = Effect.async<void>((resume) => {
      if (!paused || state === STOPPED) return resume(Effect.void)
      const waiter = () => resume(Effect.void)
      pauseWaiters.push(waiter)
      return Effect.sync(() => {
        pauseWaiters.remove(waiter)
      })
    })

    const releasePaused = (): void => {
      for (const waiter of pauseWaiters.drain()) waiter()
    }

    const pause = Effect.sync(() => {
      paused = true
    })

    const resume = Effect.sync(() => {
      if (!paused) return
      paused = false
      releasePaused()
    })

    // -- tracing ---------------------------------------------------------------------------------

    /**
     * Runs an item's effect in its span: a child of its submitter's span, or a root span when the
     * submitter had none (not a child of whatever span was current when the pool was made). A batched
     * call covers items of several submitters: its span is a root span linked to each of theirs.
     */
    const withItemSpan = (
      effect: Effect.Effect<unknown, unknown>,
      id: number,
      envelope: Envelope | undefined,
      items: ReadonlyArray<unknown> | undefined
    ): Effect.Effect<unknown, unknown> => {
      const attributes: Record<string, unknown> = { "fiberpool.pool": name, "fiberpool.worker": id }
      // no stack trace per item: capturing one (Effect's default) costs more than the item itself
      if (items !== undefined) {
        attributes["fiberpool.items"] = items.length
        const parents = new Set<Tracer.AnySpan>()
        for (const entry of items) {
          if (entry instanceof Envelope && entry.parent !== undefined) parents.add(entry.parent)
        }
        const links: Array<Tracer.SpanLink> = []
        for (const span of parents) links.push({ _tag: "SpanLink", span, attributes: {} })
        return Effect.withSpan(effect, spanName!, { attributes, links, root: true, captureStackTrace: false })
      }
      if (envelope?.key !== undefined) attributes["fiberpool.key"] = envelope.key
      return Effect.withSpan(
        effect,
        spanName!,
        envelope?.parent === undefined
          ? { attributes, root: true, captureStackTrace: false }
          : { attributes, parent: envelope.parent, captureStackTrace: false }
      )
    }

    /**
     * A worker's loop was interrupted (the pool stopped, or from outside, through `Fiber.roots`
     * say). The time since its last step is counted where it went: waiting for a batch, paused, or
     * on the batch it was running: the interrupted item (and, without metrics, the batch's finished
     * items, whose time is otherwise added when the batch ends). A waiting worker's taker leaves the
     * channel or, if it had been woken already, the wake goes on to another idle worker, so no
     * queued item waits for it.
     */
    const loopInterrupted = (ws: WorkerState, ch: Channel): void => {
      // not by a stop (which sets the state first): by someone outside the pool
      if (state !== STOPPED) ws.cut = true
      const elapsed = lap(ws)
      const taker = ws.taker
      if (ws.parked) {
        ws.parked = false
        ch.parked--
      }
      if (ws.pausing) {
        ws.pausing = false
        ws.paused += elapsed
        if (ws.resumed) ch.pausedIdle--
      } else if (taker === undefined && ws.batch !== null) {
        ws.proc += elapsed
      } else {
        ws.wait += elapsed
      }
      if (taker === undefined) return
      ws.taker = undefined
      if (ch.takers.remove(taker)) return
      ch.signalled--
      wakeIfQueued(ch)
    }

    /**
     * A worker fiber's loop: take a batch, run its items, take the next. The continuation handlers
     * are allocated once per worker fiber.
     *
     * A worker that takes one item per call, with no `onResult`, runs in one `Effect.whileLoop`
     * under one match node, across batches: an item that succeeds costs its own effect and nothing
     * else of the run loop, and the next batch is taken between two items when it is already there.
     * The loop is left to wait for input, to yield to the event loop, to pause, when the pool
     * stops, and when an item fails (the match settles the failure and the loop starts again). A
     * batched worker, or one whose results go on (`onResult`), takes a match node per call.
     */
    const makeLoop = (ws: WorkerState, ch: Channel, worker: Worker.Worker<unknown, unknown, unknown>) => {
      /** Items the running call covers: one, or the rest of the batch for a batched worker. */
      let count = 1
      const endBatch = (): void => {
        const size = ws.batch!.length
        ws.batch = null
        // an idle worker keeps no item alive (a long-lived pool, large payloads)
        current = undefined
        ws.envelope = undefined
        if (!publish) {
          ws.proc += lap(ws)
        }
        const took = ws.proc - ws.procAtTake
        const slow = took >= SHARE_ITEM_MILLIS * size
        if (slow !== ws.slow) {
          ws.slow = slow
          slowWorkers += slow ? 1 : -1
        }
        if (balances) {
          const itemMillis = (ws.itemMillis + took / size) / 2
          ws.itemMillis = itemMillis
          // cheap items (0 ms under a TestClock that stands still): whole batches
          ws.takeMax = itemMillis * batchSize <= TAKE_MILLIS
            ? batchSize
            : Math.max(1, Math.floor(TAKE_MILLIS / itemMillis))
        }
      }
      /**
       * Bookkeeping of a call that succeeded (one item, or `count` of a batched worker). With metrics
       * published, every call is timed for the duration histogram. Without, the clock is read once per
       * batch (`endBatch`): processing time is the same sum, one read cheaper per item.
       */
      const succeeded = (value: unknown): void => {
        if (publish) {
          // the clock first: a Clock that throws here is the worker loop's fault, with the item not
          // yet counted (the worker fiber dies and the item is dropped with the rest of the batch)
          const t = now()
          const elapsed = sinceLast(ws, t)
          ws.last = t
          ws.proc += elapsed
          durationHook!.update(elapsed / 1000)
          processed += count
          // the counters are otherwise published once per take, and with slow items a batch can
          // take minutes; `abs`: a clock set back (`TestClock.setTime`) must not stop them as long
          if (Math.abs(t - publishedAt) >= PUBLISH_MILLIS) publishNow(t)
        } else {
          processed += count
        }
        if (batched) {
          if (hasEnvelopes) settle(ws.batch!, ws.index, count, Exit.void)
        } else if (ws.envelope !== undefined) {
          ws.envelope.onDone?.(Exit.succeed(value))
          ws.envelope = undefined
        }
        ws.index += count
      }
      const settled = {
        onFailure: (cause: Cause.Cause<unknown>): Effect.Effect<void> => {
          if (publish) {
            const elapsed = lap(ws)
            ws.proc += elapsed
            // an item interrupted (by itself) is counted as dropped: it is not observed either
            if (!Cause.isInterruptedOnly(cause)) durationHook!.update(elapsed / 1000)
          }
          const from = ws.index
          ws.index += count
          let unreported: Unreported | undefined
          if (batched) {
            unreported = itemsFailed(ws, cause, ws.batch!, from, count)
          } else {
            unreported = itemFailed(ws, cause)
            ws.envelope = undefined
          }
          // a failure is published at once, not at the next take: alerts watch for it
          flush()
          return unreported === undefined ? next() : reportStop(unreported, next())
        },
        onSuccess: (value: unknown): Effect.Effect<void> => {
          succeeded(value)
          if (onResult === undefined) return next()
          // the item's time ends here (without metrics, it is counted now rather than at the batch's end)
          if (!publish) ws.proc += lap(ws)
          return Effect.flatMap(onResult(value), afterResult)
        }
      }
      /**
       * After `onResult` (`mapStream`'s output, which waits while its reader does not take): that
       * time is the worker waiting, not the next item's duration.
       */
      const afterResult = (): Effect.Effect<void> => {
        ws.wait += lap(ws)
        return next()
      }
      /** The input of the running call, for the failure handlers of `catchCause` middleware. */
      let current: unknown
      const handlers = recoverFrom === undefined ? settled : {
        onFailure: (cause: Cause.Cause<unknown>): Effect.Effect<void> =>
          Effect.matchCauseEffect(recoverFrom(cause, current), settled),
        onSuccess: settled.onSuccess
      }
      /** The call for the item (or, batched, the items) at `ws.index`. */
      const call = (): Effect.Effect<unknown, unknown> => {
        const batch = ws.batch!
        let input: unknown
        let envelope: Envelope | undefined
        let items: Array<unknown> | undefined
        if (batched) {
          count = batch.length - ws.index
          // the worker gets an array of its own: it may change it (typed readonly, but a push from
          // JavaScript would otherwise run an item twice or one never submitted, and break the
          // count). With envelopes the mapped array is that copy, and the entries are read in place
          // (for the span's parents)
          items = hasEnvelopes && ws.index === 0 ? batch : batch.slice(ws.index)
          input = hasEnvelopes ? items.map((e) => e instanceof Envelope ? e.item : e) : items
        } else {
          input = batch[ws.index]
          if (input instanceof Envelope) {
            envelope = input
            input = input.item
          }
          ws.envelope = envelope
        }
        let effect: Effect.Effect<unknown, unknown>
        // `callWorker`, written out: through it, the call and the check are sites shared with
        // middleware that call their `next`, which made the W4 rows ~150 instructions per item
        // dearer (measured); here they see only this pool's outermost worker
        try {
          // a worker that throws before returning an Effect fails this item only, as a defect
          effect = worker(input) as Effect.Effect<unknown, unknown>
          if (!isEffectValue(effect)) effect = notAnEffect("A worker", effect, middleware.length > 0)
        } catch (error) {
          effect = Effect.die(error)
        }
        if (spanName !== undefined) effect = withItemSpan(effect, ws.id, envelope, items)
        current = input
        return effect
      }
      /** The wait for a batch ended: it was taken (`true`), or there is none to come. */
      const afterTake = (got: boolean): Effect.Effect<void> => {
        ws.wait += lap(ws)
        return got ? next() : Effect.void
      }
      /**
       * Takes the next batch into `ws.batch` if it can at once: `true`. Otherwise the effect that
       * gets there and goes on with the batch, yielding to the event loop or waiting while paused or
       * for input, or ends the loop: the pool stopped, or input has ended and the channel is empty.
       */
      const takeNow = (): true | Effect.Effect<void> => {
        // the yield check only when there is something to take (never once the pool stopped, which
        // emptied the queues): a worker that will wait reads no clock for it. One woken from a wait
        // for input during which the event loop was seen to turn reads how long it waited (since its
        // last reading, at the end of its last item or batch), counted as waiting as `afterTake` would
        if (yieldsToEventLoop && hasQueued(ch)) {
          let idle = 0
          const waitTurn = ws.waitTurn
          ws.waitTurn = -1
          if (waitTurn >= 0 && turnSeenSince(waitTurn)) {
            const t = now()
            idle = t - ws.last
            ws.wait += sinceLast(ws, t)
            ws.last = t
          }
          const turn = yieldToEventLoop(idle)
          if (turn !== undefined) {
            ws.parked = true
            ch.parked++
            return Effect.flatMap(turn, afterPark)
          }
        }
        return takeOrWait()
      }
      /** `takeNow` after its yield check: the end of the loop, the wait while paused, a take or the wait for input. */
      const takeOrWait = (): true | Effect.Effect<void> => {
        // the counters are published here, once per take: when the pool stopped, before a pause,
        // and after the take (not before it, or the queue-depth gauge would go on counting the batch
        // taken until the next take); a park for the event loop publishes at the take after it
        if (state === STOPPED) {
          flush()
          return afterTake(false)
        }
        if (paused) {
          flush()
          // the time up to here was idle (waiting for this batch, or between batches), not paused
          ws.wait += lap(ws)
          ws.pausing = true
          // idle, for the share of what is queued when the pool resumes (`idleOthers`, `takeQueued`)
          ws.resumed = true
          ch.pausedIdle++
          return Effect.flatMap(awaitResume, resumedToTake)
        }
        const took = tryTake(ws, ch)
        flush()
        if (took) return true
        if (state !== OPEN) return afterTake(false)
        return awaitBatch
      }
      /**
       * The take after a park for the event loop's turn: the first one after each turn takes at
       * once (with thousands of workers parked, one pool or many, waking them all takes longer than
       * the check's interval, and each would otherwise park again at once, for ever); the others take
       * while the turn is recent and park again otherwise (`takeAfterTurn`), so that a turn lets one
       * interval of work run, not a batch of every parked worker. One that parks again keeps its place
       * in line (`parkAgain`): the worker that took parks before it, and would take at every turn.
       */
      const afterPark = (): Effect.Effect<void> => {
        // still parked (`ws.parked`, `ch.parked`) if there is something to take but the turn is over
        // (`hasQueued` first: a worker with nothing to take must not use up the turn's one unchecked take)
        if (hasQueued(ch) && !takeAfterTurn()) return Effect.flatMap(parkAgain, afterPark)
        ws.parked = false
        ch.parked--
        const got = takeOrWait()
        return got === true ? afterTake(true) : got
      }
      /** Takes the next batch, waiting for one if need be, and runs it. */
      const takeNext = (): Effect.Effect<void> => {
        const got = takeNow()
        return got === true ? afterTake(true) : got
      }
      const resumedToTake = (): Effect.Effect<void> => {
        ws.pausing = false
        ws.paused += lap(ws)
        ch.pausedIdle--
        return takeNext()
      }
      /** A woken worker is no longer waiting: its wake is used. */
      const wokenUp = (): void => {
        ws.taker = undefined
        ch.signalled--
      }
      /**
       * Waits until the channel may have something to take, or input ended, and goes on with it: the
       * waker resumes the worker with `woken` itself, not with `Effect.void` and a continuation (a
       * step fewer per wait). Without a canceller: with one, Effect wraps every wait in an
       * interruption handler, five more run-loop steps per wait. A worker fiber interrupted while it
       * waits withdraws its taker once, on its way out (`loopInterrupted`).
       */
      const awaitBatch: Effect.Effect<void> = Effect.async<void>((resume) => {
        if (yieldsToEventLoop) ws.waitTurn = watchNextTurn()
        const taker: Taker = { resume, woken }
        ws.taker = taker
        ch.takers.push(taker)
      })
      const loop: Effect.Effect<void> = Effect.suspend(takeNext)
      /** The effect that takes the next batch, when the item loop could not take it at once. */
      let taking: Effect.Effect<void> | undefined
      /**
       * A throw in the item loop's own bookkeeping (`ready`, `succeeded`), not in an item: the loop
       * ends and the worker fiber dies with it, as with a throw in any other step of the worker,
       * instead of the failure handlers blaming the item that ran last.
       */
      let fault: { readonly defect: unknown } | undefined
      /**
       * The item loop's condition: an item of the current batch is ready to run. At the end of the
       * batch, takes the next one if it can at once; else the loop ends, to take it in `afterItems`.
       */
      const ready = (): boolean => {
        if (fault !== undefined) return false
        try {
          const batch = ws.batch
          if (batch === null) {
            // the loop was resumed by a wake (`woken`): its batch ended before it waited
            wokenUp()
          } else {
            if (ws.index < batch.length) return state !== STOPPED && !paused
            endBatch()
          }
          const got = takeNow()
          if (got !== true) {
            taking = got
            return false
          }
          ws.wait += lap(ws)
          return true
        } catch (defect) {
          fault = { defect }
          return false
        }
      }
      const step = (value: unknown): void => {
        try {
          succeeded(value)
        } catch (defect) {
          fault = { defect }
        }
      }
      /**
       * After the item loop: the next batch to take, or the stop or pause that ended it in the
       * middle of a batch (`next`).
       */
      const afterItems = (): Effect.Effect<void> => {
        if (fault !== undefined) return Effect.die(fault.defect)
        if (taking !== undefined) {
          const effect = taking
          taking = undefined
          return effect
        }
        return next()
      }
      const items: Effect.Effect<void> | undefined = batched || onResult !== undefined
        ? undefined
        : Effect.matchCauseEffect(
          Effect.whileLoop({ while: ready, body: call, step }),
          { onFailure: handlers.onFailure, onSuccess: afterItems }
        )
      /**
       * What a woken worker resumes with: the batch it was woken for (or the end), and on. A worker
       * with an item loop re-enters the loop itself, whose condition takes the batch (a step fewer
       * per wait than an effect that takes it and then returns the loop).
       */
      const woken: Effect.Effect<void> = items ?? Effect.suspend(() => {
        wokenUp()
        return takeNext()
      })
      const afterPause = (): Effect.Effect<void> => {
        ws.pausing = false
        ws.paused += lap(ws)
        return next()
      }
      /** The rest of the current batch; at its end, `loop`. */
      const next = (): Effect.Effect<void> => {
        const batch = ws.batch!
        if (ws.index >= batch.length) {
          endBatch()
          return loop
        }
        if (state === STOPPED) {
          dropFrom(batch, ws.index)
          endBatch()
          return loop
        }
        if (paused) {
          if (!publish) {
            ws.proc += lap(ws)
          }
          // published before a pause in the middle of a batch too, as at a take
          flush()
          ws.pausing = true
          return Effect.flatMap(awaitResume, afterPause)
        }
        return items ?? Effect.matchCauseEffect(call(), handlers)
      }
      // interrupted, it is settled by `loopInterrupted`, from the worker fiber's own exit handler
      return loop
    }

    // middleware is applied once per pool; for stateful pools around a worker that delegates to the
    // current fiber's own worker
    const statefulWorkers: Array<Worker.Worker<unknown, unknown, unknown> | undefined> = []
    const base: Worker.Worker<unknown, unknown, unknown> = stateful
      // through `callWorker`, as the pool calls a worker itself: what the fiber's own worker throws or
      // returns that is not an Effect (a rejected Promise) fails that item with a defect that says so
      ? (item) =>
        Effect.flatMap(WorkerId, (id) => {
          const worker = statefulWorkers[id]
          // released when its worker fiber ended (`workerFiber`): only work a middleware forked to
          // outlive the item gets here then
          return worker === undefined
            ? Effect.die(
              new Cause.IllegalArgumentException(
                `${name}: worker ${id} has ended, and its makeWorker worker with it: work forked by middleware must not outlive its item`
              )
            )
            : callWorker(worker, item)
        })
      : options.worker!
    const middleware = options.middleware ?? []
    /** `below[i]`: the worker `middleware[i]` wraps. */
    const below: Array<Worker.Worker<unknown, unknown, unknown>> = new Array(middleware.length)
    let shared = base
    for (let i = middleware.length - 1; i >= 0; i--) {
      below[i] = shared
      const wrapped = middleware[i]!(shared)
      if (typeof wrapped !== "function") {
        // a rejected Promise (an async factory) is handled here, or it would end the process
        const thenable = Predicate.isPromiseLike(wrapped)
        if (thenable) Promise.resolve(wrapped).catch(() => {})
        return yield* Effect.die(
          new Cause.IllegalArgumentException(
            `${name}: middleware[${i}] must return a worker function, got ${show(wrapped)}${
              thenable ? " (a Promise: a middleware returns its worker synchronously)" : ""
            }`
          )
        )
      }
      shared = wrapped
    }
    // the leading middleware made by `Worker.catchCause` (retry, recover) act only on failure: the
    // pool runs the rest of the stack per item and their handlers from its own failure path, in the
    // same nesting, so an item that succeeds costs no continuation for them. A span must cover
    // every attempt: with one, the stack runs as it is.
    const causeHandlers: Array<AnyCauseHandler> = []
    if (spanName === undefined) {
      for (const m of middleware) {
        const handler = handlerOf(m)
        if (handler === undefined) break
        causeHandlers.push(handler)
      }
    }
    const fused = causeHandlers.length
    const perItem = fused === 0 ? shared : below[fused - 1]!
    const recoverFrom = fused === 0 ? undefined : (cause: Cause.Cause<unknown>, input: unknown) => {
      let effect = handle(causeHandlers[fused - 1]!, cause, input, below[fused - 1]!)
      for (let j = fused - 2; j >= 0; j--) {
        const handler = causeHandlers[j]!
        const next = below[j]!
        effect = Effect.catchAllCause(effect, (c) => handle(handler, c, input, next))
      }
      return effect as Effect.Effect<unknown, unknown>
    }
    const perFiber = stateful && middleware.length === 0
    const startup = makeSignal()
    let ready = 0

    const workerFiber = (ws: WorkerState): Effect.Effect<void> => {
      const id = ws.id
      const ch = keyBy === undefined ? channels[0]! : channels[id]!
      /**
       * The failure the body ends with so that the worker's scope closes with it, as `Effect.scoped`
       * would, and what it acquired is released seeing it (a rollback, a resource marked unhealthy):
       * its start-up failure, which `make` reports, or the failure of its item or callback that
       * stopped the pool, which `wait` reports. The fiber itself does not fail with it.
       */
      let scopeFailure: Cause.Cause<unknown> | undefined
      /** Start-up is over: the worker entered its loop. */
      let looping = false
      /** In its loop: from start-up's end until the loop returns. */
      let inLoop = false
      /** The context of the fiber before the worker's was added: its scope closes in it. */
      let parentContext: Context.Context<never> | undefined
      const closeScope = (cause: Cause.Cause<unknown>): Effect.Effect<never, unknown> => {
        scopeFailure = cause
        return Effect.failCause(cause)
      }
      /** The worker's context, without `Scope` and what its `workerLayer` builds. */
      const baseContext = Context.make(WorkerId, id).pipe(Context.add(Metrics.PoolMetrics, counters))
      /**
       * The worker's start-up: its layer, its `makeWorker` worker. Run with the worker's context set,
       * and the layer's services added to it. Without a layer or `makeWorker`, there is nothing to run.
       */
      const init = (scope: Scope.Scope): Effect.Effect<Worker.Worker<unknown, unknown, unknown>, unknown> =>
        Effect.gen(function*() {
          if (options.workerLayer !== undefined) {
            const layerContext = yield* Layer.buildWithScope(options.workerLayer, scope)
            yield* addToContext(layerContext as Context.Context<never>)
          }
          if (!stateful) return perItem
          const made = yield* Effect.suspend(() => {
            const effect = options.makeWorker!(id)
            return Effect.isEffect(effect) ? effect : notAnEffect("makeWorker", effect)
          })
          if (typeof made !== "function") {
            return yield* Effect.die(
              new Cause.IllegalArgumentException(
                `${name}: makeWorker(${id}) must produce a worker function, got ${show(made)}`
              )
            )
          }
          statefulWorkers[id] = made
          return perFiber ? made : perItem
        }) as Effect.Effect<Worker.Worker<unknown, unknown, unknown>, unknown>
      const body = (scope: Scope.CloseableScope) =>
        Effect.gen(function*() {
          // set once for every phase rather than provided around each, and set back before the scope
          // closes (`scoped`)
          parentContext = yield* addToContext(Context.add(baseContext, Scope.Scope, scope))
          ws.last = now()
          const made = options.workerLayer !== undefined || stateful ? yield* Effect.exit(init(scope)) : undefined
          ws.init += lap(ws)
          if (made?._tag === "Failure") {
            startup.complete(Exit.failCause(made.cause))
            return yield* closeScope(made.cause)
          }
          if (++ready === workers) startup.complete(Exit.void)
          looping = true
          inLoop = true
          yield* makeLoop(ws, ch, made?.value ?? perItem)
          inLoop = false
          if (state !== STOPPED && options.onWorkerComplete !== undefined) {
            ws.last = now()
            workersBeganComplete++
            const complete = yield* Effect.exit(
              Effect.suspend(() => {
                const effect = options.onWorkerComplete!(id)
                return Effect.isEffect(effect) ? effect : notAnEffect("onWorkerComplete", effect)
              })
            ).pipe(
              // its time, also when it is interrupted (a scope close while it runs); outside its exit,
              // so that a Clock that throws here is the worker's fault, not the callback's
              Effect.ensuring(Effect.sync(() => {
                ws.wrap += lap(ws)
              }))
            )
            if (complete._tag === "Success" || !Cause.isInterruptedOnly(complete.cause)) workersCompleted++
            if (complete._tag === "Failure") {
              yield* Effect.locally(
                callbackFailed("onWorkerComplete", ws, complete.cause),
                FiberRef.currentContext,
                Context.add(parentContext!, Scope.Scope, scope)
              )
            }
          }
          if (ws.stopCause !== undefined) return yield* closeScope(ws.stopCause)
          // stopped by something else while this worker could not be interrupted (an uninterruptible
          // item or batch call, which it finished): its scope closes interrupted, as the others' do
          if (state === STOPPED) return yield* closeScope(Cause.interrupt(fiberId))
        })
      // `Effect.scoped` and `Effect.provide`, with the context set once by `body` and set back here, as
      // the scope closes: its finalizers, and a fiber that joins this one, see the caller's context
      const scoped = Effect.flatMap(
        Scope.make(),
        (scope) =>
          Effect.onExit(body(scope), (exit) => {
            const close = closeWith(scope, exit)
            return parentContext === undefined
              ? close
              : Effect.zipRight(FiberRef.set(FiberRef.currentContext, parentContext), close)
          })
      )
      /** Closes the worker's scope; the loop's interruption is settled first. */
      const closeWith = (scope: Scope.CloseableScope, exit: Exit.Exit<unknown, unknown>) => {
        // what `Effect.onInterrupt` around the loop would do, without its frame: settled before
        // the scope closes, so that a wake it held passes on at once, and the release's time is
        // not counted as the loop's
        if (!inLoop || exit._tag === "Success" || !Cause.isInterruptedOnly(exit.cause)) {
          return Scope.close(scope, exit)
        }
        try {
          loopInterrupted(ws, ch)
        } catch (defect) {
          // a Clock that throws: the scope still closes, seeing the defect after the interruption
          const cause = Cause.sequential(exit.cause, Cause.die(defect))
          return Effect.matchCauseEffect(Scope.close(scope, Exit.failCause(cause)), {
            onFailure: (released) => Effect.failCause(Cause.sequential(Cause.die(defect), released)),
            onSuccess: () => Effect.die(defect)
          })
        }
        return Scope.close(scope, exit)
      }
      return scoped.pipe(
        // (a fiber that fails would also log itself as an unhandled error, at debug level). When the
        // scope's release failed too, the fiber dies with that alone: the pool reports the rest
        Effect.catchAllCause((cause) =>
          cause === scopeFailure
            ? Effect.void
            : Effect.failCause(
              cause._tag === "Sequential" && cause.left === scopeFailure
                ? cause.right
                : cause
            )
        ),
        Effect.onExit((exit) =>
          Effect.sync(() => {
            running--
            // its `makeWorker` worker (and what that holds) is not kept alive by a pool held after its end
            statefulWorkers[ws.id] = undefined
            // a worker dying outside an item stops the pool first, so that the `execute` callers of
            // the items dropped below learn that it failed
            if (exit._tag === "Failure") {
              if (!Cause.isInterruptedOnly(exit.cause)) workerDied(ws, exit.cause)
              // interrupted from outside, in its loop or while it started; not a scope release that
              // ended with an interruption after its loop ended (as a release that interrupts and
              // joins a fiber of its own does): the pool goes on with that, as before
              else if (state !== STOPPED && (ws.cut || !looping)) workerInterrupted(exit.cause, ws.id)
            }
            // interrupted, or dead, in the middle of a batch: what was not finished is dropped
            if (ws.batch !== null) {
              dropFrom(ws.batch, ws.index, state === STOPPED ? undefined : "interrupted")
              ws.batch = null
            }
          })
        )
      ) as Effect.Effect<void>
    }

    /**
     * Ends the pool: `wait` and `close` return. A Clock that throws here must not leave them waiting
     * forever: its defect is the outcome if none was decided, else it is returned for the caller to log.
     */
    const finish = (): Cause.Cause<unknown> | undefined => {
      if (finished) return undefined
      finished = true
      let unreported: Cause.Cause<unknown> | undefined
      try {
        endTime = now()
      } catch (defect) {
        endTime = startTime
        const cause = Cause.die(defect)
        if (!setOutcome(cause)) unreported = cause
      }
      flush()
      done.complete(outcome === undefined ? Exit.void : Exit.failCause(outcome))
      return unreported
    }
    const finishAndReport = Effect.suspend(() => {
      const unreported = finish()
      return unreported === undefined
        ? Effect.void
        : warn("the Clock failed at the pool's end, after its outcome was decided", unreported)
    })

    /** Defects that killed a worker fiber after the outcome was decided: the supervisor logs them. */
    const unreportedDeaths: Array<
      { readonly cause: Cause.Cause<unknown>; readonly worker: number; readonly decided: boolean }
    > = []
    /**
     * A defect that escapes a worker fiber outside an item (a bug, a Clock that throws) stops the pool
     * as the fiber ends (from its own exit handler), not when the supervisor, awaiting the fibers in
     * turn, reaches it: a worker busy with a long item before it would otherwise leave the dead
     * worker's queue, and any producer waiting on it, stuck meanwhile.
     */
    const workerDied = (ws: WorkerState, failure: Cause.Cause<unknown>): void => {
      if (Cause.isInterruptedOnly(failure)) return
      const cause = simplify(failure).cause
      // during start-up (a Clock that throws at a worker's first reading): `make` fails with it
      startup.complete(Exit.failCause(cause))
      // logged whenever the outcome was decided before, also after the pool stopped (a release of the
      // worker's scope that fails, an item's finalizer that dies as a stop interrupts it); and when
      // it decides the outcome of a continue-mode pool, which stops on it (`logsStopAtOnce`)
      const decided = setOutcome(cause)
      if (!decided || (logsStopAtOnce && state !== STOPPED)) {
        if (decided) outcomeSeen = true
        unreportedDeaths.push({ cause, worker: ws.id, decided })
      }
      stop("failed", ws.id)
    }

    /** Worker fibers that have not ended. */
    let running = workers
    /** Workers whose `onWorkerComplete` ran to its end, failed or not (for the scope-close warning). */
    let workersCompleted = 0
    /** Workers whose `onWorkerComplete` began (an interrupted one did not complete). */
    let workersBeganComplete = 0
    /** `onPoolComplete` began (for the scope-close warning: interrupted, not skipped). */
    let poolCompleteBegan = false
    /** The pool stopped because its workers were interrupted from outside (`workerInterrupted`): `onPoolComplete` is skipped. */
    let cutShort = false
    /**
     * A worker fiber interrupted from outside the pool (not by a stop of its own: `Fiber.roots`, a
     * `Fiber.interrupt` of a fiber found otherwise). In a pool without `keyBy` the other workers take
     * what it would have; but with `keyBy` its queue has no other worker, and with no worker left
     * nothing takes what was accepted: the pool then stops, interrupted by that fiber, its queued
     * items counted as dropped and its producers released, rather than holding them for ever.
     */
    const workerInterrupted = (cause: Cause.Cause<unknown>, self: number): void => {
      // during start-up: `make` fails with the interruption instead of waiting for this worker
      startup.complete(Exit.failCause(cause))
      if (keyBy === undefined && running > 0) return
      setOutcome(cause)
      // interrupted first: `onPoolComplete` does not run (DESIGN.md), as after a scope close
      cutShort = true
      stop("interrupted", self)
    }

    /** Logs the deaths `workerDied` recorded, once each: from the supervisor, or from `interruptNow`. */
    const reportDeaths: Effect.Effect<void> = Effect.suspend(() => {
      const death = unreportedDeaths[0]
      if (death === undefined) return Effect.void
      // logged and taken off in one uninterruptible step: an interruption between two logs leaves
      // the rest for the next drain, and none is logged twice
      return warn(
        death.decided
          ? `the fiber of worker ${death.worker} died: the pool stops (${DEFECTS_STOP})`
          : `the fiber of worker ${death.worker} died after the pool's outcome was decided`,
        death.cause,
        death.worker
      ).pipe(
        Effect.zipRight(Effect.sync(() => unreportedDeaths.shift())),
        Effect.uninterruptible,
        Effect.zipRight(reportDeaths)
      )
    })

    /**
     * Ends the pool in the supervisor's place, once it is interrupted: `stop` interrupted the workers
     * (but those in an uninterruptible item), so wait for them all; then the deaths the supervisor did
     * not get to log, and the end. Built when it runs: `asMade`'s four `Effect.locally` are ~4.7 KB,
     * which a pool that ends on its own would allocate for nothing.
     */
    const endAfterWorkers: Effect.Effect<void> = Effect.suspend(() =>
      Effect.zipRight(Fiber.awaitAll(fibers), asMade(Effect.zipRight(reportDeaths, finishAndReport)))
    )

    const supervisor = Effect.gen(function*() {
      for (const fiber of fibers) {
        yield* Fiber.await(fiber)
        yield* reportDeaths
      }
      if (interrupted) return
      if (options.onPoolComplete !== undefined && !cutShort) {
        const onPoolComplete = options.onPoolComplete
        // its failure is settled in the same uninterruptible step: an interruption of the supervisor
        // from outside, pending as an uninterruptible callback fails, must not drop the failure
        poolCompleteBegan = true
        yield* Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(
            Effect.exit(restore(onPoolComplete)),
            (exit) => exit._tag === "Failure" ? callbackFailed("onPoolComplete", undefined, exit.cause) : Effect.void
          )
        )
      }
      yield* finishAndReport
    })

    // -- start -----------------------------------------------------------------------------------

    // workers are interruptible whatever the caller's region (a pool made inside `acquireRelease`'s
    // acquire, or `Effect.uninterruptible`, would otherwise fork workers that nothing can stop)
    for (const ws of states) fibers.push(yield* Effect.forkDaemon(Effect.interruptible(workerFiber(ws))))
    yield* restore(startup.await).pipe(
      Effect.onExit((exit) => {
        if (exit._tag === "Success") return Effect.void
        state = STOPPED
        updatePath()
        return Fiber.interruptAll(fibers)
      })
    )
    /**
     * The supervisor interrupted from outside the pool (through `Fiber.roots`, say), not by
     * `interruptNow`: nothing would end the pool any more, and `wait` would wait until its scope
     * closes. The pool stops as interrupted, as when its workers are (`workerInterrupted`), and ends
     * once they have.
     */
    const supervisorInterrupted = (cause: Cause.Cause<unknown>) =>
      Effect.suspend(() => {
        if (interrupted || finished) return Effect.void
        // what else ended it (an `onPoolComplete` whose clean-up died as it was interrupted) is the
        // outcome if first, else logged, as a failed `onPoolComplete` is
        const failed = Cause.isInterruptedOnly(cause) ? Effect.void : callbackFailed("onPoolComplete", undefined, cause)
        setOutcome(Cause.interrupt(fiberId))
        stop("interrupted", -1)
        return Effect.zipRight(failed, endAfterWorkers)
      })
    const supervisorFiber = yield* Effect.forkDaemon(Effect.interruptible(supervisor))
    // an observer, not `onInterrupt`: a fiber interrupted before it first ran never runs its effect.
    // The recovery runs uninterruptible from its first step, like `interruptNow`: a sweep that
    // interrupted the supervisor could otherwise interrupt it too, and leave the pool stopped but
    // never ended
    const recovering = Runtime.disableRuntimeFlag(runtime, RuntimeFlags.Interruption)
    supervisorFiber.addObserver((exit) => {
      if (!interrupted && !finished && Exit.isFailure(exit) && Cause.isInterrupted(exit.cause)) {
        Runtime.runFork(recovering)(supervisorInterrupted(exit.cause))
      }
    })

    const interruptNow = Effect.suspend(() => {
      if (finished) return Effect.void
      interrupted = true
      setOutcome(Cause.interrupt(fiberId))
      stop("interrupted", -1)
      return Effect.zipRight(Fiber.interrupt(supervisorFiber), endAfterWorkers)
    })
    const grace = options.gracefulShutdown === undefined ? undefined : Duration.decode(options.gracefulShutdown)
    /**
     * A failure that stopped the pool and that nothing saw (no `wait` or `close`, no rejection naming
     * it, no log): a forgotten `close` after a fail-fast stop, a failure while a closing scope
     * drains the pool, a service's pool disposed. Logged as the scope closes, once.
     */
    const reportUnseen: Effect.Effect<void> = Effect.suspend(() => {
      // a failure that stopped the pool, or a callback's that decided its outcome: in continue mode
      // the first item failure is also the outcome, but the pool went on (its items' failures are
      // counted, and `execute` callers got theirs)
      const stoppedByFailure = state === STOPPED && stopReason === "failed"
      if (
        outcomeSeen || outcome === undefined || Cause.isInterruptedOnly(outcome) ||
        (!stoppedByFailure && decidedBy === undefined)
      ) {
        return Effect.void
      }
      outcomeSeen = true
      const lost = dropped === 0 ? "" : ` (${dropped} accepted item${dropped === 1 ? " was" : "s were"} dropped)`
      return asMade(warn(
        stoppedByFailure
          ? `stopped by a failure that no wait or close read${lost}; it is logged as the pool's scope closes`
          : `${decidedBy} failed, the pool's outcome, which no wait or close read; it is logged as the pool's ` +
            "scope closes",
        outcome
      ))
    })
    /**
     * Logs what the scope's close dropped (items, completion callbacks): with the count in `stats`
     * alone, a script that forgot `close`, or a service released with work queued, ends as if
     * every item ran. Not when the pool
     * had already stopped (its outcome tells why), when the scope closed by interruption without a
     * grace period (the caller asked for the stop: a timeout, Ctrl-C), nor when the pool's owner drops
     * what is left on purpose (`dropsOnEarlyClose`: `run` whose input failed, `mapStream` whose
     * output ended).
     */
    const warnDropped = (before: number, drain: () => "running" | "ran out" | "ended") =>
      Effect.suspend(() => {
        if (stopReason !== "interrupted") return Effect.void
        const n = dropped - before
        const lost: Array<string> = []
        if (n > 0) {
          lost.push(
            `${n === 1 ? "1 accepted item was" : `${n} accepted items were`} dropped (interrupted, or never run)`
          )
        }
        // completion callbacks (a flush, a commit) that the close skipped or cut short are lost work too
        const ofWorkers = (k: number) => `${k} of ${workers} worker${workers === 1 ? "" : "s"}`
        if (options.onWorkerComplete !== undefined) {
          const interruptedOn = workersBeganComplete - workersCompleted
          if (interruptedOn > 0) lost.push(`onWorkerComplete was interrupted on ${ofWorkers(interruptedOn)}`)
          const notRun = workers - workersBeganComplete
          if (notRun > 0) lost.push(`onWorkerComplete did not run for ${ofWorkers(notRun)}`)
        }
        if (options.onPoolComplete !== undefined) {
          lost.push(poolCompleteBegan ? "onPoolComplete was interrupted" : "onPoolComplete did not run")
        }
        if (lost.length === 0) return Effect.void
        return asMade(warn(
          grace === undefined
            ? `the pool's scope closed before the pool finished: ${lost.join("; ")}. Close the pool (or wait ` +
              "for it) before its scope ends, or set gracefulShutdown"
            : `the pool's scope closed and its graceful shutdown (${Duration.format(grace)}) ${
              drain() === "ran out"
                ? "ran out"
                : drain() === "running"
                ? "was cut short: the closing fiber was interrupted"
                : "was cut short: the pool was interrupted"
            }: ${lost.join("; ")}`
        ))
      })
    yield* Scope.addFinalizerExit(
      outerScope,
      (exit) =>
        Effect.suspend(() => {
          if (finished) return reportUnseen
          const interrupted = Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)
          const quiet = internals.dropsOnEarlyClose === "always" ||
            (internals.dropsOnEarlyClose === "unlessInterrupted" && !interrupted)
          const shouldWarn = state !== STOPPED && !quiet && (!interrupted || grace !== undefined)
          // how the graceful drain ended: its time ran out, the pool ended or stopped on its own (a
          // worker fiber interrupted from outside), or not at all (the closing fiber was interrupted)
          let drain: "running" | "ran out" | "ended" = "running"
          // after the stop, in the same uninterruptible step: a closing fiber interrupted meanwhile
          // must not skip it
          const stopping = Effect.zipRight(
            shouldWarn ? Effect.zipRight(interruptNow, warnDropped(dropped, () => drain)) : interruptNow,
            reportUnseen
          )
          // uninterruptible: a closing fiber interrupted while it waits for the workers would otherwise
          // leave `wait` without an outcome for ever (and a death unlogged)
          if (grace === undefined) return Effect.uninterruptible(stopping)
          // graceful: end input, let the workers drain (a paused pool is resumed) for up to `grace`
          return end.pipe(
            Effect.zipRight(resume),
            // the wait is interruptible: a finalizer runs uninterruptibly (`Effect.scoped`, a layer's
            // release), and there `Effect.timeout` could not stop it when the grace period ends
            // the pool's outcome, a defect too, stays for `wait`: closing the scope does not fail with it
            Effect.zipRight(Effect.exit(Effect.timeoutOption(Effect.interruptible(done.await), grace))),
            Effect.tap((exit) => {
              drain = Exit.isSuccess(exit) && Option.isNone(exit.value) ? "ran out" : "ended"
            }),
            // also when the closing fiber is interrupted during the wait (a `Scope.close` run from an
            // interruptible fiber): the workers must not be left running
            Effect.ensuring(stopping)
          )
        })
    )

    /**
     * The pool's outcome, read: a `wait` interrupted before the pool ended (a timeout, a lost race)
     * read nothing, and the outcome is still reported if nothing else reads it.
     */
    const wait = Effect.onExit(done.await, (exit) =>
      Effect.sync(() => {
        if (!(Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause))) outcomeSeen = true
      }))

    const stats = Effect.sync(() => {
      let proc = 0
      let waitTime = 0
      let init = 0
      let wrap = 0
      let pausedTime = 0
      const t = now()
      for (const ws of states) {
        if (ws.proc > proc) proc = ws.proc
        waitTime += ws.wait
        init += ws.init
        wrap += ws.wrap
        pausedTime += ws.paused
        // the stretch a worker is in the middle of, idle (waiting, or parked for the event loop
        // before a take) or paused, added to its own record when it ends: live stats of an idle
        // pool show it idle. The time of the item running is added at the item's end (with
        // metrics: false, at the batch's end)
        if (ws.pausing) pausedTime += sinceLast(ws, t)
        else if (ws.taker !== undefined || ws.parked) waitTime += sinceLast(ws, t)
      }
      return Stats.make({
        submitted,
        processed,
        errors,
        dropped,
        processingTime: Duration.millis(proc),
        waitTime: Duration.millis(waitTime),
        initTime: Duration.millis(init),
        wrapTime: Duration.millis(wrap),
        pausedTime: Duration.millis(pausedTime),
        totalTime: Duration.millis(Math.max(0, (endTime ?? t) - startTime))
      })
    })

    const pool: FiberPool.FiberPool<unknown, unknown> & Inspectable.Inspectable & {
      readonly [EndedId]: Effect.Effect<void>
    } = {
      name,
      submit,
      send: submit,
      submitAll,
      trySubmit,
      execute,
      end,
      pause,
      resume,
      wait,
      close: Effect.zipRight(end, wait),
      stats,
      metrics: Effect.sync(() => counters.unsafeSnapshot()),
      // printed (`console.log`, `Effect.log`, `String`) as its name, state and counts, not its members
      toJSON: () => ({
        _id: "FiberPool",
        name,
        state: finished ? "finished" : state === OPEN ? "open" : state === ENDED ? "ended" : "stopped",
        submitted,
        processed,
        errors,
        dropped
      }),
      ...printable,
      [EndedId]: Effect.asVoid(Effect.exit(done.await))
    }
    return pool
  })

/**
 * The key of each pool's end, awaited without reading its outcome (as `wait` does): for `progress`,
 * which stops when the pool ends but shows no failure, so that a failure nothing else read is still
 * logged. An own property, not a `WeakMap` entry: `Effect.Service` hosts a copy of the pool
 * (`Object.assign`), which must keep it. `Symbol.for`: a pool made by one copy of this package (its
 * ESM and CJS builds, two versions) is read by `progress` of another.
 */
const EndedId: unique symbol = Symbol.for("@fiberpool/pool/ended")

/**
 * Waits for `pool` to end, without counting as a read of its outcome. A pool object not made here
 * (a test double) is waited for through its `wait`.
 *
 * @internal
 */
export const ended = (pool: FiberPool.FiberPool<any, any, any>): Effect.Effect<void> =>
  (pool as { readonly [EndedId]?: Effect.Effect<void> })[EndedId] ?? Effect.asVoid(Effect.exit(pool.wait))
