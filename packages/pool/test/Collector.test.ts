import { describe, it } from "@effect/vitest"
import {
  assertInclude,
  assertInstanceOf,
  assertNone,
  assertTrue,
  deepStrictEqual,
  strictEqual
} from "@effect/vitest/utils"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as util from "node:util"
import * as Collector from "../src/Collector.js"
import { range, settle } from "./helpers.js"

/** Asserts that a fiber has finished with a `CollectorClosedError` failure. */
const assertClosedFailure = <A>(exit: Exit.Exit<A, Collector.CollectorClosedError>) => {
  assertTrue(Exit.isFailure(exit), "expected the submit to fail")
  const error = Cause.failureOption(exit.cause)
  assertTrue(Option.isSome(error), `expected a failure, got ${Cause.pretty(exit.cause)}`)
  strictEqual(error.value._tag, "CollectorClosedError")
  assertInstanceOf(error.value, Collector.CollectorClosedError)
  assertInclude(error.value.message, "closed")
}

/** Lets the fiber run, then asserts that it has already failed with `CollectorClosedError` (no hang on regressions). */
const assertFiberClosedFailure = <A>(fiber: Fiber.Fiber<A, Collector.CollectorClosedError>) =>
  Effect.gen(function*() {
    yield* settle
    const exit = yield* Fiber.poll(fiber)
    assertTrue(Option.isSome(exit), "expected the suspended submit to be released")
    assertClosedFailure(exit.value)
  })

/** Asserts that a fiber is still suspended. */
const assertSuspended = <A, E>(fiber: Fiber.Fiber<A, E>) =>
  Effect.gen(function*() {
    assertNone(yield* Fiber.poll(fiber))
  })

