import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Metrics, Stats } from "@fiberpool/pool-metrics"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import type * as MetricPair from "effect/MetricPair"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { FiberPool } from "../src/index.js"
import { range, readingClock } from "./helpers.js"

class ItemError extends Data.TaggedError("ItemError")<{ readonly item: number }> {}

// Effect's metric registry is global and never forgets: every pool gets its own name
const suffix = Math.random().toString(36).slice(2, 8)
let serial = 0
const uniqueName = (label: string): string => `t-${label}-${suffix}-${serial++}`

const ms = (d: Duration.Duration): number => Duration.toMillis(d)

const tagsOf = (pair: MetricPair.MetricPair.Untyped): Record<string, string> =>
  Object.fromEntries(pair.metricKey.tags.map((label) => [label.key, label.value]))

/** Every registered series whose `pool` label is `pool`. */
const seriesOfPool = (pool: string) =>
  Metric.snapshot.pipe(Effect.map((pairs) => pairs.filter((pair) => tagsOf(pair).pool === pool)))

const counterValue = (metric: Metric.Metric.Counter<number>, pool: string) =>
  Metric.value(metric.pipe(Metric.tagged("pool", pool))).pipe(Effect.map((state) => state.count))

const customValue = (pool: string, counter: string) =>
  Metric.value(
    Metrics.customTotal.pipe(
      Metric.taggedWithLabels([MetricLabel.make("pool", pool), MetricLabel.make("counter", counter)])
    )
  ).pipe(Effect.map((state) => state.count))

/** The published Effect metrics of pool `name`, as plain numbers. */
const published = (name: string) =>
  Effect.gen(function*() {
    const histogram = yield* Metric.value(Metrics.itemDuration.pipe(Metric.tagged("pool", name)))
    const gauge = yield* Metric.value(Metrics.queueDepth.pipe(Metric.tagged("pool", name)))
    return {
      submitted: yield* counterValue(Metrics.itemsSubmitted, name),
      processed: yield* counterValue(Metrics.itemsProcessed, name),
      failed: yield* counterValue(Metrics.itemsFailed, name),
      dropped: yield* counterValue(Metrics.itemsDropped, name),
      durationCount: histogram.count,
      durationSum: histogram.sum,
      queueDepth: gauge.value
    }
  })

const pick = (p: { readonly processed: number; readonly failed: number }) => ({
  processed: p.processed,
  failed: p.failed
})

/** Runs a pool to its end in a scope of its own; returns the pool (usable after the scope closed). */
const runPool = <A, E>(make: Effect.Effect<FiberPool.FiberPool<A, E>, never, Scope.Scope>, items: Array<A>) =>
  Effect.scoped(Effect.gen(function*() {
    const pool = yield* make
    yield* pool.submitAll(items)
    const exit = yield* Effect.exit(pool.close)
    return { pool, exit } as const
  }))

