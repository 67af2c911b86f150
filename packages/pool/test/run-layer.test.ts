import { describe, expectTypeOf, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import type { Stats } from "@fiberpool/pool-metrics"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Supervisor from "effect/Supervisor"
import * as TestClock from "effect/TestClock"
import { FiberPool, Worker } from "../src/index.js"
import { range } from "./helpers.js"

class ItemError extends Data.TaggedError("ItemError")<{ readonly item: number }> {}
class StreamError extends Data.TaggedError("StreamError")<{ readonly reason: string }> {}
class ConnectError extends Data.TaggedError("ConnectError")<{ readonly worker: number }> {}

/** The typed failure of an exit, if any. */
const failureOf = <A, E>(exit: Exit.Exit<A, E>): Option.Option<E> =>
  Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()

/** A worker that records every item it sees, in order. */
const recording = (seen: Ref.Ref<Array<number>>) => Worker.make((n: number) => Ref.update(seen, (xs) => [...xs, n]))

describe("FiberPool.run", () => {
  it.effect("over an array: final stats with submitted = processed = N", () =>
    Effect.gen(function*() {
      const seen = yield* Ref.make<Array<number>>([])
      const stats = yield* FiberPool.run(range(100), { workers: 3, worker: recording(seen) })
      strictEqual(stats.submitted, 100)
      strictEqual(stats.processed, 100)
      strictEqual(stats.errors, 0)
      strictEqual(stats.dropped, 0)
      deepStrictEqual([...(yield* Ref.get(seen))].sort((a, b) => a - b), range(100))
    }))

  it.effect("over a generator (any Iterable), consumed lazily once", () =>
    Effect.gen(function*() {
      const seen = yield* Ref.make<Array<number>>([])
      let pulled = 0
      function* numbers() {
        for (let i = 0; i < 37; i++) {
          pulled++
          yield i
        }
      }
      const stats = yield* FiberPool.run(numbers(), { workers: 2, batchSize: 4, worker: recording(seen) })
      strictEqual(pulled, 37)
      strictEqual(stats.submitted, 37)
      strictEqual(stats.processed, 37)
      deepStrictEqual([...(yield* Ref.get(seen))].sort((a, b) => a - b), range(37))
    }))

  it.effect("over a string: an Iterable of its characters", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const stats = yield* FiberPool.run("héllo", {
        workers: 1,
        worker: (c: string) => Effect.sync(() => seen.push(c))
      })
      strictEqual(stats.processed, 5)
      deepStrictEqual(seen, ["h", "é", "l", "l", "o"])
    }))

  it.effect("over a Stream", () =>
    Effect.gen(function*() {
      const seen = yield* Ref.make<Array<number>>([])
      // small chunks, so the stream feeds the pool in several steps
      const items = Stream.range(0, 249, 16)
      const expected = Array.from(yield* Stream.runCollect(items))
      const stats = yield* FiberPool.run(items, { workers: 4, batchSize: 3, worker: recording(seen) })
      strictEqual(stats.submitted, expected.length)
      strictEqual(stats.processed, expected.length)
      deepStrictEqual([...(yield* Ref.get(seen))].sort((a, b) => a - b), expected)
    }))

  it.effect("over an effectful Stream that needs the clock", () =>
    Effect.gen(function*() {
      const items = Stream.range(1, 5).pipe(Stream.tap(() => Effect.sleep("10 millis")))
      const fiber = yield* Effect.fork(
        FiberPool.run(items, { workers: 2, worker: (_: number) => Effect.sleep("5 millis") })
      )
      yield* TestClock.adjust("1 second")
      const stats = yield* Fiber.join(fiber)
      strictEqual(stats.processed, 5)
      strictEqual(stats.submitted, 5)
    }))

  it.effect("over an empty Iterable and an empty Stream", () =>
    Effect.gen(function*() {
      const a = yield* FiberPool.run([] as Array<number>, { workers: 2, worker: (_: number) => Effect.void })
      const b = yield* FiberPool.run(Stream.empty as Stream.Stream<number>, {
        workers: 2,
        worker: (_: number) => Effect.void
      })
      strictEqual(a.submitted, 0)
      strictEqual(a.processed, 0)
      strictEqual(b.submitted, 0)
      strictEqual(b.processed, 0)
    }))

  it.effect("fails like close: with the first item failure, unwrapped (catchTag works)", () =>
    Effect.gen(function*() {
      const worker = (n: number) => n === 7 ? Effect.fail(new ItemError({ item: n })) : Effect.void
      const caught = yield* FiberPool.run(range(50), { workers: 1, batchSize: 1, worker }).pipe(
        Effect.map(() => -1),
        Effect.catchTag("ItemError", (e) => Effect.succeed(e.item))
      )
      strictEqual(caught, 7)
    }))

  it.effect("fails with the first item failure of a Stream input too, and stops feeding", () =>
    Effect.gen(function*() {
      let pulled = 0
      const items = Stream.range(0, 999, 1).pipe(Stream.tap(() => Effect.sync(() => pulled++)))
      const worker = (n: number) => n === 3 ? Effect.fail(new ItemError({ item: n })) : Effect.void
      const exit = yield* Effect.exit(
        FiberPool.run(items, { workers: 1, batchSize: 1, workerQueueSize: 1, worker })
      )
      deepStrictEqual(failureOf(exit), Option.some(new ItemError({ item: 3 })))
      // back-pressure: the stream was not drained after the pool stopped
      assertTrue(pulled < 1000, `pulled ${pulled} items from the stream`)
    }))

  it.effect("in continue mode, runs every item and then fails with the first failure", () =>
    Effect.gen(function*() {
      const seen = yield* Ref.make<Array<number>>([])
      const worker = (n: number) =>
        Ref.update(seen, (xs) => [...xs, n]).pipe(
          Effect.zipRight(n % 10 === 4 ? Effect.fail(new ItemError({ item: n })) : Effect.void)
        )
      const exit = yield* Effect.exit(
        FiberPool.run(range(30), { workers: 1, batchSize: 1, continueOnError: true, worker })
      )
      deepStrictEqual(failureOf(exit), Option.some(new ItemError({ item: 4 })))
      strictEqual((yield* Ref.get(seen)).length, 30)
    }))

  it.effect("a failing Stream fails run with the stream's error after stopping the pool", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const seen = yield* Ref.make<Array<number>>([])
      const interrupted = yield* Ref.make<Array<number>>([])
      const worker = (n: number) =>
        Ref.update(seen, (xs) => [...xs, n]).pipe(
          Effect.zipRight(Deferred.succeed(started, void 0)),
          Effect.zipRight(Effect.never),
          Effect.onInterrupt(() => Ref.update(interrupted, (xs) => [...xs, n]))
        )
      // three items, then (once the worker is busy with the first) a failure
      const items = Stream.make(1, 2, 3).pipe(
        Stream.concat(Stream.fromEffect(Deferred.await(started)).pipe(Stream.drain)),
        Stream.concat(Stream.fail(new StreamError({ reason: "broken" })))
      )
      const exit = yield* Effect.exit(
        FiberPool.run(items, { workers: 1, batchSize: 1, workerQueueSize: 10, worker })
      )
      deepStrictEqual(failureOf(exit), Option.some(new StreamError({ reason: "broken" })))
      // the worker saw only the first item, and its in-flight item was interrupted
      deepStrictEqual(yield* Ref.get(seen), [1])
      deepStrictEqual(yield* Ref.get(interrupted), [1])
    }))

  it.effect("a fail-fast stop ends run while the Stream waits for its next element", () =>
    Effect.gen(function*() {
      let released = false
      // three items now, the fourth in an hour (an idle queue, a socket)
      const items = Stream.make(1, 2, 3).pipe(
        Stream.concat(Stream.fromEffect(Effect.sleep("1 hour").pipe(Effect.as(4)))),
        Stream.ensuring(Effect.sync(() => released = true))
      )
      const worker = (n: number) => n === 2 ? Effect.fail(new ItemError({ item: n })) : Effect.void
      const fiber = yield* Effect.fork(Effect.exit(FiberPool.run(items, { workers: 2, worker })))
      yield* TestClock.adjust("1 second")
      assertTrue(Option.isSome(yield* Fiber.poll(fiber)), "run ended with the pool, not an hour later with the stream")
      deepStrictEqual(failureOf(yield* Fiber.join(fiber)), Option.some(new ItemError({ item: 2 })))
      assertTrue(released, "the stream was interrupted")
    }))

  it.effect("watches the pool's end with one fiber per run, not one per element of the Stream", () =>
    Effect.gen(function*() {
      // counts every fiber started under it
      class Forks extends Supervisor.AbstractSupervisor<number> {
        started = 0
        value = Effect.sync(() => this.started)
        override onStart() {
          this.started++
        }
      }
      const forks = new Forks()
      // 500 chunks of one element (as Stream.fromQueue or repeatEffect give)
      const items = Stream.fromIterable(range(500)).pipe(Stream.rechunk(1))
      const stats = yield* FiberPool.run(items, { workers: 2, worker: (_: number) => Effect.void }).pipe(
        Effect.supervised(forks)
      )
      strictEqual(stats.processed, 500)
      // the workers, the pool's supervisor and the race of the feed with the pool's end; a watch per
      // pull (Stream.interruptWhen) started ~500 more: ~50 µs per element
      const started = yield* forks.value
      assertTrue(started < 20, `${started} fibers started`)
    }))

  it.effect("a Stream that fails with another pool's PoolClosedError fails run with it", () =>
    Effect.gen(function*() {
      // e.g. a stream fed by an upstream pool's results
      const upstream = new FiberPool.PoolClosedError({ pool: "upstream", reason: "closed" })
      const items = Stream.make(1, 2, 3).pipe(Stream.concat(Stream.fail(upstream)))
      const exit = yield* Effect.exit(FiberPool.run(items, { workers: 2, worker: (_: number) => Effect.void }))
      deepStrictEqual(failureOf(exit), Option.some(upstream))
    }))

  it.effect("a Stream failure wins over an item failure that came later", () =>
    Effect.gen(function*() {
      const items = Stream.make(1, 2).pipe(Stream.concat(Stream.fail(new StreamError({ reason: "early" }))))
      // the worker would fail only if it ran; the stream fails before any item can finish
      const worker = (n: number) =>
        Effect.sleep("1 second").pipe(Effect.zipRight(Effect.fail(new ItemError({ item: n }))))
      const fiber = yield* Effect.fork(Effect.exit(FiberPool.run(items, { workers: 2, worker })))
      yield* TestClock.adjust("5 seconds")
      const exit = yield* Fiber.join(fiber)
      deepStrictEqual(failureOf(exit), Option.some(new StreamError({ reason: "early" })))
    }))

  it.effect("makeStateful options work too", () =>
    Effect.gen(function*() {
      const made = yield* Ref.make(0)
      const stats = yield* FiberPool.run(range(20), {
        workers: 3,
        makeWorker: (_id) =>
          Ref.update(made, (n) => n + 1).pipe(
            Effect.as(Worker.make((_: number) => Effect.void))
          )
      })
      strictEqual(stats.processed, 20)
      strictEqual(yield* Ref.get(made), 3)
    }))

  it("needs no Scope (type level): R is never for a plain worker", () => {
    const plain = FiberPool.run([1, 2, 3], { workers: 2, worker: (_: number) => Effect.void })
    expectTypeOf(plain).toEqualTypeOf<Effect.Effect<Stats.Stats, never, never>>()
    const failing = FiberPool.run(Stream.make(1).pipe(Stream.concat(Stream.fail(new StreamError({ reason: "x" })))), {
      workers: 2,
      worker: (n: number) => Effect.fail(new ItemError({ item: n }))
    })
    expectTypeOf(failing).toEqualTypeOf<Effect.Effect<Stats.Stats, ItemError | StreamError, never>>()
  })
})