describe("Collector", () => {
  describe("submit and all", () => {
    it.scoped("all returns the submitted values in arrival order", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(10)
        for (const i of [3, 1, 4, 1, 5]) yield* collector.submit(i)
        yield* collector.close
        deepStrictEqual(yield* collector.all, [3, 1, 4, 1, 5])
      }))

    it.scoped("all started before the submits collects every value, in order, across many takes", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(3)
        const reader = yield* Effect.fork(collector.all)
        yield* settle
        for (const i of range(20)) {
          yield* collector.submit(i)
          if (i % 4 === 0) yield* settle // let the reader take partial batches
        }
        yield* collector.close
        deepStrictEqual(yield* Fiber.join(reader), range(20))
      }))

    it.scoped("all waits until close", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(10)
        const reader = yield* Effect.fork(collector.all)
        yield* collector.submit(1)
        yield* settle
        yield* assertSuspended(reader)
        yield* collector.close
        deepStrictEqual(yield* Fiber.join(reader), [1])
      }))

    it.scoped("Infinity means unbounded: submit never suspends", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(Number.POSITIVE_INFINITY)
        const producer = yield* Effect.fork(Effect.forEach(range(1000), (i) => collector.submit(i), { discard: true }))
        yield* settle
        const done = yield* Fiber.poll(producer)
        assertTrue(Option.isSome(done) && Exit.isSuccess(done.value), "1000 submits without a reader should complete")
        yield* collector.close
        deepStrictEqual(yield* collector.all, range(1000))
      }))
  })

  describe("back-pressure", () => {
    it.scoped("a submit beyond capacity suspends until a reader takes", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(2)
        yield* collector.submit(1)
        yield* collector.submit(2)
        const blocked = yield* Effect.fork(collector.submit(3))
        yield* settle
        yield* assertSuspended(blocked)

        const taken = yield* collector.stream.pipe(Stream.take(2), Stream.runCollect)
        deepStrictEqual(Chunk.toReadonlyArray(taken), [1, 2])
        yield* settle
        const result = yield* Fiber.poll(blocked)
        assertTrue(Option.isSome(result) && Exit.isSuccess(result.value), "the reader's take should admit the submit")

        yield* collector.close
        deepStrictEqual(yield* collector.all, [3])
      }))

    it.scoped("suspended submitters are admitted in FIFO order", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(1)
        yield* collector.submit(0)
        const s1 = yield* Effect.fork(collector.submit(1))
        yield* settle
        const s2 = yield* Effect.fork(collector.submit(2))
        yield* settle
        const s3 = yield* Effect.fork(collector.submit(3))
        yield* settle
        yield* assertSuspended(s1)
        yield* assertSuspended(s2)
        yield* assertSuspended(s3)

        const reader = yield* Effect.fork(collector.all)
        yield* Fiber.join(s1)
        yield* Fiber.join(s2)
        yield* Fiber.join(s3)
        yield* collector.close
        deepStrictEqual(yield* Fiber.join(reader), [0, 1, 2, 3])
      }))

    it.scoped("a suspended submitter interrupted before a reader frees space: its value is not delivered", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(1)
        yield* collector.submit(1)
        const blocked = yield* Effect.fork(collector.submit(2))
        yield* settle
        yield* Fiber.interrupt(blocked)
        const next = yield* Effect.fork(collector.submit(3))
        const reader = yield* Effect.fork(collector.all)
        yield* Fiber.join(next)
        yield* collector.close
        deepStrictEqual(yield* Fiber.join(reader), [1, 3])
      }))
  })

  describe("close", () => {
    it.scoped("submits after close fail with CollectorClosedError", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(10)
        yield* collector.submit(1)
        yield* collector.close
        assertClosedFailure(yield* Effect.exit(collector.submit(2)))
        deepStrictEqual(yield* collector.all, [1])
      }))

    it.scoped("submits suspended at close fail with CollectorClosedError and their values are not delivered", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(1)
        yield* collector.submit(1)
        const s2 = yield* Effect.fork(collector.submit(2))
        const s3 = yield* Effect.fork(collector.submit(3))
        yield* settle
        yield* assertSuspended(s2)
        yield* assertSuspended(s3)

        yield* collector.close
        yield* assertFiberClosedFailure(s2)
        yield* assertFiberClosedFailure(s3)
        // readers drain only what was buffered before the cut-off
        deepStrictEqual(yield* collector.all, [1])
        deepStrictEqual(Chunk.toReadonlyArray(yield* Stream.runCollect(collector.stream)), [])
      }))

    it.scoped("readers drain the buffer after close, then end", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<string>(5)
        yield* collector.submit("a")
        yield* collector.submit("b")
        yield* collector.submit("c")
        yield* collector.close
        const drained = yield* Stream.runCollect(collector.stream)
        deepStrictEqual(Chunk.toReadonlyArray(drained), ["a", "b", "c"])
        deepStrictEqual(yield* collector.all, [])
      }))

    it.scoped("readers waiting on an empty collector end when it closes", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(5)
        const viaAll = yield* Effect.fork(collector.all)
        const viaStream = yield* Effect.fork(Stream.runCollect(collector.stream))
        yield* settle
        yield* assertSuspended(viaAll)
        yield* assertSuspended(viaStream)
        yield* collector.close
        deepStrictEqual(yield* Fiber.join(viaAll), [])
        deepStrictEqual(Chunk.toReadonlyArray(yield* Fiber.join(viaStream)), [])
      }))

    it.scoped("close is idempotent", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(3)
        yield* collector.submit(1)
        yield* collector.submit(2)
        yield* collector.close
        yield* collector.close
        assertClosedFailure(yield* Effect.exit(collector.submit(3)))
        yield* collector.close
        deepStrictEqual(yield* collector.all, [1, 2])
      }))
  })

  describe("stream", () => {
    it.scoped("two concurrent readers get each value exactly once, each in arrival order", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(4)
        const r1 = yield* Effect.fork(Stream.runCollect(collector.stream))
        const r2 = yield* Effect.fork(Stream.runCollect(collector.stream))
        yield* settle
        for (const i of range(100)) {
          yield* collector.submit(i)
          if (i % 3 === 0) yield* settle
        }
        yield* collector.close
        const a = Chunk.toReadonlyArray(yield* Fiber.join(r1))
        const b = Chunk.toReadonlyArray(yield* Fiber.join(r2))
        deepStrictEqual([...a, ...b].sort((x, y) => x - y), range(100))
        deepStrictEqual(a, [...a].sort((x, y) => x - y))
        deepStrictEqual(b, [...b].sort((x, y) => x - y))
      }))

    it.scoped("busy readers share the work", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(4)
        // each reader spends 10 ms (TestClock) per value
        const slowReader = collector.stream.pipe(
          Stream.mapEffect((v) => Effect.as(Effect.sleep("10 millis"), v)),
          Stream.runCollect
        )
        const r1 = yield* Effect.fork(slowReader)
        const r2 = yield* Effect.fork(slowReader)
        const producer = yield* Effect.fork(
          Effect.forEach(range(40), (i) => collector.submit(i), { discard: true }).pipe(
            Effect.zipRight(collector.close)
          )
        )
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(producer)
        const a = Chunk.toReadonlyArray(yield* Fiber.join(r1))
        const b = Chunk.toReadonlyArray(yield* Fiber.join(r2))
        assertTrue(a.length > 0 && b.length > 0, `both readers should get values (got ${a.length} and ${b.length})`)
        deepStrictEqual([...a, ...b].sort((x, y) => x - y), range(40))
      }))

    it.scoped("a stream reader that stops early leaves the rest for other readers", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(10)
        for (const i of range(5)) yield* collector.submit(i)
        deepStrictEqual(Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(collector.stream, 2))), [0, 1])
        deepStrictEqual(Option.getOrNull(yield* Stream.runHead(collector.stream)), 2)
        yield* collector.close
        deepStrictEqual(yield* collector.all, [3, 4])
      }))

    it.scoped("readers that start on a backlog share it", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(8)
        for (const i of range(8)) yield* collector.submit(i)
        yield* collector.close
        // each reader spends 10 ms (TestClock) per value
        const slowReader = collector.stream.pipe(
          Stream.mapEffect((v) => Effect.as(Effect.sleep("10 millis"), v)),
          Stream.runCollect
        )
        const r1 = yield* Effect.fork(slowReader)
        const r2 = yield* Effect.fork(slowReader)
        yield* settle
        yield* TestClock.adjust("40 millis")
        const a = Chunk.toReadonlyArray(yield* Fiber.join(r1))
        const b = Chunk.toReadonlyArray(yield* Fiber.join(r2))
        deepStrictEqual([a.length, b.length], [4, 4])
        deepStrictEqual([...a, ...b].sort((x, y) => x - y), range(8))
      }))

    it.scoped("a stream reader holds no values beyond capacity", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(2)
        let accepted = 0
        yield* Effect.fork(
          Effect.forEach(range(10), (i) => Effect.zipRight(collector.submit(i), Effect.sync(() => accepted++)), {
            discard: true
          })
        )
        yield* settle
        strictEqual(accepted, 2)
        // a reader stuck on its first value: one more value fits in the buffer, no more
        yield* Effect.fork(collector.stream.pipe(Stream.mapEffect(() => Effect.never), Stream.runDrain))
        yield* settle
        strictEqual(accepted, 3)
      }))

    it.scoped("a stream reader and an all reader share the values", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(2)
        const viaStream = yield* Effect.fork(Stream.runCollect(collector.stream))
        const viaAll = yield* Effect.fork(collector.all)
        yield* settle
        for (const i of range(30)) {
          yield* collector.submit(i)
          if (i % 2 === 0) yield* settle
        }
        yield* collector.close
        const a = Chunk.toReadonlyArray(yield* Fiber.join(viaStream))
        const b = yield* Fiber.join(viaAll)
        deepStrictEqual([...a, ...b].sort((x, y) => x - y), range(30))
      }))
  })

  describe("scope", () => {
    it.effect("closing the scope discards the buffer and fails suspended submitters", () =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const collector = yield* Collector.make<number>(2).pipe(Scope.extend(scope))
        yield* collector.submit(1)
        yield* collector.submit(2)
        const blocked = yield* Effect.fork(collector.submit(3))
        yield* settle
        yield* assertSuspended(blocked)

        yield* Scope.close(scope, Exit.void)
        yield* assertFiberClosedFailure(blocked)
        assertClosedFailure(yield* Effect.exit(collector.submit(4)))
        deepStrictEqual(yield* collector.all, [])
        deepStrictEqual(Chunk.toReadonlyArray(yield* Stream.runCollect(collector.stream)), [])
        yield* collector.close // still a harmless no-op
      }))

    it.effect("closing the scope ends readers; all returns what it had collected", () =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const collector = yield* Collector.make<number>(10).pipe(Scope.extend(scope))
        const viaAll = yield* Effect.fork(collector.all)
        yield* settle
        yield* collector.submit(1)
        yield* collector.submit(2)
        yield* settle // viaAll takes 1 and 2
        const viaStream = yield* Effect.fork(Stream.runCollect(collector.stream))
        yield* settle
        yield* assertSuspended(viaAll)
        yield* assertSuspended(viaStream)

        yield* Scope.close(scope, Exit.void)
        deepStrictEqual(yield* Fiber.join(viaAll), [1, 2])
        deepStrictEqual(Chunk.toReadonlyArray(yield* Fiber.join(viaStream)), [])
      }))

    it.effect("closing the scope after close discards what readers had not drained", () =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const collector = yield* Collector.make<number>(10).pipe(Scope.extend(scope))
        yield* collector.submit(1)
        yield* collector.close
        yield* Scope.close(scope, Exit.void)
        deepStrictEqual(yield* collector.all, [])
      }))
  })

  describe("make", () => {
    const invalid: ReadonlyArray<readonly [unknown, string]> = [
      [0, "0"],
      [-1, "-1"],
      [1.5, "1.5"],
      [Number.NaN, "NaN"],
      [Number.NEGATIVE_INFINITY, "-Infinity"],
      // from plain JavaScript: quoted, so that it does not read as a valid number
      ["10", "got \"10\""]
    ]
    for (const [capacity, shown] of invalid) {
      it.effect(`capacity ${String(capacity)} dies with IllegalArgumentException naming capacity`, () =>
        Effect.gen(function*() {
          const made = Collector.make<number>(capacity as number) // must not throw at call time
          const exit = yield* Effect.exit(Effect.scoped(made))
          assertTrue(Exit.isFailure(exit), "make should fail")
          const defect = Cause.dieOption(exit.cause)
          assertTrue(Option.isSome(defect), `expected a defect, got ${Cause.pretty(exit.cause)}`)
          assertInstanceOf(defect.value, Cause.IllegalArgumentException)
          assertInclude(defect.value.message, "capacity")
          assertInclude(defect.value.message, shown)
        }))
    }

    it.scoped("capacity 1 is valid", () =>
      Effect.gen(function*() {
        const collector = yield* Collector.make<number>(1)
        yield* collector.submit(7)
        yield* collector.close
        deepStrictEqual(yield* collector.all, [7])
      }))
  })
})

