import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import type { Worker } from "@fiberpool/pool"
import { FiberPool } from "@fiberpool/pool"
import type { Stats } from "@fiberpool/pool-metrics"
import { Middleware } from "@fiberpool/pool-middleware"
import type { Tracer } from "effect"
import {
  Cause,
  Chunk,
  Context,
  Deferred,
  Duration,
  Effect,
  Exit,
  Fiber,
  Option,
  Ref,
  Schedule,
  Scope,
  Stream,
  TestClock
} from "effect"
import {
  assertAccounting,
  batchOfThreeSpans,
  Boom,
  exposeGc,
  macrotask,
  range,
  settle,
  withLogs,
  workerOfKey
} from "./helpers.js"

describe("execute", () => {
  it.scoped("returns the worker's result for that item", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({ workers: 3, worker: (n: number) => Effect.succeed(n * 2) })
      const results = yield* Effect.forEach(range(20), pool.execute, { concurrency: "unbounded" })
      deepStrictEqual(results, range(20).map((n) => n * 2))
      yield* pool.close
      strictEqual((yield* pool.stats).processed, 20)
    }))

  it.scoped("fails with the item's own failure; continue mode goes on", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        workers: 2,
        continueOnError: true,
        worker: (n: number) => n === 3 ? Effect.fail(new Boom({ item: n })) : Effect.succeed(n)
      })
      const exit = yield* Effect.exit(pool.execute(3))
      deepStrictEqual(exit, Exit.fail(new Boom({ item: 3 })))
      strictEqual(yield* pool.execute(4), 4)
      deepStrictEqual(yield* Effect.exit(pool.close), Exit.fail(new Boom({ item: 3 })))
    }))

  it.scoped("dies with the item's defect", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({ workers: 1, worker: (_: number) => Effect.die("kaput") })
      const exit = yield* Effect.exit(pool.execute(1))
      deepStrictEqual(exit, Exit.die("kaput"))
    }))

  it.scoped("a dropped item fails with PoolClosedError; a failure in fail-fast mode stops the pool", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        workers: 1,
        batchSize: 1,
        workerQueueSize: 4,
        worker: (n: number) =>
          n === 0 ? Effect.sleep("1 second").pipe(Effect.zipRight(Effect.fail(new Boom({ item: 0 })))) : Effect.void
      })
      const first = yield* Effect.fork(pool.execute(0))
      const queued = yield* Effect.fork(pool.execute(1))
      yield* settle
      yield* TestClock.adjust("1 second")
      deepStrictEqual(yield* Fiber.await(first), Exit.fail(new Boom({ item: 0 })))
      const error = yield* Effect.flip(Fiber.join(queued))
      assertTrue(error instanceof FiberPool.PoolClosedError)
      strictEqual((error as FiberPool.PoolClosedError).reason, "failed")
      const stats = yield* pool.stats
      strictEqual(stats.dropped, 1)
      strictEqual(stats.errors, 1)
    }))

  it.scoped("interrupting the caller after the item was accepted does not cancel the item", () =>
    Effect.gen(function*() {
      const done = yield* Ref.make(false)
      const pool = yield* FiberPool.make({
        workers: 1,
        worker: (_: number) => Effect.sleep("1 second").pipe(Effect.zipRight(Ref.set(done, true)))
      })
      const caller = yield* Effect.fork(pool.execute(1))
      yield* settle
      yield* Fiber.interrupt(caller)
      yield* TestClock.adjust("1 second")
      yield* pool.close
      strictEqual(yield* Ref.get(done), true)
      strictEqual((yield* pool.stats).processed, 1)
    }))
})

describe("a long-lived pool", () => {
  const gc = exposeGc()

  // for each way to run an item: the items it ran, once the pool is idle, are garbage (a pool that
  // runs for days with large payloads must not hold the last one of each worker)
  const ways = [
    {
      title: "submit",
      options: {},
      run: (pool: FiberPool.FiberPool<object, unknown>, items: Array<object>) => pool.submitAll(items)
    },
    {
      title: "execute",
      options: {},
      run: (pool: FiberPool.FiberPool<object, unknown>, items: Array<object>) =>
        Effect.forEach(items, pool.execute, { concurrency: "unbounded", discard: true })
    },
    {
      title: "submit, catchCause middleware",
      options: { middleware: [Middleware.recover()] },
      run: (pool: FiberPool.FiberPool<object, unknown>, items: Array<object>) => pool.submitAll(items)
    }
  ]
  for (const { options, run, title } of ways) {
    it.live(`an idle worker holds no item it ran (${title})`, () =>
      Effect.scoped(Effect.gen(function*() {
        const refs: Array<WeakRef<object>> = []
        const item = () => {
          const o = { payload: refs.length }
          refs.push(new WeakRef(o))
          return o
        }
        const pool = yield* FiberPool.make({ workers: 2, batchSize: 1, worker: (_: object) => Effect.void, ...options })
        yield* run(pool, [item(), item(), item()])
        while ((yield* pool.stats).processed < 3) yield* macrotask
        // a WeakRef keeps its target until the end of the job that made or read it
        yield* macrotask
        gc()
        deepStrictEqual(refs.map((ref) => ref.deref() === undefined), [true, true, true])
      })))
  }

  it.scoped("live stats count the idle or paused stretch a worker is in (regression: added only when it ended)", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        workers: 2,
        batchSize: 1,
        worker: (_: number) => Effect.sleep("1 second")
      })
      yield* pool.submitAll([1, 2])
      yield* TestClock.adjust("5 seconds")
      // both workers ran 1 s and have been idle for 4 s
      const idle = yield* pool.stats
      deepStrictEqual(
        { proc: Duration.toMillis(idle.processingTime), wait: Duration.toMillis(idle.waitTime) },
        { proc: 1000, wait: 8000 }
      )
      yield* pool.pause
      yield* pool.submitAll([3, 4])
      yield* TestClock.adjust("3 seconds")
      // one worker, woken by the submits, has waited 3 s for the resume; the other was not woken
      // (the first passes its wake on when it takes a batch) and has been idle for 7 s
      const paused = yield* pool.stats
      deepStrictEqual(
        { wait: Duration.toMillis(paused.waitTime), paused: Duration.toMillis(paused.pausedTime) },
        { wait: 11000, paused: 3000 }
      )
      yield* pool.resume
      const closing = yield* Effect.fork(pool.close)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(closing)
      // the records at the end agree with what the live stats showed
      const end = yield* pool.stats
      deepStrictEqual(
        {
          processed: end.processed,
          proc: Duration.toMillis(end.processingTime),
          wait: Duration.toMillis(end.waitTime),
          paused: Duration.toMillis(end.pausedTime)
        },
        { processed: 4, proc: 2000, wait: 11000, paused: 3000 }
      )
    }))
})

