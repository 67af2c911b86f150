/**
 * Per-pool custom counters (go-pkgz's `metrics.Get(ctx).Inc(...)`) and the Effect `Metric` series
 * every pool publishes.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import type * as MetricHook from "effect/MetricHook"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"
import type * as Record from "effect/Record"
import { describe } from "./internal/describe.js"
import { compareCodePoints } from "./internal/fmt.js"

/**
 * The custom counters of one pool, read and written from inside its workers.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 *
 * const counters: Metrics.Counters = Metrics.makeCounters({ pool: "crawler", publish: false })
 * counters.unsafeAdd("pages", 2)
 * console.log(counters.unsafeSnapshot()) // { pages: 2 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  /** The pool these counters belong to (the `pool` label of the published series). */
  readonly pool: string
  /** Adds `delta` to the counter `name`, synchronously. Prefer {@link add} inside effects. */
  readonly unsafeAdd: (name: string, delta: number) => void
  /** The current value of every counter. */
  readonly unsafeSnapshot: () => Record.ReadonlyRecord<string, number>
}

/**
 * The service through which a worker reaches its pool's custom counters. A pool provides it to its
 * workers, middleware, `makeWorker`, `workerLayer` and `onWorkerComplete` (not to `onPoolComplete`,
 * which runs with the context the pool was made in); outside a pool, provide {@link layerTest}.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect } from "effect"
 *
 * // read the counters directly (Metrics.add / Metrics.increment / Metrics.snapshot wrap this)
 * const poolName = Effect.map(Metrics.PoolMetrics, (counters) => counters.pool)
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class PoolMetrics extends Context.Tag("@fiberpool/pool-metrics/PoolMetrics")<PoolMetrics, Counters>() {}

// the keys of the series a pool publishes: `Metric.counter(name, options)` is
// `Metric.fromMetricKey(MetricKey.counter(name, options))`, and `poolSeries` takes their hooks
const itemCounterKey = (name: string, description: string) =>
  MetricKey.counter(name, { description, incremental: true })
const submittedKey = itemCounterKey(
  "fiberpool_items_submitted_total",
  "Items accepted by a fiberpool (submit succeeded)"
)
const processedKey = itemCounterKey(
  "fiberpool_items_processed_total",
  "Items a fiberpool worker processed successfully"
)
const failedKey = itemCounterKey("fiberpool_items_failed_total", "Items whose fiberpool worker failed or died")
const droppedKey = itemCounterKey(
  "fiberpool_items_dropped_total",
  "Items a fiberpool accepted but dropped (stopped or interrupted before they completed)"
)
const queueDepthKey = MetricKey.gauge("fiberpool_queue_depth", {
  description: "Items queued in a fiberpool, not yet taken by a worker (a worker takes up to batchSize at a time)"
})

/**
 * Counter of items accepted by `submit`.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect, Metric } from "effect"
 *
 * // the value of the series of the pool named "emails"
 * const submitted = Metric.value(Metric.taggedWithLabels(Metrics.itemsSubmitted, Metrics.poolLabels("emails"))).pipe(
 *   Effect.map((state) => state.count)
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const itemsSubmitted: Metric.Metric.Counter<number> = Metric.fromMetricKey(submittedKey)

/**
 * Counter of items processed successfully.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect, Metric } from "effect"
 *
 * const processed = Metric.value(Metric.taggedWithLabels(Metrics.itemsProcessed, Metrics.poolLabels("emails"))).pipe(
 *   Effect.map((state) => state.count)
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const itemsProcessed: Metric.Metric.Counter<number> = Metric.fromMetricKey(processedKey)

/**
 * Counter of items that failed (a typed failure or a defect).
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect, Metric } from "effect"
 *
 * const failed = Metric.value(Metric.taggedWithLabels(Metrics.itemsFailed, Metrics.poolLabels("emails"))).pipe(
 *   Effect.map((state) => state.count)
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const itemsFailed: Metric.Metric.Counter<number> = Metric.fromMetricKey(failedKey)

/**
 * Counter of accepted items that never completed (fail-fast stop or interruption).
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect, Metric } from "effect"
 *
 * const dropped = Metric.value(Metric.taggedWithLabels(Metrics.itemsDropped, Metrics.poolLabels("emails"))).pipe(
 *   Effect.map((state) => state.count)
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const itemsDropped: Metric.Metric.Counter<number> = Metric.fromMetricKey(droppedKey)

/**
 * The boundaries, in seconds, of {@link itemDuration}: 100 µs to 10 s, as in Prometheus'
 * default buckets extended downwards.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 *
 * console.log(Metrics.itemDurationBoundaries.length) // 16 boundaries, 0.0001 s to 10 s (17 buckets with +Inf)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const itemDurationBoundaries: ReadonlyArray<number> = [
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10
]

/**
 * The key of {@link itemDuration}'s series. A pool takes the histogram's hook for its labels from
 * `Metric.globalMetricRegistry` once, with this key, and updates it per item without a lookup.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Metric, MetricKey } from "effect"
 *
 * const hook = Metric.globalMetricRegistry.get(
 *   MetricKey.taggedWithLabels(Metrics.itemDurationKey, Metrics.poolLabels("emails"))
 * )
 * hook.update(0.002) // what Metric.update(Metric.taggedWithLabels(Metrics.itemDuration, …), 0.002) does
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const itemDurationKey: MetricKey.MetricKey.Histogram = MetricKey.histogram(
  "fiberpool_item_duration_seconds",
  MetricBoundaries.fromIterable(itemDurationBoundaries),
  "Time one item spent in its fiberpool worker, in seconds"
)

/**
 * Histogram of the time one item spent in its worker, in seconds.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect, Metric } from "effect"
 *
 * // how many items of the pool "emails" took at most 10 ms
 * const fast = Metric.value(Metric.taggedWithLabels(Metrics.itemDuration, Metrics.poolLabels("emails"))).pipe(
 *   Effect.map((state) => state.buckets.find(([boundary]) => boundary === 0.01)?.[1] ?? 0)
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const itemDuration: Metric.Metric.Histogram<number> = Metric.fromMetricKey(itemDurationKey)

/**
 * Gauge of the items buffered in a pool's queues (accepted, not yet taken by a worker). Updated
 * by deltas, so pools sharing a name add up.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect, Metric } from "effect"
 *
 * const waiting = Metric.value(Metric.taggedWithLabels(Metrics.queueDepth, Metrics.poolLabels("emails"))).pipe(
 *   Effect.map((state) => state.value)
 * )
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const queueDepth: Metric.Metric.Gauge<number> = Metric.fromMetricKey(queueDepthKey)

/**
 * Counter behind every custom counter, labelled `counter=<name>` besides `pool=<pool>`.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect, Metric, MetricLabel } from "effect"
 *
 * // the custom counter "sent" of the pool "emails", as an Effect metric
 * const sent = Metric.value(
 *   Metric.taggedWithLabels(Metrics.customTotal, [...Metrics.poolLabels("emails"), MetricLabel.make("counter", "sent")])
 * ).pipe(Effect.map((state) => state.count))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const customTotal: Metric.Metric.Counter<number> = Metric.counter("fiberpool_custom_total", {
  description: "Custom counters of fiberpool workers (Metrics.increment / Metrics.add)"
})

/**
 * The labels a pool's series carry: `pool=<name>`. One array per pool, built once, so that
 * `Metric.unsafeUpdate` finds its hook in Effect's per-labels cache.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Metric } from "effect"
 *
 * const emailsProcessed = Metric.taggedWithLabels(Metrics.itemsProcessed, Metrics.poolLabels("emails"))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const poolLabels = (pool: string): ReadonlyArray<MetricLabel.MetricLabel> => [
  MetricLabel.make("pool", pool)
]

/** One pool name's series, taken from the registry once (`poolSeries`). */
const seriesByPool = new Map<string, PoolSeries>()