describe("Collector: printing", () => {
  it.scoped("a collector prints as its capacity, size, waiting submitters and whether it is closed", () =>
    Effect.gen(function*() {
      const collector = yield* Collector.make<number>(2)
      yield* collector.submit(1)
      yield* collector.submit(2)
      yield* Effect.fork(collector.submit(3))
      yield* settle
      deepStrictEqual(Inspectable.toJSON(collector), {
        _id: "Collector",
        capacity: 2,
        size: 2,
        waiting: 1,
        closed: false
      })
      yield* collector.close
      strictEqual(
        String(collector),
        JSON.stringify({ _id: "Collector", capacity: 2, size: 2, waiting: 0, closed: true }, null, 2)
      )
      assertTrue(util.inspect(collector).includes("closed: true") && !util.inspect(collector).includes("refill"))
    }))

  it.scoped("an unbounded collector prints its capacity as \"Infinity\", which JSON would turn into null", () =>
    Effect.gen(function*() {
      const collector = yield* Collector.make<number>(Infinity)
      strictEqual((Inspectable.toJSON(collector) as { capacity: unknown }).capacity, "Infinity")
      assertTrue(String(collector).includes(`"capacity": "Infinity"`))
      assertTrue(util.inspect(collector).includes(`capacity: 'Infinity'`))
    }))
})