describe("live stats on the live clock", () => {
  it.live("a worker parked for the event loop before a take still counts its idle stretch (regression)", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ workers: 1, batchSize: 1, worker: (_: number) => Effect.void })
      yield* pool.submit(1)
      // idle for 30 ms: more than the 10 ms after which a take parks once for the event loop
      yield* Effect.sleep("30 millis")
      const idle = Duration.toMillis((yield* pool.stats).waitTime)
      assertTrue(idle >= 25, `idle wait ${idle} ms`)
      yield* pool.submit(2)
      // the woken worker runs up to its park (a setImmediate), and this fiber reads while it is parked
      yield* Effect.yieldNow()
      yield* Effect.yieldNow()
      const parked = Duration.toMillis((yield* pool.stats).waitTime)
      assertTrue(parked >= idle, `wait time went backwards: ${idle} → ${parked} ms`)
      yield* pool.close
      strictEqual((yield* pool.stats).processed, 2)
    })))
})

describe("trySubmit", () => {
  it.scoped("returns false without suspending when the queue is full", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const pool = yield* FiberPool.make({ workers: 1, batchSize: 1, worker: (_: number) => Deferred.await(gate) })
      const accepted: Array<boolean> = []
      for (const n of range(5)) {
        accepted.push(yield* pool.trySubmit(n))
        yield* settle
      }
      // one in flight, one queued; then full
      deepStrictEqual(accepted, [true, true, false, false, false])
      yield* Deferred.succeed(gate, void 0)
      yield* pool.close
      const stats = yield* pool.stats
      strictEqual(stats.submitted, 2)
      strictEqual(stats.processed, 2)
      const late = yield* Effect.flip(pool.trySubmit(9))
      strictEqual(late.reason, "closed")
    }))
})

describe("pause / resume", () => {
  it.scoped("workers finish their current item and wait; submit keeps back-pressure; paused time is apart", () =>
    Effect.gen(function*() {
      const done = yield* Ref.make<Array<number>>([])
      const pool = yield* FiberPool.make({
        workers: 1,
        batchSize: 1,
        workerQueueSize: 2,
        worker: (n: number) => Effect.sleep("1 second").pipe(Effect.zipRight(Ref.update(done, (a) => [...a, n])))
      })
      yield* pool.submitAll([1, 2, 3])
      yield* settle
      yield* pool.pause
      yield* TestClock.adjust("1 second") // item 1 finishes
      yield* TestClock.adjust("10 seconds") // nothing else runs while paused
      deepStrictEqual(yield* Ref.get(done), [1])
      const blocked = yield* Effect.fork(pool.submit(4))
      const blocked2 = yield* Effect.fork(pool.submit(5))
      yield* settle
      assertTrue(Option.isNone(yield* Fiber.poll(blocked2)), "submit keeps its back-pressure while paused")
      yield* pool.resume
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(blocked)
      yield* Fiber.join(blocked2)
      yield* pool.close
      deepStrictEqual(yield* Ref.get(done), [1, 2, 3, 4, 5])
      const stats = yield* pool.stats
      strictEqual(Duration.toMillis(stats.pausedTime), 10_000)
      strictEqual(Duration.toMillis(stats.processingTime), 5_000)
    }))

  it.scoped("close on a paused pool ends input and waits for resume; it does not resume", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        workers: 1,
        batchSize: 1,
        workerQueueSize: 2,
        worker: (_: number) => Effect.sleep("1 second")
      })
      yield* pool.pause
      yield* pool.submitAll([1, 2])
      const closing = yield* Effect.fork(pool.close)
      yield* TestClock.adjust("1 hour")
      deepStrictEqual(yield* Fiber.poll(closing), Option.none())
      strictEqual((yield* pool.stats).processed, 0)
      strictEqual((yield* Effect.flip(pool.submit(3))).reason, "closed")
      yield* pool.resume
      yield* TestClock.adjust("2 seconds")
      deepStrictEqual(yield* Fiber.poll(closing), Option.some(Exit.void))
      strictEqual((yield* pool.stats).processed, 2)
    }))
})

describe("the item loop across batches", () => {
  it.scoped("a pause in the middle of a batch: the running item finishes, its batch and the queued ones wait", () =>
    Effect.gen(function*() {
      const done = yield* Ref.make<Array<number>>([])
      const pool = yield* FiberPool.make({
        workers: 1,
        batchSize: 4,
        workerQueueSize: 2,
        worker: (n: number) => Effect.sleep("1 second").pipe(Effect.zipRight(Ref.update(done, (a) => [...a, n])))
      })
      yield* pool.submitAll(range(8))
      yield* settle
      yield* TestClock.adjust("1500 millis") // item 0 done, item 1 running
      yield* pool.pause
      yield* TestClock.adjust("500 millis") // item 1 finishes
      yield* TestClock.adjust("10 seconds") // the rest of batch 1 and all of batch 2 wait
      deepStrictEqual(yield* Ref.get(done), [0, 1])
      yield* pool.resume
      yield* TestClock.adjust("6 seconds")
      yield* pool.close
      deepStrictEqual(yield* Ref.get(done), range(8))
      const stats = yield* pool.stats
      strictEqual(stats.processed, 8)
      strictEqual(Duration.toMillis(stats.pausedTime), 10_000)
      strictEqual(Duration.toMillis(stats.processingTime), 8_000)
    }))

  /** One worker, batches of 7, three queued, continuing on errors; `seen`: the items it ran, in order. */
  const recording = (outcome: (n: number) => Effect.Effect<void, Boom>) =>
    Effect.gen(function*() {
      const seen: Array<number> = []
      const pool = yield* FiberPool.make({
        workers: 1,
        batchSize: 7,
        workerQueueSize: 3,
        continueOnError: true,
        worker: (n: number) =>
          Effect.suspend(() => {
            seen.push(n)
            return outcome(n)
          })
      })
      return { pool, seen }
    })

  it.scoped("a defect in the middle of a batch stops the pool there: the rest of the batch and the queue are dropped", () =>
    Effect.gen(function*() {
      const { pool, seen } = yield* recording((n) =>
        n % 13 === 0 ? Effect.fail(new Boom({ item: n })) : n === 29 ? Effect.die("bug") : Effect.void
      )
      const submitting = yield* Effect.fork(pool.submitAll(range(1_000)))
      const outcome = yield* Effect.exit(pool.wait)
      // the first failure is the outcome; the defect is what stopped the pool
      deepStrictEqual(outcome, Exit.fail(new Boom({ item: 0 })))
      strictEqual((yield* Effect.flip(Fiber.join(submitting))).reason, "failed")
      deepStrictEqual(seen, range(30))
      const stats = yield* pool.stats
      strictEqual(stats.processed, 26) // 1..28 but 13 and 26
      strictEqual(stats.errors, 4) // 0, 13, 26, and the defect of 29
      assertTrue(stats.dropped > 0, "the rest of item 29's batch and the queued batches are dropped")
      assertAccounting(stats)
    }))

  it.scoped("with continueOnError, typed failures between successes across batch boundaries are all counted", () =>
    Effect.gen(function*() {
      const { pool, seen } = yield* recording((n) => n % 13 === 0 ? Effect.fail(new Boom({ item: n })) : Effect.void)
      yield* pool.submitAll(range(1_000))
      yield* pool.close.pipe(Effect.ignore)
      deepStrictEqual(seen, range(1_000))
      const stats = yield* pool.stats
      strictEqual(stats.submitted, 1_000)
      strictEqual(stats.errors, 77) // 0, 13, ..., 988
      strictEqual(stats.processed, 923)
      strictEqual(stats.dropped, 0)
    }))
})

