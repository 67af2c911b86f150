/**
 * The behaviours of go-pkgz/pool's README, tests and examples, in fiberpool's idiom.
 */
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Metrics, Stats } from "@fiberpool/pool-metrics"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import { FiberPool, Worker } from "../src/index.js"
import { range } from "./helpers.js"

class TestError extends Data.TaggedError("TestError")<{ readonly item: string }> {}
class FetchError extends Data.TaggedError("FetchError")<{ readonly url: string; readonly status: number }> {}
class CompleteError extends Data.TaggedError("CompleteError")<{}> {}

const failureOf = <A, E>(exit: Exit.Exit<A, E>): Option.Option<E> =>
  Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()

/** Appends to an array held in a Ref. */
const push = <A>(ref: Ref.Ref<Array<A>>, a: A) => Ref.update(ref, (xs) => [...xs, a])

describe("work distribution (WithChunkFn → keyBy)", () => {
  it.scoped("with 3 workers: alice → 2, bob → 2, charlie → 1", () =>
    Effect.gen(function*() {
      const seen = yield* Ref.make<Array<readonly [string, number]>>([])
      const pool = yield* FiberPool.make({
        workers: 3,
        keyBy: (name: string) => name,
        worker: (name: string) => Effect.flatMap(Worker.WorkerId, (id) => push(seen, [name, id] as const))
      })
      yield* pool.submitAll(["alice", "bob", "charlie"])
      yield* pool.close
      const byName = Object.fromEntries(yield* Ref.get(seen))
      deepStrictEqual(byName, { alice: 2, bob: 2, charlie: 1 })
    }))

  it.scoped("the same value always goes to the same worker (TestPool_ChunkDistribution)", () =>
    Effect.gen(function*() {
      const counts = [0, 0]
      const pool = yield* FiberPool.make({
        workers: 2,
        keyBy: (v: string) => v,
        worker: (_: string) => Effect.flatMap(Worker.WorkerId, (id) => Effect.sync(() => counts[id]!++))
      })
      for (let i = 0; i < 10; i++) yield* pool.submit("test1")
      yield* pool.close
      assertTrue(counts[0] === 0 || counts[1] === 0, `counts ${counts}`)
      strictEqual(counts[0]! + counts[1]!, 10)
    }))

  it.scoped("many keys: one worker per key, per-key submission order preserved", () =>
    Effect.gen(function*() {
      const keys = 40
      const perKey = 25
      const workersOf = new Map<string, Set<number>>()
      const sequences = new Map<string, Array<number>>()
      const pool = yield* FiberPool.make({
        workers: 4,
        batchSize: 3,
        workerQueueSize: 2,
        keyBy: (item: { readonly key: string; readonly seq: number }) => item.key,
        worker: (item) =>
          Effect.gen(function*() {
            const id = yield* Worker.WorkerId
            // uneven work, so workers interleave
            for (let i = 0; i < (item.seq * 7 + item.key.length) % 4; i++) yield* Effect.yieldNow()
            if (!workersOf.has(item.key)) workersOf.set(item.key, new Set())
            workersOf.get(item.key)!.add(id)
            if (!sequences.has(item.key)) sequences.set(item.key, [])
            sequences.get(item.key)!.push(item.seq)
          })
      })
      // interleaved submission from several producers, one producer per key group
      yield* Effect.forEach(
        range(4),
        (producer) =>
          Effect.forEach(range(perKey), (seq) =>
            Effect.forEach(
              range(keys).filter((k) => k % 4 === producer),
              (k) => pool.send({ key: `key-${k}`, seq }),
              { discard: true }
            ), { discard: true }),
        { concurrency: "unbounded", discard: true }
      )
      yield* pool.close
      strictEqual(workersOf.size, keys)
      for (const [key, ids] of workersOf) strictEqual(ids.size, 1, `${key} ran on workers ${[...ids]}`)
      for (const [key, seqs] of sequences) deepStrictEqual(seqs, range(perKey), `order of ${key}`)
      // the keys are spread over more than one worker
      const used = new Set([...workersOf.values()].map((ids) => [...ids][0]))
      assertTrue(used.size > 1)
      const stats = yield* pool.stats
      strictEqual(stats.processed, keys * perKey)
    }))
})

