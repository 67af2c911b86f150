import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Stats } from "@fiberpool/pool-metrics"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { illegalArgumentOf } from "./helpers.js"

const second = Duration.seconds(1)

/** The `IllegalArgumentException` that `f` throws, or fails the test. */
describe("Stats.format", () => {
  // go-pkgz metrics_test.go TestStats_String, field by field
  describe("go-pkgz cases", () => {
    it.effect("empty stats", () =>
      Effect.sync(() => {
        strictEqual(Stats.format(Stats.empty), "")
      }))

    it.effect("only counters", () =>
      Effect.sync(() => {
        strictEqual(
          Stats.format({ ...Stats.empty, processed: 10, errors: 2, dropped: 3 }),
          "[processed:10, errors:2, dropped:3]"
        )
      }))

    it.effect("only timers", () =>
      Effect.sync(() => {
        strictEqual(
          Stats.format({
            ...Stats.empty,
            processingTime: second,
            waitTime: Duration.seconds(2),
            initTime: Duration.seconds(3),
            wrapTime: Duration.seconds(4),
            totalTime: Duration.seconds(10)
          }),
          "[proc:1s, wait:2s, init:3s, wrap:4s, total:10s]"
        )
      }))

    it.effect("all fields", () =>
      Effect.sync(() => {
        strictEqual(
          Stats.format({
            ...Stats.empty,
            processed: 10,
            errors: 2,
            dropped: 3,
            processingTime: second,
            waitTime: Duration.seconds(2),
            initTime: Duration.seconds(3),
            wrapTime: Duration.seconds(4),
            totalTime: Duration.seconds(10)
          }),
          "[processed:10, errors:2, dropped:3, proc:1s, wait:2s, init:3s, wrap:4s, total:10s]"
        )
      }))

    it.effect("some fields zero", () =>
      Effect.sync(() => {
        strictEqual(
          Stats.format({ ...Stats.empty, processed: 10, processingTime: second, totalTime: Duration.seconds(10) }),
          "[processed:10, proc:1s, total:10s]"
        )
      }))

    it.effect("with derived stats", () =>
      Effect.sync(() => {
        strictEqual(
          Stats.format({
            ...Stats.empty,
            processed: 100,
            errors: 10,
            processingTime: second,
            waitTime: second,
            totalTime: Duration.seconds(2),
            ratePerSec: 50,
            avgLatency: Duration.millis(10),
            errorRate: 0.1,
            utilization: 0.5
          }),
          "[processed:100, rate:50.0/s, avg_latency:10ms, errors:10 (10.0%), proc:1s, wait:1s, total:2s, utilization:50.0%]"
        )
      }))
  })

  it.effect("paused (not in go-pkgz) comes after wrap and before total, only when non-zero", () =>
    Effect.sync(() => {
      strictEqual(
        Stats.format({
          ...Stats.empty,
          initTime: Duration.seconds(3),
          wrapTime: Duration.seconds(4),
          pausedTime: Duration.millis(1500),
          totalTime: Duration.seconds(10)
        }),
        "[init:3s, wrap:4s, paused:1.5s, total:10s]"
      )
      strictEqual(Stats.format({ ...Stats.empty, pausedTime: Duration.minutes(2) }), "[paused:2m0s]")
    }))

  it.effect("dropped with droppedRate", () =>
    Effect.sync(() => {
      strictEqual(
        Stats.format({ ...Stats.empty, processed: 7, dropped: 3, droppedRate: 0.3 }),
        "[processed:7, dropped:3 (30.0%)]"
      )
      strictEqual(
        Stats.format({ ...Stats.empty, errors: 1, errorRate: 0.125, dropped: 2, droppedRate: 0.25 }),
        "[errors:1 (12.5%), dropped:2 (25.0%)]"
      )
    }))

  it.effect("prints the fields as given and recomputes nothing", () =>
    Effect.sync(() => {
      // derived fields left at zero are not printed, even though they could be computed
      strictEqual(
        Stats.format({
          ...Stats.empty,
          processed: 100,
          errors: 10,
          processingTime: second,
          waitTime: second,
          totalTime: Duration.seconds(2)
        }),
        "[processed:100, errors:10, proc:1s, wait:1s, total:2s]"
      )
      // and inconsistent derived fields are printed as they are
      strictEqual(
        Stats.format({ ...Stats.empty, processed: 1, ratePerSec: 3, totalTime: second, utilization: 0.9 }),
        "[processed:1, rate:3.0/s, total:1s, utilization:90.0%]"
      )
    }))

  it.effect("rate and avg_latency only alongside processed; utilization only alongside total", () =>
    Effect.sync(() => {
      strictEqual(
        Stats.format({ ...Stats.empty, ratePerSec: 5, avgLatency: Duration.millis(10), utilization: 0.5 }),
        ""
      )
      strictEqual(
        Stats.format({ ...Stats.empty, processingTime: second, utilization: 0.5 }),
        "[proc:1s]"
      )
      strictEqual(
        Stats.format({ ...Stats.empty, errorRate: 0.5, droppedRate: 0.5 }),
        ""
      )
    }))

  it.effect("formats Stats.make output (the documented example)", () =>
    Effect.sync(() => {
      const stats = Stats.make({
        processed: 100,
        errors: 10,
        processingTime: "1 second",
        waitTime: "1 second",
        totalTime: "2 seconds"
      })
      strictEqual(
        Stats.format(stats),
        "[processed:100, rate:50.0/s, avg_latency:10ms, errors:10 (9.1%), proc:1s, wait:1s, total:2s, utilization:50.0%]"
      )
    }))

  describe("Go duration notation, rounded to the millisecond", () => {
    const proc = (d: Duration.Duration) => Stats.format({ ...Stats.empty, processingTime: d })

    it.effect("minutes and hours", () =>
      Effect.sync(() => {
        strictEqual(proc(Duration.seconds(90)), "[proc:1m30s]")
        strictEqual(proc(Duration.millis(3_723_500)), "[proc:1h2m3.5s]")
        strictEqual(proc(Duration.minutes(2)), "[proc:2m0s]")
        strictEqual(proc(Duration.hours(1)), "[proc:1h0m0s]")
        strictEqual(proc(Duration.millis(3_605_000)), "[proc:1h0m5s]")
        strictEqual(proc(Duration.hours(30)), "[proc:30h0m0s]")
      }))

    it.effect("seconds with a fraction", () =>
      Effect.sync(() => {
        strictEqual(proc(Duration.millis(1234)), "[proc:1.234s]")
        strictEqual(proc(Duration.millis(1050)), "[proc:1.05s]")
        strictEqual(proc(Duration.millis(1500)), "[proc:1.5s]")
        strictEqual(proc(Duration.millis(10_001)), "[proc:10.001s]")
      }))

    it.effect("milliseconds", () =>
      Effect.sync(() => {
        strictEqual(proc(Duration.millis(999)), "[proc:999ms]")
        strictEqual(proc(Duration.millis(1)), "[proc:1ms]")
      }))

    it.effect("rounds half away from zero, like Duration.Round(time.Millisecond)", () =>
      Effect.sync(() => {
        strictEqual(proc(Duration.micros(1500n)), "[proc:2ms]")
        strictEqual(proc(Duration.micros(1499n)), "[proc:1ms]")
        strictEqual(proc(Duration.micros(2500n)), "[proc:3ms]")
        strictEqual(proc(Duration.micros(999_500n)), "[proc:1s]")
        strictEqual(proc(Duration.nanos(1_234_500_000n)), "[proc:1.235s]")
        strictEqual(proc(Duration.micros(59_999_600n)), "[proc:1m0s]")
      }))

    it.effect("a non-zero duration under half a millisecond prints 0s, as in Go", () =>
      Effect.sync(() => {
        // go-pkgz tests the raw duration (> 0), then prints it rounded: Stats{ProcessingTime: 400µs} -> "[proc:0s]"
        strictEqual(proc(Duration.micros(400n)), "[proc:0s]")
        strictEqual(proc(Duration.nanos(1n)), "[proc:0s]")
        strictEqual(
          Stats.format({ ...Stats.empty, processed: 1, avgLatency: Duration.micros(400n) }),
          "[processed:1, avg_latency:0s]"
        )
        // a zero duration is omitted
        strictEqual(proc(Duration.zero), "")
      }))

    it.effect("every timer uses the same notation", () =>
      Effect.sync(() => {
        strictEqual(
          Stats.format({
            ...Stats.empty,
            processed: 3,
            avgLatency: Duration.micros(1500n),
            processingTime: Duration.seconds(90),
            waitTime: Duration.millis(1234),
            initTime: Duration.millis(999),
            wrapTime: Duration.micros(400n),
            totalTime: Duration.millis(3_723_500)
          }),
          "[processed:3, avg_latency:2ms, proc:1m30s, wait:1.234s, init:999ms, wrap:0s, total:1h2m3.5s]"
        )
      }))

    it.effect("an infinite Duration prints as Infinity", () =>
      Effect.sync(() => {
        strictEqual(proc(Duration.infinity), "[proc:Infinity]")
      }))
  })

  describe("one decimal like Go's %.1f", () => {
    it.effect("rounds exact ties half to even", () =>
      Effect.sync(() => {
        // 12.25 and 0.25 are exact binary values: Go prints 12.2 and 0.2 where toFixed prints 12.3 and 0.3
        strictEqual(
          Stats.format({ ...Stats.empty, processed: 1, ratePerSec: 12.25 }),
          "[processed:1, rate:12.2/s]"
        )
        strictEqual(
          Stats.format({ ...Stats.empty, processed: 1, ratePerSec: 12.75 }),
          "[processed:1, rate:12.8/s]"
        )
        strictEqual(
          Stats.format({ ...Stats.empty, processed: 1, ratePerSec: 0.25 }),
          "[processed:1, rate:0.2/s]"
        )
        strictEqual(
          Stats.format({ ...Stats.empty, totalTime: second, utilization: 0.0025 }),
          "[total:1s, utilization:0.2%]"
        )
      }))

    it.effect("rounds non-ties to the nearest", () =>
      Effect.sync(() => {
        // 0.05 and 0.15 are not exact in binary: 0.05 is just above the tie, 0.15 just below
        strictEqual(Stats.format({ ...Stats.empty, processed: 1, ratePerSec: 0.05 }), "[processed:1, rate:0.1/s]")
        strictEqual(Stats.format({ ...Stats.empty, processed: 1, ratePerSec: 0.15 }), "[processed:1, rate:0.1/s]")
        strictEqual(Stats.format({ ...Stats.empty, processed: 1, ratePerSec: 99.96 }), "[processed:1, rate:100.0/s]")
        strictEqual(Stats.format({ ...Stats.empty, processed: 1, ratePerSec: 1 / 3 }), "[processed:1, rate:0.3/s]")
        strictEqual(Stats.format({ ...Stats.empty, processed: 1, ratePerSec: 0.01 }), "[processed:1, rate:0.0/s]")
      }))

    it.effect("never uses exponent notation", () =>
      Effect.sync(() => {
        strictEqual(
          Stats.format({ ...Stats.empty, processed: 1, ratePerSec: 1e21 }),
          "[processed:1, rate:1000000000000000000000.0/s]"
        )
        strictEqual(
          Stats.format({ ...Stats.empty, processed: 1, ratePerSec: Infinity }),
          "[processed:1, rate:+Inf/s]"
        )
      }))

    it.effect("ties that Stats.make produces", () =>
      Effect.sync(() => {
        // 49 items in 4s = 12.25/s; 1 error in 400 = 0.25%; 49 dropped in 400 = 12.25%; 1ms of 400ms = 0.25%
        strictEqual(
          Stats.format(Stats.make({ processed: 49, totalTime: "4 seconds" })),
          "[processed:49, rate:12.2/s, total:4s]"
        )
        strictEqual(
          Stats.format(Stats.make({ processed: 350, errors: 1, dropped: 49 })),
          "[processed:350, errors:1 (0.2%), dropped:49 (12.2%)]"
        )
        strictEqual(
          Stats.format(Stats.make({ processingTime: "1 millis", waitTime: "399 millis", totalTime: "1 second" })),
          "[proc:1ms, wait:399ms, total:1s, utilization:0.2%]"
        )
      }))
  })
})