/**
 * The hooks of one pool's series in `Metric.globalMetricRegistry` (the series the item metrics
 * above read, labelled `pool=<pool>`): a pool takes them once when it is made and publishes through
 * them without a registry lookup per update. Taking them registers the series, so each exists from
 * then on, at 0 until its first update.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect, Metric } from "effect"
 *
 * const series = Metrics.poolSeries("emails")
 * series.submitted.update(3) // what Metric.update(Metric.taggedWithLabels(Metrics.itemsSubmitted, …), 3) does
 * const submitted = Metric.value(Metric.taggedWithLabels(Metrics.itemsSubmitted, Metrics.poolLabels("emails")))
 * Effect.runSync(submitted).count // 3
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const poolSeries = (pool: string): PoolSeries => {
  // the registry keeps every series for ever; so does this cache, which spares a pool made again
  // under the same name the six lookups (each hashes its key, labels included)
  const cached = seriesByPool.get(pool)
  if (cached !== undefined) return cached
  const labels = poolLabels(pool)
  const registry = Metric.globalMetricRegistry
  const series: PoolSeries = {
    submitted: registry.get(MetricKey.taggedWithLabels(submittedKey, labels)),
    processed: registry.get(MetricKey.taggedWithLabels(processedKey, labels)),
    failed: registry.get(MetricKey.taggedWithLabels(failedKey, labels)),
    dropped: registry.get(MetricKey.taggedWithLabels(droppedKey, labels)),
    queueDepth: registry.get(MetricKey.taggedWithLabels(queueDepthKey, labels)),
    itemDuration: registry.get(MetricKey.taggedWithLabels(itemDurationKey, labels))
  }
  seriesByPool.set(pool, series)
  return series
}

/**
 * One pool's series, as {@link poolSeries} returns them: `update` adds to a counter or records a
 * duration (in seconds); `modify` adds a delta to the queue-depth gauge.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 *
 * const series: Metrics.PoolSeries = Metrics.poolSeries("emails")
 * series.queueDepth.modify(10) // ten items buffered
 * series.queueDepth.modify(-10) // taken by workers
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface PoolSeries {
  readonly submitted: MetricHook.MetricHook.Counter<number>
  readonly processed: MetricHook.MetricHook.Counter<number>
  readonly failed: MetricHook.MetricHook.Counter<number>
  readonly dropped: MetricHook.MetricHook.Counter<number>
  readonly queueDepth: MetricHook.MetricHook.Gauge<number>
  readonly itemDuration: MetricHook.MetricHook.Histogram
}

const checkDelta = (name: string, delta: number): void => {
  if (typeof name !== "string") {
    throw new Cause.IllegalArgumentException(`Metrics: counter name must be a string, got ${describe(name)}`)
  }
  if (typeof delta !== "number" || !Number.isFinite(delta)) {
    throw new Cause.IllegalArgumentException(
      `Metrics.add(${JSON.stringify(name)}, …): delta must be a finite number, got ${describe(delta)}`
    )
  }
}

/**
 * Makes a set of custom counters for the pool `pool`. With `publish` (the default), every change
 * also updates the Effect counter {@link customTotal} labelled `pool=<pool>, counter=<name>`.
 * Options that are not an object, a `pool` that is not a string, or a `publish` that is not a
 * boolean throw a `Cause.IllegalArgumentException` naming them.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect, Layer } from "effect"
 *
 * // a PoolMetrics of your own, e.g. to run a worker outside a pool under a given name
 * const counters = Metrics.makeCounters({ pool: "import", publish: false })
 * const layer = Layer.succeed(Metrics.PoolMetrics, counters)
 *
 * const program = Metrics.increment("rows").pipe(Effect.provide(layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCounters = (options: {
  readonly pool: string
  readonly publish?: boolean | undefined
}): Counters => {
  if (typeof options !== "object" || options === null) {
    throw new Cause.IllegalArgumentException(
      `Metrics.makeCounters: options must be an object { pool, publish? }, got ${describe(options)}`
    )
  }
  if (typeof options.pool !== "string") {
    throw new Cause.IllegalArgumentException(
      `Metrics.makeCounters: option "pool" must be a string, got ${describe(options.pool)}`
    )
  }
  if (options.publish !== undefined && typeof options.publish !== "boolean") {
    throw new Cause.IllegalArgumentException(
      `Metrics.makeCounters: option "publish" must be a boolean, got ${describe(options.publish)}`
    )
  }
  const values = new Map<string, number>()
  const publish = options.publish !== false
  const labelsByName = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()
  const base = poolLabels(options.pool)
  return {
    pool: options.pool,
    unsafeAdd(name, delta) {
      checkDelta(name, delta)
      values.set(name, (values.get(name) ?? 0) + delta)
      if (publish) {
        let labels = labelsByName.get(name)
        if (labels === undefined) {
          labels = [...base, MetricLabel.make("counter", name)]
          labelsByName.set(name, labels)
        }
        customTotal.unsafeUpdate(delta, labels)
      }
    },
    unsafeSnapshot() {
      // own data properties, whatever the name: an assignment `out["__proto__"] = v` would set the
      // record's prototype instead of adding the counter
      return Object.fromEntries(values)
    }
  }
}

/**
 * Adds `delta` to the custom counter `name` of the current pool. A `delta` that is not a finite
 * number dies with `IllegalArgumentException`.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect } from "effect"
 *
 * const worker = (page: { bytes: number }) => Metrics.add("bytes_fetched", page.bytes)
 * ```
 *
 * @since 0.1.0
 * @category counters
 */