describe("gracefulShutdown", () => {
  /** A pool of one worker whose items take a second each, in a scope of its own, its logs kept. */
  const secondItems = (gracefulShutdown: Duration.DurationInput) =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const { logs, value: pool } = yield* withLogs(FiberPool.make({
        workers: 1,
        batchSize: 1,
        workerQueueSize: 4,
        gracefulShutdown,
        worker: (_: number) => Effect.sleep("1 second")
      })).pipe(Scope.extend(scope))
      return { logs, pool, scope } as const
    })

  it.effect("when the scope closes, queued items complete within the grace period; the pool ends as after close", () =>
    Effect.gen(function*() {
      const done = yield* Ref.make(0)
      const completed: Array<string> = []
      const scope = yield* Scope.make()
      const { logs, value: pool } = yield* withLogs(FiberPool.make({
        workers: 2,
        batchSize: 1,
        workerQueueSize: 4,
        gracefulShutdown: "10 seconds",
        worker: (_: number) => Effect.sleep("1 second").pipe(Effect.zipRight(Ref.update(done, (n) => n + 1))),
        onWorkerComplete: (id) => Effect.sync(() => void completed.push(`worker ${id}`)),
        onPoolComplete: Effect.sync(() => void completed.push("pool"))
      })).pipe(Scope.extend(scope))
      yield* pool.submitAll(range(6))
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* TestClock.adjust("3 seconds")
      yield* Fiber.join(closing)
      deepStrictEqual(logs, [])
      strictEqual(yield* Ref.get(done), 6)
      const stats = yield* pool.stats
      strictEqual(stats.processed, 6)
      strictEqual(stats.dropped, 0)
      // nothing was interrupted: the callbacks ran, and wait succeeds
      deepStrictEqual([...completed].sort(), ["pool", "worker 0", "worker 1"])
      deepStrictEqual(yield* Effect.exit(pool.wait), Exit.void)
      // input ended at shutdown
      strictEqual((yield* Effect.flip(pool.submit(1))).reason, "closed")
    }))

  it.effect("a paused pool is resumed by the scope's close: its queued items drain within the grace period", () =>
    Effect.gen(function*() {
      const { logs, pool, scope } = yield* secondItems("10 seconds")
      yield* pool.pause
      yield* pool.submitAll(range(3))
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* TestClock.adjust("3 seconds")
      // drained in 3 s, not held paused until the grace period ran out
      deepStrictEqual(yield* Fiber.poll(closing), Option.some(Exit.void))
      deepStrictEqual(logs, [])
      const stats = yield* pool.stats
      deepStrictEqual({ processed: stats.processed, dropped: stats.dropped }, { processed: 3, dropped: 0 })
      deepStrictEqual(yield* Effect.exit(pool.wait), Exit.void)
    }))

  it.effect("what is left after the grace period is interrupted and dropped", () =>
    Effect.gen(function*() {
      const { logs, pool, scope } = yield* secondItems("2500 millis")
      yield* pool.submitAll(range(5))
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* TestClock.adjust("3 seconds")
      yield* Fiber.join(closing)
      const stats = yield* pool.stats
      strictEqual(stats.processed, 2)
      strictEqual(stats.dropped, 3)
      deepStrictEqual(logs.map((log) => [log.level, log.message]), [[
        "WARN",
        "fiberpool: the pool's scope closed and its graceful shutdown (2s 500ms) ran out: 3 accepted items were " +
        "dropped (interrupted, or never run)"
      ]])
      assertTrue(Exit.isInterrupted(yield* Effect.exit(pool.wait)))
    }))
  it.effect("the grace period also ends a scope closed uninterruptibly (Effect.scoped, a layer's release)", () =>
    Effect.gen(function*() {
      let pool: FiberPool.FiberPool<number> | undefined
      // `Effect.scoped` runs the scope's finalizers uninterruptibly
      const closing = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
        pool = yield* FiberPool.make({
          workers: 1,
          batchSize: 1,
          workerQueueSize: 4,
          gracefulShutdown: "2500 millis",
          worker: (n: number) => Effect.sleep(n === 2 ? "1 hour" : "1 second")
        })
        yield* pool.submitAll(range(5))
      })))
      yield* TestClock.adjust("3 seconds")
      // before, the wait for the workers went on after the grace period, for the hour of the
      // item: only this timeout ended it
      const joined = yield* Effect.fork(Effect.exit(Effect.timeout(Fiber.join(closing), "1 minute")))
      yield* TestClock.adjust("1 minute")
      const exit = yield* Fiber.join(joined)
      assertTrue(Exit.isSuccess(exit), `the scope closed after the grace period: ${exit._tag}`)
      const stats = yield* pool!.stats
      strictEqual(stats.processed, 2)
      strictEqual(stats.dropped, 3)
      assertTrue(Exit.isInterrupted(yield* Effect.exit(pool!.wait)))
    }))
  it.effect("interrupting the fiber that closes the scope during the grace period still stops the pool", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const { logs, value: pool } = yield* withLogs(FiberPool.make({
        workers: 1,
        batchSize: 1,
        gracefulShutdown: "10 seconds",
        worker: (_: number) => Effect.sleep("1 hour")
      })).pipe(Scope.extend(scope))
      yield* pool.submit(1)
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* TestClock.adjust("1 second")
      yield* Fiber.interrupt(closing)
      const waited = yield* Effect.fork(Effect.exit(pool.wait))
      yield* settle
      const exit = yield* Fiber.poll(waited)
      assertTrue(Option.isSome(exit), "the pool went on running after its scope's close was interrupted")
      const stats = yield* pool.stats
      strictEqual(stats.dropped, 1)
      // and the drop is logged, also though the closing fiber was interrupted, saying so: the
      // grace period did not run out (it said it had)
      deepStrictEqual(logs.map((log) => log.message.split(":").slice(1, 3).join(":")), [
        " the pool's scope closed and its graceful shutdown (10s) was cut short: the closing fiber was interrupted"
      ])
    }))

  it.effect("a defect while the pool drains does not fail the scope's close; wait reports it", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const pool = yield* FiberPool.make({
        workers: 1,
        batchSize: 1,
        workerQueueSize: 4,
        gracefulShutdown: "10 seconds",
        worker: (n: number) => n === 2 ? Effect.die("item 2 died") : Effect.sleep("1 second")
      }).pipe(Scope.extend(scope))
      yield* pool.submitAll(range(4))
      const closing = yield* Effect.fork(Effect.exit(Scope.close(scope, Exit.void)))
      yield* TestClock.adjust("5 seconds")
      deepStrictEqual(yield* Fiber.join(closing), Exit.void)
      deepStrictEqual(yield* Effect.exit(pool.wait), Exit.die("item 2 died"))
    }))
})

