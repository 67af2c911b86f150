import { describe, it } from "@effect/vitest"
import { assertFalse, assertInclude, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Metrics } from "@fiberpool/pool-metrics"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"
import type * as MetricPair from "effect/MetricPair"
import * as Option from "effect/Option"
import { illegalArgumentOf } from "./helpers.js"

// Effect's metric registry is global and never forgets: every test uses its own pool name
const suffix = Math.random().toString(36).slice(2, 8)
let serial = 0
const uniquePool = (label: string): string => `pool-metrics-test-${label}-${suffix}-${serial++}`

const customValue = (pool: string, counter: string) =>
  Metric.value(
    Metrics.customTotal.pipe(
      Metric.taggedWithLabels([MetricLabel.make("pool", pool), MetricLabel.make("counter", counter)])
    )
  ).pipe(Effect.map((state) => state.count))

const tagsOf = (pair: MetricPair.MetricPair.Untyped): Record<string, string> =>
  Object.fromEntries(pair.metricKey.tags.map((label) => [label.key, label.value]))

/** The registered series named `name` whose `pool` label is `pool`. */
const seriesOf = (name: string, pool: string) =>
  Metric.snapshot.pipe(
    Effect.map((pairs) => pairs.filter((pair) => pair.metricKey.name === name && tagsOf(pair).pool === pool))
  )

const counting = Effect.gen(function*() {
  yield* Metrics.increment("a")
  yield* Metrics.increment("a")
  yield* Metrics.add("b", 5)
  yield* Metrics.add("b", -2)
  yield* Metrics.add("c", 0.5)
  return yield* Metrics.snapshot
})