describe("chained pools (Send + WithPoolCompleteFn)", () => {
  it.scoped("pool1's workers send to pool2; pool1's onPoolComplete ends pool2", () =>
    Effect.gen(function*() {
      const order = yield* Ref.make<Array<string>>([])
      const results = yield* Ref.make<Array<number>>([])
      const pool2 = yield* FiberPool.make({
        workers: 2,
        worker: (n: number) => push(results, n),
        onPoolComplete: push(order, "p2 complete")
      })
      const pool1 = yield* FiberPool.make({
        workers: 3,
        batchSize: 3,
        worker: (n: number) => pool2.send(n * 10),
        onPoolComplete: push(order, "p1 complete").pipe(Effect.zipRight(pool2.end))
      })
      yield* pool1.submitAll(range(50))
      yield* pool1.close
      yield* pool2.wait
      deepStrictEqual([...(yield* Ref.get(results))].sort((a, b) => a - b), range(50).map((n) => n * 10))
      deepStrictEqual(yield* Ref.get(order), ["p1 complete", "p2 complete"])
      strictEqual((yield* pool1.stats).processed, 50)
      strictEqual((yield* pool2.stats).processed, 50)
    }))

  it.scoped("three stages, filtering in between (examples/direct_chain)", () =>
    Effect.gen(function*() {
      const input = ["banana", "alabama", "avocado", "kiwi", "panama", "arabia"]
      const results = yield* Ref.make<Array<readonly [number, number]>>([])
      const squares = yield* FiberPool.make({
        workers: 3,
        batchSize: 3,
        worker: (d: { readonly idx: number; readonly value: number }) =>
          Effect.sleep(Duration.millis(d.idx)).pipe(Effect.zipRight(push(results, [d.idx, d.value * d.value] as const)))
      })
      const multiply = yield* FiberPool.make({
        workers: 3,
        batchSize: 3,
        worker: (d: { readonly idx: number; readonly count: number }) =>
          squares.send({ idx: d.idx, value: d.count * 10 }),
        onPoolComplete: squares.end
      })
      const count = yield* FiberPool.make({
        workers: 2,
        batchSize: 3,
        worker: (idx: number) => {
          const count = [...input[idx]!].filter((c) => c === "a").length
          return count > 2 ? multiply.send({ idx, count }) : Effect.void
        },
        onPoolComplete: multiply.end
      })
      const fiber = yield* Effect.fork(Effect.gen(function*() {
        yield* count.submitAll(range(input.length))
        yield* count.close
        yield* squares.wait
      }))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      // "banana" 3, "alabama" 4, "panama" 3, "arabia" 3 pass the filter; "avocado" 2 and "kiwi" 0 do not
      deepStrictEqual(
        [...(yield* Ref.get(results))].sort((a, b) => a[0] - b[0]),
        [[0, 900], [1, 1600], [4, 900], [5, 900]]
      )
      strictEqual((yield* count.stats).processed, 6)
      strictEqual((yield* multiply.stats).processed, 4)
      strictEqual((yield* squares.stats).processed, 4)
    }))
})

describe("stateful workers (NewStateful → makeStateful)", () => {
  it.scoped("each worker counts its items in its own state; the counts add up", () =>
    Effect.gen(function*() {
      const counters: Array<Ref.Ref<number>> = []
      const reported = yield* Ref.make<Array<readonly [number, number]>>([])
      const pool = yield* FiberPool.makeStateful({
        workers: 3,
        workerQueueSize: 5,
        makeWorker: (id) =>
          Effect.gen(function*() {
            const count = yield* Ref.make(0)
            counters[id] = count
            return Worker.make((_: string) => Ref.update(count, (n) => n + 1).pipe(Effect.zipRight(Effect.yieldNow())))
          }),
        onWorkerComplete: (id) =>
          Effect.gen(function*() {
            const self = yield* Worker.WorkerId
            strictEqual(self, id)
            const count = yield* Ref.get(counters[self]!)
            yield* push(reported, [self, count] as const)
          })
      })
      for (let i = 0; i < 100; i++) yield* pool.submit("test")
      yield* pool.close
      const counts = yield* Effect.forEach(counters, Ref.get)
      strictEqual(counts.length, 3)
      strictEqual(counts.reduce((a, b) => a + b, 0), 100)
      // onWorkerComplete saw each worker's own count
      deepStrictEqual(
        [...(yield* Ref.get(reported))].sort((a, b) => a[0] - b[0]),
        counts.map((c, id) => [id, c] as const)
      )
    }))

  it.scoped("a worker's state is never shared: no lost updates without synchronisation", () =>
    Effect.gen(function*() {
      // a read-yield-write counter, which concurrent use would corrupt
      const states: Array<{ count: number }> = []
      const pool = yield* FiberPool.makeStateful({
        workers: 4,
        batchSize: 2,
        makeWorker: (id) =>
          Effect.sync(() => {
            const state = { count: 0 }
            states[id] = state
            return Worker.make((_: number) =>
              Effect.gen(function*() {
                const before = state.count
                yield* Effect.yieldNow()
                state.count = before + 1
              })
            )
          })
      })
      yield* pool.submitAll(range(200))
      yield* pool.close
      strictEqual(states.reduce((sum, s) => sum + s.count, 0), 200)
    }))
})