describe("custom counters (Metrics.increment / add)", () => {
  it.effect("inside workers and callbacks appear in pool.metrics, also after close and after the scope", () =>
    Effect.gen(function*() {
      const name = uniqueName("custom")
      const { exit, pool } = yield* runPool(
        FiberPool.make({
          name,
          workers: 3,
          batchSize: 2,
          worker: (n: number) =>
            Effect.gen(function*() {
              yield* Metrics.increment("seen")
              yield* Metrics.add("bytes", n)
              if (n % 2 === 1) yield* Metrics.increment("odd")
            }),
          onWorkerComplete: () => Metrics.increment("completed")
        }),
        range(10)
      )
      assertTrue(Exit.isSuccess(exit))
      const counters = yield* pool.metrics
      deepStrictEqual(counters, { seen: 10, bytes: 45, odd: 5, completed: 3 })
      strictEqual(Metrics.format(counters), "[bytes:45, completed:3, odd:5, seen:10]")
      // published as fiberpool_custom_total{pool, counter}
      strictEqual(yield* customValue(name, "seen"), 10)
      strictEqual(yield* customValue(name, "bytes"), 45)
      strictEqual(yield* customValue(name, "odd"), 5)
      strictEqual(yield* customValue(name, "completed"), 3)
      const custom = (yield* seriesOfPool(name)).filter((pair) => pair.metricKey.name === "fiberpool_custom_total")
      deepStrictEqual(
        custom.map((pair) => tagsOf(pair)).sort((a, b) => a.counter.localeCompare(b.counter)),
        ["bytes", "completed", "odd", "seen"].map((counter) => ({ pool: name, counter }))
      )
    }))

  it.effect("a workerLayer sees the pool's PoolMetrics too", () =>
    Effect.gen(function*() {
      const { pool } = yield* runPool(
        FiberPool.make({
          name: uniqueName("layer-counters"),
          workers: 2,
          workerLayer: Layer.effectDiscard(Metrics.increment("layers_built")),
          worker: (_: number) => Effect.void
        }),
        range(3)
      )
      deepStrictEqual(yield* pool.metrics, { layers_built: 2 })
    }))

  it.effect("are empty (and format as \"\") when no worker counts anything", () =>
    Effect.gen(function*() {
      const { pool } = yield* runPool(
        FiberPool.make({ name: uniqueName("no-counters"), workers: 2, worker: (_: number) => Effect.void }),
        range(5)
      )
      deepStrictEqual(yield* pool.metrics, {})
      strictEqual(Metrics.format(yield* pool.metrics), "")
    }))

  it.effect("two pools keep their own counters", () =>
    Effect.gen(function*() {
      const name = uniqueName("own-counters")
      const make = FiberPool.make({ name, workers: 2, worker: (_: number) => Metrics.increment("n") })
      const first = yield* runPool(make, range(3))
      const second = yield* runPool(make, range(4))
      deepStrictEqual(yield* first.pool.metrics, { n: 3 })
      deepStrictEqual(yield* second.pool.metrics, { n: 4 })
      // the published series of a shared name adds up
      strictEqual(yield* customValue(name, "n"), 7)
    }))
})