describe("Metrics.increment / add / snapshot", () => {
  it.effect("count through Metrics.layerTest", () =>
    Effect.gen(function*() {
      const counters = yield* counting.pipe(Effect.provide(Metrics.layerTest))
      deepStrictEqual(counters, { a: 2, b: 3, c: 0.5 })
    }))

  it.effect("snapshot is empty before any update", () =>
    Effect.gen(function*() {
      deepStrictEqual(yield* Metrics.snapshot.pipe(Effect.provide(Metrics.layerTest)), {})
    }))

  it.effect("each build of layerTest has fresh counters", () =>
    Effect.gen(function*() {
      deepStrictEqual(yield* counting.pipe(Effect.provide(Metrics.layerTest)), { a: 2, b: 3, c: 0.5 })
      deepStrictEqual(yield* counting.pipe(Effect.provide(Metrics.layerTest)), { a: 2, b: 3, c: 0.5 })
      deepStrictEqual(yield* Metrics.snapshot.pipe(Effect.provide(Metrics.layerTest)), {})
    }))

  it.effect("a snapshot is a copy, not a live view", () =>
    Effect.gen(function*() {
      const [before, after] = yield* Effect.gen(function*() {
        yield* Metrics.increment("a")
        const before = yield* Metrics.snapshot
        yield* Metrics.increment("a")
        yield* Metrics.increment("b")
        return [before, yield* Metrics.snapshot] as const
      }).pipe(Effect.provide(Metrics.layerTest))
      deepStrictEqual(before, { a: 1 })
      deepStrictEqual(after, { a: 2, b: 1 })
    }))

  it.effect("concurrent updates are all counted", () =>
    Effect.gen(function*() {
      const counters = yield* Effect.gen(function*() {
        yield* Effect.forEach(
          Array.from({ length: 100 }, (_, i) => i),
          (i) => Effect.zipRight(Effect.yieldNow(), Metrics.add(i % 2 === 0 ? "even" : "odd", i)),
          { concurrency: 10, discard: true }
        )
        return yield* Metrics.snapshot
      }).pipe(Effect.provide(Metrics.layerTest))
      deepStrictEqual(counters, { even: 2450, odd: 2500 })
    }))

  it.effect("reach the counters provided as PoolMetrics", () =>
    Effect.gen(function*() {
      const counters = Metrics.makeCounters({ pool: uniquePool("provided"), publish: false })
      yield* Metrics.add("x", 7).pipe(Effect.provideService(Metrics.PoolMetrics, counters))
      yield* Metrics.increment("x").pipe(Effect.provideService(Metrics.PoolMetrics, counters))
      deepStrictEqual(counters.unsafeSnapshot(), { x: 8 })
      deepStrictEqual(yield* Metrics.snapshot.pipe(Effect.provideService(Metrics.PoolMetrics, counters)), { x: 8 })
    }))

  it.effect("keep counters whose names are Object.prototype's (__proto__, constructor)", () =>
    Effect.gen(function*() {
      const counters = Metrics.makeCounters({ pool: uniquePool("proto"), publish: false })
      const provide = Effect.provideService(Metrics.PoolMetrics, counters)
      yield* Metrics.add("__proto__", 2).pipe(provide)
      yield* Metrics.increment("constructor").pipe(provide)
      yield* Metrics.increment("a").pipe(provide)
      const snapshot = yield* Metrics.snapshot.pipe(provide)
      deepStrictEqual(Object.keys(snapshot).sort(), ["__proto__", "a", "constructor"])
      strictEqual(snapshot["__proto__"], 2)
      strictEqual(Object.getPrototypeOf(snapshot), Object.prototype)
      strictEqual(Metrics.format(snapshot), "[__proto__:2, a:1, constructor:1]")
    }))

  describe("a delta that is not a finite number dies with IllegalArgumentException", () => {
    for (const delta of [NaN, Infinity, -Infinity]) {
      it.effect(`add("bytes", ${delta})`, () =>
        Effect.gen(function*() {
          const [exit, after] = yield* Effect.gen(function*() {
            yield* Metrics.add("ok", 1)
            const exit = yield* Effect.exit(Metrics.add("bytes", delta))
            return [exit, yield* Metrics.snapshot] as const
          }).pipe(Effect.provide(Metrics.layerTest))
          assertTrue(Exit.isFailure(exit))
          const defect = Cause.dieOption(exit.cause)
          assertTrue(Option.isSome(defect))
          assertTrue(Cause.isIllegalArgumentException(defect.value))
          assertInclude(defect.value.message, "bytes")
          assertInclude(defect.value.message, String(delta))
          // nothing was counted
          deepStrictEqual(after, { ok: 1 })
        }))
    }

    it.effect("the message shows the value with its type: a string \"5\" or a bigint does not read as the number 5", () =>
      Effect.gen(function*() {
        const messageOf = (delta: unknown, name: unknown = "bytes") =>
          Effect.gen(function*() {
            const exit = yield* Effect.exit(Metrics.add(name as string, delta as number))
            const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
            assertTrue(Option.isSome(defect) && Cause.isIllegalArgumentException(defect.value))
            return (defect.value as Error).message
          }).pipe(Effect.provide(Metrics.layerTest))
        assertInclude(yield* messageOf("5"), `delta must be a finite number, got "5"`)
        assertInclude(yield* messageOf(BigInt(5)), "got 5n (a bigint)")
        assertInclude(yield* messageOf([5]), "got an array")
        assertInclude(yield* messageOf(1, Object.create(null)), "counter name must be a string, got an object")
      }))

    it.effect("also when published: the Effect metric is untouched", () =>
      Effect.gen(function*() {
        const pool = uniquePool("nan")
        const counters = Metrics.makeCounters({ pool })
        counters.unsafeAdd("bytes", 2)
        const exit = yield* Effect.exit(
          Metrics.add("bytes", NaN).pipe(Effect.provideService(Metrics.PoolMetrics, counters))
        )
        assertTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
        strictEqual(yield* customValue(pool, "bytes"), 2)
        deepStrictEqual(counters.unsafeSnapshot(), { bytes: 2 })
      }))
  })
})