describe("Stats.make", () => {
  it.effect("derives go-pkgz's figures", () =>
    Effect.sync(() => {
      const stats = Stats.make({
        submitted: 12,
        processed: 6,
        errors: 3,
        dropped: 1,
        processingTime: "3 seconds",
        waitTime: "9 seconds",
        initTime: "250 millis",
        wrapTime: "125 millis",
        totalTime: "1500 millis"
      })
      strictEqual(stats.submitted, 12)
      strictEqual(stats.processed, 6)
      strictEqual(stats.errors, 3)
      strictEqual(stats.dropped, 1)
      assertTrue(Duration.equals(stats.processingTime, Duration.seconds(3)))
      assertTrue(Duration.equals(stats.waitTime, Duration.seconds(9)))
      assertTrue(Duration.equals(stats.initTime, Duration.millis(250)))
      assertTrue(Duration.equals(stats.wrapTime, Duration.millis(125)))
      assertTrue(Duration.equals(stats.totalTime, Duration.millis(1500)))
      // processed / totalTime in seconds
      strictEqual(stats.ratePerSec, 4)
      // processingTime / processed
      assertTrue(Duration.equals(stats.avgLatency, Duration.millis(500)))
      // over processed + errors + dropped = 10
      strictEqual(stats.errorRate, 0.3)
      strictEqual(stats.droppedRate, 0.1)
      // processingTime / (processingTime + waitTime)
      strictEqual(stats.utilization, 0.25)
    }))

  it.effect("the documented example", () =>
    Effect.sync(() => {
      const stats = Stats.make({
        processed: 100,
        errors: 10,
        processingTime: "1 second",
        waitTime: "1 second",
        totalTime: "2 seconds"
      })
      strictEqual(stats.ratePerSec, 50)
      strictEqual(stats.utilization, 0.5)
      strictEqual(stats.errorRate, 10 / 110)
      strictEqual(stats.droppedRate, 0)
      strictEqual(Duration.toMillis(stats.avgLatency), 10)
    }))

  it.effect("avgLatency keeps sub-millisecond precision", () =>
    Effect.sync(() => {
      const stats = Stats.make({ processed: 3, processingTime: "1 second" })
      strictEqual(Math.round(Duration.toMillis(stats.avgLatency) * 1000), 333_333)
      strictEqual(Duration.toMillis(Stats.make({ processed: 4, processingTime: "1 millis" }).avgLatency), 0.25)
    }))

  it.effect("accepts every DurationInput", () =>
    Effect.sync(() => {
      const stats = Stats.make({
        processed: 1,
        processingTime: Duration.millis(20),
        waitTime: 30,
        totalTime: 50_000_000n
      })
      strictEqual(Duration.toMillis(stats.processingTime), 20)
      strictEqual(Duration.toMillis(stats.waitTime), 30)
      strictEqual(Duration.toMillis(stats.totalTime), 50)
      strictEqual(stats.ratePerSec, 20)
      strictEqual(stats.utilization, 0.4)
    }))

  it.effect("derived figures are zero when their denominator is zero", () =>
    Effect.sync(() => {
      // no totalTime: no rate; no items: no latency, no rates
      const noTime = Stats.make({ processed: 5, errors: 1 })
      strictEqual(noTime.ratePerSec, 0)
      assertTrue(Duration.isZero(noTime.avgLatency))
      strictEqual(noTime.utilization, 0)
      strictEqual(noTime.errorRate, 1 / 6)

      const noItems = Stats.make({ processingTime: "1 second", waitTime: "1 second", totalTime: "2 seconds" })
      strictEqual(noItems.ratePerSec, 0)
      assertTrue(Duration.isZero(noItems.avgLatency))
      strictEqual(noItems.errorRate, 0)
      strictEqual(noItems.droppedRate, 0)
      strictEqual(noItems.utilization, 0.5)

      // errors only: errorRate 1, and no latency (nothing processed) even with processing time
      const errorsOnly = Stats.make({ errors: 2, processingTime: "1 second" })
      strictEqual(errorsOnly.errorRate, 1)
      assertTrue(Duration.isZero(errorsOnly.avgLatency))
      strictEqual(errorsOnly.utilization, 1)

      const droppedOnly = Stats.make({ dropped: 4 })
      strictEqual(droppedOnly.droppedRate, 1)
      strictEqual(droppedOnly.errorRate, 0)
    }))

  it.effect("utilization leaves paused time out: processingTime / (processingTime + waitTime)", () =>
    Effect.sync(() => {
      const stats = Stats.make({ processingTime: "1 second", waitTime: "3 seconds", pausedTime: "4 seconds" })
      strictEqual(stats.utilization, 0.25)
      strictEqual(Duration.toMillis(stats.pausedTime), 4000)
    }))

  it.effect("missing fields are zero: Stats.make({}) is Stats.empty", () =>
    Effect.sync(() => {
      deepStrictEqual(Stats.make({}), Stats.empty)
      deepStrictEqual(Stats.make({ processed: undefined, totalTime: undefined }), Stats.empty)
    }))
})