describe("completion callbacks", () => {
  it.scoped("onWorkerComplete runs once per worker with its id, onPoolComplete once after all of them", () =>
    Effect.gen(function*() {
      const events = yield* Ref.make<Array<string>>([])
      const pool = yield* FiberPool.make({
        workers: 3,
        batchSize: 1,
        worker: (_: string) => Effect.sleep("1 millis"),
        onWorkerComplete: (id) =>
          Effect.flatMap(Worker.WorkerId, (self) => push(events, `worker ${id}/${self}`)).pipe(
            Effect.zipRight(Effect.sleep(Duration.millis(5 * (3 - id))))
          ),
        onPoolComplete: push(events, "pool")
      })
      const fiber = yield* Effect.fork(Effect.gen(function*() {
        yield* pool.submitAll(["test0", "test1", "test2"])
        // nothing completes before the end of input
        yield* Effect.sleep("50 millis")
        strictEqual((yield* Ref.get(events)).length, 0)
        yield* pool.close
      }))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      const all = yield* Ref.get(events)
      deepStrictEqual(all.slice(0, 3).sort(), ["worker 0/0", "worker 1/1", "worker 2/2"])
      deepStrictEqual(all.slice(3), ["pool"])
      strictEqual((yield* pool.stats).processed, 3)
    }))

  it.scoped("onPoolComplete runs after a fail-fast stop too; onWorkerComplete does not", () =>
    Effect.gen(function*() {
      const workerCompleted = yield* Ref.make(0)
      const poolCompleted = yield* Ref.make(0)
      const pool = yield* FiberPool.make({
        workers: 1,
        worker: (v: string) => Effect.fail(new TestError({ item: v })),
        onWorkerComplete: () => Ref.update(workerCompleted, (n) => n + 1),
        onPoolComplete: Ref.update(poolCompleted, (n) => n + 1)
      })
      yield* pool.submit("test")
      const exit = yield* Effect.exit(pool.close)
      deepStrictEqual(failureOf(exit), Option.some(new TestError({ item: "test" })))
      strictEqual(yield* Ref.get(poolCompleted), 1)
      strictEqual(yield* Ref.get(workerCompleted), 0)
    }))

  it.scoped("an onPoolComplete error is the pool's error", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        workers: 1,
        worker: (_: string) => Effect.void,
        onPoolComplete: Effect.fail(new CompleteError())
      })
      yield* pool.submit("test")
      const exit = yield* Effect.exit(pool.close)
      deepStrictEqual(failureOf(exit), Option.some(new CompleteError()))
      strictEqual((yield* pool.stats).processed, 1)
      strictEqual((yield* pool.stats).errors, 0)
    }))

  it.effect("neither callback runs when the pool's scope is interrupted (context cancellation)", () =>
    Effect.gen(function*() {
      const workerCompleted = yield* Ref.make(0)
      const poolCompleted = yield* Ref.make(0)
      const started = yield* Deferred.make<void>()
      const pool = yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({
          workers: 1,
          worker: (_: string) => Deferred.succeed(started, void 0).pipe(Effect.zipRight(Effect.sleep("50 millis"))),
          onWorkerComplete: () => Ref.update(workerCompleted, (n) => n + 1),
          onPoolComplete: Ref.update(poolCompleted, (n) => n + 1)
        })
        yield* pool.submit("test")
        yield* Deferred.await(started)
        return pool
      }))
      yield* TestClock.adjust("1 second")
      const exit = yield* Effect.exit(pool.close)
      assertTrue(Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause))
      strictEqual(yield* Ref.get(poolCompleted), 0)
      strictEqual(yield* Ref.get(workerCompleted), 0)
      const stats = yield* pool.stats
      strictEqual(stats.dropped, 1)
      strictEqual(stats.processed, 0)
    }))
})