describe("Metrics.makeCounters", () => {
  it.effect("publish: true updates fiberpool_custom_total{pool, counter}", () =>
    Effect.gen(function*() {
      const pool = uniquePool("publish")
      const counters = Metrics.makeCounters({ pool, publish: true })
      strictEqual(counters.pool, pool)
      yield* Effect.gen(function*() {
        yield* Metrics.increment("hits")
        yield* Metrics.increment("hits")
        yield* Metrics.add("hits", 3)
        yield* Metrics.add("bytes", 10)
      }).pipe(Effect.provideService(Metrics.PoolMetrics, counters))
      strictEqual(yield* customValue(pool, "hits"), 5)
      strictEqual(yield* customValue(pool, "bytes"), 10)

      // exactly the labels pool and counter, under the documented name
      const series = yield* seriesOf("fiberpool_custom_total", pool)
      deepStrictEqual(
        series.map((pair) => tagsOf(pair)).sort((a, b) => a.counter.localeCompare(b.counter)),
        [{ pool, counter: "bytes" }, { pool, counter: "hits" }]
      )
      for (const pair of series) strictEqual(pair.metricKey.tags.length, 2)
    }))

  it.effect("publishes by default", () =>
    Effect.gen(function*() {
      const pool = uniquePool("default")
      Metrics.makeCounters({ pool }).unsafeAdd("n", 4)
      strictEqual(yield* customValue(pool, "n"), 4)
    }))

  it.effect("negative deltas are published as they are", () =>
    Effect.gen(function*() {
      const pool = uniquePool("negative")
      const counters = Metrics.makeCounters({ pool })
      counters.unsafeAdd("inflight", 3)
      counters.unsafeAdd("inflight", -1)
      strictEqual(yield* customValue(pool, "inflight"), 2)
      deepStrictEqual(counters.unsafeSnapshot(), { inflight: 2 })
    }))

  it.effect("pools sharing a name sum in the Effect metric, each keeps its own counters", () =>
    Effect.gen(function*() {
      const pool = uniquePool("shared")
      const first = Metrics.makeCounters({ pool })
      const second = Metrics.makeCounters({ pool })
      first.unsafeAdd("n", 1)
      second.unsafeAdd("n", 2)
      second.unsafeAdd("n", 2)
      strictEqual(yield* customValue(pool, "n"), 5)
      deepStrictEqual(first.unsafeSnapshot(), { n: 1 })
      deepStrictEqual(second.unsafeSnapshot(), { n: 4 })
    }))

  it.effect("publish: false does not touch the Effect metric", () =>
    Effect.gen(function*() {
      const pool = uniquePool("private")
      const counters = Metrics.makeCounters({ pool, publish: false })
      yield* Metrics.add("n", 3).pipe(Effect.provideService(Metrics.PoolMetrics, counters))
      deepStrictEqual(counters.unsafeSnapshot(), { n: 3 })
      deepStrictEqual(yield* seriesOf("fiberpool_custom_total", pool), [])
    }))

  it.effect("layerTest does not publish", () =>
    Effect.gen(function*() {
      const counter = uniquePool("layer-test-counter")
      yield* Metrics.increment(counter).pipe(Effect.provide(Metrics.layerTest))
      const pairs = yield* Metric.snapshot
      assertFalse(
        pairs.some((pair) => pair.metricKey.name === "fiberpool_custom_total" && tagsOf(pair).counter === counter)
      )
    }))
})

/** The `IllegalArgumentException` that `f` throws, or fails the test. */
describe("Metrics: bad input (from JavaScript) throws IllegalArgumentException naming it", () => {
  it.effect("makeCounters: options, pool, publish", () =>
    Effect.sync(() => {
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [null, "Metrics.makeCounters: options must be an object { pool, publish? }, got null"],
        [undefined, "Metrics.makeCounters: options must be an object { pool, publish? }, got undefined"],
        [{}, `Metrics.makeCounters: option "pool" must be a string, got undefined`],
        [{ pool: 5 }, `Metrics.makeCounters: option "pool" must be a string, got 5`],
        [{ pool: "p", publish: "no" }, `Metrics.makeCounters: option "publish" must be a boolean, got "no"`]
      ]
      for (const [options, message] of cases) {
        strictEqual(illegalArgumentOf(() => Metrics.makeCounters(options as any)), message)
      }
    }))

  it.effect("format: counters that are not an object", () =>
    Effect.sync(() => {
      for (const [counters, shown] of [[null, "null"], [undefined, "undefined"]] as const) {
        strictEqual(
          illegalArgumentOf(() => Metrics.format(counters as any)),
          `Metrics.format: counters must be a record of numbers (as Metrics.snapshot and pool.metrics return), got ${shown}`
        )
      }
    }))
})

