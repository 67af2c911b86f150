import { describe, it } from "@effect/vitest"
import { assertInclude, assertInstanceOf, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { Middleware } from "../src/index.js"
import { assertIllegalArgument, assertInterrupted, defectOf, failureOf, revoked, throwingProxy } from "./helpers.js"

describe("Middleware.recover", () => {
  it.effect("a thrown Error inside the effect becomes a WorkerDefect", () =>
    Effect.gen(function*() {
      const boom = new Error("boom")
      const worker = (_: string) =>
        Effect.sync(() => {
          throw boom
        })
      const error = failureOf(yield* Effect.exit(Middleware.recover()(worker)("a")))
      assertInstanceOf(error, Middleware.WorkerDefect)
      strictEqual(error._tag, "WorkerDefect")
      strictEqual(error.defect, boom)
      strictEqual(error.item, "a")
      assertInclude(error.message, "boom")
    }))

  it.effect("a worker function that throws a string before returning an effect", () =>
    Effect.gen(function*() {
      const worker = (_: string): Effect.Effect<void> => {
        throw "bad input"
      }
      const error = failureOf(yield* Effect.exit(Middleware.recover()(worker)("a")))
      strictEqual(error._tag, "WorkerDefect")
      strictEqual(error.defect, "bad input")
      assertInclude(error.message, "bad input")
    }))

  it.effect("Effect.die(42): onDefect sees the defect and the item", () =>
    Effect.gen(function*() {
      const seen: Array<readonly [unknown, number]> = []
      const worker = (_: number) => Effect.die(42)
      const recovered = Middleware.recover((defect, item: number) => {
        seen.push([defect, item])
      })(worker)
      const error = failureOf(yield* Effect.exit(recovered(7)))
      strictEqual(error.defect, 42)
      strictEqual(error.item, 7)
      assertInclude(error.message, "42")
      deepStrictEqual(seen, [[42, 7]])
    }))

  it.effect("onDefect may return an effect, run before the failure", () =>
    Effect.gen(function*() {
      const log: Array<string> = []
      const worker = (_: string) => Effect.die(new Error("kaput"))
      const recovered = Middleware.recover((defect) =>
        Effect.sleep("10 millis").pipe(
          Effect.zipRight(Effect.sync(() => log.push(`handled ${(defect as Error).message}`)))
        )
      )(worker)
      const fiber = yield* Effect.fork(Effect.exit(recovered("a")))
      yield* TestClock.adjust(10)
      const error = failureOf(yield* Fiber.join(fiber))
      strictEqual(error._tag, "WorkerDefect")
      deepStrictEqual(log, ["handled kaput"])
    }))

  it.effect("failures pass through unchanged, and onDefect is not called", () =>
    Effect.gen(function*() {
      let called = false
      const worker = (_: string) => Effect.fail("typed" as const)
      const exit = yield* Effect.exit(Middleware.recover(() => void (called = true))(worker)("a"))
      strictEqual(failureOf(exit), "typed")
      assertTrue(!called)
    }))

  it.effect("success passes through", () =>
    Effect.gen(function*() {
      let ran = false
      const exit = yield* Effect.exit(Middleware.recover()((_: string) => Effect.sync(() => (ran = true)))("a"))
      assertTrue(Exit.isSuccess(exit))
      assertTrue(ran)
    }))

  it.effect("interruption inside the worker passes through", () =>
    Effect.gen(function*() {
      let called = false
      const worker = (_: string) => Effect.interrupt
      const fiber = yield* Effect.fork(Middleware.recover(() => void (called = true))(worker)("a"))
      assertInterrupted(yield* Fiber.await(fiber))
      assertTrue(!called)
    }))

  it.effect("interrupting the item passes through", () =>
    Effect.gen(function*() {
      let called = false
      const fiber = yield* Effect.fork(Middleware.recover(() => void (called = true))((_: string) => Effect.never)("a"))
      yield* TestClock.adjust(0)
      yield* Fiber.interrupt(fiber)
      assertInterrupted(yield* Fiber.await(fiber))
      assertTrue(!called)
    }))

  it.effect("a defect beside interruption (a finalizer that dies) is recovered, as Effect.catchAllDefect finds it", () =>
    Effect.gen(function*() {
      const seen: Array<unknown> = []
      // the worker interrupts itself, and a finalizer dies on the way out
      const worker = (_: string) => Effect.interrupt.pipe(Effect.ensuring(Effect.die("finalizer died")))
      strictEqual(yield* Effect.catchAllDefect(worker("a"), (d) => Effect.succeed(d)), "finalizer died")
      const exit = yield* Effect.exit(Middleware.recover((d) => void seen.push(d))(worker)("a"))
      deepStrictEqual(exit, Exit.fail(new Middleware.WorkerDefect({ defect: "finalizer died", item: "a" })))
      deepStrictEqual(seen, ["finalizer died"])
    }))

  it.effect("a child of Effect.all that dies while its sibling is interrupted: recovered", () =>
    Effect.gen(function*() {
      const boom = new Error("child died")
      const worker = (_: string) => Effect.all([Effect.die(boom), Effect.never], { concurrency: 2, discard: true })
      const exit = yield* Effect.exit(Middleware.recover()(worker)("a"))
      deepStrictEqual(exit, Exit.fail(new Middleware.WorkerDefect({ defect: boom, item: "a" })))
    }))

  it.effect("interrupting the item while a finalizer dies: still interrupted", () =>
    Effect.gen(function*() {
      const worker = (_: string) => Effect.never.pipe(Effect.ensuring(Effect.die("finalizer died")))
      const fiber = yield* Effect.fork(Middleware.recover()(worker)("a"))
      yield* TestClock.adjust(0)
      yield* Fiber.interrupt(fiber)
      const exit = yield* Fiber.await(fiber)
      assertTrue(Exit.isFailure(exit) && Cause.isInterrupted(exit.cause))
    }))

  it.effect("a handler that throws is a defect", () =>
    Effect.gen(function*() {
      const recovered = Middleware.recover(() => {
        throw new Error("handler bug")
      })((_: string) => Effect.die("original"))
      const defect = defectOf(yield* Effect.exit(recovered("a")))
      assertInstanceOf(defect, Error)
      strictEqual(defect.message, "handler bug")
    }))

  it.effect("an async handler that rejects: the item fails with its WorkerDefect, and the rejection is not left unhandled (it ends the process)", () =>
    Effect.gen(function*() {
      let unhandled = 0
      const onUnhandled = () => void unhandled++
      process.on("unhandledRejection", onUnhandled)
      try {
        // from JavaScript (the types take an Effect or nothing): a promise is not awaited
        const onDefect = (async () => {
          throw new Error("async handler rejected")
        }) as unknown as () => void
        const recovered = Middleware.recover(onDefect)((_: string) => Effect.die("original"))
        const error = failureOf(yield* Effect.exit(recovered("a")))
        strictEqual(error._tag, "WorkerDefect")
        strictEqual(error.defect, "original")
        // one turn of the event loop: Node reports an unhandled rejection once the microtasks ran
        yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      } finally {
        process.off("unhandledRejection", onUnhandled)
      }
      strictEqual(unhandled, 0)
    }))

  it.effect("a handler that is no function dies with IllegalArgumentException, never at call time, even one that cannot be shown (a Proxy)", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        ["log", `got "log"`],
        // null is not "no handler" (undefined is): rejected, as FiberPool.make rejects null options
        [null, "got null"],
        [throwingProxy(new Error("boom")), "got an object (that cannot be shown)"],
        [revoked(), "got an object (that cannot be shown)"]
      ]
      for (const [onDefect, shown] of cases) {
        const recovered = Middleware.recover(onDefect as () => void)((_: string) => Effect.die("original")) // does not throw
        assertIllegalArgument(yield* Effect.exit(recovered("a")), "onDefect", shown)
      }
    }))

  it("message shows Error messages, strings and values", () => {
    assertInclude(
      new Middleware.WorkerDefect({ defect: new TypeError("x is undefined"), item: 1 }).message,
      "x is undefined"
    )
    assertInclude(new Middleware.WorkerDefect({ defect: { code: 7 }, item: 1 }).message, `{"code":7}`)
    assertInclude(new Middleware.WorkerDefect({ defect: undefined, item: 1 }).message, "undefined")
  })

  it("message: the item as JSON (a string quoted, a bigint with its n), an Error without a message by its name", () => {
    strictEqual(
      new Middleware.WorkerDefect({ defect: new RangeError(""), item: "a" }).message,
      `worker died on item "a": RangeError (a defect, turned into a WorkerDefect failure by Middleware.recover)`
    )
    assertInclude(new Middleware.WorkerDefect({ defect: "x", item: 7n }).message, "worker died on item 7n: x (")
    assertInclude(new Middleware.WorkerDefect({ defect: "x", item: "7" }).message, `worker died on item "7": x (`)
  })

  it("message: an item or a defect shown as JSON longer than 200 characters is cut to 197 and an ellipsis", () => {
    // {"s":"…"} is 8 characters besides the string
    const at200 = { s: "y".repeat(192) }
    assertInclude(
      new Middleware.WorkerDefect({ defect: at200, item: 1 }).message,
      `: ${JSON.stringify(at200)} (a defect`
    )
    const message = new Middleware.WorkerDefect({ defect: { s: "x".repeat(193) }, item: "z".repeat(300) }).message
    assertInclude(message, `: {"s":"${"x".repeat(191)}... (a defect`)
    assertInclude(message, `item "${"z".repeat(196)}...: `)
  })

  it("message: a long string defect or Error message is cut too, and a large object is named by its size, not written", () => {
    const long = new Middleware.WorkerDefect({ defect: "d".repeat(1_000_000), item: 1 }).message
    assertInclude(long, `item 1: ${"d".repeat(197)}... (a defect`)
    const error = new Middleware.WorkerDefect({ defect: new Error("e".repeat(1_000_000)), item: 1 }).message
    assertInclude(error, `item 1: ${"e".repeat(197)}... (a defect`)
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ id: i }))
    const large = new Middleware.WorkerDefect({ defect: { rows }, item: rows }).message
    strictEqual(
      large,
      "worker died on item [an array of 100000 items, too large to show]: {an object too large to show} (a defect, " +
        "turned into a WorkerDefect failure by Middleware.recover)"
    )
    // up to the limit (1,000 values, the array itself not counted), still written (then cut)
    assertInclude(
      new Middleware.WorkerDefect({ defect: null, item: Array.from({ length: 1000 }, () => 0) }).message,
      `item [${"0,".repeat(98)}...: null`
    )
  })

  it("message shows objects JSON cannot: bigints, cycles (a shared object is no cycle)", () => {
    const cyclic: Record<string, unknown> = { id: 1 }
    cyclic["self"] = cyclic
    const shared = { n: 1 }
    const message = new Middleware.WorkerDefect({ defect: { code: 7n, shared, again: shared }, item: cyclic }).message
    assertInclude(message, `item {"id":1,"self":"[Circular]"}`)
    assertInclude(message, `{"code":"7n","shared":{"n":1},"again":{"n":1}}`)
  })
})
