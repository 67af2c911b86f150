import { describe, it, vi } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import type * as Clock from "effect/Clock"
import { ClockTypeId } from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { Middleware } from "../src/index.js"
import { assertIllegalArgument, assertInterrupted, now } from "./helpers.js"

/** a worker recording `[item, start time]` */
const recording = <A>() => {
  const starts: Array<readonly [A, number]> = []
  const worker = (item: A) => Effect.flatMap(now, (t) => Effect.sync(() => void starts.push([item, t])))
  return { starts, worker }
}

/** forks one call per item, in order, each fiber started before the next is forked */
const forkInOrder = <A>(items: ReadonlyArray<A>, f: (a: A) => Effect.Effect<void>) =>
  Effect.forEach(items, (item) => Effect.zipLeft(Effect.fork(f(item)), TestClock.adjust(0)))

describe("Middleware.rateLimit", () => {
  it.effect("2/s, burst 1: starts 500 ms apart", () =>
    Effect.gen(function*() {
      const { starts, worker } = recording<number>()
      const limited = Middleware.rateLimit({ rate: 2 })(worker)
      yield* Effect.fork(Effect.forEach([1, 2, 3], limited, { concurrency: "unbounded" }))
      yield* TestClock.adjust(0)
      deepStrictEqual(starts.map(([, t]) => t), [0])
      yield* TestClock.adjust(499)
      strictEqual(starts.length, 1)
      yield* TestClock.adjust("5 seconds")
      deepStrictEqual(starts.map(([, t]) => t), [0, 500, 1000])
    }))

  it.effect("3/s: the head waiter sleeps whole milliseconds, so a worker can read the TestClock in nanoseconds", () =>
    Effect.gen(function*() {
      // 1000 / 3 ms: a TestClock woken at 333.33… ms makes Clock.currentTimeNanos (Effect.timed) throw
      const starts: Array<number> = []
      const limited = Middleware.rateLimit({ rate: 3 })((_: number) =>
        Effect.timed(Effect.flatMap(now, (t) => Effect.sync(() => void starts.push(t))))
      )
      const all = yield* Effect.fork(Effect.forEach([1, 2, 3, 4, 5], limited, { concurrency: "unbounded" }))
      yield* TestClock.adjust("5 seconds")
      deepStrictEqual(yield* Fiber.await(all).pipe(Effect.map(Exit.isSuccess)), true)
      // at most 1 ms late, never early, and the average rate holds: 3 starts per second
      deepStrictEqual(starts, [0, 334, 667, 1000, 1334])
    }))

  it.effect("the k-th start is at ⌈k · 1000 / rate⌉ ms, also where float rounding of the interval lands just past a millisecond", () =>
    Effect.gen(function*() {
      // 30 × (1000 / 30) is 1000.0000000000001 (15 × and 27 × land past 500 and 900 too): ⌈⌉ of that
      // woke an item at 1001. 7 × (1000 / 7) is exactly 1000 as a product (the bucket multiplies),
      // though seven additions of 1000 / 7 make 1000.0000000000001
      for (const rate of [3, 6, 7, 30]) {
        // and at the epoch's milliseconds, where Effect's live clock reads (Date.now())
        for (const offset of [0, 2000, 57_000, 1e12, 1_795_000_000_000]) {
          yield* TestClock.setTime(offset)
          const { starts, worker } = recording<number>()
          const limited = Middleware.rateLimit({ rate })(worker)
          const items = Array.from({ length: 8 }, (_, k) => k)
          const all = yield* Effect.fork(Effect.forEach(items, limited, { concurrency: "unbounded" }))
          yield* TestClock.adjust("5 seconds")
          yield* Fiber.join(all)
          deepStrictEqual(
            starts.map(([, t]) => t - offset),
            items.map((k) => Math.max(0, Math.ceil(k * 1000 / rate - 1e-6))),
            `rate ${rate}, clock at ${offset}`
          )
        }
      }
    }))

  it.effect("rate 30: the tokens whose time k · (1000 / 30) lands just past a whole millisecond (the 15th, 27th and 30th) start on it", () =>
    Effect.gen(function*() {
      // 15 × (1000 / 30) is 500.00000000000006 (the rates above, with 8 items, land on no such time):
      // a head sleeping ⌈⌉ of its wait started a millisecond late, one comparing it with 0 instead of
      // the tolerance never took its token
      const { starts, worker } = recording<number>()
      const limited = Middleware.rateLimit({ rate: 30 })(worker)
      const items = Array.from({ length: 31 }, (_, k) => k)
      const all = yield* Effect.fork(Effect.forEach(items, limited, { concurrency: "unbounded" }))
      yield* TestClock.adjust("2 seconds")
      strictEqual(starts.length, 31)
      yield* Fiber.join(all)
      deepStrictEqual(starts.map(([, t]) => t), items.map((k) => Math.max(0, Math.ceil(k * 1000 / 30 - 1e-6))))
      deepStrictEqual([15, 27, 30].map((k) => starts[k]![1]), [500, 900, 1000])
    }))

  for (
    const [label, firstReadingAt] of [
      ["at the epoch's milliseconds: the bucket counts its time from a recent reading", undefined],
      ["after the clock moved far ahead of the bucket's first reading", 0]
    ] as const
  ) {
    it.effect(`a high rate holds ${label}`, () =>
      Effect.gen(function*() {
        // at 1.8e12 ms a float's step is 2.4e-4 ms: an interval of 1e-4 ms added to such a time vanished
        for (const [rate, horizon] of [[1e7, 0], [1e6, 2], [3e6, 1]] as const) {
          let started = 0
          const limited = Middleware.rateLimit({ rate })((_: number) => Effect.sync(() => void started++))
          if (firstReadingAt !== undefined) {
            yield* TestClock.setTime(firstReadingAt)
            yield* limited(0)
            started = 0
          }
          yield* TestClock.setTime(1_795_000_000_000)
          const all = yield* Effect.fork(
            Effect.forEach(Array.from({ length: 5_000 }, (_, k) => k), limited, { concurrency: "unbounded" })
          )
          yield* TestClock.adjust(horizon)
          strictEqual(started, 1 + Math.floor(horizon * rate / 1000), `rate ${rate} within ${horizon} ms`)
          yield* Fiber.interrupt(all)
        }
      }))
  }

  it.effect("a high rate holds when the clock's readings jump far ahead while callers wait", () =>
    Effect.gen(function*() {
      // a clock whose readings jump (a wall clock stepped ahead) while its timers keep counting
      // durations, as the live clock's do; a TestClock moved ahead would instead run each sleep at
      // its own time. Four callers in a loop (a pool's workers) keep the queue from ever emptying,
      // so the bucket's times move to a new origin with the waiters in it
      const base = yield* Effect.clock
      let offset = 0
      const clock: Clock.Clock = Object.create(base)
      ;(clock as { unsafeCurrentTimeMillis: () => number }).unsafeCurrentTimeMillis = () =>
        base.unsafeCurrentTimeMillis() + offset
      const limited = Middleware.rateLimit({ rate: 1e7 })((_: number) => Effect.void)
      let started = 0
      const loop = (n: number): Effect.Effect<void> =>
        n === 0 ? Effect.void : Effect.zipRight(limited(n), Effect.suspend(() => (started++, loop(n - 1))))
      const callers = yield* Effect.forEach([1, 2, 3, 4], () => Effect.fork(Effect.withClock(loop(2_000), clock)))
      yield* TestClock.adjust(0)
      strictEqual(started, 1)
      offset = 1_795_000_000_000
      // one millisecond allows 10,000 tokens, but the callers wait one at a time for a timer of at
      // least 1 ms: four per millisecond, and a fifth for a newcomer. Before, the interval vanished
      // at 1.8e12 (a float's step there is 2.4e-4 ms) and all 8,000 went at the first timer
      for (let ms = 1; ms <= 3; ms++) {
        const before = started
        yield* TestClock.adjust(1)
        assertTrue(started - before <= 5, `millisecond ${ms}: ${started - before} started`)
      }
      yield* Effect.forEach(callers, Fiber.interrupt)
    }))

  /**
   * A clock whose sleep moves it at once (so a run of acquires is synchronous), whose readings can
   * be replaced (`glitch`: the next readings, in order, in milliseconds or in nanoseconds; a
   * non-finite one is returned as it is, also as nanoseconds; `afterSleep`: the readings that
   * follow the next sleep), recording each sleep's length.
   */
  const instantClock = () => {
    const state = {
      time: 0,
      sleeps: [] as Array<number>,
      glitch: [] as Array<number | Error>,
      afterSleep: [] as Array<number | Error>
    }
    const read = () => {
      const next = state.glitch.shift()
      if (next instanceof Error) throw next
      return next ?? state.time
    }
    const readNanos = () => {
      const millis = read()
      return (Number.isFinite(millis) ? BigInt(Math.round(millis * 1e6)) : millis) as bigint
    }
    const clock = {
      [ClockTypeId]: ClockTypeId,
      unsafeCurrentTimeMillis: read,
      unsafeCurrentTimeNanos: readNanos,
      currentTimeMillis: Effect.sync(read),
      currentTimeNanos: Effect.sync(readNanos),
      sleep: (duration: Duration.DurationInput) =>
        Effect.sync(() => {
          const millis = Duration.toMillis(duration)
          state.sleeps.push(millis)
          if (state.sleeps.length > 1000) throw new Error("more than 1,000 sleeps: a busy loop")
          state.time += millis
          state.glitch = state.afterSleep
          state.afterSleep = []
        })
    } as unknown as Clock.Clock
    return { state, clock }
  }

  it("hours of starts one after another stay on time: float error summed over the tokens wakes no one a millisecond late", () => {
    // 150,000 starts at 3 per second (14 hours): the k-th start is at exactly ⌈k · 1000 / 3⌉ ms.
    // With a tolerance of a nanosecond, the error summed in the bucket's time passed it after some
    // 70,000 tokens, and every start on a whole millisecond came 1 ms late from then on
    const { clock, state } = instantClock()
    const acquire = Effect.withClock(Middleware.rateLimit({ rate: 3 })((_: number) => Effect.void)(0), clock)
    let late = 0
    let first = ""
    for (let k = 0; k < 150_000; k++) {
      state.sleeps.length = 0
      Effect.runSync(acquire)
      const expected = Number((BigInt(k) * 1000n + 2n) / 3n)
      if (state.time !== expected && late++ === 0) first = `start ${k} at ${state.time} ms, due at ${expected}`
    }
    strictEqual(late, 0, first)
  })

  it("a clock reading of NaN or Infinity counts as no time passed: no busy loop, and the bucket goes on", () => {
    const { clock, state } = instantClock()
    const acquire = Effect.withClock(Middleware.rateLimit({ rate: 2 })((_: number) => Effect.void)(0), clock)
    const starts: Array<number> = []
    for (const glitch of [[NaN], [], [Infinity], [], [NaN, NaN], []]) {
      state.glitch = glitch
      state.sleeps.length = 0
      Effect.runSync(acquire) // before: NaN kept in the bucket made every later sleep 0 ms, for ever
      starts.push(state.time)
    }
    // a glitched reading is the last one again: the token after it comes an interval later
    deepStrictEqual(starts, [0, 500, 1000, 1500, 2000, 2500])
  })

  it("a waiter whose clock dies leaves the queue: the callers behind it go on", () =>
    Effect.runPromise(Effect.gen(function*() {
      const { clock, state } = instantClock()
      const limited = Middleware.rateLimit({ rate: 10 })((_: number) => Effect.void)
      const first = yield* Effect.exit(Effect.withClock(limited(0), clock))
      assertTrue(Exit.isSuccess(first))
      // the next caller queues behind nobody, sleeps, and its reading after the sleep throws
      state.afterSleep = [new Error("clock glitch")]
      const second = yield* Effect.exit(Effect.withClock(limited(1), clock))
      assertTrue(Exit.isFailure(second), String(second))
      // before: the dead waiter stayed at the head, and the third caller waited for its turn for ever
      const third = yield* Effect.exit(Effect.withClock(limited(2), clock).pipe(Effect.timeout("1 second")))
      assertTrue(Exit.isSuccess(third), String(third))
    })))

  it("a rate so low that a token is more than 24.8 days away sleeps in steps the live clock can schedule", () => {
    // setTimeout's limit is 2^31 - 1 ms; Effect never schedules a longer sleep, so the head never woke
    const { clock, state } = instantClock()
    const acquire = Effect.withClock(Middleware.rateLimit({ rate: 1e-7 })((_: number) => Effect.void)(0), clock)
    Effect.runSync(acquire)
    state.sleeps.length = 0
    Effect.runSync(acquire)
    strictEqual(state.time, 1e10)
    assertTrue(state.sleeps.every((ms) => ms <= 2 ** 31 - 1), `sleeps: ${state.sleeps}`)
  })

  /**
   * Tokens granted, out of 4,000 items one every 250 ns (4 million per second, all within one
   * millisecond: 4,000 × 250 ns), where `at(ns)` sets the clock's nanosecond reading. An item that
   * finds no token dies at its sleep (a clock of the test's) or is left waiting (the live clock:
   * `Effect.runSyncExit` returns without it)
   */
  const grantedWithinOneMillisecond = (
    options: Middleware.RateLimitOptions,
    at: (nanos: number) => void,
    clock?: Clock.Clock
  ): number => {
    const one = Middleware.rateLimit(options)((_: number) => Effect.void)(0)
    const limited = clock === undefined ? one : Effect.withClock(one, clock)
    let granted = 0
    for (let k = 0; k < 4_000; k++) {
      at(k * 250)
      if (Exit.isSuccess(Effect.runSyncExit(limited))) granted++
    }
    return granted
  }

  it("within one millisecond of a clock whose millisecond reading stands still, its nanoseconds move the bucket", () => {
    // as Effect's live clock does: Date.now() moves once per millisecond, its nanoseconds do not
    // stand still. Before, the bucket read the milliseconds and saw no token come back within one:
    // at most `burst` items went per millisecond, whatever the rate
    let nanos = 0n
    const millis = 1_795_000_000_000
    const clock = {
      [ClockTypeId]: ClockTypeId,
      unsafeCurrentTimeMillis: () => millis,
      unsafeCurrentTimeNanos: () => nanos,
      currentTimeMillis: Effect.sync(() => millis),
      currentTimeNanos: Effect.sync(() => nanos),
      // an item left without a token dies at its sleep, rather than wait for a clock that stands still
      sleep: (_: Duration.DurationInput) => Effect.die("slept")
    } as unknown as Clock.Clock
    const at = (ns: number) => void (nanos = BigInt(ns))
    // a rate far above the items' never binds (before: 1,000 of 4,000)...
    strictEqual(grantedWithinOneMillisecond({ rate: 1e9, burst: 1000 }, at, clock), 4_000)
    // ...and a binding one holds to the nanosecond: one token per µs, every 4th item (before: 1)
    strictEqual(grantedWithinOneMillisecond({ rate: 1e6 }, at, clock), 1_000)
  })

  it("Effect's live clock is read through performance.now(), not Date.now(): within one millisecond, more than burst items go", () => {
    // Date.now() standing still and performance.now() moving 250 ns per item: the live clock's
    // readings within one millisecond, without timing. Before, at most `burst` items went in it
    vi.useFakeTimers({ toFake: ["Date"] })
    const origin = performance.now()
    let fake = origin
    const now = vi.spyOn(performance, "now").mockImplementation(() => fake)
    try {
      const at = (ns: number) => void (fake = origin + ns / 1e6)
      strictEqual(grantedWithinOneMillisecond({ rate: 1e9, burst: 1000 }, at), 4_000)
    } finally {
      now.mockRestore()
      vi.useRealTimers()
    }
  })

  it.effect("a clock set back does not stall the bucket: the next token comes an interval after the last", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(100_000)
      const { starts, worker } = recording<number>()
      const limited = Middleware.rateLimit({ rate: 1 })(worker)
      yield* Effect.fork(Effect.forEach([1, 2, 3], limited, { concurrency: "unbounded" }))
      yield* TestClock.adjust("3 seconds")
      deepStrictEqual(starts.map(([, t]) => t), [100_000, 101_000, 102_000])
      yield* TestClock.setTime(40_000) // a wall clock stepped back by a minute
      yield* Effect.fork(limited(4))
      yield* TestClock.adjust(0)
      // the bucket's time goes on from its last reading (102,000 ms, when the third took the token
      // that made the fourth due at 103,000): the fourth starts a second after the set-back
      strictEqual(starts.length, 3)
      yield* TestClock.adjust(999)
      strictEqual(starts.length, 3)
      yield* TestClock.adjust(1)
      deepStrictEqual(starts.map(([, t]) => t), [100_000, 101_000, 102_000, 41_000])
    }))

  it.effect("2/s, burst 2, 4 concurrent callers: two at once, then 500 ms apart", () =>
    Effect.gen(function*() {
      const { starts, worker } = recording<number>()
      const limited = Middleware.rateLimit({ rate: 2, burst: 2 })(worker)
      yield* Effect.fork(Effect.forEach([1, 2, 3, 4], limited, { concurrency: 4 }))
      yield* TestClock.adjust("5 seconds")
      deepStrictEqual(starts.map(([, t]) => t), [0, 0, 500, 1000])
    }))

  it.effect("first come, first served", () =>
    Effect.gen(function*() {
      const { starts, worker } = recording<string>()
      const limited = Middleware.rateLimit({ rate: 1 })(worker)
      yield* forkInOrder(["a", "b", "c", "d", "e"], limited)
      // a late comer arriving just before a token is due still queues behind the others
      yield* TestClock.adjust(999)
      yield* Effect.fork(limited("late"))
      yield* TestClock.adjust("1 minute")
      deepStrictEqual(starts, [["a", 0], ["b", 1000], ["c", 2000], ["d", 3000], ["e", 4000], ["late", 5000]])
    }))

  it.effect("a newcomer arriving when the head's token is due does not jump the queue", () =>
    Effect.gen(function*() {
      const { starts, worker } = recording<string>()
      const limited = Middleware.rateLimit({ rate: 1 })(worker)
      yield* forkInOrder(["a", "b"], limited)
      // "c" wakes at 1000 too; TestClock may run it before "b" takes the token due then
      yield* Effect.fork(Effect.zipRight(Effect.sleep("1 second"), limited("c")))
      yield* TestClock.adjust("1 minute")
      deepStrictEqual(starts, [["a", 0], ["b", 1000], ["c", 2000]])
    }))

  it.effect("a late timer does not lower the average rate", () =>
    Effect.gen(function*() {
      // timers have about 1 ms resolution: simulate a clock whose sleeps all end 5 ms late
      const clock = yield* Effect.clock
      const late: Clock.Clock = Object.create(clock)
      ;(late as { sleep: Clock.Clock["sleep"] }).sleep = (d) => clock.sleep(Duration.sum(d, Duration.millis(5)))
      const { starts, worker } = recording<number>()
      const limited = Middleware.rateLimit({ rate: 1000 })(worker)
      const items = Array.from({ length: 30 }, (_, i) => i)
      yield* Effect.fork(Effect.withClock(Effect.forEach(items, limited, { concurrency: "unbounded" }), late))
      yield* TestClock.adjust("1 second")
      strictEqual(starts.length, 30)
      deepStrictEqual(starts.map(([i]) => i), items)
      // never faster than the bucket allows: by time t at most 1 + t starts (1 per ms, burst 1)...
      starts.forEach(([i, t]) => assertTrue(i <= 1 + t, `item ${i} started at ${t}`))
      // ...and the tokens that fell due while the timer was late are used when it fires:
      // 30 items take about 30 ms, not 30 × 6 ms
      assertTrue(starts[29]![1] <= 36, `last start at ${starts[29]![1]}`)
    }))

  it.effect("an interrupted waiter gives its place back (head of the queue)", () =>
    Effect.gen(function*() {
      const { starts, worker } = recording<string>()
      const limited = Middleware.rateLimit({ rate: 1 })(worker)
      const [, b] = yield* forkInOrder(["a", "b", "c"], limited)
      yield* TestClock.adjust(300)
      yield* Fiber.interrupt(b!)
      assertInterrupted(yield* Fiber.await(b!))
      yield* TestClock.adjust("1 minute")
      deepStrictEqual(starts, [["a", 0], ["c", 1000]])
    }))

  it.effect("an interrupted waiter gives its place back (middle of the queue)", () =>
    Effect.gen(function*() {
      const { starts, worker } = recording<string>()
      const limited = Middleware.rateLimit({ rate: 1 })(worker)
      const fibers = yield* forkInOrder(["a", "b", "c", "d"], limited)
      yield* TestClock.adjust(300)
      yield* Fiber.interrupt(fibers[2]!)
      yield* TestClock.adjust("1 minute")
      deepStrictEqual(starts, [["a", 0], ["b", 1000], ["d", 2000]])
    }))

  it.effect("an interrupted waiter at the tail, then a new arrival", () =>
    Effect.gen(function*() {
      const { starts, worker } = recording<string>()
      const limited = Middleware.rateLimit({ rate: 1 })(worker)
      const fibers = yield* forkInOrder(["a", "b", "c"], limited)
      yield* Fiber.interrupt(fibers[2]!)
      yield* forkInOrder(["d"], limited)
      yield* TestClock.adjust("1 minute")
      deepStrictEqual(starts, [["a", 0], ["b", 1000], ["d", 2000]])
    }))

  it.effect("starts full and refills after idle time, up to burst", () =>
    Effect.gen(function*() {
      const { starts, worker } = recording<number>()
      const limited = Middleware.rateLimit({ rate: 1, burst: 3 })(worker)
      yield* Effect.fork(Effect.forEach([1, 2, 3, 4], limited, { concurrency: "unbounded" }))
      yield* TestClock.adjust(0)
      deepStrictEqual(starts.map(([, t]) => t), [0, 0, 0])
      yield* TestClock.adjust("1 second")
      deepStrictEqual(starts.map(([, t]) => t), [0, 0, 0, 1000])
      // idle for long: the bucket holds at most `burst` tokens
      yield* TestClock.adjust("1 minute")
      yield* Effect.fork(Effect.forEach([5, 6, 7, 8], limited, { concurrency: "unbounded" }))
      yield* TestClock.adjust("10 seconds")
      deepStrictEqual(starts.slice(4).map(([, t]) => t), [61000, 61000, 61000, 62000])
    }))

  it.effect("a fractional rate", () =>
    Effect.gen(function*() {
      const { starts, worker } = recording<number>()
      const limited = Middleware.rateLimit({ rate: 3 })(worker)
      yield* Effect.fork(Effect.forEach([1, 2, 3, 4], limited, { concurrency: "unbounded" }))
      yield* TestClock.adjust("1 second")
      strictEqual(starts.length, 4)
      const times = starts.map(([, t]) => t)
      assertTrue(Math.abs(times[3]! - 1000) < 1e-6, `4th start at ${times[3]}`)
    }))

  it.effect("each application has its own bucket", () =>
    Effect.gen(function*() {
      const { starts, worker } = recording<string>()
      const limit = Middleware.rateLimit({ rate: 1 })
      const first = limit(worker)
      const second = limit(worker)
      yield* forkInOrder(["a1", "a2"], first)
      yield* forkInOrder(["b1", "b2"], second)
      yield* TestClock.adjust("10 seconds")
      const byName = Object.fromEntries(starts)
      deepStrictEqual(byName, { a1: 0, a2: 1000, b1: 0, b2: 1000 })
    }))

  it.effect("a worker's failure does not return its token", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      const limited = Middleware.rateLimit({ rate: 1 })((_: number) =>
        Effect.flatMap(now, (t) => (times.push(t), Effect.fail("no")))
      )
      const fiber = yield* Effect.fork(Effect.forEach([1, 2], (n) => Effect.exit(limited(n)), { concurrency: 2 }))
      yield* TestClock.adjust("5 seconds")
      const exits = yield* Fiber.join(fiber)
      assertTrue(exits.every(Exit.isFailure))
      deepStrictEqual(times, [0, 1000])
    }))

  it.effect("many waiters keep their order and exact times", () =>
    Effect.gen(function*() {
      const { starts, worker } = recording<number>()
      const limited = Middleware.rateLimit({ rate: 100, burst: 10 })(worker)
      const items = Array.from({ length: 100 }, (_, i) => i)
      yield* Effect.fork(Effect.forEach(items, limited, { concurrency: "unbounded" }))
      yield* TestClock.adjust("2 seconds")
      strictEqual(starts.length, 100)
      deepStrictEqual(starts.map(([i]) => i), items)
      // 10 at once, then one every 10 ms
      assertTrue(starts.every(([i, t]) => Math.abs(t - Math.max(0, i - 9) * 10) < 1e-6))
    }))

  it.effect("invalid options die with IllegalArgumentException naming the option", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [Middleware.RateLimitOptions, string, string]> = [
        [{ rate: 0 }, "rate", "0"],
        [{ rate: -2 }, "rate", "-2"],
        [{ rate: NaN }, "rate", "NaN"],
        [{ rate: Infinity }, "rate", "Infinity"],
        [{ rate: 1, burst: 0 }, "burst", "0"],
        [{ rate: 1, burst: 1.5 }, "burst", "1.5"],
        [{ rate: 1, burst: NaN }, "burst", "NaN"],
        // an interval (1000 / rate ms) or a tolerance ((burst - 1) intervals) that overflows
        [{ rate: 1e-306 }, "rate", "1e-306"],
        [{ rate: 1e-300, burst: 1e15 }, "burst", "1000000000000000"],
        // an integer, but past 2^53 - 1: the message said it was not an integer >= 1
        [{ rate: 1, burst: 2 ** 53 }, "burst", "from 1 to 2^53 - 1"],
        // from JavaScript: null options are rejected naming the middleware, as FiberPool.make's are
        [null as any, "options", "null"]
      ]
      for (const [options, option, value] of cases) {
        let calls = 0
        const limited = Middleware.rateLimit(options)((_: string) => Effect.sync(() => void calls++))
        assertIllegalArgument(yield* Effect.exit(limited("a")), option, value)
        strictEqual(calls, 0)
      }
    }))

  it.effect("options whose reading throws throw nothing when applied: every item dies with what was thrown", () =>
    Effect.gen(function*() {
      const boom = new Error("rate getter")
      const options = {
        get rate(): number {
          throw boom
        }
      }
      let calls = 0
      // before, the throw came out of the application (a pool's make, a pipe)
      const limited = Middleware.rateLimit(options)((_: string) => Effect.sync(() => void calls++))
      const exit = yield* Effect.exit(limited("a"))
      deepStrictEqual(exit, Exit.die(boom))
      strictEqual(calls, 0)
    }))
})
