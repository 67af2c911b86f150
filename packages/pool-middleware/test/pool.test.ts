import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { FiberPool, Worker } from "@fiberpool/pool"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { pipe } from "effect/Function"
import * as TestClock from "effect/TestClock"
import { Middleware } from "../src/index.js"
import { failureOf } from "./helpers.js"

/** Middleware that record, in one trace, when they run before and after the worker. */
const tracing = () => {
  const log = { trace: "" }
  const mark = (name: string): Worker.Middleware => (next) => (item) =>
    Effect.sync(() => (log.trace += `${name}_before->`)).pipe(
      Effect.zipRight(next(item)),
      Effect.tap(() => Effect.sync(() => (log.trace += `${name}_after->`)))
    )
  return { log, mark }
}

describe("middleware in a pool", () => {
  it.scoped("order: the first element of `middleware` is the outermost", () =>
    Effect.gen(function*() {
      const { log, mark } = tracing()
      const pool = yield* FiberPool.make({
        workers: 1,
        worker: (_: string) => Effect.sync(() => (log.trace += "worker->")),
        middleware: [mark("m1"), mark("m2"), mark("m3")]
      })
      yield* pool.submit("a")
      yield* pool.close
      strictEqual(log.trace, "m1_before->m2_before->m3_before->worker->m3_after->m2_after->m1_after->")
    }))

  it.effect("pipe(worker, m3, m2, m1) gives the same order", () =>
    Effect.gen(function*() {
      const { log, mark } = tracing()
      const worker = Worker.make((_: string) => Effect.sync(() => (log.trace += "worker->")))
      const wrapped = pipe(worker, mark("m3"), mark("m2"), mark("m1"))
      yield* wrapped("a")
      strictEqual(log.trace, "m1_before->m2_before->m3_before->worker->m3_after->m2_after->m1_after->")
    }))

  it.effect("a middleware factory put in the list without calling it (from JavaScript): the defect says so", () =>
    Effect.gen(function*() {
      // TypeScript rejects `[Middleware.recover]`; JavaScript calls recover(next), a middleware,
      // whose (item) is a worker function, not an Effect
      for (const factory of [Middleware.recover, Middleware.retry, Middleware.timeout] as ReadonlyArray<any>) {
        const exit = yield* Effect.exit(
          FiberPool.run([1], { workers: 1, worker: () => Effect.void, middleware: [factory] })
        )
        assertTrue(
          Exit.isFailure(exit) && Cause.pretty(exit.cause).includes("a middleware factory in `middleware` not called"),
          Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "success"
        )
      }
      // without middleware, a worker that returns a function gets no such hint
      const bare = yield* Effect.exit(FiberPool.run([1], { workers: 1, worker: (() => () => {}) as any }))
      assertTrue(
        Exit.isFailure(bare) && Cause.pretty(bare.cause).includes("A worker must return an Effect, got function") &&
          !Cause.pretty(bare.cause).includes("middleware"),
        Exit.isFailure(bare) ? Cause.pretty(bare.cause) : "success"
      )
    }))

  it.scoped("all workers of a pool share one rate-limit bucket", () =>
    Effect.gen(function*() {
      const starts: Array<readonly [number, number]> = []
      const pool = yield* FiberPool.make({
        workers: 4,
        batchSize: 1,
        worker: (_: number) =>
          Effect.flatMap(Worker.WorkerId, (id) =>
            Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => void starts.push([id, t])))),
        middleware: [Middleware.rateLimit({ rate: 2 })]
      })
      yield* pool.submitAll([1, 2, 3, 4])
      const closing = yield* Effect.fork(pool.close)
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(closing)
      deepStrictEqual(
        starts.map(([, t]) =>
          t
        ),
        [0, 500, 1000, 1500]
      )
      // the items really ran on different workers
      assertTrue(new Set(starts.map(([id]) => id)).size > 1, `one worker only: ${JSON.stringify(starts)}`)
    }))

  it.scoped("two pools sharing one rateLimit value have separate buckets", () =>
    Effect.gen(function*() {
      const limit = Middleware.rateLimit({ rate: 1 })
      const starts: Array<readonly [string, number]> = []
      const worker = (item: string) =>
        Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => void starts.push([item, t])))
      const first = yield* FiberPool.make({ workers: 1, worker, middleware: [limit] })
      const second = yield* FiberPool.make({ workers: 1, worker, middleware: [limit] })
      yield* first.submitAll(["a1", "a2"])
      yield* second.submitAll(["b1", "b2"])
      const closing = yield* Effect.fork(Effect.zip(first.close, second.close, { concurrent: true }))
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(closing)
      deepStrictEqual(Object.fromEntries(starts), { a1: 0, a2: 1000, b1: 0, b2: 1000 })
    }))

  it.scoped("retry keeps the error's type: close fails with the worker's last error", () =>
    Effect.gen(function*() {
      class Flaky {
        readonly _tag = "Flaky"
      }
      let calls = 0
      const pool = yield* FiberPool.make({
        workers: 1,
        worker: (_: string) => Effect.suspend(() => (calls++, Effect.fail(new Flaky()))),
        middleware: [Middleware.retry({ attempts: 3, baseDelay: "100 millis", jitter: 0 })]
      })
      yield* pool.submit("a")
      const closing = yield* Effect.fork(Effect.exit(pool.close))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.join(closing)
      assertTrue(failureOf(exit) instanceof Flaky)
      strictEqual(calls, 3)
    }))

  it.scoped("timeout interrupts a stuck item; with continueOnError the pool goes on", () =>
    Effect.gen(function*() {
      const done: Array<number> = []
      const pool = yield* FiberPool.make({
        workers: 1,
        batchSize: 1,
        continueOnError: true,
        worker: (n: number) => (n === 2 ? Effect.never : Effect.sync(() => void done.push(n))),
        middleware: [Middleware.timeout("1 second")]
      })
      yield* pool.submitAll([1, 2, 3])
      const closing = yield* Effect.fork(Effect.exit(pool.close))
      yield* TestClock.adjust("2 seconds")
      const exit = yield* Fiber.join(closing)
      strictEqual(failureOf(exit)._tag, "TimeoutException")
      deepStrictEqual(done, [1, 3])
      const stats = yield* pool.stats
      strictEqual(stats.processed, 2)
      strictEqual(stats.errors, 1)
    }))

  it.scoped("recover turns a defect into an error the pool can continue past", () =>
    Effect.gen(function*() {
      const done: Array<number> = []
      const pool = yield* FiberPool.make({
        workers: 1,
        continueOnError: true,
        worker: (n: number) =>
          n === 4
            // a child dies and its sibling is interrupted: a defect beside interruption
            ? Effect.all([Effect.die(new Error("child died")), Effect.never], { concurrency: 2, discard: true })
            : Effect.sync(() => {
              if (n === 2) throw new Error("boom")
              done.push(n)
            }),
        middleware: [Middleware.recover()]
      })
      yield* pool.submitAll([1, 2, 3, 4, 5])
      const exit = yield* Effect.exit(pool.close)
      const error = failureOf(exit)
      strictEqual(error._tag, "WorkerDefect")
      deepStrictEqual(done, [1, 3, 5])
      strictEqual((yield* pool.stats).errors, 2)
    }))

  it.scoped("validate: rejected items never reach the worker and are counted as errors", () =>
    Effect.gen(function*() {
      const done: Array<number> = []
      const pool = yield* FiberPool.make({
        workers: 2,
        continueOnError: true,
        worker: (n: number) => Effect.sync(() => void done.push(n)),
        middleware: [Middleware.validate((n: number) => n >= 0)]
      })
      yield* pool.submitAll([1, -1, 2, -2])
      const exit = yield* Effect.exit(pool.close)
      assertTrue(Exit.isFailure(exit))
      strictEqual(failureOf(exit)._tag, "ValidationError")
      deepStrictEqual([...done].sort(), [1, 2])
      strictEqual((yield* pool.stats).errors, 2)
    }))

  it.scoped("recover inside retry: a defect becomes a WorkerDefect failure, and that is retried", () =>
    Effect.gen(function*() {
      let tries = 0
      const pool = yield* FiberPool.make({
        workers: 1,
        worker: (_: number) =>
          Effect.suspend(() => ++tries < 3 ? Effect.die(new Error("flaky")) : Effect.succeed("ok")),
        middleware: [Middleware.retry({ attempts: 3, baseDelay: "10 millis", jitter: 0 }), Middleware.recover()]
      })
      const call = yield* Effect.fork(pool.execute(1))
      yield* TestClock.adjust("1 second")
      strictEqual(yield* Fiber.join(call), "ok")
      strictEqual(tries, 3)
    }))

  it.scoped("retry and recover first in the list (run from the pool's failure path) behave as when wrapped per item", () =>
    Effect.gen(function*() {
      class Boom {
        readonly _tag = "Boom"
        constructor(readonly n: number) {}
      }
      // per item, by n % 6: succeeds; fails once; always fails; dies; dies once; fails, then dies
      const makeWorker = (attempts: Map<number, number>) => (n: number) =>
        Effect.suspend(() => {
          const a = (attempts.get(n) ?? 0) + 1
          attempts.set(n, a)
          switch (n % 6) {
            case 0:
              return Effect.succeed(n * 10)
            case 1:
              return a === 1 ? Effect.fail(new Boom(n)) : Effect.succeed(n * 10)
            case 2:
              return Effect.fail(new Boom(n))
            case 3:
              return Effect.die(new Error(`die ${n}`))
            case 4:
              return a === 1 ? Effect.die(new Error(`die ${n}`)) : Effect.succeed(n * 10)
            default:
              return a === 1 ? Effect.fail(new Boom(n)) : Effect.die(new Error(`die ${n}`))
          }
        })
      const stack = () => [
        Middleware.recover(),
        Middleware.retry({ attempts: 3, baseDelay: "10 millis", jitter: 0 }),
        Middleware.validate((n: number) => n >= 0)
      ]
      const outcome = (exit: Exit.Exit<unknown, unknown>): string =>
        Exit.match(exit, {
          onSuccess: (value) => `ok ${String(value)}`,
          onFailure: (cause) => {
            const error = failureOf(Exit.failCause(cause)) as { readonly _tag: string }
            return `fail ${error._tag}`
          }
        })
      const items = Array.from({ length: 26 }, (_, i) => i - 2)
      const runPool = (leading: ReadonlyArray<Worker.Middleware>) =>
        Effect.gen(function*() {
          const attempts = new Map<number, number>()
          const pool = yield* FiberPool.make({
            workers: 3,
            continueOnError: true,
            worker: makeWorker(attempts),
            middleware: [...leading, ...stack()]
          })
          const running = yield* Effect.fork(
            Effect.forEach(items, (n) => Effect.exit(pool.execute(n)), { concurrency: "unbounded" })
          )
          yield* TestClock.adjust("1 second")
          const exits = yield* Fiber.join(running)
          yield* Effect.exit(pool.close)
          const stats = yield* pool.stats
          return { outcomes: exits.map(outcome), attempts: [...attempts].sort(([a], [b]) => a - b), stats }
        })
      const fused = yield* runPool([])
      // an ordinary middleware in front: the same stack wraps every item
      const wrapped = yield* runPool([(next) => next])
      const direct = yield* Effect.gen(function*() {
        const attempts = new Map<number, number>()
        const worker = pipe(makeWorker(attempts), ...([...stack()].reverse() as [Worker.Middleware]))
        const running = yield* Effect.fork(Effect.forEach(items, (n) => Effect.exit(worker(n))))
        yield* TestClock.adjust("1 second")
        const exits = yield* Fiber.join(running)
        return { outcomes: exits.map(outcome), attempts: [...attempts].sort(([a], [b]) => a - b) }
      })
      deepStrictEqual(fused.outcomes, wrapped.outcomes)
      deepStrictEqual(fused.outcomes, direct.outcomes)
      deepStrictEqual(fused.attempts, wrapped.attempts)
      deepStrictEqual(fused.attempts, direct.attempts)
      // spot checks of what the stack does
      deepStrictEqual(fused.outcomes.slice(0, 8), [
        "fail ValidationError",
        "fail ValidationError",
        "ok 0",
        "ok 10",
        "fail Boom",
        "fail WorkerDefect",
        "fail WorkerDefect",
        "fail WorkerDefect"
      ])
      strictEqual(fused.stats.processed + fused.stats.errors, items.length)
      const counts = (s: typeof fused.stats) => [s.submitted, s.processed, s.errors, s.dropped]
      deepStrictEqual(counts(fused.stats), counts(wrapped.stats))
    }))
})