describe("the warning of a scope's close: not for run, whose scope closes early only when its input failed", () => {
  it.effect("run over a stream that fails, or an iterator that throws, fails with that error and logs no warning", () =>
    Effect.gen(function*() {
      // room for every item: the input fails while the pool still holds accepted items
      const slow = { workers: 1, batchSize: 1, workerQueueSize: 100, worker: (_: number) => Effect.sleep("1 second") }
      const stream = Stream.range(1, 50).pipe(Stream.concat(Stream.fail("stream broke")))
      const fromStream = yield* Effect.fork(withLogs(Effect.exit(FiberPool.run(stream, slow))))
      yield* TestClock.adjust("1 second")
      const streamed = yield* Fiber.join(fromStream)
      deepStrictEqual(streamed.value, Exit.fail("stream broke"))
      deepStrictEqual(streamed.logs, [])
      const items = function*() {
        yield* range(10)
        throw new Error("iterator broke")
      }
      const fromIterator = yield* Effect.fork(withLogs(Effect.exit(FiberPool.run(items(), slow))))
      yield* TestClock.adjust("1 second")
      const iterated = yield* Fiber.join(fromIterator)
      assertTrue(Exit.isFailure(iterated.value))
      deepStrictEqual(iterated.logs, [])
    }))

  it.effect("run over a stream that fails, with gracefulShutdown: the accepted items drain first (for up to that long), then run fails with the stream's error", () =>
    Effect.gen(function*() {
      let ran = 0
      const options = {
        workers: 1,
        batchSize: 1,
        workerQueueSize: 100,
        gracefulShutdown: Duration.seconds(5),
        worker: (_: number) => Effect.zipRight(Effect.sleep("1 second"), Effect.sync(() => void ran++))
      }
      const stream = Stream.range(1, 3).pipe(Stream.concat(Stream.fail("stream broke")))
      const running = yield* Effect.fork(Effect.exit(FiberPool.run(stream, options)))
      yield* TestClock.adjust("2 seconds")
      assertTrue(Option.isNone(yield* Fiber.poll(running)), "run failed before the accepted items drained")
      yield* TestClock.adjust("1 second")
      deepStrictEqual(yield* Fiber.join(running), Exit.fail("stream broke"))
      strictEqual(ran, 3)
    }))

  it.effect("mapStream is quiet however its output ends early: taken, zipped (an interruption), its consumer interrupted", () =>
    Effect.gen(function*() {
      const slow = FiberPool.mapStream(Stream.iterate(0, (n) => n + 1), {
        workers: 2,
        batchSize: 1,
        gracefulShutdown: "100 millis",
        worker: (n: number) => Effect.as(Effect.sleep("1 second"), n)
      })
      const ways = [
        Stream.runCollect(Stream.take(slow, 2)),
        Stream.runCollect(Stream.zip(slow, Stream.make("a", "b"))),
        Effect.timeout(Stream.runDrain(slow), "3 seconds")
      ]
      for (const [i, way] of ways.entries()) {
        const consuming = yield* Effect.fork(withLogs(Effect.exit(way)))
        yield* TestClock.adjust("10 seconds")
        const { logs } = yield* Fiber.join(consuming)
        deepStrictEqual(logs, [], `way ${i}`)
      }
    }))

  it.effect("run interrupted while its graceful shutdown runs out warns, as make does", () =>
    Effect.gen(function*() {
      const options = {
        workers: 1,
        batchSize: 1,
        workerQueueSize: 100,
        gracefulShutdown: "2 seconds" as const,
        worker: (_: number) => Effect.sleep("1 second")
      }
      const running = yield* Effect.fork(
        withLogs(Effect.exit(Effect.timeout(FiberPool.run(range(20), options), "3 seconds")))
      )
      yield* TestClock.adjust("10 seconds")
      const { logs, value } = yield* Fiber.join(running)
      assertTrue(Exit.isFailure(value))
      deepStrictEqual(logs.map((log) => log.message.split(":").slice(0, 2).join(":")), [
        "fiberpool: the pool's scope closed and its graceful shutdown (2s) ran out"
      ])
    }))
})

describe("a failing onWorkerComplete stops the pool: every rejection names its failure", () => {
  it.effect("the execute callers whose items were still queued get a PoolClosedError naming it", () =>
    Effect.gen(function*() {
      // the worker of "fast" ends first and its onWorkerComplete fails; the other still has queued items
      const fastWorker = workerOfKey("fast", 2)
      const slow = range(50).map((i) => `slow-${i}`).filter((key) => workerOfKey(key, 2) !== fastWorker).slice(0, 3)
      const pool = yield* FiberPool.make({
        workers: 2,
        batchSize: 1,
        workerQueueSize: 4,
        keyBy: (key: string) => key,
        worker: (key: string) => key === "fast" ? Effect.void : Effect.sleep("1 second"),
        onWorkerComplete: (id) => id === fastWorker ? Effect.fail(new Boom({ item: -1 })) : Effect.void
      })
      const callers = yield* Effect.forEach(slow, (key) => Effect.fork(Effect.flip(pool.execute(key))))
      yield* pool.execute("fast")
      yield* pool.end
      yield* TestClock.adjust("1 second")
      const errors = yield* Effect.forEach(callers, Fiber.join)
      // the first slow item was running; the others were queued behind it
      for (const error of errors.slice(1)) {
        deepStrictEqual([error._tag, (error as FiberPool.PoolClosedError).failure], ["PoolClosedError", "Boom"])
      }
    }).pipe(Effect.scoped))
})

