import { describe, it } from "@effect/vitest"
import { assertInclude, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { Middleware } from "../src/index.js"
import {
  assertIllegalArgument,
  assertInterrupted,
  countingReads,
  defectOf,
  failureOf,
  now,
  revoked,
  throwingGetter,
  throwingProxy
} from "./helpers.js"

class Transient {
  readonly _tag = "Transient"
  constructor(readonly attempt: number) {}
}

/** a worker that records the clock time of every call and fails with `Transient(n)` for the n-th call */
const failing = (succeedFrom = Infinity) => {
  const times: Array<number> = []
  const worker = (_item: string): Effect.Effect<void, Transient> =>
    Effect.flatMap(now, (t) => {
      times.push(t)
      return times.length >= succeedFrom ? Effect.void : Effect.fail(new Transient(times.length))
    })
  return { times, worker }
}

describe("Middleware.retry", () => {
  it.effect("retries with exact exponential delays: +0, +100, +300, +700 ms", () =>
    Effect.gen(function*() {
      const { times, worker } = failing()
      const retried = Middleware.retry({ attempts: 4, baseDelay: "100 millis", factor: 2, jitter: 0 })(worker)
      const fiber = yield* Effect.fork(Effect.exit(retried("a")))
      yield* TestClock.adjust(0)
      deepStrictEqual(times, [0])
      yield* TestClock.adjust(99)
      deepStrictEqual(times, [0])
      yield* TestClock.adjust(1)
      deepStrictEqual(times, [0, 100])
      yield* TestClock.adjust("10 seconds")
      deepStrictEqual(times, [0, 100, 300, 700])
      const error = failureOf(yield* Fiber.join(fiber))
      // the last error, unchanged (same instance)
      assertTrue(error instanceof Transient)
      strictEqual(error.attempt, 4)
    }))

  it.effect("stops at the first success", () =>
    Effect.gen(function*() {
      const { times, worker } = failing(3)
      const fiber = yield* Effect.fork(
        Middleware.retry({ attempts: 5, baseDelay: "1 second", jitter: 0 })(worker)("a")
      )
      yield* TestClock.adjust("1 minute")
      const exit = yield* Fiber.await(fiber)
      assertTrue(Exit.isSuccess(exit))
      deepStrictEqual(times, [0, 1000, 3000])
    }))

  it.effect("attempts: 1 runs once", () =>
    Effect.gen(function*() {
      const { times, worker } = failing()
      const exit = yield* Effect.exit(Middleware.retry({ attempts: 1 })(worker)("a"))
      strictEqual(failureOf(exit).attempt, 1)
      deepStrictEqual(times, [0])
    }))

  it.effect("defaults: 3 attempts, 1 second base, factor 2, up to 20% jitter", () =>
    Effect.gen(function*() {
      const { times, worker } = failing()
      const fiber = yield* Effect.fork(Effect.exit(Middleware.retry()(worker)("a")))
      yield* TestClock.adjust("1 minute")
      strictEqual(failureOf(yield* Fiber.join(fiber)).attempt, 3)
      strictEqual(times.length, 3)
      const [d1, d2] = [times[1]! - times[0]!, times[2]! - times[1]!]
      assertTrue(d1 >= 1000 && d1 <= 1200, `first delay ${d1}`)
      assertTrue(d2 >= 2000 && d2 <= 2400, `second delay ${d2}`)
    }))

  it.effect("the default jitter is 20% of each delay at most, drawn from Effect's Random", () =>
    Effect.gen(function*() {
      const { times, worker } = failing()
      const fiber = yield* Effect.fork(
        Effect.exit(Middleware.retry()(worker)("a")).pipe(Effect.withRandom(Random.make("defaults")))
      )
      yield* TestClock.adjust("1 minute")
      strictEqual(failureOf(yield* Fiber.join(fiber)).attempt, 3)
      // replay the same seeded Random: one draw per retry, 0.2 of the delay
      const replay = Random.make("defaults")
      for (let n = 0; n < 2; n++) {
        const base = 1000 * 2 ** n
        const r = yield* replay.next
        assertTrue(r > 0.01, `a draw of ${r} does not tell the jitter apart from none`)
        strictEqual(times[n + 1]! - times[n]!, Math.ceil(base + base * 0.2 * r), `delay ${n}`)
      }
    }))

  it.effect("factor 1 is valid: every delay is baseDelay", () =>
    Effect.gen(function*() {
      const { times, worker } = failing()
      const retried = Middleware.retry({ attempts: 4, baseDelay: "100 millis", factor: 1, jitter: 0 })(worker)
      const fiber = yield* Effect.fork(Effect.exit(retried("a")))
      yield* TestClock.adjust("1 minute")
      strictEqual(failureOf(yield* Fiber.join(fiber)).attempt, 4)
      deepStrictEqual(times, [0, 100, 200, 300])
    }))

  it.effect("jitter adds up to `jitter` of each delay, drawn from Effect's Random", () =>
    Effect.gen(function*() {
      const { times, worker } = failing()
      const retried = Middleware.retry({ attempts: 6, baseDelay: "100 millis", factor: 2, jitter: 0.5 })(worker)
      const fiber = yield* Effect.fork(Effect.exit(retried("a")).pipe(Effect.withRandom(Random.make("seed"))))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      strictEqual(times.length, 6)
      // replay the same seeded Random: one draw per retry
      const replay = Random.make("seed")
      for (let n = 0; n < 5; n++) {
        const base = 100 * 2 ** n
        const delay = times[n + 1]! - times[n]!
        assertTrue(delay >= base && delay <= base * 1.5, `delay ${n} = ${delay} not in [${base}, ${base * 1.5}]`)
        const r = yield* replay.next
        // rounded up to whole milliseconds
        strictEqual(delay, Math.ceil(base + base * 0.5 * r), `delay ${n} = ${delay}, expected from Random`)
      }
    }))

  it.effect("jitter differs between seeds (it is really drawn)", () =>
    Effect.gen(function*() {
      const run = (seed: string) =>
        Effect.gen(function*() {
          const { times, worker } = failing()
          const retried = Middleware.retry({ attempts: 2, baseDelay: "1 second", jitter: 1 })(worker)
          const fiber = yield* Effect.fork(Effect.exit(retried("a")).pipe(Effect.withRandom(Random.make(seed))))
          yield* TestClock.adjust("1 minute")
          yield* Fiber.join(fiber)
          return times[1]! - times[0]!
        })
      const a = yield* run("a")
      const b = yield* run("b")
      assertTrue(a !== b, `same delay ${a} for different seeds`)
    }))

  it.effect("retries with a Schedule", () =>
    Effect.gen(function*() {
      const { times, worker } = failing()
      const schedule = Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(2)))
      const fiber = yield* Effect.fork(Effect.exit(Middleware.retry(schedule)(worker)("a")))
      yield* TestClock.adjust("10 seconds")
      const error = failureOf(yield* Fiber.join(fiber))
      strictEqual(error.attempt, 3)
      deepStrictEqual(times, [0, 100, 200])
    }))

  it.effect("a Schedule sees the error as input", () =>
    Effect.gen(function*() {
      const { times, worker } = failing()
      const schedule = Schedule.recurWhile((e: unknown) => e instanceof Transient && e.attempt < 2)
      const exit = yield* Effect.exit(Middleware.retry(schedule)(worker)("a"))
      strictEqual(failureOf(exit).attempt, 2)
      deepStrictEqual(times, [0, 0])
    }))

  it.effect("with a Schedule, behaves as Effect.retry: same calls, times and outcome", () =>
    Effect.gen(function*() {
      const schedules = [
        Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(2))),
        Schedule.exponential("10 millis").pipe(Schedule.intersect(Schedule.recurs(4))),
        Schedule.recurWhile((e: unknown) => e instanceof Transient && e.attempt < 3),
        Schedule.recurs(0),
        Schedule.fibonacci("5 millis").pipe(Schedule.upTo("100 millis"))
      ]
      for (const [i, schedule] of schedules.entries()) {
        for (const succeedFrom of [1, 2, 4, Infinity]) {
          const run = (retried: (item: string) => Effect.Effect<void, Transient>) =>
            Effect.gen(function*() {
              const start = yield* now
              const fiber = yield* Effect.fork(Effect.exit(retried("a")))
              yield* TestClock.adjust("1 minute")
              const exit = yield* Fiber.join(fiber)
              return { exit, start }
            })
          const viaMiddleware = failing(succeedFrom)
          const a = yield* run(Middleware.retry(schedule)(viaMiddleware.worker))
          const viaEffect = failing(succeedFrom)
          const b = yield* run((item) => Effect.retry(viaEffect.worker(item), schedule))
          const what = `schedule ${i}, succeeding from call ${succeedFrom}`
          deepStrictEqual(a.exit, b.exit, what)
          deepStrictEqual(viaMiddleware.times.map((t) => t - a.start), viaEffect.times.map((t) => t - b.start), what)
        }
      }
    }))

  it.effect("`while` decides which errors are retried", () =>
    Effect.gen(function*() {
      let calls = 0
      const worker = (_: string) => {
        calls++
        return Effect.fail(calls === 1 ? "transient" : "fatal")
      }
      const retried = Middleware.retry({ attempts: 10, baseDelay: "10 millis", while: (e) => e === "transient" })(
        worker
      )
      const fiber = yield* Effect.fork(Effect.exit(retried("a")))
      yield* TestClock.adjust("1 minute")
      strictEqual(failureOf(yield* Fiber.join(fiber)), "fatal")
      strictEqual(calls, 2)
    }))

  it.effect("`while` returning false fails at once, without sleeping", () =>
    Effect.gen(function*() {
      const { times, worker } = failing()
      const exit = yield* Effect.exit(Middleware.retry({ while: () => false })(worker)("a"))
      strictEqual(failureOf(exit).attempt, 1)
      deepStrictEqual(times, [0])
    }))

  it.effect("`while` must return a boolean: any other value dies saying what it was, on whichever try", () =>
    Effect.gen(function*() {
      // read as truthy or falsy, each of these was taken upside down: an Effect or a Promise of
      // `false` retried every try
      const cases: ReadonlyArray<readonly [(error: unknown) => unknown, string]> = [
        [() => Effect.succeed(false), "got an Effect (an effectful while?"],
        [async () => false, "got a Promise (an async while?"],
        [() => "no", `got the string "no"`],
        [() => "", `got the string ""`],
        [() => 0, "got the number 0"],
        [() => undefined, "got undefined"],
        [() => null, "got null"],
        [() => new Boolean(false), "got a Boolean object (false)"]
      ]
      for (const [returns, shown] of cases) {
        for (const onTry of [1, 2]) {
          let calls = 0
          const worker = (_: string) => Effect.suspend(() => (calls++, Effect.fail(new Transient(calls))))
          const shouldRetry = (error: unknown) => (error as Transient).attempt < onTry ? true : returns(error)
          const exit = yield* Effect.exit(
            Middleware.retry({ attempts: 5, baseDelay: 0, while: shouldRetry as (error: unknown) => boolean })(worker)(
              "a"
            )
          )
          const defect = defectOf(exit)
          assertTrue(Cause.isIllegalArgumentException(defect), String(defect))
          const message = (defect as Cause.IllegalArgumentException).message
          assertInclude(message, `Middleware.retry: option "while" must return a boolean, ${shown}`)
          strictEqual(calls, onTry)
        }
      }
    }))

  it.effect("an async `while` that rejects: a defect, and no unhandled rejection (it ended the process)", () =>
    Effect.gen(function*() {
      let unhandled = 0
      const onUnhandled = () => void unhandled++
      process.on("unhandledRejection", onUnhandled)
      try {
        let calls = 0
        const worker = (_: string) => Effect.suspend(() => (calls++, Effect.fail(new Transient(calls))))
        const shouldRetry = (async () => {
          throw new Error("async while rejected")
        }) as unknown as (error: unknown) => boolean
        const defect = defectOf(
          yield* Effect.exit(Middleware.retry({ attempts: 3, baseDelay: 0, while: shouldRetry })(worker)("a"))
        )
        assertInclude(String(defect), "got a Promise (an async while?")
        strictEqual(calls, 1)
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
      } finally {
        process.off("unhandledRejection", onUnhandled)
      }
      strictEqual(unhandled, 0)
    }))

  it.effect("interruption inside the worker is not retried", () =>
    Effect.gen(function*() {
      let calls = 0
      const worker = (_: string) => Effect.suspend(() => (calls++, Effect.interrupt))
      const fiber = yield* Effect.fork(Middleware.retry({ attempts: 5, baseDelay: "10 millis" })(worker)("a"))
      yield* TestClock.adjust("1 minute")
      assertInterrupted(yield* Fiber.await(fiber))
      strictEqual(calls, 1)
    }))

  it.effect("interrupting the item during a backoff stops the retries", () =>
    Effect.gen(function*() {
      const { times, worker } = failing()
      const fiber = yield* Effect.fork(Middleware.retry({ attempts: 5, baseDelay: "1 second", jitter: 0 })(worker)("a"))
      yield* TestClock.adjust(500)
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("1 minute")
      deepStrictEqual(times, [0])
      assertInterrupted(yield* Fiber.await(fiber))
    }))

  /** `effect` under a clock that records each sleep's length (ms) and sleeps none; the lengths. */
  const sleepsOf = <A, E>(effect: Effect.Effect<A, E>) =>
    Effect.gen(function*() {
      const slept: Array<number> = []
      const base = yield* Effect.clock
      const recording: Clock.Clock = Object.create(base, {
        sleep: {
          value: (duration: Duration.DurationInput) => Effect.sync(() => void slept.push(Duration.toMillis(duration)))
        }
      })
      yield* Effect.exit(effect).pipe(Effect.withClock(recording))
      return slept
    })

  it.effect("a zero delay never sleeps, however many tries (0·factor^n is NaN past 1,024 of them)", () =>
    Effect.gen(function*() {
      let calls = 0
      const worker = (_: string) => Effect.suspend(() => (calls++, Effect.fail(new Transient(calls))))
      // before, tries past 1,024 slept 0 ms each: a timer tick apiece on the live clock
      const slept = yield* sleepsOf(Middleware.retry({ attempts: 2000, baseDelay: 0, jitter: 0 })(worker)("a"))
      strictEqual(calls, 2000)
      deepStrictEqual(slept, [])
    }))

  it.effect("a delay longer than the live clock's longest timer (2^31 - 1 ms) is slept in steps that fire", () =>
    Effect.gen(function*() {
      let calls = 0
      const worker = (_: string) => Effect.suspend(() => (calls++, Effect.fail(new Transient(calls))))
      // Effect's live clock never fires a timer longer than 2^31 - 1 ms: such a sleep never woke
      const slept = yield* sleepsOf(Middleware.retry({ attempts: 2, baseDelay: "25 days", jitter: 0 })(worker)("a"))
      strictEqual(calls, 2)
      assertTrue(slept.every((ms) => ms <= 2 ** 31 - 1), `${slept}`)
      strictEqual(slept.reduce((a, b) => a + b, 0), 25 * 24 * 3600 * 1000)
    }))

  it.effect("defects are not retried", () =>
    Effect.gen(function*() {
      let calls = 0
      const worker = (_: string) => Effect.suspend(() => (calls++, Effect.die("boom")))
      const exit = yield* Effect.exit(Middleware.retry({ baseDelay: 0 })(worker)("a"))
      strictEqual(defectOf(exit), "boom")
      strictEqual(calls, 1)
    }))

  it.effect("a failure that comes with a defect (its finalizer died) is neither retried nor erased, on whichever try", () =>
    Effect.gen(function*() {
      let calls = 0
      const worker = (_: string) =>
        Effect.suspend(() => (calls++, Effect.fail(new Transient(calls)))).pipe(
          Effect.ensuring(Effect.die("finalizer died"))
        )
      // Effect.retry runs it once and keeps it a defect (it turns the failure into one too)
      const effectRetry = yield* Effect.exit(Effect.retry(worker("a"), Schedule.recurs(2)))
      assertTrue(Exit.isFailure(effectRetry) && Cause.isDie(effectRetry.cause))
      strictEqual(calls, 1)
      for (const retry of [Middleware.retry({ baseDelay: 0 }), Middleware.retry(Schedule.recurs(2))]) {
        calls = 0
        const exit = yield* Effect.exit(retry(worker)("a"))
        strictEqual(defectOf(exit), "finalizer died")
        strictEqual(calls, 1)
      }
      // the same on a later attempt: its failure was turned into a defect too, which then came
      // first (under Middleware.recover, the WorkerDefect held the failure, the real defect lost)
      const dyingOnSecond = (_: string) =>
        Effect.suspend(() => {
          const attempt = ++calls
          const failing = Effect.fail(new Transient(attempt))
          return attempt === 2 ? Effect.ensuring(failing, Effect.die("finalizer died")) : failing
        })
      for (const retry of [Middleware.retry({ baseDelay: 0 }), Middleware.retry(Schedule.recurs(2))]) {
        calls = 0
        const exit = yield* Effect.exit(retry(dyingOnSecond)("a"))
        strictEqual(defectOf(exit), "finalizer died")
        assertTrue(Exit.isFailure(exit) && Cause.failureOption(exit.cause)._tag === "Some", String(exit))
        strictEqual(calls, 2)
      }
    }))

  it.effect("invalid options die with IllegalArgumentException when an item runs, never at call time", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [Middleware.RetryOptions, string, string]> = [
        [{ attempts: 0 }, "attempts", "0"],
        [{ attempts: -1 }, "attempts", "-1"],
        [{ attempts: 1.5 }, "attempts", "1.5"],
        [{ attempts: NaN }, "attempts", "NaN"],
        [{ attempts: Infinity }, "attempts", "Infinity"],
        [{ baseDelay: -1 }, "baseDelay", "-1"],
        [{ baseDelay: "-5 seconds" }, "baseDelay", "-5 seconds"],
        [{ baseDelay: "soon" as any }, "baseDelay", "soon"],
        [{ baseDelay: NaN }, "baseDelay", "NaN"],
        [{ factor: 0.5 }, "factor", "0.5"],
        [{ factor: NaN }, "factor", "NaN"],
        [{ jitter: -0.1 }, "jitter", "-0.1"],
        [{ jitter: NaN }, "jitter", "NaN"],
        // from plain JavaScript: neither a Schedule nor an options object
        [5 as any, "options", "5"],
        ["3 times" as any, "options", "3 times"],
        [null as any, "options", "null"],
        [{ attempts: () => 3 } as any, "attempts", "got a function"],
        [[] as any, "options", "[]"],
        // the value with its type: a string, a boxed number or an object that prints as a number
        // does not read as the number itself; -0 keeps its sign; a value that cannot be printed
        // (a revoked Proxy) still gives the message
        [{ attempts: "3" } as any, "attempts", `got "3"`],
        [{ attempts: new Number(3) } as any, "attempts", "got a Number object (3)"],
        [{ attempts: { toString: () => "3" } } as any, "attempts", "got an object (3)"],
        [{ attempts: -0 }, "attempts", "got -0"],
        [{ attempts: [1, "2"] } as any, "attempts", `got [1, "2"]`],
        [{ attempts: revoked() } as any, "attempts", "got an object (that cannot be shown)"],
        [{ baseDelay: new String("1 second") } as any, "baseDelay", `got a String object ("1 second")`],
        [{ jitter: new Boolean(false) } as any, "jitter", "got a Boolean object (false)"],
        // `while` must be a function: called as one, `5` threw a TypeError at the first retry
        [{ while: 5 } as any, "while", "got 5"],
        [{ while: true } as any, "while", "got true"],
        // an infinite delay (no retry would ever run), and what Duration.decode silently makes zero:
        // a negative bigint, a [seconds, nanos] negative in all though its seconds are not
        [{ baseDelay: Duration.infinity }, "baseDelay", "got Duration(Infinity)"],
        [{ baseDelay: BigInt(-1) }, "baseDelay", "got -1n"],
        [{ baseDelay: [0, -5e8] }, "baseDelay", "got [0, -500000000]"],
        [{ factor: Infinity }, "factor", "got Infinity"],
        [{ jitter: Infinity }, "jitter", "got Infinity"],
        // arrays show their first five elements, then an ellipsis
        [{ attempts: [1, 2, 3, 4, 5] } as any, "attempts", "got [1, 2, 3, 4, 5]"],
        [{ attempts: [1, 2, 3, 4, 5, 6] } as any, "attempts", "got [1, 2, 3, 4, 5, …]"]
      ]
      for (const [options, option, value] of cases) {
        let calls = 0
        const worker = (_: string) => Effect.sync(() => void calls++)
        const wrapped = Middleware.retry(options)(worker) // does not throw
        assertIllegalArgument(yield* Effect.exit(wrapped("a")), option, value)
        strictEqual(calls, 0)
      }
    }))

  it.effect("options whose reading throws (a getter, a Proxy) throw nothing when built: every item dies with the throw", () =>
    Effect.gen(function*() {
      const boom = new Error("boom")
      const cases: ReadonlyArray<unknown> = [
        ...["attempts", "baseDelay", "factor", "jitter", "while"].map((key) => throwingGetter(key, boom)),
        // `in` (is it a Schedule?) throws first
        throwingProxy(boom)
      ]
      for (const options of cases) {
        let calls = 0
        const worker = (_: string) => Effect.sync(() => void calls++)
        const wrapped = Middleware.retry(options as Middleware.RetryOptions)(worker) // does not throw
        strictEqual(defectOf(yield* Effect.exit(wrapped("a"))), boom)
        strictEqual(calls, 0)
      }
      const worker = (_: string) => Effect.void
      const defect = defectOf(yield* Effect.exit(Middleware.retry(revoked() as Middleware.RetryOptions)(worker)("a")))
      assertTrue(defect instanceof TypeError, String(defect))
    }))

  it.effect("each option is read once: what was checked is what is used", () =>
    Effect.gen(function*() {
      // baseDelay as [seconds, nanos]: its elements too (Duration.decodeUnknown reads them again)
      const { options, reads } = countingReads({
        attempts: 3,
        baseDelay: [0, 0] as const,
        factor: 2,
        jitter: 0,
        while: () => true
      })
      let calls = 0
      const worker = (_: string) => Effect.suspend(() => (calls++, Effect.fail(new Transient(calls))))
      strictEqual(failureOf(yield* Effect.exit(Middleware.retry(options)(worker)("a"))).attempt, 3)
      deepStrictEqual(reads, {
        "attempts": 1,
        "baseDelay": 1,
        "baseDelay[0]": 1,
        "baseDelay[1]": 1,
        "factor": 1,
        "jitter": 1,
        "while": 1
      })
    }))

  it.effect("baseDelay 0 retries at once, without a timer", () =>
    Effect.gen(function*() {
      const { times, worker } = failing()
      // a Clock that counts sleeps: with the live clock, each would wait for a timer tick (~1 ms)
      let sleeps = 0
      const clock = yield* Effect.clock
      const counting: Clock.Clock = {
        ...clock,
        sleep: (duration) => Effect.zipRight(Effect.sync(() => sleeps++), clock.sleep(duration))
      }
      const exit = yield* Effect.exit(Middleware.retry({ attempts: 3, baseDelay: 0 })(worker)("a")).pipe(
        Effect.withClock(counting)
      )
      strictEqual(failureOf(exit).attempt, 3)
      deepStrictEqual(times, [0, 0, 0])
      strictEqual(sleeps, 0)
    }))

  it.effect("jittered delays are whole milliseconds, so a worker can read the TestClock in nanoseconds", () =>
    Effect.gen(function*() {
      // a TestClock woken at a fractional time makes Clock.currentTimeNanos (Effect.timed) throw
      const { times, worker } = failing()
      const timed = (item: string) => Effect.asVoid(Effect.timed(worker(item)))
      const retried = Middleware.retry({ attempts: 6, baseDelay: "333 millis", factor: 1.5, jitter: 0.3 })(timed)
      const fiber = yield* Effect.fork(Effect.exit(retried("a")).pipe(Effect.withRandom(Random.make("frac"))))
      yield* TestClock.adjust("1 minute")
      strictEqual(failureOf(yield* Fiber.join(fiber)).attempt, 6)
      assertTrue(times.every(Number.isInteger), `times ${times}`)
    }))
})
