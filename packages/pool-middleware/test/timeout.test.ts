import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
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
  throwingProxy
} from "./helpers.js"

describe("Middleware.timeout", () => {
  it.effect("interrupts a worker that never finishes; its finalizers run; fails with TimeoutException", () =>
    Effect.gen(function*() {
      const log: Array<string> = []
      const worker = (item: string) =>
        Effect.scoped(
          Effect.gen(function*() {
            yield* Effect.acquireRelease(
              Effect.sync(() => log.push(`acquire ${item}`)),
              () => Effect.flatMap(now, (t) => Effect.sync(() => log.push(`release ${item} at ${t}`)))
            )
            yield* Effect.never
          })
        ).pipe(Effect.ensuring(Effect.sync(() => log.push("ensuring"))))
      const fiber = yield* Effect.fork(Effect.exit(Middleware.timeout("1 second")(worker)("a")))
      yield* TestClock.adjust(999)
      assertTrue(Option.isNone(yield* Fiber.poll(fiber)))
      deepStrictEqual(log, ["acquire a"])
      yield* TestClock.adjust(1)
      const exit = yield* Fiber.join(fiber)
      deepStrictEqual(log, ["acquire a", "release a at 1000", "ensuring"])
      const error = failureOf(exit)
      assertTrue(Cause.isTimeoutException(error))
      strictEqual(error.message, "item timed out after 1s (Middleware.timeout)")
    }))

  it.effect("an uninterruptible item runs to its end, and fails with the timeout if that was late", () =>
    Effect.gen(function*() {
      let finished = false
      const worker = (_: string) =>
        Effect.uninterruptible(Effect.zipRight(Effect.sleep("2 seconds"), Effect.sync(() => void (finished = true))))
      const fiber = yield* Effect.fork(Effect.exit(Middleware.timeout("1 second")(worker)("a")))
      yield* TestClock.adjust("1 second")
      assertTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 second")
      const error = failureOf(yield* Fiber.join(fiber))
      assertTrue(finished)
      // the message does not claim the item was interrupted
      strictEqual(error.message, "item timed out after 1s (Middleware.timeout)")
    }))

  it.effect("waits for the interrupted item's finalizers before failing", () =>
    Effect.gen(function*() {
      const worker = (_: string) => Effect.never.pipe(Effect.onInterrupt(() => Effect.sleep("50 millis")))
      const fiber = yield* Effect.fork(Effect.exit(Middleware.timeout("100 millis")(worker)("a")))
      yield* TestClock.adjust(100)
      assertTrue(Option.isNone(yield* Fiber.poll(fiber)), "completed before the finalizer ended")
      yield* TestClock.adjust(50)
      const exit = yield* Fiber.join(fiber)
      assertTrue(Cause.isTimeoutException(failureOf(exit)))
    }))

  it.effect("a fast worker passes", () =>
    Effect.gen(function*() {
      let done = false
      const worker = (_: string) => Effect.sleep("100 millis").pipe(Effect.tap(() => (done = true)))
      const fiber = yield* Effect.fork(Middleware.timeout("1 second")(worker)("a"))
      yield* TestClock.adjust(100)
      const exit = yield* Fiber.await(fiber)
      assertTrue(Exit.isSuccess(exit))
      assertTrue(done)
    }))

  it.effect("Duration.infinity is allowed: no timeout", () =>
    Effect.gen(function*() {
      const worker = (_: string) => Effect.as(Effect.sleep("1000 days"), "done")
      const fiber = yield* Effect.fork(Effect.exit(Middleware.timeout(Duration.infinity)(worker)("a")))
      yield* TestClock.adjust("1000 days")
      deepStrictEqual(yield* Fiber.join(fiber), Exit.succeed("done"))
    }))

  it.effect("a worker's failure passes through unchanged", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Middleware.timeout("1 second")((_: string) => Effect.fail("nope"))("a"))
      strictEqual(failureOf(exit), "nope")
    }))

  it.effect("a worker function that throws is a defect, not a throw at call time", () =>
    Effect.gen(function*() {
      const worker = (_: string): Effect.Effect<void> => {
        throw new Error("early")
      }
      const exit = yield* Effect.exit(Middleware.timeout("1 second")(worker)("a"))
      assertTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
    }))

  it.effect("interrupting the item interrupts the worker", () =>
    Effect.gen(function*() {
      let released = false
      const worker = (_: string) => Effect.never.pipe(Effect.ensuring(Effect.sync(() => (released = true))))
      const fiber = yield* Effect.fork(Middleware.timeout("1 hour")(worker)("a"))
      yield* TestClock.adjust(10)
      yield* Fiber.interrupt(fiber)
      assertInterrupted(yield* Fiber.await(fiber))
      assertTrue(released)
    }))

  describe("the item's own fiber, as Effect.timeout's", () => {
    // each item runs in a fiber of its own, started at once: one that does not suspend ends there
    // without a timer. Each case runs an item that ends at once and one that sleeps first
    const items = [
      ["ends at once", Effect.void],
      ["sleeps first", Effect.sleep("10 millis")]
    ] as const

    it.effect("sees the caller's services, FiberRefs and span; the FiberRefs it sets carry over when it succeeds", () =>
      Effect.gen(function*() {
        class Service extends Context.Tag("Service")<Service, string>() {}
        const ref = FiberRef.unsafeMake("caller")
        for (const [what, first] of items) {
          const worker = (outcome: "ok" | "fail") =>
            Effect.gen(function*() {
              yield* first
              const seen = [yield* Service, yield* FiberRef.get(ref), (yield* Effect.currentSpan).name]
              yield* FiberRef.set(ref, `set by ${outcome}`)
              return outcome === "ok" ? seen : yield* Effect.fail(seen)
            })
          const run = (outcome: "ok" | "fail") =>
            Effect.gen(function*() {
              yield* FiberRef.set(ref, "caller")
              const fiber = yield* Effect.fork(Effect.exit(Middleware.timeout("1 second")(worker)(outcome)))
              yield* TestClock.adjust("10 millis")
              return { exit: yield* Fiber.join(fiber), after: yield* FiberRef.get(ref) }
            }).pipe(Effect.withSpan("item"), Effect.provideService(Service, "service"))
          const ok = yield* run("ok")
          deepStrictEqual(ok.exit as Exit.Exit<unknown, unknown>, Exit.succeed(["service", "caller", "item"]), what)
          // forked and joined: the value set carries over to the caller's fiber, as it would inline
          strictEqual(ok.after, "set by ok", what)
          const failed = yield* run("fail")
          deepStrictEqual(failed.exit as Exit.Exit<unknown, unknown>, Exit.fail(["service", "caller", "item"]), what)
          // as with Effect.timeout: a failed item's fiber is not joined
          strictEqual(failed.after, "caller", what)
        }
      }))

    // what a timeout that ran the item in a root fiber started at once broke (794e698, reverted)
    it.effect("an uninterruptible caller whose item is interruptible: the timeout interrupts the item, and so does the caller's interruption", () =>
      Effect.gen(function*() {
        const worker = (_: string) => Effect.interruptible(Effect.never)
        const timed = yield* Effect.fork(
          Effect.exit(Effect.uninterruptible(Middleware.timeout("100 millis")(worker)("a")))
        )
        yield* TestClock.adjust("100 millis")
        const exit = yield* Fiber.join(timed)
        assertTrue(Cause.isTimeoutException(failureOf(exit)), String(exit))
        const caller = yield* Effect.fork(Effect.uninterruptible(Middleware.timeout("1 hour")(worker)("a")))
        yield* TestClock.adjust("10 millis")
        // the caller's own region is uninterruptible: it ends when the item, interrupted, has
        const interrupting = yield* Effect.fork(Fiber.interrupt(caller))
        yield* TestClock.adjust("10 millis")
        assertTrue(Option.isSome(yield* Fiber.poll(interrupting)), "the interruption never reached the item")
      }))

    it.effect("the caller interrupted: the item's exit, a finalizer's defect included, is the call's", () =>
      Effect.gen(function*() {
        const worker = (_: string) => Effect.ensuring(Effect.never, Effect.die("finalizer died"))
        const caller = yield* Effect.fork(Middleware.timeout("1 hour")(worker)("a"))
        yield* TestClock.adjust("10 millis")
        const exit = yield* Fiber.interrupt(caller)
        assertTrue(Exit.isFailure(exit), String(exit))
        deepStrictEqual(Cause.defects(exit.cause).length, 1, String(exit))
      }))

    it.effect("a FiberRef with a join of its own is joined once, whether the item suspends or not", () =>
      Effect.gen(function*() {
        const ref = FiberRef.unsafeMake(100, { join: (parent, child) => parent + child })
        for (const [what, first] of items) {
          yield* FiberRef.set(ref, 100)
          const worker = (_: string) => Effect.zipRight(first, FiberRef.update(ref, (n) => n + 1))
          const fiber = yield* Effect.fork(
            Effect.zipRight(Middleware.timeout("1 second")(worker)("a"), FiberRef.get(ref))
          )
          yield* TestClock.adjust("10 millis")
          // the child's 101 joined into the caller's 100
          strictEqual(yield* Fiber.join(fiber), 201, what)
        }
      }))

    it.effect("timeouts nested a thousand deep run (no JavaScript stack per level)", () =>
      Effect.gen(function*() {
        const timeout = Middleware.timeout("1 minute")
        const nested = (depth: number): Effect.Effect<number, Cause.TimeoutException> =>
          depth === 0 ? Effect.succeed(0) : Effect.map(timeout((_: number) => nested(depth - 1))(depth), (n) => n + 1)
        strictEqual(yield* nested(1000), 1000)
      }))

    it.effect("its failure or defect is the call's, not logged as an unhandled failure of its fiber", () => {
      const logs: Array<string> = []
      return Effect.gen(function*() {
        for (const [what, first] of items) {
          for (const end of [Effect.fail("nope"), Effect.die("dead")]) {
            const worker = (_: string) => Effect.zipRight(first, end)
            const fiber = yield* Effect.fork(Effect.exit(Middleware.timeout("1 second")(worker)("a")))
            yield* TestClock.adjust("10 millis")
            const exit = yield* Fiber.join(fiber)
            assertTrue(Exit.isFailure(exit) && !Cause.isInterrupted(exit.cause), `${what}: ${exit}`)
          }
        }
        // Effect logs, at Debug, the failure a fiber ends with
        deepStrictEqual(logs, [])
      }).pipe(
        Effect.provide(
          Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => void logs.push(String(message))))
        ),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
    })
  })

  it.effect("invalid durations die with IllegalArgumentException", () =>
    Effect.gen(function*() {
      const cases = [
        [0, "0"],
        [-1, "-1"],
        [NaN, "NaN"],
        ["soon", "soon"],
        ["-1 second", "-1 second"],
        [[-1, 5e8], "[-1, 500000000]"],
        // neither throws when the middleware is built or applied
        [[Symbol.for("s"), 0], "[Symbol(s), 0]"],
        [Object.create(null), "object"],
        // the value with its type: not the string or the number it prints as
        [new String("5 seconds"), `a String object ("5 seconds")`],
        [{ toString: () => "5" }, "an object (5)"],
        [-0, "-0"],
        // null is no "no duration" (from JavaScript): rejected like undefined
        [null, "null"]
      ] as const
      for (const [duration, shown] of cases) {
        let calls = 0
        const wrapped = Middleware.timeout(duration as any)((_: string) => Effect.sync(() => void calls++))
        assertIllegalArgument(yield* Effect.exit(wrapped("a")), "duration", shown)
        strictEqual(calls, 0)
      }
    }))

  it.effect("a duration whose inspection throws (a Proxy) throws nothing when built: every item dies", () =>
    Effect.gen(function*() {
      let calls = 0
      const worker = (_: string) => Effect.sync(() => void calls++)
      // Duration.decodeUnknown swallows what its traps throw: no duration, and the message cannot
      // show it (showing it threw here before)
      const wrapped = Middleware.timeout(throwingProxy(new Error("boom")) as any)(worker) // does not throw
      assertIllegalArgument(yield* Effect.exit(wrapped("a")), "duration", "got an object (that cannot be shown)")
      // a revoked Proxy: `Array.isArray` throws, and that is the defect
      const defect = defectOf(yield* Effect.exit(Middleware.timeout(revoked() as any)(worker)("a")))
      assertTrue(defect instanceof TypeError, String(defect))
      strictEqual(calls, 0)
    }))

  it.effect("a duration of [seconds, nanos] is read once: what was checked is what is used", () =>
    Effect.gen(function*() {
      const { options, reads } = countingReads({ duration: [1, 0] as const })
      const fiber = yield* Effect.fork(
        Effect.exit(Middleware.timeout(options.duration)((_: string) => Effect.never)("a"))
      )
      yield* TestClock.adjust("1 second")
      assertTrue(Cause.isTimeoutException(failureOf(yield* Fiber.join(fiber))))
      deepStrictEqual(reads, { "duration": 1, "duration[0]": 1, "duration[1]": 1 })
    }))

  it.effect("a duration of [seconds, nanos] with a negative part, positive in all, is a duration", () =>
    Effect.gen(function*() {
      // [1, -5e8] is half a second
      const fiber = yield* Effect.fork(Middleware.timeout([1, -5e8])((_: string) => Effect.sleep("1 second"))("a"))
      yield* TestClock.adjust(499)
      strictEqual(fiber.unsafePoll(), null)
      yield* TestClock.adjust(1)
      const exit = yield* Fiber.await(fiber)
      assertTrue(Exit.isFailure(exit) && Cause.isTimeoutException(Cause.squash(exit.cause)), String(exit))
    }))
})