describe("options that are a class instance (getters, methods on the prototype)", () => {
  it.effect("run, makeBatched and mapStream read them as make does", () =>
    Effect.gen(function*() {
      class Options {
        get workers() {
          return 2
        }
        worker(n: number) {
          return Effect.succeed(n * 2)
        }
      }
      class BatchOptions {
        get workers() {
          return 1
        }
        worker(batch: ReadonlyArray<number>) {
          return Effect.sync(() => void seen.push(batch.length))
        }
      }
      const seen: Array<number> = []
      const stats = yield* FiberPool.run(range(5), new Options())
      strictEqual(stats.processed, 5)
      const doubled = yield* Stream.runCollect(FiberPool.mapStream(Stream.make(1, 2, 3), new Options()))
      deepStrictEqual([...doubled].sort(), [2, 4, 6])
      yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.makeBatched(new BatchOptions())
        yield* pool.submitAll(range(4))
        yield* pool.close
      }))
      strictEqual(seen.reduce((a, b) => a + b, 0), 4)
    }))

  it.scoped("makeWorker and onWorkerComplete are called as methods of the options object (this)", () =>
    Effect.gen(function*() {
      class Options {
        workers = 2
        prefix = "w"
        completed: Array<number> = []
        makeWorker(id: number) {
          return Effect.succeed((n: number) => Effect.succeed(`${this.prefix}${id}:${n}`))
        }
        onWorkerComplete(id: number) {
          return Effect.sync(() => void this.completed.push(id))
        }
      }
      const options = new Options()
      const pool = yield* FiberPool.makeStateful(options)
      const out = yield* pool.execute(1)
      assertTrue(out === "w0:1" || out === "w1:1", out)
      yield* pool.close
      deepStrictEqual([...options.completed].sort(), [0, 1])
    }))

  it.scoped("each option is read once: a getter that changes after the check cannot get past it", () =>
    Effect.gen(function*() {
      const reads = new Map<PropertyKey, number>()
      let workersRead = 0
      const target = {
        // 2 when checked, then 0: read twice, the pool was made with no worker and never answered
        get workers() {
          return workersRead++ === 0 ? 2 : 0
        },
        worker: (n: number) => Effect.succeed(n),
        onWorkerComplete: (_: number) => Effect.void
      }
      const options = new Proxy(target, {
        get: (t, key, receiver) => {
          reads.set(key, (reads.get(key) ?? 0) + 1)
          return Reflect.get(t, key, receiver)
        }
      })
      const pool = yield* FiberPool.make(options)
      strictEqual(yield* pool.execute(21), 21)
      yield* pool.close
      strictEqual((yield* pool.stats).processed, 1)
      const readTwice = [...reads].filter(([, n]) => n > 1).map(([key]) => String(key))
      deepStrictEqual(readTwice, [])
    }))

  it.effect("run, layer and mapStream read each option once too, also those that choose the kind of pool or size mapStream's buffer", () =>
    Effect.gen(function*() {
      const counted = <T extends object>(target: T) => {
        const reads = new Map<PropertyKey, number>()
        const options = new Proxy(target, {
          get: (t, key, receiver) => {
            reads.set(key, (reads.get(key) ?? 0) + 1)
            return Reflect.get(t, key, receiver)
          }
        })
        return { options, readTwice: () => [...reads].filter(([, n]) => n > 1).map(([key]) => String(key)) }
      }
      const stateful = () => ({
        workers: 2,
        batchSize: 4,
        makeWorker: (_: number) => Effect.succeed((n: number) => Effect.succeed(n))
      })
      const ran = counted(stateful())
      strictEqual((yield* FiberPool.run(range(5), ran.options)).processed, 5)
      deepStrictEqual(ran.readTwice(), [], "run")
      const mapped = counted({ workers: 2, batchSize: 20, worker: (n: number) => Effect.succeed(n) })
      deepStrictEqual([...yield* Stream.runCollect(FiberPool.mapStream(Stream.make(1, 2), mapped.options))].sort(), [
        1,
        2
      ])
      deepStrictEqual(mapped.readTwice(), [], "mapStream")
      class Pool extends Context.Tag("Pool")<Pool, FiberPool.FiberPool<number, never, number>>() {}
      const layered = counted(stateful())
      strictEqual(
        yield* Effect.flatMap(Pool, (pool) => pool.execute(7)).pipe(
          Effect.provide(FiberPool.layer(Pool, layered.options))
        ),
        7
      )
      deepStrictEqual(layered.readTwice(), [], "layer")
    }))

  it.effect("a [seconds, nanos] gracefulShutdown is read once: the pair checked is the pair used", () =>
    Effect.gen(function*() {
      let reads = 0
      const pair = [0, 0] as unknown as readonly [number, number]
      // 2 seconds when first read, then a negative duration that the check would have refused
      Object.defineProperty(pair, 0, { enumerable: true, get: () => reads++ === 0 ? 2 : -1 })
      const scope = yield* Scope.make()
      const { logs, value: pool } = yield* withLogs(FiberPool.make({
        workers: 1,
        batchSize: 1,
        gracefulShutdown: pair,
        worker: (_: number) => Effect.sleep("1 hour")
      })).pipe(Scope.extend(scope))
      yield* pool.submit(1)
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(closing)
      strictEqual(reads, 1)
      deepStrictEqual(logs.map((log) => log.message), [
        "fiberpool: the pool's scope closed and its graceful shutdown (2s) ran out: 1 accepted item was dropped (interrupted, or never run)"
      ])
    }))
})

describe("span", () => {
  it.scoped("each item runs in a span whose parent is the submitter's span", () =>
    Effect.gen(function*() {
      const seen: Array<{ name: string; parent: string | undefined; attributes: Record<string, unknown> }> = []
      const pool = yield* FiberPool.make({
        workers: 3, // "alice" routes to worker 2
        span: "job",
        name: "traced",
        keyBy: (s: string) => s,
        worker: (_: string) =>
          Effect.flatMap(Effect.currentSpan, (span) =>
            Effect.sync(() =>
              seen.push({
                name: span.name,
                parent: Option.getOrUndefined(Option.map(span.parent, (p) => (p as Tracer.Span).name)),
                attributes: Object.fromEntries(span.attributes)
              })
            )).pipe(Effect.orDie)
      })
      yield* pool.submit("alice").pipe(Effect.withSpan("request"))
      yield* pool.close
      strictEqual(seen.length, 1)
      strictEqual(seen[0]!.name, "job")
      strictEqual(seen[0]!.parent, "request")
      deepStrictEqual(seen[0]!.attributes, {
        "fiberpool.pool": "traced",
        "fiberpool.worker": 2,
        "fiberpool.key": "alice"
      })
    }))

  it.scoped("an item whose submitter has no span gets a root span, not the span current at make", () =>
    Effect.gen(function*() {
      const parents: Array<string | undefined> = []
      const pool = yield* FiberPool.make({
        workers: 1,
        span: true,
        worker: (_: number) =>
          Effect.flatMap(
            Effect.currentSpan,
            (span) =>
              Effect.sync(() =>
                parents.push(Option.getOrUndefined(Option.map(span.parent, (p) => (p as Tracer.Span).name)))
              )
          ).pipe(Effect.orDie)
      }).pipe(Effect.withSpan("startup"))
      yield* pool.submit(1)
      yield* pool.submit(2).pipe(Effect.withSpan("request"))
      yield* pool.close
      deepStrictEqual(parents, [undefined, "request"])
    }))

  it.scoped("a batched call's span is a root span linked to its items' submitters, with the item count", () =>
    Effect.gen(function*() {
      const seen: Array<{ parent: boolean; links: Array<string>; attributes: Record<string, unknown> }> = []
      const pool = yield* FiberPool.makeBatched({
        workers: 1,
        batchSize: 3,
        span: "batch",
        worker: (_: ReadonlyArray<number>) =>
          Effect.flatMap(Effect.currentSpan, (span) =>
            Effect.sync(() =>
              seen.push({
                parent: Option.isSome(span.parent),
                links: span.links.map((link) => (link.span as Tracer.Span).name),
                attributes: Object.fromEntries(span.attributes)
              })
            )).pipe(Effect.orDie)
      })
      yield* batchOfThreeSpans(pool)
      deepStrictEqual(seen, [{
        parent: false,
        links: ["first", "second"],
        attributes: { "fiberpool.pool": "fiberpool", "fiberpool.worker": 0, "fiberpool.items": 3 }
      }])
    }))
})