class Jobs extends Context.Tag("test/Jobs")<Jobs, FiberPool.FiberPool<number>>() {}

describe("FiberPool.layer", () => {
  it.effect("the service is usable from the layer and lives as long as the layer", () =>
    Effect.gen(function*() {
      const total = yield* Ref.make(0)
      const allDone = yield* Deferred.make<void>()
      const JobsLive = FiberPool.layer(Jobs, {
        workers: 2,
        worker: (n: number) =>
          Ref.updateAndGet(total, (t) => t + n).pipe(
            Effect.flatMap((t) => t === 55 ? Deferred.succeed(allDone, void 0) : Effect.void)
          )
      })
      expectTypeOf(JobsLive).toEqualTypeOf<Layer.Layer<Jobs, never, never>>()

      const pool = yield* Effect.gen(function*() {
        const jobs = yield* Jobs
        for (let i = 1; i <= 10; i++) yield* jobs.submit(i)
        // processed without end/close: the pool keeps running while the layer lives
        yield* Deferred.await(allDone)
        const stats = yield* jobs.stats
        strictEqual(stats.processed, 10)
        return jobs
      }).pipe(Effect.provide(JobsLive))

      strictEqual(yield* Ref.get(total), 55)
      // the layer's scope closed: the pool was interrupted
      const error = yield* Effect.flip(pool.submit(11))
      strictEqual(error._tag, "PoolClosedError")
      strictEqual(error.reason, "interrupted")
      const stats = yield* pool.stats
      strictEqual(stats.submitted, 10)
      strictEqual(stats.processed, 10)
    }))

  it.effect("closing the layer's scope interrupts items in flight and drops what is queued", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const interrupted = yield* Ref.make(0)
      const layer = FiberPool.layer(Jobs, {
        workers: 1,
        batchSize: 1,
        workerQueueSize: 10,
        worker: (_: number) =>
          Deferred.succeed(started, void 0).pipe(
            Effect.zipRight(Effect.never),
            Effect.onInterrupt(() => Ref.update(interrupted, (n) => n + 1))
          )
      })
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(layer, scope)
      const pool = Context.get(context, Jobs)
      yield* pool.submitAll([1, 2, 3])
      yield* Deferred.await(started)
      yield* Scope.close(scope, Exit.void)
      strictEqual(yield* Ref.get(interrupted), 1)
      const stats = yield* pool.stats
      strictEqual(stats.submitted, 3)
      strictEqual(stats.processed, 0)
      strictEqual(stats.dropped, 3)
      const error = yield* Effect.flip(pool.submit(4))
      strictEqual(error.reason, "interrupted")
      const waited = yield* Effect.exit(pool.wait)
      assertTrue(Exit.isFailure(waited) && Cause.isInterruptedOnly(waited.cause))
    }))

  it.effect("Layer.scoped(Tag, FiberPool.make(...)) works and type-checks", () =>
    Effect.gen(function*() {
      const total = yield* Ref.make(0)
      const layer = Layer.scoped(
        Jobs,
        FiberPool.make({ workers: 3, worker: (n: number) => Ref.update(total, (t) => t + n) })
      )
      expectTypeOf(layer).toEqualTypeOf<Layer.Layer<Jobs, never, never>>()
      const stats = yield* Effect.gen(function*() {
        const jobs = yield* Jobs
        yield* jobs.submitAll(range(10))
        yield* jobs.close
        return yield* jobs.stats
      }).pipe(Effect.provide(layer))
      strictEqual(stats.processed, 10)
      strictEqual(yield* Ref.get(total), 45)
    }))

  it.effect("Effect.Service with scoped: FiberPool.make(...) works, no any in its layer", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      class Mailer extends Effect.Service<Mailer>()("test/Mailer", {
        scoped: FiberPool.make({
          workers: 2,
          worker: (to: string) =>
            to === "" ? Effect.fail(new ItemError({ item: -1 })) : Effect.sync(() => seen.push(to))
        })
      }) {}
      expectTypeOf<Layer.Layer.Error<typeof Mailer.Default>>().toEqualTypeOf<never>()
      expectTypeOf<Layer.Layer.Context<typeof Mailer.Default>>().toEqualTypeOf<never>()
      expectTypeOf<Layer.Layer.Success<typeof Mailer.Default>>().toEqualTypeOf<Mailer>()
      expectTypeOf<Mailer["close"]>().toEqualTypeOf<Effect.Effect<void, ItemError>>()

      const stats = yield* Effect.gen(function*() {
        const mailer = yield* Mailer
        yield* mailer.submitAll(["a@x", "b@x", "c@x"])
        yield* mailer.close
        return yield* mailer.stats
      }).pipe(Effect.provide(Mailer.Default))
      strictEqual(stats.processed, 3)
      deepStrictEqual([...seen].sort(), ["a@x", "b@x", "c@x"])
    }))

  it.effect("a stateful layer (makeWorker) works", () =>
    Effect.gen(function*() {
      const counts = new Map<number, number>()
      const layer = FiberPool.layer(Jobs, {
        workers: 2,
        makeWorker: (id) =>
          Effect.sync(() => counts.set(id, 0)).pipe(
            Effect.as(Worker.make((_: number) => Effect.sync(() => counts.set(id, (counts.get(id) ?? 0) + 1))))
          )
      })
      expectTypeOf(layer).toEqualTypeOf<Layer.Layer<Jobs, never, never>>()
      yield* Effect.gen(function*() {
        const jobs = yield* Jobs
        yield* jobs.submitAll(range(12))
        yield* jobs.close
      }).pipe(Effect.provide(layer))
      deepStrictEqual([...counts.keys()].sort(), [0, 1])
      strictEqual([...counts.values()].reduce((a, b) => a + b, 0), 12)
    }))

  it.effect("a workerLayer that fails to build fails the layer, releasing what was acquired", () =>
    Effect.gen(function*() {
      const acquired = yield* Ref.make<Array<number>>([])
      const released = yield* Ref.make<Array<number>>([])
      class Conn extends Context.Tag("test/Conn")<Conn, { readonly id: number }>() {}
      // workers 0, 1 and 3 open their connection at once; worker 2 fails after 10ms
      const connLayer = Layer.scoped(
        Conn,
        Effect.gen(function*() {
          const id = yield* Worker.WorkerId
          if (id === 2) {
            yield* Effect.sleep("10 millis")
            return yield* Effect.fail(new ConnectError({ worker: id }))
          }
          return yield* Effect.acquireRelease(
            Ref.update(acquired, (xs) => [...xs, id]).pipe(Effect.as({ id })),
            () => Ref.update(released, (xs) => [...xs, id])
          )
        })
      )
      const processed = yield* Ref.make(0)
      const layer = FiberPool.layer(Jobs, {
        workers: 4,
        workerLayer: connLayer,
        worker: (_: number) => Effect.flatMap(Conn, () => Ref.update(processed, (n) => n + 1))
      })
      expectTypeOf(layer).toEqualTypeOf<Layer.Layer<Jobs, ConnectError, never>>()

      const fiber = yield* Effect.fork(Effect.exit(Effect.provide(Jobs, layer)))
      yield* TestClock.adjust("10 millis")
      const exit = yield* Fiber.join(fiber)
      deepStrictEqual(failureOf(exit), Option.some(new ConnectError({ worker: 2 })))
      deepStrictEqual([...(yield* Ref.get(acquired))].sort(), [0, 1, 3])
      deepStrictEqual([...(yield* Ref.get(released))].sort(), [0, 1, 3])
      strictEqual(yield* Ref.get(processed), 0)
    }))

  it.effect("a start-up that fails releases what it acquired with its failure", () =>
    Effect.gen(function*() {
      const releases: Array<string> = []
      const exitOf = (exit: Exit.Exit<unknown, unknown>) =>
        Exit.isSuccess(exit) ? "success" : Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "failure"
      const program = Effect.scoped(FiberPool.makeStateful({
        workers: 1,
        workerLayer: Layer.scopedDiscard(
          Effect.addFinalizer((exit) => Effect.sync(() => releases.push(`layer: ${exitOf(exit)}`)))
        ),
        makeWorker: () =>
          Effect.acquireRelease(
            Effect.void,
            (_, exit) => Effect.sync(() => releases.push(`makeWorker: ${exitOf(exit)}`))
          ).pipe(
            Effect.zipRight(Effect.fail(new ConnectError({ worker: 0 }))),
            Effect.as(Worker.make((_: number) => Effect.void))
          )
      }))
      const exit = yield* Effect.exit(program)
      deepStrictEqual(failureOf(exit), Option.some(new ConnectError({ worker: 0 })))
      deepStrictEqual(releases, ["makeWorker: failure", "layer: failure"])
    }))

  it.effect("a layer failure also releases the workers that were still starting", () =>
    Effect.gen(function*() {
      const acquired = yield* Ref.make(0)
      const released = yield* Ref.make(0)
      class Conn extends Context.Tag("test/Conn2")<Conn, number>() {}
      // worker 0 fails at once; the others are still inside their (uninterruptible) acquire
      const connLayer = Layer.scoped(
        Conn,
        Effect.gen(function*() {
          const id = yield* Worker.WorkerId
          if (id === 0) return yield* Effect.fail(new ConnectError({ worker: 0 }))
          return yield* Effect.acquireRelease(
            Effect.sleep("20 millis").pipe(Effect.zipRight(Ref.updateAndGet(acquired, (n) => n + 1))),
            () => Ref.update(released, (n) => n + 1)
          )
        })
      )
      const program = Effect.scoped(
        FiberPool.make({ workers: 3, workerLayer: connLayer, worker: (_: number) => Conn })
      )
      const fiber = yield* Effect.fork(Effect.exit(program))
      yield* TestClock.adjust("50 millis")
      const exit = yield* Fiber.join(fiber)
      deepStrictEqual(failureOf(exit), Option.some(new ConnectError({ worker: 0 })))
      strictEqual(yield* Ref.get(released), yield* Ref.get(acquired))
    }))
})
