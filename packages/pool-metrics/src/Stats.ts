/**
 * Pool statistics: the counters and timings of a pool run, with go-pkgz's derived figures.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import { describe } from "./internal/describe.js"
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
 * run in parallel; an interrupted item's time counts too), `waitTime` the summed time workers waited
 * for input while the pool took it (a worker with nothing left after `end` is done, not waiting), `initTime` the summed start-up
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

/**
 * Whether a `DurationInput` is negative, which `Duration.decode` would silently make zero: a
 * negative or NaN number, a negative bigint, a string such as "-5 seconds", a negative
 * `[seconds, nanos]` (a Duration never is).
 */
const isNegative = (input: unknown): boolean => {
  if (typeof input === "number") return !(input >= 0)
  if (typeof input === "bigint") return input < BigInt(0)
  if (typeof input === "string") return Number.parseFloat(input) < 0
  if (Array.isArray(input)) return !(input[0] * 1e9 + input[1] >= 0)
  return false
}

// `make` checks its input (a public constructor, called from JavaScript too): a string count would
// be summed as text, a negative timing would silently count as zero, a malformed one throw Effect's
// bare "Invalid DurationInput". Each field is read once

const count = (raw: Raw, field: "submitted" | "processed" | "errors" | "dropped"): number => {
  const value: unknown = raw[field]
  if (value === undefined) return 0
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new Cause.IllegalArgumentException(
      `Stats.make: field "${field}" must be an integer >= 0 (a count), got ${describe(value)}`
    )
  }
  return value
}

/** What a duration may be given as, for the messages that reject one. */
const DURATION_INPUT = `a Duration, millis as a number, or a string such as "100 millis"`

const duration = (
  raw: Raw,
  field: "processingTime" | "waitTime" | "initTime" | "wrapTime" | "pausedTime" | "totalTime"
): Duration.Duration => {
  const read: unknown = raw[field]
  if (read === undefined) return Duration.zero
  // a `[seconds, nanos]` is read once: its checks and its decoding see the same elements
  const value = Array.isArray(read) ? read.slice() : read
  const decoded = Duration.decodeUnknown(value)
  if (Option.isNone(decoded) || isNegative(value)) {
    throw new Cause.IllegalArgumentException(
      `Stats.make: field "${field}" must be a duration >= 0 (${DURATION_INPUT}), got ${describe(value)}`
    )
  }
  return decoded.value
}

/**
 * Builds {@link Stats} from raw counters and timings, computing the derived figures with
 * go-pkgz's formulas. Missing fields are zero. A `raw` that is not an object, a count that is not
 * an integer >= 0, or a timing that is not a duration >= 0 throws a `Cause.IllegalArgumentException`
 * naming the field and the value.
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
  if (typeof raw !== "object" || raw === null) {
    throw new Cause.IllegalArgumentException(`Stats.make: raw must be an object, got ${describe(raw)}`)
  }
  const processed = count(raw, "processed")
  const errors = count(raw, "errors")
  const dropped = count(raw, "dropped")
  const processingTime = duration(raw, "processingTime")
  const waitTime = duration(raw, "waitTime")
  const totalTime = duration(raw, "totalTime")
  const procMillis = Duration.toMillis(processingTime)
  const waitMillis = Duration.toMillis(waitTime)
  const totalMillis = Duration.toMillis(totalTime)
  const attempted = processed + errors + dropped
  return {
    submitted: count(raw, "submitted"),
    processed,
    errors,
    dropped,
    processingTime,
    waitTime,
    initTime: duration(raw, "initTime"),
    wrapTime: duration(raw, "wrapTime"),
    pausedTime: duration(raw, "pausedTime"),
    totalTime,
    ratePerSec: totalMillis > 0 ? processed / (totalMillis / 1000) : 0,
    avgLatency: processed > 0 ? Duration.millis(procMillis / processed) : Duration.zero,
    errorRate: attempted > 0 ? errors / attempted : 0,
    droppedRate: attempted > 0 ? dropped / attempted : 0,
    utilization: procMillis + waitMillis > 0 ? procMillis / (procMillis + waitMillis) : 0
  }
}

const millis = (d: Duration.Duration): number => Duration.toMillis(d)

const formatDurations = [
  "avgLatency",
  "processingTime",
  "waitTime",
  "initTime",
  "wrapTime",
  "pausedTime",
  "totalTime"
] as const

/** What `format` says of something that is not a `Stats` (from JavaScript; a `Raw`, say). */
const notStats = (got: string): Cause.IllegalArgumentException =>
  new Cause.IllegalArgumentException(
    `Stats.format: stats must be a Stats (as pool.stats and Stats.make return; Stats.make builds one from raw counts and timings), got ${got}`
  )

/**
 * Prints one duration as `format` prints the timings: Go's `time.Duration.String()` of the duration
 * rounded to the millisecond (half away from zero), such as `10ms`, `1.5s`, `1m30s`, `1h0m0s`; `0s`
 * under half a millisecond. For a field of the statistics on its own, where Go's
 * `fmt.Printf("%v", stats.ProcessingTime)` prints the same notation (to the nanosecond) and
 * `String(stats.processingTime)` prints Effect's `Duration(…)`. Takes a `Duration` or a
 * `DurationInput` (`"1 second"`, a number of milliseconds); one that does not decode throws a
 * `Cause.IllegalArgumentException`.
 *
 * @example
 * ```ts
 * import { Stats } from "@fiberpool/pool-metrics"
 *
 * Stats.formatDuration("90 seconds") // "1m30s"
 * Stats.formatDuration(1234.5) // "1.235s"
 * ```
 *
 * @since 0.2.0
 * @category formatting
 */
export const formatDuration = (duration: Duration.DurationInput): string => {
  const decoded = Duration.decodeUnknown(duration)
  if (Option.isNone(decoded)) {
    throw new Cause.IllegalArgumentException(
      `Stats.formatDuration: duration must be ${DURATION_INPUT}, got ${describe(duration)}`
    )
  }
  return formatGoMillis(Duration.toMillis(decoded.value))
}

/**
 * Prints statistics exactly as go-pkgz's `Stats.String()` does: only non-zero fields, durations
 * rounded to the millisecond (half away from zero) in Go's notation (`10ms`, `1.5s`, `1m30s`), so a
 * non-zero duration under half a millisecond prints as `0s`; rates and percentages with one
 * decimal, rounded like Go's `%.1f` (half to even on exact ties: `12.25` prints `12.2`); `""` for
 * empty statistics. It prints the fields as given and recomputes nothing. A timing may also be
 * given as a `DurationInput` (`"1 second"`, a number of milliseconds; one that decodes to no more
 * than zero prints nothing, as a zero `Duration` does); something that is not a `Stats` (from
 * JavaScript; a timing missing or that is no duration) throws a `Cause.IllegalArgumentException`.
 * Unlike `Stats.make`, it neither defaults a missing timing to zero nor rejects a negative one.
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
  if (typeof stats !== "object" || stats === null) throw notStats(describe(stats))
  for (const field of formatDurations) {
    let value: unknown
    try {
      value = stats[field]
    } catch {
      // a getter, a revoked Proxy (from JavaScript)
      throw notStats(`an object whose "${field}" cannot be read`)
    }
    if (Option.isNone(Duration.decodeUnknown(value))) {
      throw notStats(`an object whose "${field}" is ${describe(value)}, not a duration`)
    }
  }
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