describe("streams", () => {
  it.scoped("sink submits a stream to a pool with back-pressure and does not close it", () =>
    Effect.gen(function*() {
      let sum = 0
      const pool = yield* FiberPool.make({ workers: 2, worker: (n: number) => Effect.sync(() => void (sum += n)) })
      yield* Stream.range(1, 100).pipe(Stream.run(FiberPool.sink(pool)))
      yield* pool.submit(1000) // still open
      yield* pool.close
      strictEqual(sum, 5050 + 1000)
    }))

  it.scoped("sink fails with the PoolClosedError of its rejected submit once the pool stopped", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        workers: 1,
        worker: (n: number) => n === 1 ? Effect.fail(new Boom({ item: n })) : Effect.void
      })
      yield* pool.submit(1)
      yield* settle
      const error = yield* Effect.flip(Stream.make(2, 3).pipe(Stream.run(FiberPool.sink(pool))))
      strictEqual(error._tag, "PoolClosedError")
      strictEqual(error.reason, "failed")
      // the pool's failure is close's to report
      deepStrictEqual(yield* Effect.exit(pool.close), Exit.fail(new Boom({ item: 1 })))
    }))

  it.effect("run is dual: stream.pipe(FiberPool.run(options))", () =>
    Effect.gen(function*() {
      const stats = yield* Stream.range(1, 50).pipe(FiberPool.run({ workers: 3, worker: (_: number) => Effect.void }))
      strictEqual(stats.processed, 50)
    }))

  it.effect("mapStream returns the results, in order per key", () =>
    Effect.gen(function*() {
      const results = yield* Stream.fromIterable(range(60)).pipe(
        FiberPool.mapStream({
          workers: 3,
          batchSize: 4,
          keyBy: (n: number) => String(n % 5),
          worker: (n: number) => Effect.sleep(Duration.millis((n * 7) % 3)).pipe(Effect.as({ key: n % 5, n }))
        }),
        Stream.runCollect,
        Effect.fork
      )
      yield* TestClock.adjust("1 second")
      const all = Chunk.toReadonlyArray(yield* Fiber.join(results))
      strictEqual(all.length, 60)
      for (let key = 0; key < 5; key++) {
        deepStrictEqual(all.filter((r) => r.key === key).map((r) => r.n), range(60).filter((n) => n % 5 === key))
      }
    }))

  it.effect("mapStream fails with the first failure", () =>
    Effect.gen(function*() {
      const exit = yield* Stream.fromIterable(range(30)).pipe(
        FiberPool.mapStream({
          workers: 2,
          worker: (n: number) => n === 7 ? Effect.fail(new Boom({ item: n })) : Effect.succeed(n)
        }),
        Stream.runCollect,
        Effect.exit
      )
      deepStrictEqual(exit, Exit.fail(new Boom({ item: 7 })))
    }))

  it.effect("mapStream fails at the first failure while its source waits for the next element", () =>
    Effect.gen(function*() {
      const source = Stream.make(1, 2, 3).pipe(
        Stream.concat(Stream.fromEffect(Effect.sleep("1 hour").pipe(Effect.as(4))))
      )
      const fiber = yield* source.pipe(
        FiberPool.mapStream({
          workers: 2,
          worker: (n: number) => n === 2 ? Effect.fail(new Boom({ item: n })) : Effect.succeed(n)
        }),
        Stream.runDrain,
        Effect.exit,
        Effect.fork
      )
      yield* TestClock.adjust("1 second")
      assertTrue(
        Option.isSome(yield* Fiber.poll(fiber)),
        "mapStream ended with the pool, not an hour later with its source"
      )
      deepStrictEqual(yield* Fiber.join(fiber), Exit.fail(new Boom({ item: 2 })))
    }))

  it.effect("mapStream with gracefulShutdown: an output ended early drains what the pool holds, discarding its results", () =>
    Effect.gen(function*() {
      // the results outnumber the buffer between the pool and the output: workers that found it full
      // waited for a reader that was gone, and the drain could only end by running out of grace
      let calls = 0
      const fiber = yield* Stream.range(1, 10_000).pipe(
        FiberPool.mapStream({
          workers: 2,
          batchSize: 1,
          workerQueueSize: 100,
          gracefulShutdown: "1 hour",
          worker: (n: number) => Effect.sync(() => (calls++, n))
        }),
        Stream.take(3),
        Stream.runCollect,
        Effect.fork
      )
      yield* TestClock.adjust("1 second")
      assertTrue(Option.isSome(yield* Fiber.poll(fiber)), "the output ended an hour later, with the grace period")
      strictEqual(Chunk.size(yield* Fiber.join(fiber)), 3)
      // what the pool had accepted ran: at most its queues, the items in flight and the results buffer
      assertTrue(calls < 1000, `calls: ${calls}`)
    }))

  it.effect("mapStream: an output ended early drops the rest without a warning (the results were not wanted)", () =>
    Effect.gen(function*() {
      let started = 0
      const { logs, value } = yield* withLogs(
        Stream.range(1, 100).pipe(
          FiberPool.mapStream({
            workers: 2,
            batchSize: 1,
            worker: (n: number) =>
              Effect.sync(() => started++).pipe(Effect.zipRight(Effect.sleep("1 second")), Effect.as(n))
          }),
          Stream.take(3),
          Stream.runCollect,
          Effect.fork,
          Effect.tap(() => TestClock.adjust("2 seconds")),
          Effect.flatMap(Fiber.join)
        )
      )
      strictEqual(Chunk.size(value), 3)
      // the pool held more than the three results taken: items in flight and queued were dropped
      assertTrue(started > 3, `started: ${started}`)
      deepStrictEqual(logs, [])
    }))

  it.effect("mapStream: behind a reader that stalls, about twice the results buffer plus one result per worker are held", () =>
    Effect.gen(function*() {
      // the buffer holds 2 × workers × max(batchSize, 10) results (40 here); the reader took one
      // chunk of at most that, and each worker holds the result it waits to put
      let finished = 0
      const fiber = yield* Stream.iterate(0, (n) => n + 1).pipe(
        FiberPool.mapStream({
          workers: 2,
          batchSize: 1,
          worker: (n: number) => Effect.sync(() => (finished++, n))
        }),
        Stream.runForEach(() => Effect.never), // takes the first result and stalls
        Effect.fork
      )
      yield* TestClock.adjust("1 second")
      assertTrue(finished > 40 && finished <= 2 * 40 + 2, `finished: ${finished}`)
      yield* Fiber.interrupt(fiber)
    }))

  describe("mapStream: the results buffer holds 2 × workers × batchSize results, batchSize counted as at least 10, at most 4,096", () => {
    // behind a reader that took one chunk and stalls, the pool finishes what the buffer holds, and
    // each worker one result more that it waits to put
    const held = (workers: number, batchSize: number) =>
      Effect.gen(function*() {
        let finished = 0
        let taken = 0
        const fiber = yield* Stream.iterate(0, (n) => n + 1).pipe(
          FiberPool.mapStream({ workers, batchSize, worker: (n: number) => Effect.sync(() => (finished++, n)) }),
          Stream.runForEachChunk((chunk) =>
            Effect.zipRight(Effect.sync(() => taken = Chunk.size(chunk)), Effect.never)
          ),
          Effect.fork
        )
        yield* TestClock.adjust("1 second")
        yield* Fiber.interrupt(fiber)
        return finished - taken
      })

    it.effect("a batchSize below 10 counts as 10", () =>
      Effect.gen(function*() {
        const n = yield* held(2, 5)
        assertTrue(n >= 40 && n <= 40 + 2, `held: ${n}`)
      }))

    it.effect("at most 4,096 (2 × 3 × 1,000 would be 6,000)", () =>
      Effect.gen(function*() {
        const n = yield* held(3, 1000)
        assertTrue(n >= 4096 && n <= 4096 + 3, `held: ${n}`)
      }))
  })

  it.effect("mapStream reads an Iterable too (from JavaScript), as a Stream of it", () =>
    Effect.gen(function*() {
      const mapStream = FiberPool.mapStream as unknown as (self: unknown, options: unknown) => Stream.Stream<number>
      const results = yield* Stream.runCollect(
        mapStream(new Set([1, 2, 3]), { workers: 2, worker: (n: number) => Effect.succeed(n * 10) })
      )
      deepStrictEqual([...results].sort((a, b) => a - b), [10, 20, 30])
    }))

  it.effect("mapStream passes on its source's failure, also another pool's PoolClosedError", () =>
    Effect.gen(function*() {
      const upstream = new FiberPool.PoolClosedError({ pool: "upstream", reason: "failed" })
      const exit = yield* Stream.make(1, 2).pipe(
        Stream.concat(Stream.fail(upstream)),
        FiberPool.mapStream({ workers: 2, worker: (n: number) => Effect.succeed(n) }),
        Stream.runDrain,
        Effect.exit
      )
      deepStrictEqual(exit, Exit.fail(upstream))
    }))

  it.scoped("progress with a finite schedule still ends with the pool, on its final stats", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        workers: 1,
        batchSize: 1,
        workerQueueSize: 2,
        worker: (_: number) => Effect.sleep("1 second")
      })
      // two samples at once, then the schedule is done while the pool runs for 3 more seconds
      const samples = yield* FiberPool.progress(pool, Schedule.recurs(1)).pipe(Stream.runCollect, Effect.fork)
      yield* pool.submitAll(range(3))
      yield* pool.end
      yield* settle
      assertTrue(Option.isNone(yield* Fiber.poll(samples)), "the stream ended before the pool")
      yield* TestClock.adjust("5 seconds")
      const processed = Chunk.toReadonlyArray(yield* Fiber.join(samples)).map((s) => s.processed)
      strictEqual(processed[processed.length - 1], 3)
    }))

  it.scopedLive("progress on a schedule without delay lets the pool run, and ends with it", () =>
    Effect.gen(function*() {
      // items that wait on a timer: the samples must let the event loop turn, not only other fibers
      const pool = yield* FiberPool.make({ workers: 2, worker: (_: number) => Effect.sleep("1 millis") })
      // before, the samples came in a synchronous loop that never yielded: no item ran, and the
      // process froze (a timeout could not end it)
      const samples = yield* FiberPool.progress(pool, Schedule.forever).pipe(
        Stream.runFold(0, (n) => n + 1),
        Effect.fork
      )
      yield* pool.submitAll(range(20))
      yield* pool.close
      assertTrue((yield* Fiber.join(samples)) > 0)
      strictEqual((yield* pool.stats).processed, 20)
    }))

  it.scoped("progress without a schedule (from JavaScript) dies with IllegalArgumentException naming it", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({ workers: 1, worker: (_: number) => Effect.void })
      const progress = FiberPool.progress as unknown as (pool: unknown, schedule: unknown) => Stream.Stream<unknown>
      const exit = yield* Effect.exit(Stream.runDrain(progress(pool, undefined)))
      const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
      assertTrue(Option.isSome(defect) && Cause.isIllegalArgumentException(defect.value), String(exit))
      assertTrue((defect.value as Error).message.includes("FiberPool.progress: the schedule"), String(defect.value))
    }))

  it.scoped("progress shows an ended pool's final stats once", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({ workers: 1, worker: (_: number) => Effect.void })
      yield* pool.submitAll(range(3))
      yield* pool.close
      // the schedule's first sample already shows the ended pool: no second, equal one
      const samples = yield* FiberPool.progress(pool, Schedule.spaced("1 second")).pipe(Stream.runCollect)
      deepStrictEqual(Chunk.toReadonlyArray(samples), [yield* pool.stats])
    }))

  /** `progress` of `pool` collected in a fiber (`samples`), and its first sample once it came (`first`). */
  const sampling = (pool: FiberPool.FiberPool<number>, schedule: Schedule.Schedule<unknown>) =>
    Effect.gen(function*() {
      const first = yield* Deferred.make<Stats.Stats>()
      const samples = yield* FiberPool.progress(pool, schedule).pipe(
        Stream.tap((stats) => Deferred.succeed(first, stats)),
        Stream.runCollect,
        Effect.fork
      )
      return { first, samples } as const
    })

  it.scoped("progress: a last sample that already showed the ended pool's stats is not repeated", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({ workers: 1, worker: (_: number) => Effect.void })
      yield* pool.submitAll(range(3))
      yield* settle
      const { first, samples } = yield* sampling(pool, Schedule.spaced("1 second"))
      strictEqual((yield* Deferred.await(first)).processed, 3)
      // the pool ends with nothing more done and no time gone by: its final stats are that sample
      yield* pool.close
      deepStrictEqual(Chunk.toReadonlyArray(yield* Fiber.join(samples)), [yield* pool.stats])
    }))

  it.scoped("progress: the final stats follow a last sample that differs from them in the counts alone", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({ workers: 1, worker: (_: number) => Effect.void })
      yield* pool.pause
      yield* pool.submitAll(range(3))
      const { first, samples } = yield* sampling(pool, Schedule.spaced("1 second"))
      strictEqual((yield* Deferred.await(first)).processed, 0)
      // no time goes by: only processed tells the last sample from the final stats
      yield* pool.resume
      yield* pool.close
      const processed = Chunk.toReadonlyArray(yield* Fiber.join(samples)).map((s) => s.processed)
      deepStrictEqual(processed, [0, 3])
    }))

  it.scoped("progress: the final stats follow a last sample that differs from them in the total time alone", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        workers: 1,
        worker: (_: number) => Effect.void,
        onPoolComplete: Effect.sleep("1 minute")
      })
      yield* pool.submitAll(range(3))
      yield* pool.end
      yield* settle
      // every worker has ended; the pool has not (onPoolComplete runs): one sample, then the schedule is done
      const { first, samples } = yield* sampling(pool, Schedule.recurs(0))
      yield* Deferred.await(first)
      yield* TestClock.adjust("1 minute")
      const all = Chunk.toReadonlyArray(yield* Fiber.join(samples))
      deepStrictEqual(all.map((s) => s.processed), [3, 3])
      deepStrictEqual(all[1], yield* pool.stats)
      assertTrue(Duration.greaterThan(all[1]!.totalTime, all[0]!.totalTime), "the pool's end came a minute later")
    }))

  it.scoped("progress samples the stats on a schedule and ends with the pool", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        workers: 1,
        batchSize: 1,
        workerQueueSize: 2,
        worker: (_: number) => Effect.sleep("1 second")
      })
      const samples = yield* FiberPool.progress(pool, Schedule.spaced("1 second")).pipe(Stream.runCollect, Effect.fork)
      yield* pool.submitAll(range(3))
      yield* pool.end
      yield* TestClock.adjust("5 seconds")
      const processed = Chunk.toReadonlyArray(yield* Fiber.join(samples)).map((s) => s.processed)
      strictEqual(processed[processed.length - 1], 3)
      assertTrue(processed.length >= 3, String(processed))
      deepStrictEqual([...processed].sort(), processed, "processed never goes down")
    }))
})