describe("Effect Metric series", () => {
  it.effect("continue mode: submitted / processed / failed totals equal the final stats", () =>
    Effect.gen(function*() {
      const name = uniqueName("continue")
      const { exit, pool } = yield* runPool(
        FiberPool.make({
          name,
          workers: 3,
          batchSize: 2,
          continueOnError: true,
          worker: (n: number) => n % 5 === 0 ? Effect.fail(new ItemError({ item: n })) : Effect.void
        }),
        range(20)
      )
      assertTrue(Exit.isFailure(exit))
      const stats = yield* pool.stats
      strictEqual(stats.submitted, 20)
      strictEqual(stats.processed, 16)
      strictEqual(stats.errors, 4)
      strictEqual(stats.dropped, 0)
      deepStrictEqual(yield* published(name), {
        submitted: 20,
        processed: 16,
        failed: 4,
        dropped: 0,
        durationCount: 20,
        durationSum: 0,
        queueDepth: 0
      })
    }))

  it.effect("mapStream: the time a worker waits for the reader to take a result is not the next item's duration", () =>
    Effect.gen(function*() {
      const name = uniqueName("map-stream-reader")
      // instant items and a reader that takes 20 ms per result: the workers wait for room in the
      // results buffer (20 results), in the middle of their batches of 10
      const fiber = yield* Stream.range(1, 60).pipe(
        FiberPool.mapStream({ name, workers: 1, worker: (n: number) => Effect.succeed(n) }),
        Stream.tap(() => Effect.sleep("20 millis")),
        Stream.runDrain,
        Effect.fork
      )
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      const { durationCount, durationSum, processed } = yield* published(name)
      deepStrictEqual({ processed, durationCount, durationSum }, { processed: 60, durationCount: 60, durationSum: 0 })
    }))

  it.effect("fail-fast mode: dropped items are published, histogram counts processed + errors", () =>
    Effect.gen(function*() {
      const name = uniqueName("fail-fast")
      const fiber = yield* Effect.fork(runPool(
        FiberPool.make({
          name,
          workers: 2,
          batchSize: 1,
          workerQueueSize: 10,
          worker: (n: number) =>
            n === 1
              ? Effect.sleep("10 millis").pipe(Effect.zipRight(Effect.fail(new ItemError({ item: n }))))
              : Effect.sleep("100 millis")
        }),
        range(10)
      ))
      yield* TestClock.adjust("1 second")
      const { exit, pool } = yield* Fiber.join(fiber)
      assertTrue(Exit.isFailure(exit))
      const stats = yield* pool.stats
      strictEqual(stats.submitted, 10)
      strictEqual(stats.errors, 1)
      strictEqual(stats.processed + stats.errors + stats.dropped, 10)
      assertTrue(stats.dropped >= 8, `dropped ${stats.dropped}`)
      const metrics = yield* published(name)
      deepStrictEqual(metrics, {
        submitted: stats.submitted,
        processed: stats.processed,
        failed: stats.errors,
        dropped: stats.dropped,
        durationCount: stats.processed + stats.errors,
        durationSum: metrics.durationSum,
        queueDepth: 0
      })
    }))

  it.effect("after a scope interruption the totals still match the stats", () =>
    Effect.gen(function*() {
      const name = uniqueName("interrupted")
      const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({
          name,
          workers: 2,
          batchSize: 3,
          workerQueueSize: 4,
          worker: (_: number) => Effect.sleep("100 millis")
        })
        yield* pool.submitAll(range(20))
        return pool
      })))
      yield* TestClock.adjust("150 millis")
      const pool = yield* Fiber.join(fiber)
      const stats = yield* pool.stats
      strictEqual(stats.submitted, 20)
      strictEqual(stats.processed + stats.errors + stats.dropped, 20)
      const metrics = yield* published(name)
      strictEqual(metrics.submitted, stats.submitted)
      strictEqual(metrics.processed, stats.processed)
      strictEqual(metrics.dropped, stats.dropped)
      strictEqual(metrics.queueDepth, 0)
    }))

  it.effect("the queue-depth gauge rises while items wait and returns to 0 after the end", () =>
    Effect.gen(function*() {
      const name = uniqueName("depth")
      const fiber = yield* Effect.fork(runPool(
        FiberPool.make({
          name,
          workers: 1,
          batchSize: 1,
          workerQueueSize: 2,
          worker: (_: number) => Effect.sleep("10 millis")
        }),
        range(8)
      ))
      // the producer is suspended on the full queue: items are waiting
      yield* TestClock.adjust(0)
      const during = (yield* published(name)).queueDepth
      assertTrue(during > 0, `queue depth while items wait: ${during}`)
      yield* TestClock.adjust("1 second")
      const { exit } = yield* Fiber.join(fiber)
      assertTrue(Exit.isSuccess(exit))
      const after = yield* published(name)
      strictEqual(after.queueDepth, 0)
      strictEqual(after.processed, 8)
      strictEqual(after.durationCount, 8)
      assertTrue(Math.abs(after.durationSum - 0.08) < 1e-9, `duration sum ${after.durationSum}`)
    }))

  it.effect("the queue-depth gauge no longer counts a batch once a worker took it", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const name = uniqueName("depth-taken")
      const pool = yield* FiberPool.make({
        name,
        workers: 2,
        batchSize: 1,
        worker: (_: number) => Effect.sleep("1 hour")
      }).pipe(Scope.extend(scope))
      yield* pool.submitAll([1, 2])
      yield* TestClock.adjust("30 minutes")
      // both items are running, nothing is buffered
      strictEqual((yield* published(name)).queueDepth, 0)
      yield* TestClock.adjust("31 minutes")
      yield* pool.submit(3)
      yield* TestClock.adjust("1 minute")
      strictEqual((yield* published(name)).queueDepth, 0)
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("with every worker busy, the gauge and the submitted counter follow the items queued behind them", () =>
    Effect.gen(function*() {
      // regression: published only at takes and when a producer waited, so they stood still while
      // every worker was stuck and the queues (not full) filled
      const scope = yield* Scope.make()
      const name = uniqueName("depth-stuck")
      const pool = yield* FiberPool.make({
        name,
        workers: 2,
        batchSize: 1,
        workerQueueSize: 10,
        worker: (_: number) => Effect.never
      }).pipe(Scope.extend(scope))
      yield* pool.submitAll([1, 2])
      yield* TestClock.adjust("1 second")
      yield* pool.submitAll(range(10, 3))
      const stuck = yield* published(name)
      deepStrictEqual({ submitted: stuck.submitted, queueDepth: stuck.queueDepth }, { submitted: 12, queueDepth: 10 })
      yield* Scope.close(scope, Exit.void)
      strictEqual((yield* published(name)).queueDepth, 0)
    }))

  it.effect("with slow items, the totals follow within a second, and a failure shows at once", () =>
    Effect.gen(function*() {
      // regression: published once per take, so with 5 s items and batches of 10 the totals stood
      // at 0 for 50 s while items succeeded and failed
      const scope = yield* Scope.make()
      const name = uniqueName("slow-items")
      const pool = yield* FiberPool.make({
        name,
        workers: 1,
        continueOnError: true,
        worker: (n: number) =>
          Effect.zipRight(
            Effect.sleep("5 seconds"),
            n % 2 === 1 ? Effect.fail(new ItemError({ item: n })) : Effect.void
          )
      }).pipe(Scope.extend(scope))
      yield* pool.submitAll(range(10))
      yield* TestClock.adjust("5 seconds")
      deepStrictEqual(pick(yield* published(name)), { processed: 1, failed: 0 })
      yield* TestClock.adjust("5 seconds")
      deepStrictEqual(pick(yield* published(name)), { processed: 1, failed: 1 })
      yield* TestClock.adjust("20 seconds")
      deepStrictEqual(pick(yield* published(name)), { processed: 3, failed: 3 })
      const stats = yield* pool.stats
      deepStrictEqual({ processed: stats.processed, failed: stats.errors }, { processed: 3, failed: 3 })
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("a pause in the middle of a batch publishes the counters", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const name = uniqueName("pause-publish")
      const pool = yield* FiberPool.make({
        name,
        workers: 1,
        batchSize: 10,
        worker: (_: number) => Effect.sleep("100 millis")
      }).pipe(Scope.extend(scope))
      yield* pool.submitAll(range(10))
      yield* TestClock.adjust("250 millis")
      yield* pool.pause
      yield* TestClock.adjust("1 hour")
      const stats = yield* pool.stats
      strictEqual(stats.processed, 3)
      deepStrictEqual(pick(yield* published(name)), { processed: 3, failed: 0 })
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("a clock set back does not stop the counters from following the items", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const name = uniqueName("clock-back")
      // the test clock, read an hour earlier once `back` is set (a wall clock stepped back)
      const base = yield* Effect.clock
      let back = 0n
      const clock = readingClock(base, () => base.unsafeCurrentTimeNanos() - back)
      const pool = yield* FiberPool.make({
        name,
        workers: 1,
        batchSize: 10,
        worker: (_: number) => Effect.sleep("2 seconds")
      }).pipe(Effect.withClock(clock), Scope.extend(scope))
      yield* TestClock.adjust("1 hour")
      yield* pool.submitAll(range(10))
      yield* TestClock.adjust("2 seconds")
      back = 3_600_000_000_000n
      // five more items of the same batch end (no take in between)
      yield* TestClock.adjust("10 seconds")
      strictEqual((yield* pool.stats).processed, 6)
      strictEqual((yield* published(name)).processed, 6)
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("TestClock.setTime back while an item runs: that item is observed at 0 s, not a negative duration", () =>
    Effect.gen(function*() {
      const name = uniqueName("set-back")
      yield* TestClock.setTime(100_000)
      const gate = yield* Deferred.make<void>()
      const scope = yield* Scope.make()
      const pool = yield* FiberPool.make({
        name,
        workers: 1,
        batchSize: 1,
        worker: (i: number) => i === 1 ? Deferred.await(gate) : Effect.sleep("1 second")
      }).pipe(Scope.extend(scope))
      yield* pool.submit(1)
      yield* TestClock.adjust(0)
      yield* TestClock.setTime(40_000) // an hour-long test fixture rewinds the clock
      yield* Deferred.succeed(gate, undefined)
      yield* pool.submit(2)
      yield* TestClock.adjust("1 second")
      yield* pool.close
      const histogram = yield* Metric.value(Metrics.itemDuration.pipe(Metric.tagged("pool", name)))
      deepStrictEqual(
        { count: histogram.count, min: histogram.min, sum: histogram.sum },
        { count: 2, min: 0, sum: 1 }
      )
      const stats = yield* pool.stats
      deepStrictEqual(Duration.toMillis(stats.processingTime), 1000)
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("an item that interrupts itself is counted as dropped and not observed by the histogram", () =>
    Effect.gen(function*() {
      const name = uniqueName("self-interrupt")
      const { pool } = yield* runPool(
        FiberPool.make({ name, workers: 1, worker: (n: number) => n === 2 ? Effect.interrupt : Effect.void }),
        [1, 2, 3, 4]
      )
      const stats = yield* pool.stats
      deepStrictEqual({ processed: stats.processed, dropped: stats.dropped }, { processed: 3, dropped: 1 })
      strictEqual((yield* published(name)).durationCount, stats.processed + stats.errors)
    }))

  it.effect("item series carry exactly the label pool=<name>", () =>
    Effect.gen(function*() {
      const name = uniqueName("labels")
      yield* runPool(FiberPool.make({ name, workers: 2, worker: (_: number) => Effect.void }), range(4))
      const series = yield* seriesOfPool(name)
      const names = series.map((pair) => pair.metricKey.name)
      for (
        const expected of [
          "fiberpool_items_submitted_total",
          "fiberpool_items_processed_total",
          "fiberpool_item_duration_seconds"
        ]
      ) {
        assertTrue(names.includes(expected), `missing ${expected} in ${names.join(", ")}`)
      }
      for (const pair of series) deepStrictEqual(tagsOf(pair), { pool: name })
    }))

  it.effect("every series of a pool exists from its start, at 0 (an exporter sees failed_total before a failure)", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = uniqueName("idle")
      yield* FiberPool.make({ name, workers: 2, worker: (_: number) => Effect.void })
      const names = (yield* seriesOfPool(name)).map((pair) => pair.metricKey.name).sort()
      deepStrictEqual(names, [
        "fiberpool_item_duration_seconds",
        "fiberpool_items_dropped_total",
        "fiberpool_items_failed_total",
        "fiberpool_items_processed_total",
        "fiberpool_items_submitted_total",
        "fiberpool_queue_depth"
      ])
      deepStrictEqual(yield* published(name), {
        submitted: 0,
        processed: 0,
        failed: 0,
        dropped: 0,
        durationCount: 0,
        durationSum: 0,
        queueDepth: 0
      })
    })))

  it.effect("pools sharing a name add up", () =>
    Effect.gen(function*() {
      const name = uniqueName("shared")
      const make = FiberPool.make({ name, workers: 2, worker: (_: number) => Effect.void })
      yield* runPool(make, range(3))
      yield* runPool(make, range(5))
      const metrics = yield* published(name)
      strictEqual(metrics.submitted, 8)
      strictEqual(metrics.processed, 8)
      strictEqual(metrics.queueDepth, 0)
    }))

  it.effect("metrics: false publishes nothing for the pool, stats and custom counters still work", () =>
    Effect.gen(function*() {
      const name = uniqueName("private")
      const { exit, pool } = yield* runPool(
        FiberPool.make({
          name,
          metrics: false,
          workers: 2,
          continueOnError: true,
          worker: (n: number) =>
            Metrics.increment("seen").pipe(
              Effect.zipRight(n === 3 ? Effect.fail(new ItemError({ item: n })) : Effect.void)
            )
        }),
        range(6)
      )
      assertTrue(Exit.isFailure(exit))
      deepStrictEqual(yield* seriesOfPool(name), [])
      deepStrictEqual(yield* pool.metrics, { seen: 6 })
      const stats = yield* pool.stats
      strictEqual(stats.submitted, 6)
      strictEqual(stats.processed, 5)
      strictEqual(stats.errors, 1)
    }))
})

describe("Stats timings (TestClock)", () => {
  it.effect("2 workers × 100ms items, 4 items: proc 200ms, total 200ms, rate 20/s; frozen after the end", () =>
    Effect.gen(function*() {
      const name = uniqueName("timing")
      const fiber = yield* Effect.fork(runPool(
        FiberPool.make({ name, workers: 2, batchSize: 1, worker: (_: number) => Effect.sleep("100 millis") }),
        range(4)
      ))
      yield* TestClock.adjust("200 millis")
      const { exit, pool } = yield* Fiber.join(fiber)
      assertTrue(Exit.isSuccess(exit))
      const stats = yield* pool.stats
      strictEqual(stats.submitted, 4)
      strictEqual(stats.processed, 4)
      strictEqual(ms(stats.processingTime), 200)
      strictEqual(ms(stats.totalTime), 200)
      strictEqual(ms(stats.waitTime), 0)
      strictEqual(ms(stats.initTime), 0)
      strictEqual(ms(stats.wrapTime), 0)
      strictEqual(stats.ratePerSec, 20)
      strictEqual(ms(stats.avgLatency), 50)
      strictEqual(stats.utilization, 1)
      strictEqual(
        Stats.format(stats),
        "[processed:4, rate:20.0/s, avg_latency:50ms, proc:200ms, total:200ms, utilization:100.0%]"
      )

      // the histogram saw four items of 0.1 s
      const histogram = yield* Metric.value(Metrics.itemDuration.pipe(Metric.tagged("pool", name)))
      strictEqual(histogram.count, 4)
      assertTrue(Math.abs(histogram.sum - 0.4) < 1e-9, `sum ${histogram.sum}`)

      // frozen after the end
      yield* TestClock.adjust("1 second")
      const later = yield* pool.stats
      strictEqual(ms(later.totalTime), 200)
      strictEqual(ms(later.processingTime), 200)
      strictEqual(ms(later.waitTime), 0)
      strictEqual(later.ratePerSec, 20)
    }))

  it.effect("totalTime is live while the pool runs", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ workers: 1, worker: (_: number) => Effect.sleep("100 millis") })
        yield* pool.submit(1)
        yield* Effect.sleep("30 millis")
        const live = yield* pool.stats
        yield* pool.close
        return { live, final: yield* pool.stats }
      })))
      yield* TestClock.adjust("1 second")
      const { final, live } = yield* Fiber.join(fiber)
      strictEqual(ms(live.totalTime), 30)
      strictEqual(live.processed, 0)
      strictEqual(ms(final.totalTime), 100)
      strictEqual(final.processed, 1)
    }))

  it.effect("waitTime sums the idle time between items", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ workers: 1, worker: (_: number) => Effect.sleep("10 millis") })
        yield* pool.submit(1)
        yield* Effect.sleep("50 millis")
        yield* pool.submit(2)
        yield* Effect.sleep("10 millis")
        // the worker finished item 2 at 60ms: no idle time after it
        yield* pool.close
        return yield* pool.stats
      })))
      yield* TestClock.adjust("1 second")
      const stats = yield* Fiber.join(fiber)
      strictEqual(stats.processed, 2)
      strictEqual(ms(stats.processingTime), 20)
      strictEqual(ms(stats.waitTime), 40)
      strictEqual(ms(stats.totalTime), 60)
      strictEqual(stats.utilization, 20 / 60)
    }))

  for (const metrics of [true, false]) {
    it.effect(`closing the scope mid-batch counts the batch's time as processing (metrics: ${metrics})`, () =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const pool = yield* FiberPool.make({
          name: uniqueName("proc-interrupted"),
          metrics,
          workers: 1,
          batchSize: 10,
          worker: (_: number) => Effect.sleep("100 millis")
        }).pipe(Scope.extend(scope))
        yield* pool.submitAll(range(10))
        // five items done, the sixth half-way
        yield* TestClock.adjust("550 millis")
        yield* Scope.close(scope, Exit.void)
        const stats = yield* pool.stats
        strictEqual(stats.processed, 5)
        strictEqual(stats.dropped, 5)
        // the finished items (without metrics, added per batch) and the interrupted one
        strictEqual(ms(stats.processingTime), 550)
        strictEqual(ms(stats.waitTime), 0)
        strictEqual(ms(stats.totalTime), 550)
      }))
  }

  it.effect("closing the scope counts the idle workers' time as waiting", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const pool = yield* FiberPool.make({
        name: uniqueName("wait-interrupted"),
        workers: 2,
        batchSize: 1,
        worker: (_: number) => Effect.sleep("100 millis")
      }).pipe(Scope.extend(scope))
      yield* pool.submit(1)
      yield* TestClock.adjust("1 second")
      yield* Scope.close(scope, Exit.void)
      const stats = yield* pool.stats
      strictEqual(ms(stats.processingTime), 100)
      // worker 0 idle for 900ms after its item, worker 1 for the whole second
      strictEqual(ms(stats.waitTime), 1900)
      strictEqual(stats.utilization, 100 / 1000 / 2)
    }))

  it.effect("closing the scope of a paused pool counts the pause as paused time", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const pool = yield* FiberPool.make({
        name: uniqueName("paused-interrupted"),
        workers: 1,
        batchSize: 2,
        worker: (_: number) => Effect.sleep("1 second")
      }).pipe(Scope.extend(scope))
      yield* pool.submitAll(range(4))
      yield* TestClock.adjust(0)
      yield* pool.pause
      // item 0 finishes at 1s; the worker waits, paused mid-batch, until the scope closes at 11s
      yield* TestClock.adjust("11 seconds")
      yield* Scope.close(scope, Exit.void)
      const stats = yield* pool.stats
      strictEqual(stats.processed, 1)
      strictEqual(stats.dropped, 3)
      strictEqual(ms(stats.processingTime), 1000)
      strictEqual(ms(stats.pausedTime), 10_000)
      strictEqual(ms(stats.waitTime), 0)
    }))

  for (const end of ["resume and close", "close the scope"] as const) {
    it.effect(`a worker idle before a pause counts that time as waiting, not paused (${end})`, () =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const pool = yield* FiberPool.make({
          name: uniqueName("idle-paused"),
          workers: 1,
          batchSize: 1,
          worker: (_: number) => Effect.sleep("1 second")
        }).pipe(Scope.extend(scope))
        // idle for 10s, then paused; the item submitted wakes the worker, which finds the pool paused
        yield* TestClock.adjust("10 seconds")
        yield* pool.pause
        yield* pool.submit(1)
        yield* TestClock.adjust("1 second")
        if (end === "resume and close") {
          yield* pool.resume
          const closing = yield* Effect.fork(pool.close)
          yield* TestClock.adjust("1 second")
          yield* Fiber.join(closing)
        }
        yield* Scope.close(scope, Exit.void)
        const stats = yield* pool.stats
        strictEqual(ms(stats.waitTime), 10_000)
        strictEqual(ms(stats.pausedTime), 1000)
        strictEqual(ms(stats.processingTime), end === "resume and close" ? 1000 : 0)
      }))
  }

  it.effect("a fail-fast stop counts the other workers' time where it went", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const pool = yield* FiberPool.make({
        name: uniqueName("stop-times"),
        workers: 3,
        batchSize: 1,
        worker: (n: number) => n === 2 ? Effect.fail(new ItemError({ item: n })) : Effect.sleep(`${n} seconds`)
      }).pipe(Scope.extend(scope))
      // worker 0 runs a 5s item; at 1s item 2 fails on worker 1 and stops the pool
      yield* pool.submit(5)
      yield* TestClock.adjust("1 second")
      yield* pool.submit(2)
      const exit = yield* Effect.exit(pool.wait)
      assertTrue(Exit.isFailure(exit))
      const stats = yield* pool.stats
      strictEqual(stats.dropped, 1)
      // the interrupted item ran 1s; workers 1 and 2 were idle for 1s each
      strictEqual(ms(stats.processingTime), 1000)
      strictEqual(ms(stats.waitTime), 2000)
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("initTime sums the workerLayer build time of every worker", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(runPool(
        FiberPool.make({
          workers: 2,
          batchSize: 1,
          workerLayer: Layer.effectDiscard(Effect.sleep("50 millis")),
          worker: (_: number) => Effect.sleep("10 millis")
        }),
        range(2)
      ))
      yield* TestClock.adjust("1 second")
      const { exit, pool } = yield* Fiber.join(fiber)
      assertTrue(Exit.isSuccess(exit))
      const stats = yield* pool.stats
      strictEqual(ms(stats.initTime), 100)
      strictEqual(ms(stats.processingTime), 10)
      // the layers are built concurrently: 50ms of start-up, then one 10ms item per worker
      strictEqual(ms(stats.totalTime), 60)
      strictEqual(ms(stats.waitTime), 0)
    }))

  it.effect("initTime includes makeWorker for a stateful pool", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.makeStateful({
          workers: 3,
          makeWorker: (id) => Effect.sleep(Duration.millis(10 * (id + 1))).pipe(Effect.as((_: number) => Effect.void))
        })
        yield* pool.close
        return yield* pool.stats
      })))
      yield* TestClock.adjust("1 second")
      const stats = yield* Fiber.join(fiber)
      strictEqual(ms(stats.initTime), 10 + 20 + 30)
      strictEqual(ms(stats.totalTime), 30)
    }))

  it.effect("wrapTime sums the onWorkerComplete time", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(runPool(
        FiberPool.make({
          workers: 2,
          batchSize: 1,
          worker: (_: number) => Effect.sleep("10 millis"),
          onWorkerComplete: () => Effect.sleep("30 millis")
        }),
        range(2)
      ))
      yield* TestClock.adjust("1 second")
      const { exit, pool } = yield* Fiber.join(fiber)
      assertTrue(Exit.isSuccess(exit))
      const stats = yield* pool.stats
      strictEqual(ms(stats.wrapTime), 60)
      strictEqual(ms(stats.processingTime), 10)
      strictEqual(ms(stats.totalTime), 40)
    }))

  it.effect("wrapTime counts an onWorkerComplete cut short by a scope close", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const pool = yield* FiberPool.make({
        workers: 1,
        worker: (_: number) => Effect.void,
        onWorkerComplete: () => Effect.sleep("100 millis")
      }).pipe(Scope.extend(scope))
      yield* pool.submitAll(range(1))
      yield* pool.end
      yield* TestClock.adjust("30 millis")
      yield* Scope.close(scope, Exit.void)
      // before, the 30 ms it ran went nowhere
      strictEqual(ms((yield* pool.stats).wrapTime), 30)
    }))
})