export const add = (name: string, delta: number): Effect.Effect<void, never, PoolMetrics> =>
  Effect.map(PoolMetrics, (counters) => counters.unsafeAdd(name, delta))

/**
 * Adds one to the custom counter `name` of the current pool.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const pool = yield* FiberPool.make({
 *     workers: 2,
 *     worker: (word: string) => word.length > 3 ? Metrics.increment("long") : Metrics.increment("short")
 *   })
 *   yield* pool.submitAll(["a", "tree", "of", "words"])
 *   yield* pool.close
 *   return yield* pool.metrics // { long: 2, short: 2 }
 * }))
 * ```
 *
 * @since 0.1.0
 * @category counters
 */
export const increment = (name: string): Effect.Effect<void, never, PoolMetrics> => add(name, 1)

/**
 * The current value of every custom counter of the current pool.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   yield* Metrics.add("bytes", 512)
 *   const counters = yield* Metrics.snapshot
 *   yield* Effect.log(Metrics.format(counters)) // [bytes:512]
 * })
 * ```
 *
 * @since 0.1.0
 * @category counters
 */
export const snapshot: Effect.Effect<Record.ReadonlyRecord<string, number>, never, PoolMetrics> = Effect.map(
  PoolMetrics,
  (counters) => counters.unsafeSnapshot()
)