describe("Stats.make: bad input (from JavaScript) throws IllegalArgumentException naming the field and the value", () => {
  it.effect("a revoked Proxy (from JavaScript) gives the IllegalArgumentException, not a TypeError", () =>
    Effect.sync(() => {
      const { proxy, revoke } = Proxy.revocable({}, {})
      revoke()
      strictEqual(
        illegalArgumentOf(() => Stats.make({ processed: proxy } as any)),
        `Stats.make: field "processed" must be an integer >= 0 (a count), got an object`
      )
      assertTrue(
        illegalArgumentOf(() => Stats.format(proxy as any)).endsWith(`got an object whose "avgLatency" cannot be read`)
      )
    }))

  it.effect("raw that is not an object", () =>
    Effect.sync(() => {
      for (const [raw, shown] of [[null, "null"], [undefined, "undefined"], [5, "5"], ["x", `"x"`]] as const) {
        strictEqual(illegalArgumentOf(() => Stats.make(raw as any)), `Stats.make: raw must be an object, got ${shown}`)
      }
    }))

  it.effect("a count that is not an integer >= 0", () =>
    Effect.sync(() => {
      const cases: ReadonlyArray<readonly [Record<string, unknown>, string, string]> = [
        // a string was summed as text: errorRate 1 / "301"
        [{ submitted: "x" }, "submitted", `"x"`],
        [{ processed: "3", errors: 1 }, "processed", `"3"`],
        [{ errors: -1 }, "errors", "-1"],
        [{ dropped: 1.5 }, "dropped", "1.5"],
        [{ processed: NaN }, "processed", "NaN"],
        [{ processed: Infinity }, "processed", "Infinity"],
        [{ processed: BigInt(3) }, "processed", "3n (a bigint)"],
        [{ processed: null }, "processed", "null"],
        // a long string is cut to 100 characters, the ellipsis included, and never inside a surrogate pair
        [{ submitted: "x".repeat(150) }, "submitted", `"${"x".repeat(99)}…"`],
        [{ submitted: `x${"😀".repeat(60)}` }, "submitted", `"x${"😀".repeat(49)}…"`],
        [{ submitted: "😀".repeat(60) }, "submitted", `"${"😀".repeat(49)}…"`]
      ]
      for (const [raw, field, shown] of cases) {
        strictEqual(
          illegalArgumentOf(() => Stats.make(raw as any)),
          `Stats.make: field "${field}" must be an integer >= 0 (a count), got ${shown}`
        )
      }
    }))

  it.effect("a timing that is not a duration >= 0", () =>
    Effect.sync(() => {
      const cases: ReadonlyArray<readonly [Record<string, unknown>, string, string]> = [
        // was Effect's bare "Invalid DurationInput"
        [{ totalTime: "soon" }, "totalTime", `"soon"`],
        [{ waitTime: null }, "waitTime", "null"],
        [{ initTime: {} }, "initTime", "an object"],
        // were silently zero
        [{ processingTime: -5 }, "processingTime", "-5"],
        [{ wrapTime: "-1 second" }, "wrapTime", `"-1 second"`],
        [{ pausedTime: NaN }, "pausedTime", "NaN"],
        [{ totalTime: BigInt(-1) }, "totalTime", "-1n (a bigint)"],
        [{ totalTime: [-1, 0] }, "totalTime", "an array"]
      ]
      for (const [raw, field, shown] of cases) {
        const message = illegalArgumentOf(() => Stats.make(raw as any))
        assertTrue(message.startsWith(`Stats.make: field "${field}" must be a duration >= 0`), message)
        assertTrue(message.endsWith(`, got ${shown}`), message)
      }
    }))

  it.effect("what is valid stays valid: zero, -0, Durations, bigints, tuples, infinity", () =>
    Effect.sync(() => {
      const stats = Stats.make({
        processed: -0,
        processingTime: 0,
        waitTime: "0 millis",
        initTime: BigInt(0),
        wrapTime: [1, 0],
        totalTime: Duration.infinity
      })
      assertTrue(stats.processed === 0)
      strictEqual(Duration.toMillis(stats.wrapTime), 1000)
      assertTrue(Duration.equals(stats.totalTime, Duration.infinity))
    }))
})