describe("makeBatched", () => {
  it.scoped("the worker receives whole batches; accounting is per item", () =>
    Effect.gen(function*() {
      const batches: Array<ReadonlyArray<number>> = []
      const pool = yield* FiberPool.makeBatched({
        workers: 1,
        batchSize: 4,
        continueOnError: true,
        worker: (items: ReadonlyArray<number>) =>
          Effect.sync(() => batches.push(items)).pipe(
            Effect.zipRight(items.includes(5) ? Effect.fail(new Boom({ item: 5 })) : Effect.void)
          )
      })
      yield* pool.submitAll(range(10))
      const exit = yield* Effect.exit(pool.close)
      deepStrictEqual(exit, Exit.fail(new Boom({ item: 5 })))
      deepStrictEqual(batches.flat(), range(10))
      assertTrue(batches.every((b) => b.length >= 1 && b.length <= 4))
      const stats = yield* pool.stats
      const failedBatch = batches.find((b) => b.includes(5))!
      strictEqual(stats.errors, failedBatch.length)
      strictEqual(stats.processed, 10 - failedBatch.length)
      strictEqual(stats.submitted, 10)
    }))

  it.scoped("a worker that changes the array it gets (from JavaScript) changes nothing the pool counts", () =>
    Effect.gen(function*() {
      const seen: Array<number> = []
      const pool = yield* FiberPool.makeBatched({
        workers: 1,
        batchSize: 3,
        worker: (items: ReadonlyArray<number>) =>
          Effect.sync(() => {
            for (const item of items) seen.push(item)
            const mutable = items as Array<number>
            mutable.push(-1)
            mutable.unshift(-2)
          })
      })
      yield* pool.submitAll(range(7))
      // and with envelopes (execute), whose batches the worker gets mapped
      yield* Effect.all([pool.execute(7), pool.execute(8)], { concurrency: "unbounded" })
      yield* pool.close
      deepStrictEqual([...seen].sort((a, b) => a - b), range(9))
      const stats = yield* pool.stats
      strictEqual(stats.processed, 9)
      assertAccounting(stats)
    }))

  it.scoped("execute on a batched pool resolves with the outcome of the item's batch", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.makeBatched({
        workers: 1,
        batchSize: 10,
        continueOnError: true,
        worker: (items: ReadonlyArray<number>) => items.includes(2) ? Effect.fail("bad batch" as const) : Effect.void
      })
      const ok = yield* Effect.exit(pool.execute(1))
      strictEqual(Exit.isSuccess(ok), true)
      const bad = yield* Effect.exit(pool.execute(2))
      deepStrictEqual(bad, Exit.fail("bad batch" as const))
      yield* Effect.exit(pool.close)
    }))

  it.effect("execute callers of a batch interrupted by a scope close get PoolClosedError, as with make", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const pool = yield* FiberPool.makeBatched({
        workers: 1,
        batchSize: 3,
        // uninterruptible, but racing an interruptible fiber: the stop interrupts that fiber, and
        // the call ends with the interruption after the stop
        worker: (_: ReadonlyArray<number>) =>
          Effect.uninterruptible(Effect.timeout(Effect.interruptible(Effect.never), "1 hour"))
      }).pipe(Scope.extend(scope))
      const callers = yield* Effect.fork(
        Effect.forEach(range(3), (n) => Effect.flip(pool.execute(n)), { concurrency: "unbounded" })
      )
      yield* settle
      yield* Scope.close(scope, Exit.void)
      const errors = yield* Fiber.join(callers)
      deepStrictEqual(errors.map((e) => e._tag === "PoolClosedError" ? e.reason : String(e)), [
        "interrupted",
        "interrupted",
        "interrupted"
      ])
      const stats = yield* pool.stats
      deepStrictEqual({ submitted: stats.submitted, dropped: stats.dropped }, { submitted: 3, dropped: 3 })
    }))
})

describe("Worker results", () => {
  it.scoped("a worker's result passes through every built-in middleware and a tap-style custom one", () =>
    Effect.gen(function*() {
      const logged: Worker.Middleware = (next) => (item) => Effect.tap(next(item), () => Effect.void)
      let tries = 0
      const pool = yield* FiberPool.make({
        workers: 1,
        middleware: [
          logged,
          Middleware.recover(),
          Middleware.validate((s: string) => s.length > 0),
          Middleware.retry({ attempts: 2, baseDelay: "1 millis", jitter: 0 }),
          Middleware.timeout("1 second"),
          Middleware.rateLimit({ rate: 1000, burst: 10 })
        ],
        // the first try fails, so the result comes back through retry's second attempt
        worker: (s: string) => ++tries === 1 ? Effect.fail("once" as const) : Effect.succeed(s.toUpperCase())
      })
      const result = yield* Effect.fork(pool.execute("abc"))
      yield* TestClock.adjust("10 millis")
      strictEqual(yield* Fiber.join(result), "ABC")
      strictEqual(tries, 2)
    }))
})