/**
 * A standalone {@link PoolMetrics} for code that runs outside a pool (tests of a worker, a script
 * that calls one directly). Each build makes fresh counters; they are not published as Effect
 * metrics.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 * import { Effect } from "effect"
 *
 * // a worker that counts, run outside a pool (in a test, say)
 * const worker = (line: string) => Metrics.add("chars", line.length)
 *
 * const program = Effect.gen(function*() {
 *   yield* worker("hello")
 *   return yield* Metrics.snapshot // { chars: 5 }
 * }).pipe(Effect.provide(Metrics.layerTest))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTest: Layer.Layer<PoolMetrics> = Layer.sync(
  PoolMetrics,
  () => makeCounters({ pool: "test", publish: false })
)

/**
 * Prints custom counters as go-pkgz does: `[a:1, b:2]`, sorted by key (by Unicode code point, the
 * byte order of Go's `sort.Strings`); `""` when there are none. Counters that are not an object
 * (from JavaScript) throw a `Cause.IllegalArgumentException`.
 *
 * @example
 * ```ts
 * import { Metrics } from "@fiberpool/pool-metrics"
 *
 * console.log(Metrics.format({ b: 2, a: 1 })) // [a:1, b:2]
 * console.log(Metrics.format({})) // ""
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (counters: Record.ReadonlyRecord<string, number>): string => {
  if (typeof counters !== "object" || counters === null) {
    throw new Cause.IllegalArgumentException(
      `Metrics.format: counters must be a record of numbers (as Metrics.snapshot and pool.metrics return), got ${
        describe(counters)
      }`
    )
  }
  const keys = Object.keys(counters).sort(compareCodePoints)
  return keys.length === 0 ? "" : `[${keys.map((k) => `${k}:${counters[k]}`).join(", ")}]`
}