describe("Metrics.format", () => {
  it.effect("is empty for no counters", () =>
    Effect.sync(() => {
      strictEqual(Metrics.format({}), "")
    }))

  it.effect("prints [key:value, ...] sorted by key", () =>
    Effect.sync(() => {
      strictEqual(Metrics.format({ b: 2, c: 10, a: 1 }), "[a:1, b:2, c:10]")
      strictEqual(Metrics.format({ only: 0 }), "[only:0]")
      strictEqual(Metrics.format({ neg: -3, frac: 0.5 }), "[frac:0.5, neg:-3]")
    }))

  it.effect("sorts like Go's sort.Strings (byte order of UTF-8)", () =>
    Effect.sync(() => {
      // upper case before lower case, no locale collation
      strictEqual(Metrics.format({ b: 1, B: 2, a: 3 }), "[B:2, a:3, b:1]")
      // U+FF01 (3 UTF-8 bytes) sorts before U+1F600 (4 bytes), though its UTF-16 code unit is larger
      strictEqual(Metrics.format({ "\u{1F600}": 1, "\uFF01": 2, z: 3 }), "[z:3, \uFF01:2, \u{1F600}:1]")
      // a prefix sorts first
      strictEqual(Metrics.format({ ab: 1, a: 2 }), "[a:2, ab:1]")
      // at the edges of the surrogate range: U+D7FF < U+E000 < U+E001 < U+10000 (a surrogate pair)
      strictEqual(
        Metrics.format({ "\uE001": 1, "\u{10000}": 2, "\uE000": 3, "\uD7FF": 4 }),
        "[\uD7FF:4, \uE000:3, \uE001:1, \u{10000}:2]"
      )
    }))

  it.effect("prints a snapshot", () =>
    Effect.gen(function*() {
      const counters = yield* counting.pipe(Effect.provide(Metrics.layerTest))
      strictEqual(Metrics.format(counters), "[a:2, b:3, c:0.5]")
    }))
})