describe("Stats.format: something that is not a Stats (from JavaScript) throws IllegalArgumentException", () => {
  it.effect("not an object, or timings that are not Durations (a Stats.Raw)", () =>
    Effect.sync(() => {
      const prefix = "Stats.format: stats must be a Stats (as pool.stats and Stats.make return"
      for (const [stats, shown] of [[null, "got null"], [undefined, "got undefined"], [3, "got 3"]] as const) {
        const message = illegalArgumentOf(() => Stats.format(stats as any))
        assertTrue(message.startsWith(prefix) && message.endsWith(shown), message)
      }
      // a Raw was "Invalid DurationInput"
      const message = illegalArgumentOf(() => Stats.format({ processed: 3, totalTime: "1 second" } as any))
      assertTrue(message.startsWith(prefix), message)
      assertTrue(message.endsWith(`got an object whose "avgLatency" is undefined, not a duration`), message)
      // every timing is checked, pausedTime (not in go-pkgz) included: one missing was "Invalid DurationInput"
      for (
        const field of ["avgLatency", "processingTime", "waitTime", "initTime", "wrapTime", "pausedTime", "totalTime"]
      ) {
        const message = illegalArgumentOf(() => Stats.format({ ...Stats.empty, [field]: undefined } as any))
        assertTrue(message.endsWith(`got an object whose "${field}" is undefined, not a duration`), message)
      }
      // a timing given as any DurationInput is read as Stats.make reads it (the docs said "Duration")
      strictEqual(
        Stats.format({ ...Stats.empty, processed: 1, processingTime: "1 second", totalTime: 2000 } as any),
        "[processed:1, proc:1s, total:2s]"
      )
    }))
})

