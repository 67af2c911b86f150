/**
 * Pool statistics: the counters and timings of a pool run, with go-pkgz's derived figures.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import { formatGoMillis } from "./internal/duration.js"
import { formatGoFixed1 } from "./internal/fmt.js"

/**
 * A snapshot of a pool's statistics: a plain, immutable record.
 *
 * Counters: `submitted` (items whose `submit` succeeded), `processed` (succeeded), `errors` (items
 * that failed or died), `dropped` (accepted items that never completed: fail-fast stop or
 * interruption). Once a pool has ended, `submitted = processed + errors + dropped`.
 *
 * Timings: `processingTime` is the largest cumulative processing time of any one worker (workers
 * run in parallel; an interrupted item's time counts too), `waitTime` the summed idle time of all
 * workers, `initTime` the summed start-up
 * time (worker layers, `makeWorker`), `wrapTime` the summed `onWorkerComplete` time, `pausedTime` the
 * summed time workers spent paused (`pool.pause`; not counted as wait time), `totalTime`
 * the time from start to end (frozen once the pool has ended).
 *
 * Derived, with go-pkgz's formulas: `ratePerSec = processed / totalTime`,
 * `avgLatency = processingTime / processed`, `errorRate` and `droppedRate` over
 * `processed + errors + dropped`, `utilization = processingTime / (processingTime + waitTime)`.
 *
 * @example
 * ```ts
 * import { FiberPool } from "@fiberpool/pool"
 * import type { Stats } from "@fiberpool/pool-metrics"
 * import { Effect } from "effect"
 *
 * const report = (stats: Stats.Stats) =>
 *   Effect.log(`${stats.processed} processed, ${stats.errors} failed, ${(stats.utilization * 100).toFixed(0)}% busy`)
 *
 * const program = FiberPool.run([1, 2, 3], { workers: 2, worker: (n: number) => Effect.log(n) }).pipe(
 *   Effect.flatMap(report)
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly submitted: number
  readonly processed: number
  readonly errors: number
  readonly dropped: number
  readonly processingTime: Duration.Duration
  readonly waitTime: Duration.Duration
  readonly initTime: Duration.Duration
  readonly wrapTime: Duration.Duration
  readonly pausedTime: Duration.Duration
  readonly totalTime: Duration.Duration
  readonly ratePerSec: number
  readonly avgLatency: Duration.Duration
  readonly errorRate: number
  readonly droppedRate: number
  readonly utilization: number
}

/**
 * The raw counters and timings from which {@link make} derives a {@link Stats}.
 *
 * @example
 * ```ts
 * import { Stats } from "@fiberpool/pool-metrics"
 *
 * const raw: Stats.Raw = { submitted: 10, processed: 9, errors: 1, totalTime: "2 seconds" }
 * const stats = Stats.make(raw) // stats.ratePerSec === 4.5
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Raw {
  readonly submitted?: number | undefined
  readonly processed?: number | undefined
  readonly errors?: number | undefined
  readonly dropped?: number | undefined
  readonly processingTime?: Duration.DurationInput | undefined
  readonly waitTime?: Duration.DurationInput | undefined
  readonly initTime?: Duration.DurationInput | undefined
  readonly wrapTime?: Duration.DurationInput | undefined
  readonly pausedTime?: Duration.DurationInput | undefined
  readonly totalTime?: Duration.DurationInput | undefined
}

/**
 * Statistics with every counter and timing at zero.
 *
 * @example
 * ```ts
 * import { Stats } from "@fiberpool/pool-metrics"
 *
 * console.log(Stats.empty.processed) // 0
 * console.log(Stats.format(Stats.empty)) // ""
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: Stats = {
  submitted: 0,
  processed: 0,
  errors: 0,
  dropped: 0,
  processingTime: Duration.zero,
  waitTime: Duration.zero,
  initTime: Duration.zero,
  wrapTime: Duration.zero,
  pausedTime: Duration.zero,
  totalTime: Duration.zero,
  ratePerSec: 0,
  avgLatency: Duration.zero,
  errorRate: 0,
  droppedRate: 0,
  utilization: 0
}

const toDuration = (input: Duration.DurationInput | undefined): Duration.Duration =>
  input === undefined ? Duration.zero : Duration.decode(input)

/**
 * Builds {@link Stats} from raw counters and timings, computing the derived figures with
 * go-pkgz's formulas. Missing fields are zero.
 *
 * @example
 * ```ts
 * import { Stats } from "@fiberpool/pool-metrics"
 *
 * const stats = Stats.make({ processed: 100, errors: 10, processingTime: "1 second", waitTime: "1 second", totalTime: "2 seconds" })
 * // stats.ratePerSec === 50, stats.utilization === 0.5
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (raw: Raw): Stats => {
  const processed = raw.processed ?? 0
  const errors = raw.errors ?? 0
  const dropped = raw.dropped ?? 0
  const processingTime = toDuration(raw.processingTime)
  const waitTime = toDuration(raw.waitTime)
  const totalTime = toDuration(raw.totalTime)
  const procMillis = Duration.toMillis(processingTime)
  const waitMillis = Duration.toMillis(waitTime)
  const totalMillis = Duration.toMillis(totalTime)
  const attempted = processed + errors + dropped
  return {
    submitted: raw.submitted ?? 0,
    processed,
    errors,
    dropped,
    processingTime,
    waitTime,
    initTime: toDuration(raw.initTime),
    wrapTime: toDuration(raw.wrapTime),
    pausedTime: toDuration(raw.pausedTime),
    totalTime,
    ratePerSec: totalMillis > 0 ? processed / (totalMillis / 1000) : 0,
    avgLatency: processed > 0 ? Duration.millis(procMillis / processed) : Duration.zero,
    errorRate: attempted > 0 ? errors / attempted : 0,
    droppedRate: attempted > 0 ? dropped / attempted : 0,
    utilization: procMillis + waitMillis > 0 ? procMillis / (procMillis + waitMillis) : 0
  }
}

const millis = (d: Duration.Duration): number => Duration.toMillis(d)

/**
 * Prints statistics exactly as go-pkgz's `Stats.String()` does: only non-zero fields, durations
 * rounded to the millisecond (half away from zero) in Go's notation (`10ms`, `1.5s`, `1m30s`), so a
 * non-zero duration under half a millisecond prints as `0s`; rates and percentages with one
 * decimal, rounded like Go's `%.1f` (half to even on exact ties: `12.25` prints `12.2`); `""` for
 * empty statistics. It prints the fields as given and recomputes nothing.
 *
 * @example
 * ```ts
 * import { Stats } from "@fiberpool/pool-metrics"
 *
 * Stats.format(Stats.make({ processed: 100, errors: 10, processingTime: "1 second", waitTime: "1 second", totalTime: "2 seconds" }))
 * // "[processed:100, rate:50.0/s, avg_latency:10ms, errors:10 (9.1%), proc:1s, wait:1s, total:2s, utilization:50.0%]"
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (stats: Stats): string => {
  const parts: Array<string> = []
  if (stats.processed > 0) {
    parts.push(`processed:${stats.processed}`)
    if (stats.ratePerSec > 0) parts.push(`rate:${formatGoFixed1(stats.ratePerSec)}/s`)
    if (millis(stats.avgLatency) > 0) parts.push(`avg_latency:${formatGoMillis(millis(stats.avgLatency))}`)
  }
  if (stats.errors > 0) {
    parts.push(
      stats.errorRate > 0
        ? `errors:${stats.errors} (${formatGoFixed1(stats.errorRate * 100)}%)`
        : `errors:${stats.errors}`
    )
  }
  if (stats.dropped > 0) {
    parts.push(
      stats.droppedRate > 0
        ? `dropped:${stats.dropped} (${formatGoFixed1(stats.droppedRate * 100)}%)`
        : `dropped:${stats.dropped}`
    )
  }
  if (millis(stats.processingTime) > 0) parts.push(`proc:${formatGoMillis(millis(stats.processingTime))}`)
  if (millis(stats.waitTime) > 0) parts.push(`wait:${formatGoMillis(millis(stats.waitTime))}`)
  if (millis(stats.initTime) > 0) parts.push(`init:${formatGoMillis(millis(stats.initTime))}`)
  if (millis(stats.wrapTime) > 0) parts.push(`wrap:${formatGoMillis(millis(stats.wrapTime))}`)
  // not in go-pkgz (which cannot pause): printed only when a pool was paused
  if (millis(stats.pausedTime) > 0) parts.push(`paused:${formatGoMillis(millis(stats.pausedTime))}`)
  if (millis(stats.totalTime) > 0) {
    parts.push(`total:${formatGoMillis(millis(stats.totalTime))}`)
    if (stats.utilization > 0) parts.push(`utilization:${formatGoFixed1(stats.utilization * 100)}%`)
  }
  return parts.length > 0 ? `[${parts.join(", ")}]` : ""
}