describe("batching (WithBatchSize)", () => {
  it.scoped("one worker, batchSize 3: items keep their order", () =>
    Effect.gen(function*() {
      const seen = yield* Ref.make<Array<number>>([])
      const pool = yield* FiberPool.make({ workers: 1, batchSize: 3, worker: (n: number) => push(seen, n) })
      yield* pool.submitAll(range(10))
      yield* pool.close
      deepStrictEqual(yield* Ref.get(seen), range(10))
      strictEqual((yield* pool.stats).processed, 10)
    }))

  it.scoped("a worker receives items in groups of batchSize (the last group may be smaller)", () =>
    Effect.gen(function*() {
      const perWorker = new Map<number, Array<number>>()
      const pool = yield* FiberPool.make({
        workers: 3,
        batchSize: 3,
        worker: (n: number) =>
          Effect.flatMap(Worker.WorkerId, (id) =>
            Effect.sync(() => {
              if (!perWorker.has(id)) perWorker.set(id, [])
              perWorker.get(id)!.push(n)
            })).pipe(Effect.zipRight(Effect.yieldNow()))
      })
      yield* pool.submitAll(range(20))
      yield* pool.close
      const all = [...perWorker.values()].flat().sort((a, b) => a - b)
      deepStrictEqual(all, range(20))
      // each worker's sequence is made of whole batches [3k, 3k+1, 3k+2] (and the final [18, 19])
      for (const [id, items] of perWorker) {
        let i = 0
        while (i < items.length) {
          const first = items[i]!
          strictEqual(first % 3, 0, `worker ${id} starts a batch with ${first}: ${items}`)
          const size = Math.min(3, 20 - first)
          deepStrictEqual(items.slice(i, i + size), range(size).map((k) => first + k), `worker ${id}: ${items}`)
          i += size
        }
      }
    }))

  it.scoped("a partial batch is processed without waiting for close (unlike go-pkgz)", () =>
    Effect.gen(function*() {
      const seen = yield* Ref.make<Array<number>>([])
      const pool = yield* FiberPool.make({ workers: 2, batchSize: 10, worker: (n: number) => push(seen, n) })
      yield* pool.submit(1)
      yield* pool.submit(2)
      yield* TestClock.adjust(0)
      deepStrictEqual([...(yield* Ref.get(seen))].sort(), [1, 2])
      const stats = yield* pool.stats
      strictEqual(stats.processed, 2)
      yield* pool.close
    }))
})