describe("Stats.formatDuration", () => {
  it.effect("one duration in the notation format prints the timings in", () =>
    Effect.sync(() => {
      strictEqual(Stats.formatDuration(Duration.seconds(90)), "1m30s")
      strictEqual(Stats.formatDuration(Duration.hours(1)), "1h0m0s")
      strictEqual(Stats.formatDuration(Duration.micros(1500n)), "2ms")
      strictEqual(Stats.formatDuration(Duration.micros(400n)), "0s")
      strictEqual(Stats.formatDuration(Duration.zero), "0s")
      // a DurationInput, as Stats.make takes
      strictEqual(Stats.formatDuration("1234.5 millis"), "1.235s")
      strictEqual(Stats.formatDuration(1500), "1.5s")
      // the same text as the field within format
      const stats = Stats.make({ processed: 1, processingTime: "3723.5 seconds", totalTime: "2 hours" })
      assertTrue(
        Stats.format(stats).includes(`proc:${Stats.formatDuration(stats.processingTime)}`),
        Stats.format(stats)
      )
    }))

  it.effect("something that is no duration (from JavaScript) throws IllegalArgumentException naming it", () =>
    Effect.sync(() => {
      for (const [input, shown] of [["soon", "got \"soon\""], [null, "got null"]] as const) {
        const message = illegalArgumentOf(() => Stats.formatDuration(input as any))
        assertTrue(message.startsWith("Stats.formatDuration: duration must be a Duration"), message)
        assertTrue(message.endsWith(shown), message)
      }
    }))
})

describe("Stats.empty", () => {
  it.effect("every counter, rate and timing is zero", () =>
    Effect.sync(() => {
      const { avgLatency, initTime, pausedTime, processingTime, totalTime, waitTime, wrapTime, ...numbers } =
        Stats.empty
      deepStrictEqual(numbers, {
        submitted: 0,
        processed: 0,
        errors: 0,
        dropped: 0,
        ratePerSec: 0,
        errorRate: 0,
        droppedRate: 0,
        utilization: 0
      })
      for (const d of [avgLatency, initTime, pausedTime, processingTime, totalTime, waitTime, wrapTime]) {
        assertTrue(Duration.isZero(d))
      }
    }))
})