describe("Effect Metric series", () => {
  it.effect("item counters are named fiberpool_items_*_total and tagged pool=<name>", () =>
    Effect.gen(function*() {
      const pool = uniquePool("items")
      const labels = Metrics.poolLabels(pool)
      deepStrictEqual(labels, [MetricLabel.make("pool", pool)])
      Metrics.itemsSubmitted.unsafeUpdate(4, labels)
      Metrics.itemsProcessed.unsafeUpdate(2, labels)
      Metrics.itemsFailed.unsafeUpdate(1, labels)
      Metrics.itemsDropped.unsafeUpdate(1, labels)
      const counts: Record<string, unknown> = {}
      for (
        const name of [
          "fiberpool_items_submitted_total",
          "fiberpool_items_processed_total",
          "fiberpool_items_failed_total",
          "fiberpool_items_dropped_total"
        ]
      ) {
        const series = yield* seriesOf(name, pool)
        strictEqual(series.length, 1, name)
        counts[name] = (series[0].metricState as unknown as { count: number }).count
      }
      deepStrictEqual(counts, {
        fiberpool_items_submitted_total: 4,
        fiberpool_items_processed_total: 2,
        fiberpool_items_failed_total: 1,
        fiberpool_items_dropped_total: 1
      })
    }))

  it.effect("the item counters are incremental: a negative update is ignored (fiberpool_custom_total's is not)", () =>
    Effect.gen(function*() {
      const pool = uniquePool("incremental")
      const labels = Metrics.poolLabels(pool)
      const series = Metrics.poolSeries(pool)
      for (
        const metric of [Metrics.itemsSubmitted, Metrics.itemsProcessed, Metrics.itemsFailed, Metrics.itemsDropped]
      ) {
        metric.unsafeUpdate(3, labels)
        metric.unsafeUpdate(-2, labels)
      }
      for (const hook of [series.submitted, series.processed, series.failed, series.dropped]) hook.update(-1)
      const value = (metric: Metric.Metric.Counter<number>) =>
        Metric.value(Metric.taggedWithLabels(metric, labels)).pipe(Effect.map((state) => state.count))
      deepStrictEqual(
        yield* Effect.all(
          [Metrics.itemsSubmitted, Metrics.itemsProcessed, Metrics.itemsFailed, Metrics.itemsDropped].map(value)
        ),
        [3, 3, 3, 3]
      )
    }))

  it.effect("itemDurationKey's hook in the global registry is the series itemDuration updates", () =>
    Effect.gen(function*() {
      const pool = uniquePool("histogram-key")
      const labels = Metrics.poolLabels(pool)
      const hook = Metric.globalMetricRegistry.get(MetricKey.taggedWithLabels(Metrics.itemDurationKey, labels))
      hook.update(0.002)
      Metrics.itemDuration.unsafeUpdate(0.004, labels)
      const series = yield* seriesOf("fiberpool_item_duration_seconds", pool)
      strictEqual(series.length, 1)
      const state = yield* Metric.value(Metric.taggedWithLabels(Metrics.itemDuration, labels))
      strictEqual(state.count, 2)
      strictEqual(state.sum, 0.006)
    }))

  it.effect("poolSeries' hooks are the series the item metrics read, one series each", () =>
    Effect.gen(function*() {
      const pool = uniquePool("series")
      const labels = Metrics.poolLabels(pool)
      const series = Metrics.poolSeries(pool)
      series.submitted.update(5)
      series.processed.update(3)
      series.failed.update(1)
      series.dropped.update(1)
      series.queueDepth.modify(4)
      series.queueDepth.modify(-1)
      series.itemDuration.update(0.5)
      // the metrics, with the same labels, reach the same series
      Metrics.itemsSubmitted.unsafeUpdate(1, labels)
      Metrics.queueDepth.unsafeModify(1, labels)
      const value = <Type, In, Out>(metric: Metric.Metric<Type, In, Out>) =>
        Metric.value(Metric.taggedWithLabels(metric, labels))
      deepStrictEqual(
        {
          submitted: (yield* value(Metrics.itemsSubmitted)).count,
          processed: (yield* value(Metrics.itemsProcessed)).count,
          failed: (yield* value(Metrics.itemsFailed)).count,
          dropped: (yield* value(Metrics.itemsDropped)).count,
          queueDepth: (yield* value(Metrics.queueDepth)).value,
          durations: (yield* value(Metrics.itemDuration)).count
        },
        { submitted: 6, processed: 3, failed: 1, dropped: 1, queueDepth: 4, durations: 1 }
      )
      for (const name of ["fiberpool_items_submitted_total", "fiberpool_queue_depth"]) {
        strictEqual((yield* seriesOf(name, pool)).length, 1, name)
      }
      // a pool made again under the same name gets the same hooks (looked up once per name)
      const again = Metrics.poolSeries(pool)
      strictEqual(again, series)
      again.submitted.update(1)
      strictEqual((yield* value(Metrics.itemsSubmitted)).count, 7)
    }))

  it.effect("fiberpool_item_duration_seconds has the stated boundaries", () =>
    Effect.gen(function*() {
      const pool = uniquePool("histogram")
      const labels = Metrics.poolLabels(pool)
      Metrics.itemDuration.unsafeUpdate(0.003, labels)
      Metrics.itemDuration.unsafeUpdate(20, labels)
      const series = yield* seriesOf("fiberpool_item_duration_seconds", pool)
      strictEqual(series.length, 1)
      const state = series[0].metricState as unknown as {
        buckets: ReadonlyArray<readonly [number, number]>
        count: number
      }
      deepStrictEqual(state.buckets.map(([boundary]) => boundary), [...Metrics.itemDurationBoundaries, Infinity])
      deepStrictEqual(Metrics.itemDurationBoundaries, [
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
      ])
      strictEqual(state.count, 2)
      // cumulative: 0.003 falls in le=0.005 and above, 20 only in +Inf
      const bucket = (le: number) => state.buckets.find(([boundary]) => boundary === le)?.[1]
      strictEqual(bucket(0.0025), 0)
      strictEqual(bucket(0.005), 1)
      strictEqual(bucket(10), 1)
      strictEqual(bucket(Infinity), 2)
    }))

  it.effect("fiberpool_queue_depth is a gauge updated by deltas: same-named pools sum", () =>
    Effect.gen(function*() {
      const pool = uniquePool("depth")
      const first = Metrics.poolLabels(pool)
      const second = Metrics.poolLabels(pool)
      Metrics.queueDepth.unsafeModify(3, first)
      Metrics.queueDepth.unsafeModify(5, second)
      Metrics.queueDepth.unsafeModify(-2, first)
      strictEqual(Metrics.queueDepth.unsafeValue(first).value, 6)
      const series = yield* seriesOf("fiberpool_queue_depth", pool)
      strictEqual(series.length, 1)
      strictEqual((series[0].metricState as unknown as { value: number }).value, 6)
    }))
})