describe("error handling (WithContinueOnError)", () => {
  it.scoped("stop on error: one worker processes until the failing item", () =>
    Effect.gen(function*() {
      const processed = yield* Ref.make<Array<string>>([])
      const pool = yield* FiberPool.make({
        workers: 1,
        worker: (v: string) => v === "error" ? Effect.fail(new TestError({ item: v })) : push(processed, v)
      })
      yield* pool.submitAll(["ok1", "error", "ok2"])
      const exit = yield* Effect.exit(pool.close)
      deepStrictEqual(failureOf(exit), Option.some(new TestError({ item: "error" })))
      deepStrictEqual(yield* Ref.get(processed), ["ok1"])
      const stats = yield* pool.stats
      strictEqual(stats.processed, 1)
      strictEqual(stats.errors, 1)
      strictEqual(stats.dropped, 1)
    }))

  it.scoped("continue on error: every item runs, errors are counted, the first is reported", () =>
    Effect.gen(function*() {
      const processed = yield* Ref.make<Array<string>>([])
      const pool = yield* FiberPool.make({
        workers: 1,
        continueOnError: true,
        worker: (v: string) => v.startsWith("error") ? Effect.fail(new TestError({ item: v })) : push(processed, v)
      })
      yield* pool.submitAll(["ok1", "error1", "ok2", "error2", "ok3"])
      const exit = yield* Effect.exit(pool.close)
      deepStrictEqual(failureOf(exit), Option.some(new TestError({ item: "error1" })))
      deepStrictEqual(yield* Ref.get(processed), ["ok1", "ok2", "ok3"])
      const stats = yield* pool.stats
      strictEqual(stats.processed, 3)
      strictEqual(stats.errors, 2)
      strictEqual(stats.dropped, 0)
      strictEqual(stats.errorRate, 2 / 5)
    }))

  it.scoped("continue on error with many workers: errors counted exactly", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        workers: 4,
        batchSize: 5,
        continueOnError: true,
        worker: (n: number) => n % 7 === 0 ? Effect.fail(new TestError({ item: String(n) })) : Effect.void
      })
      yield* pool.submitAll(range(100))
      const exit = yield* Effect.exit(pool.close)
      assertTrue(Exit.isFailure(exit))
      const stats = yield* pool.stats
      strictEqual(stats.errors, 15) // 0, 7, …, 98
      strictEqual(stats.processed, 85)
      strictEqual(stats.submitted, 100)
    }))
})

describe("Quick Start: fetching URLs with custom metrics", () => {
  it.effect("counts status codes, bytes and failures; continues past bad statuses", () =>
    Effect.gen(function*() {
      const responses: Record<string, { readonly status: number; readonly bytes: number }> = {
        "https://example.com": { status: 200, bytes: 1256 },
        "https://example.org": { status: 200, bytes: 1000 },
        "https://example.net": { status: 404, bytes: 100 },
        "https://example.edu": { status: 0, bytes: 0 } // connection refused
      }
      const fetch = (url: string) =>
        Effect.sleep("20 millis").pipe(
          Effect.zipRight(
            responses[url]!.status === 0
              ? Effect.fail(new FetchError({ url, status: 0 }))
              : Effect.succeed(responses[url]!)
          )
        )
      const worker = Worker.make((url: string) =>
        Effect.gen(function*() {
          const response = yield* fetch(url).pipe(Effect.tapError(() => Metrics.increment("fetch_errors")))
          yield* Metrics.increment(`status_${response.status}`)
          if (response.bytes > 0) yield* Metrics.add("bytes_fetched", response.bytes)
          if (response.status !== 200) return yield* Effect.fail(new FetchError({ url, status: response.status }))
          yield* Metrics.increment("successful_fetches")
        })
      )
      const fiber = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ workers: 5, batchSize: 1, continueOnError: true, worker })
        yield* Effect.forkScoped(pool.submitAll(Object.keys(responses)).pipe(Effect.zipRight(pool.end)))
        const exit = yield* Effect.exit(pool.wait)
        return { exit, metrics: yield* pool.metrics, stats: yield* pool.stats }
      })))
      yield* TestClock.adjust("1 second")
      const { exit, metrics, stats } = yield* Fiber.join(fiber)

      // "some URLs failed": the first failure, typed
      const error = failureOf(exit)
      assertTrue(Option.isSome(error) && error.value._tag === "FetchError")
      deepStrictEqual(metrics, {
        status_200: 2,
        status_404: 1,
        bytes_fetched: 2356,
        successful_fetches: 2,
        fetch_errors: 1
      })
      strictEqual(
        Metrics.format(metrics),
        "[bytes_fetched:2356, fetch_errors:1, status_200:2, status_404:1, successful_fetches:2]"
      )
      strictEqual(stats.processed, 2)
      strictEqual(stats.errors, 2)
      strictEqual(stats.errorRate, 0.5)
      strictEqual(Duration.toMillis(stats.totalTime), 20)
      strictEqual(stats.ratePerSec, 100)
      strictEqual(Duration.toMillis(stats.avgLatency), 10)
      strictEqual(
        Stats.format(stats),
        "[processed:2, rate:100.0/s, avg_latency:10ms, errors:2 (50.0%), proc:20ms, total:20ms, utilization:100.0%]"
      )
    }))
})
