import { describe, it } from "@effect/vitest"
import { assertInclude, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { FiberPool, Worker } from "@fiberpool/pool"
import {
  Cause,
  Chunk,
  Context,
  Deferred,
  Duration,
  Effect,
  Exit,
  Fiber,
  type FiberId,
  FiberRef,
  FiberRefs,
  HashMap,
  Inspectable,
  Layer,
  Logger,
  Option,
  Ref,
  RuntimeFlags,
  RuntimeFlagsPatch,
  Scope,
  Stream,
  Supervisor,
  TestClock,
  Tracer
} from "effect"
import * as util from "node:util"
import * as vm from "node:vm"
import { assertAccounting, Boom, exposeGc, range, releasing, settle, withLogs, workerOfKey } from "./helpers.js"

describe("FiberPool", () => {
  describe("processing", () => {
    it.scoped("processes every item and counts it", () =>
      Effect.gen(function*() {
        const seen = new Set<number>()
        const pool = yield* FiberPool.make({
          workers: 3,
          worker: (n: number) => Effect.sync(() => seen.add(n))
        })
        yield* pool.submitAll(range(100))
        yield* pool.submit(100)
        yield* pool.send(101)
        yield* pool.close
        strictEqual(seen.size, 102)
        const stats = yield* pool.stats
        strictEqual(stats.submitted, 102)
        strictEqual(stats.processed, 102)
        strictEqual(stats.errors, 0)
        strictEqual(stats.dropped, 0)
      }))

    it.scoped("hands a partial batch to an idle worker without close", () =>
      Effect.gen(function*() {
        const processed = yield* Ref.make<Array<number>>([])
        const pool = yield* FiberPool.make({
          workers: 2,
          worker: (n: number) => Ref.update(processed, (a) => [...a, n])
        })
        yield* pool.submit(1)
        yield* pool.submit(2)
        yield* pool.submit(3)
        yield* settle
        deepStrictEqual((yield* Ref.get(processed)).sort(), [1, 2, 3])
        strictEqual((yield* pool.stats).processed, 3)
        yield* pool.close
      }))

    it.scoped("shares a partial batch among the idle workers: a burst of slow items runs side by side", () =>
      Effect.gen(function*() {
        const ranBy: Array<[item: number, worker: number]> = []
        const pool = yield* FiberPool.make({
          workers: 3,
          worker: (n: number) =>
            Effect.flatMap(Worker.WorkerId, (id) => {
              ranBy.push([n, id])
              return Effect.sleep("10 millis")
            })
        })
        yield* pool.submitAll(range(6))
        yield* settle
        yield* TestClock.adjust("10 millis")
        // two rounds of three, not six items one after another on the first worker to wake
        strictEqual((yield* pool.stats).processed, 3)
        yield* TestClock.adjust("10 millis")
        strictEqual((yield* pool.stats).processed, 6)
        // the first to wake takes the first ⌈6 / 3⌉ items, in order; each worker ran two
        deepStrictEqual(ranBy.map(([n]) => n).sort(), range(6))
        const byWorker = new Map<number, Array<number>>()
        for (const [n, id] of ranBy) byWorker.set(id, [...byWorker.get(id) ?? [], n])
        deepStrictEqual([...byWorker.values()].map((items) => items.length), [2, 2, 2])
        deepStrictEqual(byWorker.get(ranBy[0]![1]), [0, 1])
        yield* pool.close
      }))

    it.live("live: workers parked for the event loop get their share too (submitAll, then close at once)", () =>
      Effect.gen(function*() {
        const byWorker = new Map<number, Array<number>>()
        const pool = yield* FiberPool.make({
          workers: 3,
          worker: (n: number) =>
            Effect.flatMap(Worker.WorkerId, (id) => {
              byWorker.set(id, [...byWorker.get(id) ?? [], n])
              return Effect.sleep("20 millis")
            })
        })
        // idle for more than the pool's 10 ms: the takes below park for the event loop's next turn
        yield* Effect.sleep("20 millis")
        yield* pool.submitAll(range(6))
        yield* pool.close
        deepStrictEqual([...byWorker.values()].map((items) => items.length), [2, 2, 2], JSON.stringify([...byWorker]))
      }).pipe(Effect.scoped))

    it.scoped("concurrent executes of slow items arrive together and run on as many workers", () =>
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({
          workers: 8,
          worker: (n: number) => Effect.as(Effect.sleep("50 millis"), n * 2)
        })
        const calls = yield* Effect.fork(Effect.forEach(range(8), pool.execute, { concurrency: "unbounded" }))
        yield* settle
        yield* TestClock.adjust("50 millis")
        // all eight answered after one item's time (one after another, it would take 400 ms)
        deepStrictEqual(yield* Fiber.poll(calls), Option.some(Exit.succeed(range(8).map((n) => n * 2))))
        yield* pool.close
      }))

    it.scoped("a burst of batchSize or more concurrent executes on an idle pool is shared too, not run by one worker", () =>
      Effect.gen(function*() {
        const ranBy = new Map<number, number>()
        const pool = yield* FiberPool.make({
          workers: 8,
          worker: (n: number) =>
            Effect.flatMap(Worker.WorkerId, (id) => {
              ranBy.set(id, (ranBy.get(id) ?? 0) + 1)
              return Effect.as(Effect.sleep("50 millis"), n * 2)
            })
        })
        // 16 items: a full batch of 10 queued and 6 being filled when the first worker runs
        const calls = yield* Effect.fork(Effect.forEach(range(16), pool.execute, { concurrency: "unbounded" }))
        yield* settle
        yield* TestClock.adjust("100 millis")
        // two items per worker (the full batch taken whole by one worker took 500 ms)
        deepStrictEqual(yield* Fiber.poll(calls), Option.some(Exit.succeed(range(16).map((n) => n * 2))))
        deepStrictEqual([...ranBy.values()], [2, 2, 2, 2, 2, 2, 2, 2])
        // with a batch for every idle worker, each takes a whole one
        ranBy.clear()
        yield* pool.submitAll(range(80))
        yield* settle
        yield* TestClock.adjust("500 millis")
        deepStrictEqual([...ranBy.values()], [10, 10, 10, 10, 10, 10, 10, 10])
        yield* pool.close
      }))

    it.scoped("cheap items: a full batch stays whole (a share would cost more takes and wakes than it saves)", () =>
      Effect.gen(function*() {
        const ranBy = new Map<number, Array<number>>()
        const pool = yield* FiberPool.make({
          workers: 8,
          // instant items (0 ms under the TestClock) that yield, so that the woken workers interleave
          worker: (n: number) =>
            Effect.flatMap(
              Effect.zipRight(Effect.yieldNow(), Worker.WorkerId),
              (id) => Effect.sync(() => ranBy.set(id, [...ranBy.get(id) ?? [], n]))
            )
        })
        // every worker runs a batch first
        yield* pool.submitAll(range(80))
        yield* settle
        deepStrictEqual([...ranBy.values()].map((items) => items.length), [10, 10, 10, 10, 10, 10, 10, 10])
        ranBy.clear()
        // then a full batch and a partial one arrive while all idle: the full batch goes whole
        yield* Effect.forEach(range(16, 100), pool.execute, { concurrency: "unbounded" })
        assertTrue(
          [...ranBy.values()].some((items) => items.length === 10),
          JSON.stringify([...ranBy.values()])
        )
        yield* pool.close
      }))

    /**
     * Eight workers that have each run a batch of cheap items (negative items: 0 ms; the others take
     * 50 ms); `ranBy` counts the items each worker runs from then on.
     */
    const afterCheapTraffic = Effect.gen(function*() {
      const ranBy = new Map<number, number>()
      const pool = yield* FiberPool.make({
        workers: 8,
        worker: (n: number) =>
          Effect.flatMap(Effect.zipRight(Effect.yieldNow(), Worker.WorkerId), (id) => {
            ranBy.set(id, (ranBy.get(id) ?? 0) + 1)
            return n < 0 ? Effect.void : Effect.sleep("50 millis")
          })
      })
      yield* pool.submitAll(range(80).map((n) => -1 - n))
      yield* settle
      ranBy.clear()
      return { pool, ranBy }
    })

    it.scoped("a burst of slow items after a quiet spell is shared, whatever cheap items ran before", () =>
      Effect.gen(function*() {
        // "the taker had idled 1 ms or more": the boundary counts
        for (const spell of ["10 millis", "1 millis"] as const) {
          const { pool, ranBy } = yield* afterCheapTraffic
          yield* TestClock.adjust(spell)
          const calls = yield* Effect.fork(Effect.forEach(range(16), pool.execute, { concurrency: "unbounded" }))
          yield* settle
          yield* TestClock.adjust("100 millis")
          assertTrue(Option.isSome(yield* Fiber.poll(calls)), `${spell}: ${JSON.stringify([...ranBy.values()])}`)
          deepStrictEqual([...ranBy.values()], [2, 2, 2, 2, 2, 2, 2, 2], spell)
          yield* pool.close
        }
      }))

    it.scoped("a burst of slow items that arrived while paused is shared on resume", () =>
      Effect.gen(function*() {
        const { pool, ranBy } = yield* afterCheapTraffic
        // the burst arrives while the pool is paused for 10 ms
        yield* pool.pause
        const calls = yield* Effect.fork(Effect.forEach(range(16), pool.execute, { concurrency: "unbounded" }))
        yield* TestClock.adjust("10 millis")
        // the worker woken by the burst waited for the resume: its last clock reading is the resume,
        // and it still counts its wait as a quiet spell
        yield* pool.resume
        yield* settle
        yield* TestClock.adjust("100 millis")
        assertTrue(Option.isSome(yield* Fiber.poll(calls)), JSON.stringify([...ranBy.values()]))
        deepStrictEqual([...ranBy.values()], [2, 2, 2, 2, 2, 2, 2, 2])
        yield* pool.close
      }))

    it.scoped("the quiet spell of a wait for resume counts for that take only: cheap full batches stay whole after it", () =>
      Effect.gen(function*() {
        const { pool, ranBy } = yield* afterCheapTraffic
        // every worker waits for resume before a take (each submit wakes the next idle worker),
        // then takes its share of the cheap items that arrived meanwhile
        yield* pool.pause
        for (const n of range(8)) {
          yield* pool.submit(-1 - n)
          yield* settle
        }
        yield* pool.resume
        yield* settle
        deepStrictEqual([...ranBy.values()], [1, 1, 1, 1, 1, 1, 1, 1])
        ranBy.clear()
        // a full batch and a partial one of cheap items while all idle: the full batch goes whole,
        // as before the pause
        yield* Effect.forEach(range(16).map((n) => -1 - n), pool.execute, { concurrency: "unbounded" })
        assertTrue([...ranBy.values()].some((n) => n === 10), JSON.stringify([...ranBy.values()]))
        yield* pool.close
      }))

    /** A pool of `workers` whose items take 10 ms each, recording which worker ran which items, in order. */
    const slowItemsBy = (workers: number, workerQueueSize = 1) =>
      Effect.gen(function*() {
        const ranBy = new Map<number, Array<number>>()
        const pool = yield* FiberPool.make({
          workers,
          workerQueueSize,
          worker: (n: number) =>
            Effect.flatMap(Worker.WorkerId, (id) => {
              ranBy.set(id, [...ranBy.get(id) ?? [], n])
              return Effect.sleep("10 millis")
            })
        })
        return { pool, ranBy }
      })

    it.scoped("workers waiting for resume before a take count as idle: on resume they share what queued, each a run in order", () =>
      Effect.gen(function*() {
        const { pool, ranBy } = yield* slowItemsBy(3)
        yield* pool.pause
        // each submit wakes an idle worker, which finds the pool paused and waits for resume
        for (const n of range(3)) {
          yield* pool.submit(n)
          yield* settle
        }
        yield* pool.submitAll(range(3, 3))
        yield* pool.resume
        yield* settle
        yield* TestClock.adjust("10 millis")
        // the first to resume took ⌈6 / 3⌉, leaving the rest to the two others still waiting
        strictEqual((yield* pool.stats).processed, 3)
        yield* TestClock.adjust("10 millis")
        strictEqual((yield* pool.stats).processed, 6)
        deepStrictEqual([...ranBy.values()].sort((a, b) => a[0]! - b[0]!), [[0, 1], [2, 3], [4, 5]])
        yield* pool.close
      }))

    it.scoped("shares are ⌈queued items / idle workers⌉, the first taker's first: 5 slow items on 3 idle workers run 2, 2, 1", () =>
      Effect.gen(function*() {
        const { pool, ranBy } = yield* slowItemsBy(3)
        yield* pool.submitAll(range(5))
        yield* settle
        yield* TestClock.adjust("10 millis")
        strictEqual((yield* pool.stats).processed, 3)
        yield* TestClock.adjust("10 millis")
        strictEqual((yield* pool.stats).processed, 5)
        deepStrictEqual([...ranBy.values()], [[0, 1], [2, 3], [4]])
        yield* pool.close
      }))

    it.scoped("one full batch of slow items and two idle workers: fewer batches than idle workers, so it is shared", () =>
      Effect.gen(function*() {
        const { pool, ranBy } = yield* slowItemsBy(2)
        // exactly one full batch of 10 (none being filled) when the first worker takes
        yield* pool.submitAll(range(10))
        yield* settle
        yield* TestClock.adjust("50 millis")
        strictEqual((yield* pool.stats).processed, 10)
        deepStrictEqual([...ranBy.values()], [range(5), range(5, 5)])
        yield* pool.close
      }))

    it.scoped("a last batch of exactly 0.1 ms per item counts as slow items: the next full batch is shared without a quiet spell", () =>
      Effect.gen(function*() {
        const ranBy = new Map<number, number>()
        const pool = yield* FiberPool.make({
          workers: 2,
          // metrics off: a batch's time is one clock reading at its end, exact under the TestClock
          metrics: false,
          worker: (n: number) =>
            Effect.flatMap(Worker.WorkerId, (id) => {
              ranBy.set(id, (ranBy.get(id) ?? 0) + 1)
              // items 0 and 10 take 1 ms, so each worker's batch of 10 takes 0.1 ms per item
              return n === 0 || n === 10 ? Effect.sleep("1 millis") : n >= 100 ? Effect.sleep("10 millis") : Effect.void
            })
        })
        yield* pool.submitAll(range(20))
        yield* settle
        yield* TestClock.adjust("1 millis")
        deepStrictEqual([...ranBy.values()], [10, 10])
        ranBy.clear()
        // at once (no quiet spell): one full batch, two idle workers
        yield* pool.submitAll(range(10, 100))
        yield* settle
        yield* TestClock.adjust("50 millis")
        deepStrictEqual([...ranBy.values()], [5, 5])
        yield* pool.close
      }))

    it.scoped("slow items, once a worker has timed them, are taken one at a time: a worker that frees up while the other is busy does not take a whole batch", () =>
      Effect.gen(function*() {
        const { pool, ranBy } = yield* slowItemsBy(2)
        // three full batches of 10 ms items: one for each worker, then one left
        yield* pool.submitAll(range(30))
        yield* settle
        // each has run its batch and begun one more item (ranBy records an item as it begins)
        yield* TestClock.adjust("100 millis")
        deepStrictEqual([...ranBy.values()].map((items) => items.length), [11, 11])
        // the third batch is spread over both workers (taken whole by the first to free up, it
        // would have run on one of them for 100 ms while the other idled)
        yield* TestClock.adjust("50 millis")
        strictEqual((yield* pool.stats).processed, 30)
        deepStrictEqual([...ranBy.values()].map((items) => items.length), [15, 15])
        yield* pool.close
      }))

    it.scoped("slow items are still taken a batch at a time while a batch is queued for every worker: a split would gain nothing and cost a take (and an event-loop check) per item", () =>
      Effect.gen(function*() {
        const { pool, ranBy } = yield* slowItemsBy(2, 4)
        // ten batches of 10 ms items: one for each worker, eight queued behind them
        yield* Effect.fork(pool.submitAll(range(100)))
        yield* settle
        yield* TestClock.adjust("400 millis")
        // after their first batches both workers have timed their items at 5 ms and more, but while
        // the queue holds a batch for each of them, each takes whole batches, in turn
        deepStrictEqual(ranBy.get(0)!.slice(0, 40), [
          ...range(10, 0),
          ...range(10, 20),
          ...range(10, 40),
          ...range(10, 60)
        ])
        deepStrictEqual(ranBy.get(1)!.slice(0, 40), [
          ...range(10, 10),
          ...range(10, 30),
          ...range(10, 50),
          ...range(10, 70)
        ])
        yield* TestClock.adjust("100 millis")
        const stats = yield* pool.stats
        strictEqual(stats.processed, 100)
        yield* pool.close
      }))

    it.scoped("a batched worker takes whole batches of slow items: its batch is one call", () =>
      Effect.gen(function*() {
        const calls: Array<number> = []
        const pool = yield* FiberPool.makeBatched({
          workers: 1,
          worker: (items: ReadonlyArray<number>) =>
            Effect.zipRight(Effect.sync(() => calls.push(items.length)), Effect.sleep(`${10 * items.length} millis`))
        })
        // more than the queue holds: the rest waits for room
        yield* Effect.fork(pool.submitAll(range(30)))
        yield* settle
        yield* TestClock.adjust("300 millis")
        deepStrictEqual(calls, [10, 10, 10])
        yield* pool.close
      }))

    it.scoped("a batched worker takes the whole partial batch in one call", () =>
      Effect.gen(function*() {
        const calls: Array<ReadonlyArray<number>> = []
        const pool = yield* FiberPool.makeBatched({
          workers: 3,
          worker: (items: ReadonlyArray<number>) => Effect.sync(() => calls.push([...items]))
        })
        yield* pool.submitAll(range(6))
        yield* pool.close
        deepStrictEqual(calls, [range(6)])
      }))

    it.scoped("keeps items of a trickle moving: each is processed before the next arrives", () =>
      Effect.gen(function*() {
        const processed = yield* Ref.make(0)
        const pool = yield* FiberPool.make({
          workers: 1,
          batchSize: 100,
          worker: () => Ref.update(processed, (n) => n + 1)
        })
        for (let i = 1; i <= 5; i++) {
          yield* pool.submit(i)
          yield* TestClock.adjust("1 hour")
          strictEqual(yield* Ref.get(processed), i)
        }
        yield* pool.close
      }))

    it.scoped("no worker idles while another worker's item waits: a slow item does not stall the queue", () =>
      Effect.gen(function*() {
        const done = yield* Ref.make<Array<number>>([])
        const pool = yield* FiberPool.make({
          workers: 2,
          batchSize: 1,
          workerQueueSize: 4,
          worker: (n: number) =>
            Effect.zipRight(n === 0 ? Effect.sleep("10 seconds") : Effect.void, Ref.update(done, (a) => [...a, n]))
        })
        yield* pool.submitAll(range(6))
        yield* settle
        // item 0 is still sleeping; the other worker ran everything else
        deepStrictEqual(yield* Ref.get(done), [1, 2, 3, 4, 5])
        yield* TestClock.adjust("10 seconds")
        yield* pool.close
        deepStrictEqual(yield* Ref.get(done), [1, 2, 3, 4, 5, 0])
      }))

    it.scoped("batches: with batchSize 3 a worker receives items in order", () =>
      Effect.gen(function*() {
        const seen: Array<number> = []
        const pool = yield* FiberPool.make({
          workers: 1,
          batchSize: 3,
          worker: (n: number) => Effect.sync(() => seen.push(n))
        })
        yield* pool.submitAll(range(10))
        yield* pool.close
        deepStrictEqual(seen, range(10))
      }))

    it.scoped("keyBy routes equal keys to the same worker in submission order", () =>
      Effect.gen(function*() {
        const byKey = new Map<string, Array<number>>()
        const workerOfKey = new Map<string, Set<number>>()
        const pool = yield* FiberPool.make({
          workers: 4,
          batchSize: 3,
          workerQueueSize: 2,
          keyBy: (item: { key: string; seq: number }) => item.key,
          worker: (item) =>
            Effect.flatMap(Worker.WorkerId, (id) =>
              Effect.zipRight(
                item.seq % 7 === 0 ? Effect.sleep("1 millis") : Effect.void,
                Effect.sync(() => {
                  byKey.set(item.key, [...(byKey.get(item.key) ?? []), item.seq])
                  workerOfKey.set(item.key, (workerOfKey.get(item.key) ?? new Set()).add(id))
                })
              ))
        })
        const items = range(400).map((seq) => ({ key: `k${seq % 13}`, seq }))
        const feeder = yield* Effect.fork(pool.submitAll(items))
        for (let i = 0; i < 50; i++) yield* TestClock.adjust("1 millis")
        yield* Fiber.join(feeder)
        const closing = yield* Effect.fork(pool.close)
        for (let i = 0; i < 100; i++) yield* TestClock.adjust("1 millis")
        yield* Fiber.join(closing)
        strictEqual(byKey.size, 13)
        for (const [key, seqs] of byKey) {
          deepStrictEqual(seqs, items.filter((i) => i.key === key).map((i) => i.seq))
          strictEqual(workerOfKey.get(key)!.size, 1)
        }
      }))

    it.scoped("keyBy uses FNV-1a-32 mod workers (go-pkgz): alice→2, bob→2, charlie→1 with 3 workers", () =>
      Effect.gen(function*() {
        const seen = new Map<string, number>()
        const pool = yield* FiberPool.make({
          workers: 3,
          keyBy: (s: string) => s,
          worker: (s) => Effect.map(Worker.WorkerId, (id) => seen.set(s, id))
        })
        yield* pool.submitAll(["alice", "bob", "charlie"])
        yield* pool.close
        deepStrictEqual(Object.fromEntries(seen), { alice: 2, bob: 2, charlie: 1 })
      }))

    it.scoped("keyBy routes execute as submit: each call to its key's worker, equal keys in the order of the calls", () =>
      Effect.gen(function*() {
        const runs: Array<{ key: string; seq: number; worker: number }> = []
        const workers = 3
        const pool = yield* FiberPool.make({
          workers,
          workerQueueSize: 4,
          keyBy: (item: { key: string; seq: number }) => item.key,
          worker: (item) =>
            Effect.flatMap(Worker.WorkerId, (worker) =>
              Effect.as(
                Effect.zipRight(Effect.sleep("1 millis"), Effect.sync(() => runs.push({ ...item, worker }))),
                item.seq
              ))
        })
        const keys = ["alice", "bob", "charlie", "dave", "erin"]
        const items = range(60).map((seq) => ({ key: keys[seq % 5]!, seq }))
        // callers in fibers of their own, which start (and call execute) in this order
        const calls = yield* Effect.fork(Effect.forEach(items, pool.execute, { concurrency: "unbounded" }))
        for (let i = 0; i < 60; i++) yield* TestClock.adjust("1 millis")
        deepStrictEqual(yield* Fiber.join(calls), range(60))
        yield* pool.close
        for (const key of keys) {
          const ran = runs.filter((r) => r.key === key)
          deepStrictEqual(ran.map((r) => r.seq), items.filter((i) => i.key === key).map((i) => i.seq))
          deepStrictEqual([...new Set(ran.map((r) => r.worker))], [workerOfKey(key, workers)])
        }
      }))

    it.scoped("keyBy hashes the key's UTF-8 bytes: non-ASCII, surrogate pairs and lone surrogates route as TextEncoder + FNV-1a", () =>
      Effect.gen(function*() {
        const reference = workerOfKey
        // fixed keys for each UTF-8 length and surrogate case, the first and last code point of each
        // length, then pseudo-random UTF-16 strings
        const keys = ["", "a", "é", "ñandú", "ключ", "日本", "🙂", "a🙂b", "\ud800", "x\udc00y", "\ud83d", "z\ud83d"]
        keys.push("\u007f", "\u0080", "\u07ff", "\u0800", "\ud7ff", "\ue000", "\uffff", "\u{10000}", "\u{10ffff}")
        let seed = 1
        for (let i = 0; i < 300; i++) {
          let key = i % 2 === 0 ? "k" : ""
          for (let j = 0; j < i % 6; j++) {
            seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
            key += String.fromCharCode(seed >>> 16)
          }
          keys.push(key)
        }
        const workers = 7
        const seen = new Map<string, number>()
        const pool = yield* FiberPool.make({
          workers,
          keyBy: (s: string) => s,
          worker: (s) => Effect.map(Worker.WorkerId, (id) => void seen.set(s, id))
        })
        yield* pool.submitAll(keys)
        yield* pool.close
        for (const key of keys) {
          strictEqual(seen.get(key), reference(key, workers), `worker of ${JSON.stringify(key)}`)
        }
      }))
  })

  describe("back-pressure", () => {
    it.scoped("submit suspends while the target queue is full and resumes when a worker takes", () =>
      Effect.gen(function*() {
        const gate = yield* Deferred.make<void>()
        const pool = yield* FiberPool.make({
          workers: 1,
          batchSize: 1,
          workerQueueSize: 2,
          worker: (_: number) => Deferred.await(gate)
        })
        // 1 in flight, 2 queued batches (of one item: batchSize 1 is no batching)
        yield* pool.submitAll([1, 2, 3])
        yield* settle
        const blocked = yield* Effect.fork(pool.submit(4))
        yield* settle
        assertTrue(Option.isNone(yield* Fiber.poll(blocked)), "submit should suspend on a full queue")
        strictEqual((yield* pool.stats).submitted, 3)
        yield* Deferred.succeed(gate, void 0)
        yield* Fiber.join(blocked)
        yield* pool.close
        const stats = yield* pool.stats
        strictEqual(stats.submitted, 4)
        strictEqual(stats.processed, 4)
      }))

    it.effect("the queues hold workers × workerQueueSize batches, and the batch being filled short of one item", () =>
      Effect.gen(function*() {
        /** How many of `n` items the pool accepts with every worker stuck on its first batch. */
        const acceptedOf = (n: number, options: { workers: number; batchSize: number; workerQueueSize: number }) =>
          Effect.gen(function*() {
            const pool = yield* FiberPool.make({ ...options, worker: (_: number) => Effect.never })
            let accepted = 0
            const producer = yield* Effect.fork(
              Effect.forEach(range(n), (i) => Effect.zipRight(pool.submit(i), Effect.sync(() => accepted++)), {
                discard: true
              })
            )
            yield* settle
            assertTrue(Option.isNone(yield* Fiber.poll(producer)), "the producer should wait for room")
            strictEqual((yield* pool.stats).submitted, accepted)
            return accepted
          }).pipe(Effect.scoped)
        // batchSize 1 is no batching: one item in flight per worker, workers × workerQueueSize queued
        strictEqual(yield* acceptedOf(20, { workers: 1, batchSize: 1, workerQueueSize: 1 }), 1 + 1)
        strictEqual(yield* acceptedOf(20, { workers: 3, batchSize: 1, workerQueueSize: 1 }), 3 + 3)
        strictEqual(yield* acceptedOf(20, { workers: 2, batchSize: 1, workerQueueSize: 4 }), 2 + 8)
        // batches of 10: one taken per worker, workers × workerQueueSize queued, and 9 being filled
        // (the item that would complete the batch waits for room in the queue, as go-pkgz's send does)
        strictEqual(yield* acceptedOf(100, { workers: 1, batchSize: 10, workerQueueSize: 1 }), 10 + 10 + 9)
        strictEqual(yield* acceptedOf(200, { workers: 2, batchSize: 10, workerQueueSize: 3 }), 20 + 60 + 9)
      }))

    it.scoped("with keyBy, a full queue blocks only its own key's worker", () =>
      Effect.gen(function*() {
        const gate = yield* Deferred.make<void>()
        const done = yield* Ref.make<Array<string>>([])
        const pool = yield* FiberPool.make({
          workers: 3,
          batchSize: 1,
          keyBy: (s: string) => s.split(":")[0]!,
          worker: (s) =>
            Effect.zipRight(
              s.startsWith("alice") ? Deferred.await(gate) : Effect.void,
              Ref.update(done, (a) => [...a, s])
            )
        })
        // alice → worker 2: one in flight, one queued, then blocked
        const alice = yield* Effect.fork(pool.submitAll(["alice:1", "alice:2", "alice:3", "alice:4"]))
        yield* settle
        assertTrue(Option.isNone(yield* Fiber.poll(alice)))
        // worker 1 is not blocked: taken at once, through submitAll and through plain submits (which
        // take the path that may wait while any queue is full, and find room)
        yield* pool.submitAll(["charlie:1", "charlie:2"])
        yield* pool.submit("charlie:3")
        yield* settle
        deepStrictEqual(yield* Ref.get(done), ["charlie:1", "charlie:2", "charlie:3"])
        yield* Deferred.succeed(gate, void 0)
        yield* Fiber.join(alice)
        yield* pool.close
        strictEqual((yield* Ref.get(done)).length, 7)
      }))

    it.scoped("a plain submit that finds room costs its producer one run-loop step, also after the queue was full", () =>
      Effect.gen(function*() {
        // counts the run-loop steps of the producer fiber (OpSupervision calls onEffect at each)
        const producer = ((yield* Effect.fiberId) as FiberId.Runtime).id
        let steps = 0
        const supervisor = new (class extends Supervisor.AbstractSupervisor<void> {
          value = Effect.void
          override onEffect<A, E>(fiber: Fiber.RuntimeFiber<A, E>): void {
            if (fiber.id().id === producer) steps++
          }
        })()
        const n = 1000
        const gate = yield* Deferred.make<void>()
        // item 0 holds the worker until the gate opens; n batches of one fit in the queue
        const pool = yield* FiberPool.make({
          workers: 1,
          batchSize: 1,
          workerQueueSize: n,
          worker: (i: number) => i === 0 ? Deferred.await(gate) : Effect.void
        })
        let i = 0
        const submitTo = (end: number) =>
          Effect.whileLoop({ while: () => i < end, body: () => pool.submit(i++), step: () => {} }).pipe(
            Effect.supervised(supervisor),
            Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.OpSupervision))
          )
        yield* pool.submit(i++)
        yield* settle // item 0 in flight
        yield* submitTo(1 + n)
        // one step per submit (the submit itself, which goes on to the loop's next one), and a few
        // to enter and leave the loop; a submit evaluated as offer-then-result takes two
        assertTrue(steps >= n && steps <= n + 50, `producer steps: ${steps} for ${n} submits`)
        // the queue is full: no room anywhere
        const waiting = yield* Effect.fork(pool.submit(i++))
        yield* settle
        assertTrue(Option.isNone(yield* Fiber.poll(waiting)), "a submit to a full queue should wait")
        yield* Deferred.succeed(gate, void 0)
        yield* Fiber.join(waiting)
        yield* settle // everything ran: room again
        strictEqual((yield* pool.stats).processed, n + 2)
        steps = 0
        yield* submitTo(n + 2 + n)
        assertTrue(steps >= n && steps <= n + 50, `producer steps: ${steps} for ${n} submits after a full queue`)
        yield* pool.close
        strictEqual((yield* pool.stats).processed, 2 * n + 2)
      }))

    it.scoped("a submit effect prints as the submit of its item to its pool", () =>
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({ name: "mail", workers: 1, worker: (_: { id: number }) => Effect.void })
        const submit = pool.submit({ id: 7 })
        const json = { _id: "Effect", method: "FiberPool.submit", pool: "mail", item: { id: 7 } }
        deepStrictEqual(Inspectable.toJSON(submit), json)
        strictEqual(String(submit), JSON.stringify(json, null, 2))
        // Node's util.inspect (console.log) shows the same, not the pool's internals
        assertTrue(util.inspect(submit).includes("method: 'FiberPool.submit'"), util.inspect(submit))
        assertTrue(!util.inspect(submit).includes("place"), util.inspect(submit))
        yield* submit
        yield* pool.close
        strictEqual((yield* pool.stats).processed, 1)
      }))

    it.effect("a pool prints as its name, state and counts (console.log, String, JSON)", () =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const pool = yield* FiberPool.make({
          name: "mail",
          workers: 1,
          worker: (n: number) => n === 2 ? Effect.never : Effect.void
        }).pipe(Scope.extend(scope))
        const printed = (state: string, counts: readonly [number, number, number]) => ({
          _id: "FiberPool",
          name: "mail",
          state,
          submitted: counts[0],
          processed: counts[1],
          errors: 0,
          dropped: counts[2]
        })
        yield* pool.submitAll([1, 2, 3])
        deepStrictEqual(Inspectable.toJSON(pool), printed("open", [3, 0, 0]))
        yield* settle
        deepStrictEqual(JSON.parse(JSON.stringify(pool)), printed("open", [3, 1, 0]))
        yield* pool.end
        strictEqual(String(pool), JSON.stringify(printed("ended", [3, 1, 0]), null, 2))
        // Node's util.inspect (console.log) shows the same, not the pool's members
        assertTrue(util.inspect(pool).includes("state: 'ended'") && !util.inspect(pool).includes("submitAll"))
        yield* Scope.close(scope, Exit.void)
        deepStrictEqual(Inspectable.toJSON(pool), printed("finished", [3, 1, 2]))
      }))

    it.scoped("one submit effect run again submits its item again, and waits when the queue is full", () =>
      Effect.gen(function*() {
        const gate = yield* Deferred.make<void>()
        const seen = yield* Ref.make<Array<number>>([])
        const pool = yield* FiberPool.make({
          workers: 1,
          batchSize: 1,
          workerQueueSize: 1,
          worker: (i: number) => Effect.zipRight(Deferred.await(gate), Ref.update(seen, (a) => [...a, i]))
        })
        const seven = pool.submit(7)
        yield* seven
        yield* settle // in flight
        yield* seven // queued: no room left
        const third = yield* Effect.fork(seven)
        yield* settle
        assertTrue(Option.isNone(yield* Fiber.poll(third)), "the third run should wait for room")
        strictEqual((yield* pool.stats).submitted, 2)
        yield* Deferred.succeed(gate, void 0)
        yield* Fiber.join(third)
        yield* pool.close
        deepStrictEqual(yield* Ref.get(seen), [7, 7, 7])
      }))

    it.scoped("in a keyed pool with two queues full, one draining does not let a submit into the other", () =>
      Effect.gen(function*() {
        // two keys on different workers
        const a = "a"
        const b = ["b", "c", "d", "e", "f", "g"].find((k) => workerOfKey(k, 3) !== workerOfKey(a, 3))!
        const gateA = yield* Deferred.make<void>()
        const gateB = yield* Deferred.make<void>()
        const pool = yield* FiberPool.make({
          workers: 3,
          batchSize: 1,
          keyBy: (s: string) => s.split(":")[0]!,
          worker: (s: string) => Deferred.await(s.startsWith(`${a}:`) ? gateA : gateB)
        })
        // each: one in flight, one queued: no room left in either queue
        for (const key of [a, b]) for (let i = 1; i <= 2; i++) yield* pool.submit(`${key}:${i}`)
        yield* settle
        yield* Deferred.succeed(gateA, void 0)
        yield* settle // a's queue drained, b's still full
        const waiting = yield* Effect.fork(pool.submit(`${b}:3`))
        yield* settle
        assertTrue(Option.isNone(yield* Fiber.poll(waiting)), "a submit to the queue still full should wait")
        yield* pool.submit(`${a}:3`) // room in a's queue
        yield* Deferred.succeed(gateB, void 0)
        yield* Fiber.join(waiting)
        yield* pool.close
        const stats = yield* pool.stats
        strictEqual(stats.submitted, 6)
        strictEqual(stats.processed, 6)
      }))

    it.effect("an iterator or keyBy that closes the pool's scope: submitAll and trySubmit reject the item they read, not leave it queued uncounted", () =>
      Effect.gen(function*() {
        // the scope closes from inside user code (Effect.runFork runs the stop synchronously): the
        // item read just then was accepted into a stopped pool, neither run nor counted as dropped
        const run = (via: "iterator" | "keyBy" | "trySubmit") =>
          Effect.gen(function*() {
            const scope = yield* Scope.make()
            let closeNow = false
            const closeScope = () => {
              if (!closeNow) return
              closeNow = false
              Effect.runFork(Scope.close(scope, Exit.void))
            }
            const pool = yield* FiberPool.make({
              workers: 2,
              keyBy: via === "iterator" ? undefined : (n: number) => (closeScope(), String(n)),
              worker: (_: number) => Effect.void
            }).pipe(Scope.extend(scope))
            const items = function*() {
              yield 1
              closeNow = true
              if (via === "iterator") closeScope()
              yield 2
              yield 3
            }
            const exit: Exit.Exit<unknown, FiberPool.PoolClosedError> = via === "trySubmit"
              ? yield* Effect.exit(
                Effect.zipRight(pool.trySubmit(1), Effect.suspend(() => (closeNow = true, pool.trySubmit(2))))
              )
              : yield* Effect.exit(pool.submitAll(items()))
            assertTrue(
              Exit.isFailure(exit) && Option.isSome(Cause.failureOption(exit.cause)) &&
                (Option.getOrThrow(Cause.failureOption(exit.cause)) as FiberPool.PoolClosedError).reason ===
                  "interrupted",
              `${via}: ${String(exit)}`
            )
            yield* Scope.close(scope, Exit.void)
            const stats = yield* pool.stats
            strictEqual(stats.submitted, 1, via)
            assertAccounting(stats)
          })
        yield* run("iterator")
        yield* run("keyBy")
        yield* run("trySubmit")
      }))

    it.scoped("an iterator or keyBy that ends the pool: submitAll and trySubmit refuse the item they read after the cut-off", () =>
      Effect.gen(function*() {
        // before, the item read after `end` was accepted (trySubmit answered true; submitAll
        // depending on the batch size), where every submit after the cut-off is refused
        const run = (via: "iterator" | "keyBy" | "trySubmit", batchSize: number) =>
          Effect.gen(function*() {
            let endNow = false
            const self: { pool?: FiberPool.FiberPool<number> } = {}
            const endPool = () => {
              if (!endNow) return
              endNow = false
              Effect.runSync(self.pool!.end)
            }
            const pool = yield* FiberPool.make({
              workers: 2,
              batchSize,
              keyBy: via === "iterator" ? undefined : (n: number) => (endPool(), String(n)),
              worker: (_: number) => Effect.void
            })
            self.pool = pool
            const items = function*() {
              yield 1
              endNow = true
              if (via === "iterator") endPool()
              yield 2
              yield 3
            }
            const exit: Exit.Exit<unknown, FiberPool.PoolClosedError> = via === "trySubmit"
              ? yield* Effect.exit(
                Effect.zipRight(pool.trySubmit(1), Effect.suspend(() => (endNow = true, pool.trySubmit(2))))
              )
              : yield* Effect.exit(pool.submitAll(items()))
            const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
            assertTrue(
              Option.isSome(failure) && (failure.value as FiberPool.PoolClosedError).reason === "closed",
              `${via}, batchSize ${batchSize}: ${String(exit)}`
            )
            yield* pool.wait
            const stats = yield* pool.stats
            strictEqual(stats.submitted, 1, `${via}, batchSize ${batchSize}`)
            strictEqual(stats.processed, 1)
          })
        for (const batchSize of [1, 2, 10]) {
          yield* run("iterator", batchSize)
          yield* run("keyBy", batchSize)
          yield* run("trySubmit", batchSize)
        }
      }))

    it.scoped("a keyBy that fills its own pool while it routes a submit fails that submit with a defect that says so", () =>
      Effect.gen(function*() {
        const gate = yield* Deferred.make<void>()
        const self: { pool?: FiberPool.FiberPool<string> } = {}
        let reenter = false
        const pool = yield* FiberPool.make({
          workers: 1,
          batchSize: 1,
          workerQueueSize: 1,
          keyBy: (_: string) => {
            if (reenter) {
              reenter = false
              Effect.runSync(self.pool!.submit("inner")) // takes the last room
            }
            return "k"
          },
          worker: (_: string) => Deferred.await(gate)
        })
        self.pool = pool
        yield* pool.submit("1")
        yield* settle // in flight
        reenter = true
        const exit = yield* Effect.exit(pool.submit("2"))
        assertTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause), `expected a defect, got ${String(exit)}`)
        assertTrue(
          Cause.pretty(exit.cause).includes("keyBy must only compute the item's key"),
          Cause.pretty(exit.cause)
        )
        yield* Deferred.succeed(gate, void 0)
        yield* pool.close
        const stats = yield* pool.stats
        // "2" was never taken: the accounting holds without it
        strictEqual(stats.submitted, 2)
        strictEqual(stats.processed, 2)
      }))

    it.scoped("a busy pool refills with two suspensions: the producer's and one worker's", () =>
      Effect.gen(function*() {
        // counts the runs of each fiber (a run starts when it is started or resumed)
        const runs = new Map<number, number>()
        const supervisor = new (class extends Supervisor.AbstractSupervisor<void> {
          value = Effect.void
          override onResume<A, E>(fiber: Fiber.RuntimeFiber<A, E>): void {
            const id = fiber.id().id
            runs.set(id, (runs.get(id) ?? 0) + 1)
          }
        })()
        const workerFibers = new Set<number>()
        const n = 2000
        const producer = (yield* Effect.fiberId) as FiberId.Runtime
        const stats = yield* Effect.supervised(
          Effect.gen(function*() {
            const pool = yield* FiberPool.makeStateful({
              workers: 8,
              // runs in each worker fiber
              makeWorker: () =>
                Effect.map(Effect.fiberId, (id) => {
                  workerFibers.add((id as FiberId.Runtime).id)
                  return Worker.make((_: number) => Effect.void)
                })
            })
            for (let i = 0; i < n; i++) yield* pool.submit(i)
            yield* pool.close
            return yield* pool.stats
          }),
          supervisor
        )
        strictEqual(stats.processed, n)
        const producerRuns = runs.get(producer.id) ?? 0
        let workerRuns = 0
        for (const id of workerFibers) workerRuns += runs.get(id) ?? 0
        // the producer waits each time it has filled the 8 batches of 10 (and a partial one): more
        // than 20 times for 2,000 items
        assertTrue(producerRuns > 20, `producer runs: ${producerRuns}`)
        // each time, the worker that takes the first batch resumes the producer and drains the
        // rest; the worker it wakes after that runs when the producer has refilled, so there is
        // work for it. Woken before the producer, it found nothing and waited again: each refill
        // took two worker runs (58 here, against 37 now). Besides: each worker's first run, and
        // the wake at close. The bound sits between one and two runs per refill.
        assertTrue(
          workerRuns <= 1.5 * producerRuns + 2 * 8,
          `worker runs: ${workerRuns}, producer runs: ${producerRuns}`
        )
      }))

    it.live("a million items stream through with flat memory", () =>
      Effect.gen(function*() {
        const n = 1_000_000
        let sum = 0
        let peakHeap = 0
        const gc = exposeGc()
        const retained = () => {
          gc()
          return process.memoryUsage().heapUsed
        }
        const items = function*() {
          for (let i = 0; i < n; i++) {
            if (i % 100_000 === 0) peakHeap = Math.max(peakHeap, retained())
            yield i
          }
        }
        const before = retained()
        const stats = yield* FiberPool.run(items(), {
          workers: 8,
          worker: (i: number) => Effect.sync(() => void (sum += i))
        })
        strictEqual(stats.processed, n)
        strictEqual(sum, (n * (n - 1)) / 2)
        // the retained heap stays flat: the pool buffers at most 8 batches of 10 (an eager design
        // would hold every item and its fiber: hundreds of MB)
        assertTrue(
          peakHeap - before < 8 * 1024 * 1024,
          `retained heap grew by ${((peakHeap - before) / 1e6).toFixed(1)} MB`
        )
      }), 60_000)
  })

  describe("fail-fast", () => {
    it.scoped("end and close after a stop change nothing: submits are still refused as failed, close reports the failure", () =>
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({
          workers: 1,
          worker: (n: number) => n === 1 ? Effect.fail(new Boom({ item: n })) : Effect.void
        })
        yield* pool.submit(1)
        deepStrictEqual(yield* Effect.exit(pool.wait), Exit.fail(new Boom({ item: 1 })))
        for (const after of [pool.end, Effect.ignore(pool.close), pool.end]) {
          yield* after
          assertInclude(String(pool), `"state": "finished"`)
          const refused = yield* Effect.flip(pool.submit(2))
          strictEqual(refused.reason, "failed")
          deepStrictEqual(yield* Effect.exit(pool.close), Exit.fail(new Boom({ item: 1 })))
        }
        const stats = yield* pool.stats
        deepStrictEqual([stats.submitted, stats.processed, stats.errors, stats.dropped], [1, 0, 1, 0])
      }))

    it.scoped("the first failure is the outcome, unwrapped; other in-flight items are interrupted; queued items dropped", () =>
      Effect.gen(function*() {
        const interrupted = yield* Ref.make(0)
        const pool = yield* FiberPool.make({
          workers: 3,
          batchSize: 2,
          workerQueueSize: 2,
          worker: (n: number) =>
            n === 0
              ? Effect.sleep("1 second").pipe(Effect.zipRight(Effect.fail(new Boom({ item: n }))))
              : Effect.never.pipe(Effect.onInterrupt(() => Ref.update(interrupted, (k) => k + 1)))
        })
        const producer = yield* Effect.fork(pool.submitAll(range(40)))
        yield* settle
        yield* TestClock.adjust("1 second")
        const exit = yield* Effect.exit(pool.wait)
        deepStrictEqual(exit, Exit.fail(new Boom({ item: 0 })))
        const caught = yield* pool.wait.pipe(Effect.catchTag("Boom", (e) => Effect.succeed(e.item)))
        strictEqual(caught, 0)
        // the other two workers were in the middle of an item
        strictEqual(yield* Ref.get(interrupted), 2)
        // the suspended producer was released with reason "failed"
        const producerExit = yield* Fiber.await(producer)
        assertTrue(Exit.isFailure(producerExit))
        const error = Cause.failureOption((producerExit as Exit.Failure<void, FiberPool.PoolClosedError>).cause)
        assertTrue(Option.isSome(error))
        strictEqual(error.value.reason, "failed")
        strictEqual(typeof error.value.accepted, "number")
        const stats = yield* pool.stats
        strictEqual(stats.errors, 1)
        strictEqual(stats.processed, 0)
        strictEqual(stats.submitted, error.value.accepted)
        assertAccounting(stats)
        assertTrue(stats.dropped > 2)
        // later submits fail too
        const late = yield* Effect.flip(pool.submit(99))
        strictEqual(late.reason, "failed")
        strictEqual(late._tag, "PoolClosedError")
        // both carry the failure wait and close report, and name it: a program whose submitAll fails
        // before it reaches close still shows what went wrong
        deepStrictEqual([error.value.failure, late.failure], ["Boom", "Boom"])
        strictEqual(
          late.message,
          "Pool \"fiberpool\" is closed: it stopped after a failure; it accepts no more items (wait/close report the " +
            "failure: Boom)"
        )
        assertTrue(
          error.value.message.endsWith(
            `(wait/close report the failure: Boom) (${error.value.accepted} item(s) of this call were accepted)`
          )
        )
      }))

    it.effect("a PoolClosedError names the failure in a few words, prints whatever the failure holds, and only after a stop", () =>
      Effect.gen(function*() {
        const rejectionAfter = (failure: Effect.Effect<never, unknown>) =>
          Effect.scoped(Effect.gen(function*() {
            const pool = yield* FiberPool.make({ workers: 1, worker: (_: number) => failure })
            yield* pool.submit(1)
            yield* settle
            return yield* Effect.flip(pool.submit(2))
          }))
        const { proxy: revoked, revoke } = Proxy.revocable({}, {})
        revoke()
        const throwing = Object.defineProperty({}, "message", {
          get() {
            throw new Error("a getter that throws")
          }
        })
        const cases: ReadonlyArray<readonly [string, Effect.Effect<never, unknown>, string]> = [
          [
            "a defect",
            Effect.die(new TypeError("cannot read properties of undefined")),
            "TypeError: cannot read properties of undefined"
          ],
          ["a tagged error without a message", Effect.fail(new Boom({ item: 1 })), "Boom"],
          ["a plain object holding a bigint", Effect.fail({ code: 7, row: BigInt(42) }), "{ code: 7, row: 42n }"],
          // one level deep, whatever the size: the description costs the same for a failure holding a table
          [
            "an object holding a large array",
            Effect.fail({ status: 500, rows: Array.from({ length: 100_000 }, () => ({})) }),
            "{ status: 500, rows: [100000 items] }"
          ],
          ["a string", Effect.fail("no such row"), "\"no such row\""],
          ["null", Effect.fail(null), "null"],
          ["a getter that throws", Effect.fail(throwing), "{}"],
          ["a message of several lines", Effect.fail(new Error("\nfirst line\nsecond line")), "Error: first line …"],
          ["a string of several lines", Effect.fail("first line\nsecond line"), "\"first line …\""],
          ["a long string field", Effect.fail({ sql: "x".repeat(100) }), `{ sql: "${"x".repeat(40)}…" }`],
          [
            "a field that cannot be read (a revoked Proxy)",
            Effect.fail({ code: 500, conn: revoked }),
            "{ code: 500, conn: ? }"
          ],
          ["a typed array, named, not walked", Effect.fail(new Uint8Array(1_000_000)), "Uint8Array(1000000)"],
          // named as the pool's other messages name them (show's helpers)
          ["a typed array of an unnamed class", Effect.fail(new (class extends Uint8Array {})(4)), "Uint8Array(4)"],
          [
            "a Proxy of a typed array, not walked",
            Effect.fail(new Proxy(new Uint8Array(1_000_000), {})),
            "a typed array (a Proxy)"
          ],
          ["an ArrayBuffer", Effect.fail(new ArrayBuffer(64)), "ArrayBuffer(64)"],
          ["a Map of another realm", Effect.fail(vm.runInNewContext("new Map([[1, 2]])")), "Map(1)"],
          ["a date", Effect.fail(new Date(0)), "1970-01-01T00:00:00.000Z"],
          ["a long message", Effect.fail(new Error("x".repeat(300))), `Error: ${"x".repeat(192)}…`],
          // a tagged value that is not an Error: its tag
          ["a tagged value", Effect.fail({ _tag: "NotFound", id: 7 }), "NotFound"],
          ["an error with a blank message", Effect.fail(new Error("  ")), "Error"],
          // at most five fields, and only the object's own
          [
            "an object of six fields",
            Effect.fail({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }),
            "{ a: 1, b: 2, c: 3, d: 4, e: 5, … }"
          ],
          [
            "an object with an inherited field",
            Effect.fail(Object.assign(Object.create({ hidden: 1 }), { code: 2 })),
            "{ code: 2 }"
          ],
          ["a string field of exactly the bound", Effect.fail({ sql: "x".repeat(41) }), `{ sql: "${"x".repeat(41)}" }`]
        ]
        for (const [what, failure, brief] of cases) {
          const rejected = yield* rejectionAfter(failure)
          strictEqual(rejected.failure, brief, what)
          assertTrue(
            rejected.message.endsWith(`(wait/close report the failure: ${brief})`),
            `${what}: ${rejected.message}`
          )
          // printing it never throws (Effect's Cause.pretty serializes what an error holds)
          assertTrue(Cause.pretty(Cause.fail(rejected)).includes("PoolClosedError"), what)
          JSON.stringify(rejected)
        }
        const byHand = new FiberPool.PoolClosedError({ pool: "emails", reason: "failed" })
        assertTrue(byHand.message.endsWith("(wait/close report the failure)"), byHand.message)
        // closed and interrupted pools name no failure
        const closed = yield* Effect.scoped(Effect.gen(function*() {
          const other = yield* FiberPool.make({ workers: 1, worker: (_: number) => Effect.void })
          yield* other.close
          return yield* Effect.flip(other.submit(1))
        }))
        strictEqual(closed.failure, undefined)
      }))

    it.effect("a failure that cannot be read does not hold up the stop: producers waiting for room are released", () =>
      Effect.gen(function*() {
        const { proxy: revoked, revoke } = Proxy.revocable({}, {})
        revoke()
        // the stop rejects the waiting producer with an error naming the failure: a description that
        // threw there cut the stop short, and the producer waited for ever
        const exit = yield* Effect.exit(
          FiberPool.run(range(20), {
            workers: 1,
            batchSize: 1,
            worker: (n: number) =>
              n === 0 ? Effect.sleep("20 millis").pipe(Effect.zipRight(Effect.fail({ conn: revoked }))) : Effect.void
          }).pipe(Effect.timeout("1 minute"))
        )
        yield* TestClock.adjust("20 millis")
        assertTrue(Exit.isFailure(exit) && Option.isSome(Cause.failureOption(exit.cause)))
        const failure = Option.getOrThrow(Cause.failureOption(exit.cause))
        assertTrue(!Cause.isTimeoutException(failure), "run ended with the item's failure, not the timeout")
      }).pipe(Effect.fork, Effect.tap(() => TestClock.adjust("20 millis")), Effect.flatMap(Fiber.join)))

    it.effect("never deadlocks, for any batch and queue size", () =>
      Effect.gen(function*() {
        for (const workers of [1, 2, 3]) {
          for (const batchSize of [0, 1, 2, 5]) {
            for (const workerQueueSize of [1, 3]) {
              yield* Effect.scoped(Effect.gen(function*() {
                const pool = yield* FiberPool.make({
                  workers,
                  batchSize,
                  workerQueueSize,
                  worker: (n: number) => n === 7 ? Effect.fail(new Boom({ item: n })) : Effect.sleep("1 millis")
                })
                const producers = yield* Effect.forEach(
                  range(3),
                  (p) =>
                    Effect.fork(
                      Effect.either(pool.submitAll(range(50, p * 100).map((n) => n - p * 100 + (p > 0 ? 100 : 0))))
                    ),
                  { concurrency: "unbounded" }
                )
                yield* TestClock.adjust("1 second")
                const exit = yield* Effect.exit(pool.close)
                deepStrictEqual(
                  exit,
                  Exit.fail(new Boom({ item: 7 })),
                  `workers ${workers} batch ${batchSize} queue ${workerQueueSize}`
                )
                for (const p of producers) yield* Fiber.join(p)
                assertAccounting(yield* pool.stats)
              }))
            }
          }
        }
      }), 30_000)

    it.scoped("a defect stops the pool in continue mode too, and wait dies with it", () =>
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({
          workers: 2,
          continueOnError: true,
          batchSize: 1,
          worker: (n: number) =>
            n === 3 ?
              Effect.sync(() => {
                throw new Error("kaput")
              }) :
              n === 1
              ? Effect.fail(new Boom({ item: 1 }))
              : Effect.sleep("1 second")
        })
        yield* Effect.fork(pool.submitAll(range(20)))
        yield* settle
        for (let i = 0; i < 5; i++) yield* TestClock.adjust("1 second")
        const exit = yield* Effect.exit(pool.wait)
        // the failure of item 1 came first: it is the outcome, the defect is not merged into it
        deepStrictEqual(exit, Exit.fail(new Boom({ item: 1 })))
        const stats = yield* pool.stats
        strictEqual(stats.errors, 2)
        assertTrue(stats.dropped > 0, "the defect stopped the pool")
        assertAccounting(stats)
      }))

    it.scoped("a defect first is the outcome: wait dies with the thrown error", () =>
      Effect.gen(function*() {
        const error = new Error("kaput")
        const pool = yield* FiberPool.make({
          workers: 1,
          worker: (n: number) =>
            n === 2 ?
              Effect.sync(() => {
                throw error
              }) :
              Effect.void
        })
        yield* pool.submitAll(range(5)).pipe(Effect.ignore)
        const exit = yield* Effect.exit(pool.close)
        deepStrictEqual(exit, Exit.die(error))
      }))

    it.scoped("a worker function that throws before returning an Effect is a defect of that item", () =>
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({
          workers: 1,
          worker: (n: number): Effect.Effect<void> => {
            if (n === 1) throw new Error("sync throw")
            return Effect.void
          }
        })
        yield* pool.submitAll(range(3)).pipe(Effect.ignore)
        const exit = yield* Effect.exit(pool.close)
        assertTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
        const stats = yield* pool.stats
        strictEqual(stats.errors, 1)
        strictEqual(stats.processed, 1)
        assertAccounting(stats)
      }))

    it.scoped("a worker that returns a Promise instead of an Effect dies with a message saying so", () =>
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({
          workers: 1,
          worker: ((_: number) => Promise.resolve()) as unknown as Worker.Worker<number>
        })
        yield* pool.submit(1)
        const exit = yield* Effect.exit(pool.close)
        assertTrue(Exit.isFailure(exit))
        const defect = Cause.dieOption((exit as Exit.Failure<void, never>).cause)
        assertTrue(Option.isSome(defect) && Cause.isIllegalArgumentException(defect.value))
        assertTrue(String((defect.value as Error).message).includes("Promise"))
      }))
  })

  describe("continue mode", () => {
    it.scoped("every item runs; wait fails with the first failure after all ran; failures are counted", () =>
      Effect.gen(function*() {
        const ran = yield* Ref.make(0)
        const pool = yield* FiberPool.make({
          workers: 3,
          continueOnError: true,
          worker: (n: number) =>
            Effect.zipRight(
              Ref.update(ran, (k) => k + 1),
              n % 10 === 3 ? Effect.fail(new Boom({ item: n })) : Effect.void
            )
        })
        yield* pool.submitAll(range(100))
        const exit = yield* Effect.exit(pool.close)
        strictEqual(yield* Ref.get(ran), 100)
        deepStrictEqual(exit, Exit.fail(new Boom({ item: 3 })))
        const stats = yield* pool.stats
        strictEqual(stats.errors, 10)
        strictEqual(stats.processed, 90)
        strictEqual(stats.dropped, 0)
        assertAccounting(stats)
        // repeated calls return the same outcome
        deepStrictEqual(yield* Effect.exit(pool.wait), exit)
      }))
  })

  describe("end / close", () => {
    it.scoped("a submit to a closed pool fails as closed before keyBy is asked for the item's key", () =>
      Effect.gen(function*() {
        let keyed = 0
        const pool = yield* FiberPool.make({
          workers: 2,
          keyBy: (s: string) => {
            keyed++
            if (s === "bad") throw new Error("no key")
            return s
          },
          worker: (_: string) => Effect.void
        })
        yield* pool.submit("a")
        yield* pool.close
        strictEqual(keyed, 1)
        const error = yield* Effect.flip(pool.submit("bad"))
        strictEqual(error._tag, "PoolClosedError")
        strictEqual(keyed, 1)
      }))

    it.scoped("end is a cut-off, also for submits suspended on a full queue", () =>
      Effect.gen(function*() {
        const gate = yield* Deferred.make<void>()
        const pool = yield* FiberPool.make({
          workers: 1,
          batchSize: 1,
          worker: (_: number) => Deferred.await(gate)
        })
        // 2 waits for room until the worker takes 1: then 1 is in flight, 2 queued, the queue full
        yield* pool.submitAll([1, 2])
        const suspended = yield* Effect.fork(pool.submit(3))
        yield* settle
        yield* pool.end
        const error = yield* Effect.flip(Fiber.join(suspended))
        strictEqual(error.reason, "closed")
        const late = yield* Effect.flip(pool.submit(4))
        strictEqual(late.reason, "closed")
        assertTrue(late.message.includes("closed"))
        const lateAll = yield* Effect.flip(pool.submitAll([5, 6]))
        strictEqual(lateAll.accepted, 0)
        // none accepted is a count too: the message says so, as it does for any other count
        assertInclude(lateAll.message, "(0 item(s) of this call were accepted)")
        yield* Deferred.succeed(gate, void 0)
        yield* pool.close
        yield* pool.close // idempotent
        const stats = yield* pool.stats
        strictEqual(stats.submitted, 2)
        strictEqual(stats.processed, 2)
      }))

    it.scoped("wait does not end input; interrupting a waiter only stops its waiting", () =>
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({ workers: 2, worker: (_: number) => Effect.void })
        const waiter = yield* Effect.fork(pool.wait)
        yield* settle
        yield* Fiber.interrupt(waiter)
        yield* pool.submit(1)
        const waiter2 = yield* Effect.fork(pool.wait)
        yield* settle
        assertTrue(Option.isNone(yield* Fiber.poll(waiter2)))
        yield* pool.end
        yield* Fiber.join(waiter2)
        strictEqual((yield* pool.stats).processed, 1)
      }))

    it.scoped("end from inside a worker drains the pool", () =>
      Effect.gen(function*() {
        const pool: FiberPool.FiberPool<number> = yield* FiberPool.make({
          workers: 2,
          worker: (n: number) => n === 5 ? Effect.suspend(() => pool.end) : Effect.void
        })
        yield* pool.submitAll(range(6))
        yield* pool.wait
        strictEqual((yield* pool.stats).processed, 6)
      }))
  })

  describe("interruption", () => {
    it.effect("closing the scope interrupts in-flight items, drops the rest, releases worker layers, skips onPoolComplete", () =>
      Effect.gen(function*() {
        const acquired = yield* Ref.make(0)
        const released = yield* Ref.make(0)
        const interrupted = yield* Ref.make(0)
        const poolComplete = yield* Ref.make(false)
        class Conn extends Context.Tag("Conn")<Conn, number>() {}
        const scope = yield* Scope.make()
        // the pool logs through the loggers of where it was made, whoever closes its scope
        const { logs, value: pool } = yield* withLogs(FiberPool.make({
          workers: 2,
          batchSize: 3,
          workerLayer: Layer.scoped(
            Conn,
            Effect.acquireRelease(Ref.updateAndGet(acquired, (n) => n + 1), () => Ref.update(released, (n) => n + 1))
          ),
          onPoolComplete: Ref.set(poolComplete, true),
          worker: (_: number) =>
            Effect.zipRight(Conn, Effect.sleep("1 hour")).pipe(
              Effect.onInterrupt(() => Ref.update(interrupted, (n) => n + 1))
            )
        })).pipe(Scope.extend(scope))
        strictEqual(yield* Ref.get(acquired), 2)
        const producer = yield* Effect.fork(pool.submitAll(range(30)))
        yield* settle
        yield* Scope.close(scope, Exit.void)
        strictEqual(yield* Ref.get(interrupted), 2)
        strictEqual(yield* Ref.get(released), 2)
        strictEqual(yield* Ref.get(poolComplete), false)
        const producerError = yield* Effect.flip(Fiber.join(producer))
        strictEqual(producerError.reason, "interrupted")
        const stats = yield* pool.stats
        strictEqual(stats.processed, 0)
        strictEqual(stats.dropped, stats.submitted)
        assertTrue(stats.submitted > 2)
        // the work lost is logged, not only counted
        deepStrictEqual(logs.map((log) => [log.level, log.message]), [[
          "WARN",
          `fiberpool: the pool's scope closed before the pool finished: ${stats.dropped} accepted items were dropped ` +
          "(interrupted, or never run); onPoolComplete did not run. Close the pool (or wait for it) before its scope " +
          "ends, or set gracefulShutdown"
        ]])
        const exit = yield* Effect.exit(pool.wait)
        assertTrue(Exit.isInterrupted(exit))
        const late = yield* Effect.flip(pool.submit(1))
        strictEqual(late.reason, "interrupted")
      }))

    it.effect("a failure before the scope closed stays the outcome", () =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const pool = yield* FiberPool.make({
          workers: 2,
          continueOnError: true,
          batchSize: 1,
          worker: (n: number) => n === 0 ? Effect.fail(new Boom({ item: 0 })) : Effect.never
        }).pipe(Scope.extend(scope))
        yield* pool.submitAll(range(4))
        yield* settle
        yield* Scope.close(scope, Exit.void)
        deepStrictEqual(yield* Effect.exit(pool.wait), Exit.fail(new Boom({ item: 0 })))
        assertAccounting(yield* pool.stats)
      }))

    it.effect("a scope closed after the pool finished, or with nothing left to drop, logs nothing", () =>
      Effect.gen(function*() {
        const run = (close: boolean) =>
          withLogs(Effect.scoped(Effect.gen(function*() {
            const pool = yield* FiberPool.make({ workers: 2, worker: (_: number) => Effect.void })
            yield* pool.submitAll(range(25))
            if (close) yield* pool.close
            else yield* settle
            return yield* pool.stats
          })))
        for (const close of [true, false]) {
          const { logs, value: stats } = yield* run(close)
          strictEqual(stats.processed, 25, `close: ${close}`)
          deepStrictEqual(logs, [], `close: ${close}`)
        }
      }))

    it.effect("no warning when the stop was asked for (the scope closed by interruption) or decided by a failure", () =>
      Effect.gen(function*() {
        const scoped = (worker: (n: number) => Effect.Effect<void, Boom>, after: Effect.Effect<void, unknown>) =>
          Effect.scoped(Effect.gen(function*() {
            const pool = yield* FiberPool.make({ workers: 2, batchSize: 1, worker })
            yield* pool.submitAll(range(10))
            yield* after
            return pool
          }))
        // a timeout interrupts the scope's fiber: the caller stopped the work
        const timedOut = yield* Effect.fork(withLogs(Effect.exit(Effect.timeout(
          scoped(() => Effect.never, Effect.never),
          "1 second"
        ))))
        yield* TestClock.adjust("1 second")
        const interrupted = yield* Fiber.join(timedOut)
        assertTrue(Exit.isFailure(interrupted.value))
        deepStrictEqual(interrupted.logs, [])
        // a fail-fast failure stopped the pool first (the producer's submitAll fails with it), and the
        // scope closes after, with that failure
        const failed = yield* withLogs(Effect.exit(scoped(
          (n) => n === 0 ? Effect.fail(new Boom({ item: 0 })) : Effect.never,
          Effect.void
        )))
        assertTrue(Exit.isFailure(failed.value))
        deepStrictEqual(
          Cause.failureOption(failed.value.cause).pipe(Option.map((e) => (e as { readonly _tag: string })._tag)),
          Option.some("PoolClosedError")
        )
        deepStrictEqual(failed.logs, [])
      }))

    it.effect("the warning, and a death the close finds, log as the pool's own logs: the loggers and annotations of where it was made", () =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        // a worker layer whose release dies: the close that interrupts the worker finds the death
        const dying = Layer.scopedDiscard(Effect.addFinalizer(() => Effect.die("release failed")))
        const { logs, value: pool } = yield* withLogs(
          FiberPool.make({ workers: 1, name: "mailer", workerLayer: dying, worker: (_: number) => Effect.never }).pipe(
            Effect.annotateLogs("service", "emails")
          )
        ).pipe(Scope.extend(scope))
        yield* pool.submit(1)
        yield* settle
        // closed from outside that logger and those annotations (as ManagedRuntime.dispose does)
        yield* Scope.close(scope, Exit.void).pipe(Effect.annotateLogs("closer", "yes"))
        deepStrictEqual(logs.map((log) => [log.level, log.message.split(":").slice(0, 2).join(":"), log.annotations]), [
          [
            "WARN",
            "mailer: the fiber of worker 0 died after the pool's outcome was decided",
            {
              service: "emails",
              "fiberpool.pool": "mailer",
              "fiberpool.worker": 0
            }
          ],
          ["WARN", "mailer: the pool's scope closed before the pool finished", {
            service: "emails",
            "fiberpool.pool": "mailer"
          }]
        ])
      }))

    it.effect("completion callbacks the scope's close skipped are logged, also when no item was dropped", () =>
      Effect.gen(function*() {
        const flushed: Array<number> = []
        const { logs } = yield* withLogs(Effect.scoped(Effect.gen(function*() {
          const pool = yield* FiberPool.make({
            workers: 2,
            worker: (_: number) => Effect.void,
            onWorkerComplete: (id) => Effect.sync(() => void flushed.push(id)),
            onPoolComplete: Effect.sync(() => void flushed.push(-1))
          })
          yield* pool.submitAll(range(3))
          yield* settle
          // every item ran, but the scope ends without close: no flush, no commit
        })))
        deepStrictEqual(flushed, [])
        deepStrictEqual(logs.map((log) => log.message), [
          "fiberpool: the pool's scope closed before the pool finished: onWorkerComplete did not run for 2 of 2 " +
          "workers; onPoolComplete did not run. Close the pool (or wait for it) before its scope ends, or set " +
          "gracefulShutdown"
        ])
      }))

    it.effect("a completion callback the close cut short reads as interrupted, not as skipped; one worker in the singular", () =>
      Effect.gen(function*() {
        const { logs } = yield* withLogs(Effect.scoped(Effect.gen(function*() {
          const pool = yield* FiberPool.make({
            workers: 1,
            worker: (_: number) => Effect.void,
            onWorkerComplete: () => Effect.void,
            onPoolComplete: Effect.never // a commit that is still running when the scope closes
          })
          yield* pool.end
          yield* settle
        })))
        deepStrictEqual(logs.map((log) => log.message), [
          "fiberpool: the pool's scope closed before the pool finished: onPoolComplete was interrupted. Close the " +
          "pool (or wait for it) before its scope ends, or set gracefulShutdown"
        ])
        const { logs: cut } = yield* withLogs(Effect.scoped(Effect.gen(function*() {
          const pool = yield* FiberPool.make({
            workers: 1,
            worker: (_: number) => Effect.void,
            onWorkerComplete: () => Effect.never
          })
          yield* pool.end
          yield* settle
        })))
        deepStrictEqual(cut.map((log) => log.message.split(": ")[2]!.split(". ")[0]), [
          "onWorkerComplete was interrupted on 1 of 1 worker"
        ])
      }))

    it.effect("one item dropped by the scope's close is logged in the singular", () =>
      Effect.gen(function*() {
        const { logs } = yield* withLogs(Effect.scoped(Effect.gen(function*() {
          const pool = yield* FiberPool.make({ workers: 1, name: "mailer", worker: (_: number) => Effect.never })
          yield* pool.submit(1)
          yield* settle
        })))
        deepStrictEqual(logs.map((log) => log.message.split(" (")[0]), [
          "mailer: the pool's scope closed before the pool finished: 1 accepted item was dropped"
        ])
      }))
  })

  describe("lifecycle callbacks and per-worker state", () => {
    it.scoped("workerLayer is built once per worker before make returns, sees WorkerId, and is released at the end", () =>
      Effect.gen(function*() {
        const log: Array<string> = []
        class Conn extends Context.Tag("Conn")<Conn, { readonly id: number }>() {}
        const pool = yield* FiberPool.make({
          workers: 3,
          workerLayer: Layer.scoped(
            Conn,
            Effect.gen(function*() {
              const id = yield* Worker.WorkerId
              yield* Effect.acquireRelease(
                Effect.sync(() => log.push(`open ${id}`)),
                () => Effect.sync(() => log.push(`close ${id}`))
              )
              return { id }
            })
          ),
          worker: (_: number) =>
            Effect.gen(function*() {
              const conn = yield* Conn
              const id = yield* Worker.WorkerId
              strictEqual(conn.id, id)
            }),
          onWorkerComplete: (id) => Effect.map(Conn, (conn) => log.push(`complete ${id} conn ${conn.id}`))
        })
        deepStrictEqual([...log].sort(), ["open 0", "open 1", "open 2"])
        yield* pool.submitAll(range(30))
        yield* pool.close
        for (const id of [0, 1, 2]) {
          const complete = log.indexOf(`complete ${id} conn ${id}`)
          const close = log.indexOf(`close ${id}`)
          assertTrue(complete >= 0 && close > complete, log.join(", "))
        }
      }))

    it.scoped("every phase of a worker sees the caller's services and annotations, its WorkerId, one Scope of its own and its layer's services", () =>
      Effect.gen(function*() {
        class Caller extends Context.Tag("Caller")<Caller, string>() {}
        class Shadowed extends Context.Tag("Shadowed")<Shadowed, string>() {}
        class Conn extends Context.Tag("Conn")<Conn, number>() {}
        /** What a phase sees: the caller's service, its worker, `Shadowed`, the layer's `Conn`, its Scope, the annotation. */
        const sees = (phase: string) =>
          Effect.gen(function*() {
            const annotations = yield* FiberRef.get(FiberRef.currentLogAnnotations)
            return {
              phase,
              caller: Option.getOrNull(yield* Effect.serviceOption(Caller)),
              worker: Option.getOrNull(yield* Effect.serviceOption(Worker.WorkerId)),
              shadowed: Option.getOrNull(yield* Effect.serviceOption(Shadowed)),
              conn: Option.getOrNull(yield* Effect.serviceOption(Conn)),
              scope: Option.getOrNull(yield* Effect.serviceOption(Scope.Scope)),
              request: HashMap.get(annotations, "request").pipe(Option.getOrNull)
            }
          })
        type Seen = Effect.Effect.Success<ReturnType<typeof sees>>
        const seen: Array<Seen> = []
        const record = (phase: string) => Effect.map(sees(phase), (s) => void seen.push(s))
        const callerScope = yield* Effect.scope
        const pool = yield* FiberPool.makeStateful({
          workers: 1,
          workerLayer: Layer.effectContext(Effect.zipRight(
            record("workerLayer"),
            Effect.succeed(Context.make(Conn, 7).pipe(Context.add(Shadowed, "layer")))
          )),
          makeWorker: () =>
            Effect.as(
              record("makeWorker"),
              (_: number) =>
                Effect.zipRight(record("item"), Effect.flatMap(Effect.fork(record("forked by the item")), Fiber.join))
            ),
          middleware: [(next: Worker.Worker<number>) => (n: number) => Effect.zipRight(record("middleware"), next(n))],
          onWorkerComplete: () => record("onWorkerComplete")
        }).pipe(
          Effect.provideService(Caller, "caller"),
          Effect.provideService(Shadowed, "caller"),
          Effect.annotateLogs("request", "r1")
        )
        yield* pool.submit(1)
        yield* pool.close
        deepStrictEqual(seen.map((s) => s.phase), [
          "workerLayer",
          "makeWorker",
          "middleware",
          "item",
          "forked by the item",
          "onWorkerComplete"
        ])
        const workerScope = seen[1]!.scope
        assertTrue(workerScope !== null && workerScope !== callerScope, "the worker has a Scope of its own")
        for (const s of seen) {
          const built = s.phase !== "workerLayer"
          deepStrictEqual(
            { ...s, scope: built ? s.scope === workerScope : null },
            {
              phase: s.phase,
              caller: "caller",
              worker: 0,
              shadowed: built ? "layer" : "caller",
              conn: built ? 7 : null,
              scope: built ? true : null,
              request: "r1"
            }
          )
        }
      }))

    it.scoped("the worker's scope closes in the context its pool was made in: a finalizer of its own sees the caller's services, not the worker's", () =>
      Effect.gen(function*() {
        class Caller extends Context.Tag("Caller")<Caller, string>() {}
        class Conn extends Context.Tag("Conn")<Conn, number>() {}
        const seen: Array<unknown> = []
        const pool = yield* FiberPool.make({
          workers: 1,
          workerLayer: Layer.merge(
            Layer.succeed(Conn, 7),
            // `Scope.addFinalizer` (unlike `Effect.addFinalizer`, `acquireRelease`) runs in the
            // context of the fiber that closes the scope
            Layer.scopedDiscard(Effect.flatMap(Effect.scope, (scope) =>
              Scope.addFinalizer(
                scope,
                Effect.gen(function*() {
                  seen.push(
                    Option.getOrNull(yield* Effect.serviceOption(Caller)),
                    Option.getOrNull(yield* Effect.serviceOption(Worker.WorkerId)),
                    Option.getOrNull(yield* Effect.serviceOption(Conn))
                  )
                })
              )))
          ),
          worker: (_: number) => Effect.void
        }).pipe(Effect.provideService(Caller, "caller"))
        yield* pool.close
        deepStrictEqual(seen, ["caller", null, null])
      }))

    it.scoped("a failed onWorkerComplete is logged in the context of the worker's fiber outside its layer: the caller's span, not one its layer provides", () =>
      Effect.gen(function*() {
        class Conn extends Context.Tag("Conn")<Conn, number>() {}
        const seen: Array<unknown> = []
        const logger = Logger.make(({ context, message }) => {
          const services = FiberRefs.getOrDefault(context, FiberRef.currentContext)
          const span = Context.getOption(services, Tracer.ParentSpan)
          seen.push({
            message: String(message).slice(0, 46),
            span: span._tag === "Some" && span.value._tag === "Span" ? span.value.name : null,
            worker: Option.getOrNull(Context.getOption(services, Worker.WorkerId)),
            conn: Option.getOrNull(Context.getOption(services, Conn))
          })
        })
        yield* Effect.scoped(Effect.gen(function*() {
          const pool = yield* FiberPool.make({
            workers: 1,
            continueOnError: true,
            workerLayer: Layer.merge(Layer.succeed(Conn, 7), Layer.span("worker span")),
            worker: (_: number) => Effect.fail("item failed"),
            onWorkerComplete: () => Effect.fail("onWorkerComplete failed")
          })
          yield* pool.submit(1)
          yield* Effect.exit(pool.close)
        })).pipe(Effect.withSpan("caller span"), Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
        deepStrictEqual(seen, [{
          message: "fiberpool: onWorkerComplete of worker 0 failed",
          span: "caller span",
          worker: null,
          conn: null
        }])
      }))

    it.effect("a start-up failure fails make with it, after releasing what was built", () =>
      Effect.gen(function*() {
        const opened = yield* Ref.make(0)
        const closed = yield* Ref.make(0)
        class Conn extends Context.Tag("Conn")<Conn, number>() {}
        const exit = yield* Effect.exit(Effect.scoped(FiberPool.make({
          workers: 4,
          workerLayer: Layer.scoped(
            Conn,
            Effect.gen(function*() {
              const id = yield* Worker.WorkerId
              if (id === 2) return yield* Effect.fail("cannot connect" as const)
              yield* Effect.acquireRelease(Ref.update(opened, (n) => n + 1), () => Ref.update(closed, (n) => n + 1))
              return id
            })
          ),
          worker: (_: number) => Effect.void
        })))
        deepStrictEqual(exit, Exit.fail("cannot connect"))
        strictEqual(yield* Ref.get(closed), yield* Ref.get(opened))
      }))

    it.effect("each worker's scope closes with how that worker ended", () =>
      Effect.gen(function*() {
        class Conn extends Context.Tag("Conn")<Conn, number>() {}
        /** A pool whose workers record how their scope closed, by worker id. */
        const exits = (options: {
          readonly continueOnError?: boolean
          readonly worker: (n: number) => Effect.Effect<void, Boom, Conn>
          readonly onWorkerComplete?: (id: number) => Effect.Effect<void, string>
        }) =>
          Effect.gen(function*() {
            const closed = new Map<number, string>()
            const describe = (exit: Exit.Exit<unknown, unknown>): string =>
              Exit.isSuccess(exit)
                ? "success"
                : Cause.isInterruptedOnly(exit.cause)
                ? "interrupted"
                : Option.match(Cause.failureOption(exit.cause), {
                  onNone: () => `died: ${Cause.squash(exit.cause)}`,
                  onSome: (e) => `failed: ${e instanceof Boom ? `Boom ${e.item}` : String(e)}`
                })
            const pool = yield* FiberPool.make({
              workers: 2,
              batchSize: 1,
              workerLayer: releasing(Conn, (id, exit) => Effect.sync(() => void closed.set(id, describe(exit)))),
              ...options
            })
            yield* pool.submitAll([0, 1]).pipe(Effect.ignore)
            yield* Effect.exit(pool.close)
            return [closed.get(0), closed.get(1)]
          }).pipe(Effect.scoped)
        // fail-fast: the failing worker's scope sees its failure, the other one the interruption
        const failFast = yield* Effect.fork(exits({
          worker: (n) => n === 0 ? Effect.fail(new Boom({ item: n })) : Effect.sleep("1 second")
        }))
        yield* TestClock.adjust("1 second")
        const [first, second] = yield* Fiber.join(failFast)
        deepStrictEqual([first, second].sort(), ["failed: Boom 0", "interrupted"])
        // the other worker in an uninterruptible item at the stop: it finishes the item, and its
        // scope still sees the interruption (it closed with success, a commit)
        const uninterruptible = yield* Effect.fork(exits({
          worker: (n) =>
            n === 0
              ? Effect.zipRight(Effect.sleep("10 millis"), Effect.fail(new Boom({ item: n })))
              : Effect.uninterruptible(Effect.sleep("30 millis"))
        }))
        yield* TestClock.adjust("1 second")
        deepStrictEqual((yield* Fiber.join(uninterruptible)).sort(), ["failed: Boom 0", "interrupted"])
        // a defect stops a continuing pool too: the dying item's worker sees the defect
        const defect = yield* Effect.fork(exits({
          continueOnError: true,
          worker: (n) => n === 0 ? Effect.die("bug") : Effect.sleep("1 second")
        }))
        yield* TestClock.adjust("1 second")
        deepStrictEqual((yield* Fiber.join(defect)).sort(), ["died: bug", "interrupted"])
        // a continuing pool whose items failed drains: every worker ends normally
        deepStrictEqual(
          yield* exits({ continueOnError: true, worker: (n) => Effect.fail(new Boom({ item: n })) }),
          ["success", "success"]
        )
        // a failing onWorkerComplete that stops the pool: that worker's scope sees its failure
        const complete = yield* exits({
          worker: () => Effect.void,
          onWorkerComplete: (id) => id === 0 ? Effect.fail("cannot flush") : Effect.void
        })
        strictEqual(complete[0], "failed: cannot flush")
      }))

    it.effect("makeStateful: a pool kept after its end does not keep its workers' makeWorker state alive", () =>
      Effect.gen(function*() {
        const gc = exposeGc()
        const states: Array<WeakRef<object>> = []
        const pool = yield* Effect.scoped(Effect.gen(function*() {
          const pool = yield* FiberPool.makeStateful({
            workers: 2,
            makeWorker: () =>
              Effect.sync(() => {
                const state = { buffer: new Uint8Array(1024) }
                states.push(new WeakRef(state))
                return (_: number) => Effect.sync(() => void state.buffer[0]++)
              })
          })
          yield* pool.submitAll(range(4))
          yield* pool.close
          return pool
        }))
        yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
        gc()
        strictEqual(states.length, 2)
        deepStrictEqual(states.map((ref) => ref.deref() === undefined), [true, true])
        strictEqual((yield* pool.stats).processed, 4) // the pool itself is still held
      }))

    it.effect("makeStateful: work a middleware forked to outlive its item, run after its worker ended, dies saying so", () =>
      Effect.gen(function*() {
        const late = yield* Deferred.make<Exit.Exit<void, unknown>>()
        yield* Effect.scoped(Effect.gen(function*() {
          const pool = yield* FiberPool.makeStateful({
            workers: 1,
            makeWorker: () => Effect.succeed((_: number) => Effect.void),
            middleware: [(next: Worker.Worker<number>) => (n: number) =>
              Effect.asVoid(Effect.forkDaemon(
                Effect.exit(Effect.zipRight(Effect.sleep("20 millis"), next(n))).pipe(
                  Effect.flatMap((exit) => Deferred.succeed(late, exit))
                )
              ))]
          })
          yield* pool.submit(1)
          yield* pool.close
        }))
        yield* TestClock.adjust("50 millis")
        const exit = yield* Deferred.await(late)
        const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
        // (a bare "worker is not a function" TypeError, once the pool had let go of that worker)
        assertTrue(Option.isSome(defect) && Cause.isIllegalArgumentException(defect.value), String(exit))
        assertTrue((defect.value as Error).message.includes("worker 0 has ended"), (defect.value as Error).message)
      }))

    it.scoped("makeStateful: each worker fiber makes its own worker in its own scope", () =>
      Effect.gen(function*() {
        const counts = new Map<number, number>()
        const finalized: Array<number> = []
        const pool = yield* FiberPool.makeStateful({
          workers: 3,
          batchSize: 2,
          makeWorker: (id) =>
            Effect.gen(function*() {
              let count = 0
              yield* Effect.addFinalizer(() => Effect.sync(() => finalized.push(id)))
              return Worker.make((_: number) =>
                Effect.sync(() => {
                  count++
                  counts.set(id, count)
                })
              )
            }),
          onWorkerComplete: (id) => Effect.sync(() => strictEqual(finalized.includes(id), false))
        })
        yield* pool.submitAll(range(60))
        yield* pool.close
        strictEqual([...counts.values()].reduce((a, b) => a + b, 0), 60)
        deepStrictEqual(finalized.sort(), [0, 1, 2])
      }))

    it.scoped("onWorkerComplete runs once per worker; onPoolComplete once after all, before close returns", () =>
      Effect.gen(function*() {
        const log: Array<string> = []
        const pool = yield* FiberPool.make({
          workers: 3,
          worker: (_: number) => Effect.void,
          onWorkerComplete: (id) => Effect.sync(() => log.push(`worker ${id}`)),
          onPoolComplete: Effect.sync(() => log.push("pool"))
        })
        yield* pool.submitAll(range(10))
        yield* pool.close
        strictEqual(log.length, 4)
        strictEqual(log[3], "pool")
        deepStrictEqual(log.slice(0, 3).sort(), ["worker 0", "worker 1", "worker 2"])
      }))

    it.scoped("after a fail-fast stop onWorkerComplete is skipped but onPoolComplete runs", () =>
      Effect.gen(function*() {
        const log: Array<string> = []
        const pool = yield* FiberPool.make({
          workers: 2,
          worker: (n: number) => n === 0 ? Effect.fail(new Boom({ item: 0 })) : Effect.void,
          onWorkerComplete: (id) => Effect.sync(() => log.push(`worker ${id}`)),
          onPoolComplete: Effect.sync(() => log.push("pool"))
        })
        yield* pool.submitAll(range(5)).pipe(Effect.ignore)
        yield* Effect.exit(pool.close)
        deepStrictEqual(log, ["pool"])
      }))

    it.scoped("a failing onPoolComplete is the outcome; a failing onWorkerComplete too", () =>
      Effect.gen(function*() {
        const pool1 = yield* FiberPool.make({
          workers: 2,
          worker: (_: number) => Effect.void,
          onPoolComplete: Effect.fail("pool complete failed" as const)
        })
        yield* pool1.submit(1)
        deepStrictEqual(yield* Effect.exit(pool1.close), Exit.fail("pool complete failed" as const))
        const pool2 = yield* FiberPool.make({
          workers: 2,
          worker: (_: number) => Effect.void,
          onWorkerComplete: (id) => id === 1 ? Effect.fail(`worker ${id} failed`) : Effect.void
        })
        yield* pool2.submit(1)
        deepStrictEqual(yield* Effect.exit(pool2.close), Exit.fail("worker 1 failed"))
        strictEqual((yield* pool2.stats).errors, 0)
      }))

    it.scoped("chained pools: workers send to the next pool; onPoolComplete ends it", () =>
      Effect.gen(function*() {
        const results: Array<string> = []
        const stage2 = yield* FiberPool.make({
          workers: 2,
          worker: (s: string) => Effect.sync(() => results.push(s))
        })
        const stage1 = yield* FiberPool.make({
          workers: 3,
          worker: (n: number) => stage2.send(`item-${n * 2}`),
          onPoolComplete: stage2.end
        })
        yield* stage1.submitAll(range(50))
        yield* stage1.close
        yield* stage2.wait
        strictEqual(results.length, 50)
        strictEqual((yield* stage2.stats).processed, 50)
      }))
  })

  describe("bad input", () => {
    const invalid: Array<[string, Record<string, unknown>, string]> = [
      ["workers 0", { workers: 0 }, "\"workers\""],
      ["workers -1", { workers: -1 }, "-1"],
      ["workers 1.5", { workers: 1.5 }, "1.5"],
      ["workers 2^32 (more than an array holds)", { workers: 2 ** 32 }, "\"workers\" must be at most 4294967295"],
      ["workers NaN", { workers: NaN }, "NaN"],
      ["batchSize -1", { workers: 1, batchSize: -1 }, "\"batchSize\""],
      ["batchSize 2.5", { workers: 1, batchSize: 2.5 }, "2.5"],
      ["workerQueueSize 0", { workers: 1, workerQueueSize: 0 }, "\"workerQueueSize\""],
      ["keyBy not a function", { workers: 1, keyBy: "id" }, "\"keyBy\""],
      ["middleware element", { workers: 1, middleware: [42] }, "\"middleware\"[0]"],
      ["name empty", { workers: 1, name: "" }, "\"name\""],
      // Duration.decode turns these into zero: a drain the user asked for would not happen
      ["gracefulShutdown -1", { workers: 1, gracefulShutdown: -1 }, "\"gracefulShutdown\""],
      ["gracefulShutdown NaN", { workers: 1, gracefulShutdown: NaN }, "NaN"],
      ["gracefulShutdown \"-5 seconds\"", { workers: 1, gracefulShutdown: "-5 seconds" }, "\"-5 seconds\""],
      ["gracefulShutdown -1n", { workers: 1, gracefulShutdown: BigInt(-1) }, "got -1n"],
      ["gracefulShutdown [-1, 0]", { workers: 1, gracefulShutdown: [-1, 0] }, "got [-1, 0]"],
      ["gracefulShutdown [0, NaN]", { workers: 1, gracefulShutdown: [0, NaN] }, "got [0, NaN]"],
      ["gracefulShutdown \"soon\"", { workers: 1, gracefulShutdown: "soon" }, "\"soon\""]
    ]
    for (const [label, options, mention] of invalid) {
      it.effect(`invalid option dies with IllegalArgumentException: ${label}`, () =>
        Effect.gen(function*() {
          const make = () => FiberPool.make({ worker: (_: number) => Effect.void, ...options } as any)
          const effect = make() // nothing throws at call time
          const exit = yield* Effect.exit(Effect.scoped(effect))
          assertTrue(Exit.isFailure(exit))
          const defect = Cause.dieOption((exit as Exit.Failure<unknown, unknown>).cause)
          assertTrue(Option.isSome(defect) && Cause.isIllegalArgumentException(defect.value), String(defect))
          const message = (defect.value as Error).message
          assertTrue(message.includes(mention), message)
        }))
    }

    it.effect("a message quotes a bounded part of the value it names: a long string is clipped, binary data named", () =>
      Effect.gen(function*() {
        const long = "9".repeat(1_000_000)
        const cases: Array<[Record<string, unknown>, string]> = [
          [{ workers: long }, `got "${"9".repeat(99)}…"`],
          [{ workers: 1, keyBy: new Uint8Array(1_000_000) }, "got Uint8Array(1000000)"],
          [{ workers: 1, batchSize: new ArrayBuffer(64) }, "got ArrayBuffer(64)"],
          [{ workers: 1, workerQueueSize: { toString: () => long } }, `got ${"9".repeat(199)}…`],
          [{ workers: 1, name: new String(long) }, `got a String object ("${"9".repeat(99)}…")`],
          // a string of exactly the bound is quoted whole; a clip does not split a surrogate pair
          [{ workers: "9".repeat(100) }, `got "${"9".repeat(100)}"`],
          [{ workers: `${"9".repeat(98)}\u{1F600}9` }, `got "${"9".repeat(98)}…"`],
          // an array: its first five elements, one level deep
          [{ workers: [[1], 2, 3, 4, 5, 6] }, "got [[…], 2, 3, 4, 5, …]"],
          // a function is named as such, not printed; a value that cannot be printed, by its type
          [{ workers: () => 1 }, "got a function"],
          [{ workers: Object.create(null) }, "got object"]
        ]
        for (const [options, mention] of cases) {
          const exit = yield* Effect.exit(
            Effect.scoped(FiberPool.make({ worker: (_: number) => Effect.void, ...options } as any))
          )
          const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
          assertTrue(Option.isSome(defect) && Cause.isIllegalArgumentException(defect.value), String(defect))
          const message = (defect.value as Error).message
          assertInclude(message, mention)
          assertTrue(message.length < 400, `${message.length} characters`)
        }
      }))

    it.effect("gracefulShutdown accepts every duration of zero or more, however written", () =>
      Effect.gen(function*() {
        const valid: Array<unknown> = [
          0,
          -0,
          1.5,
          Infinity,
          BigInt(0),
          BigInt(5),
          "5 seconds",
          "-0 seconds",
          [1, -5e8],
          [Infinity, -1],
          Duration.zero,
          Duration.infinity
        ]
        for (const gracefulShutdown of valid) {
          const exit = yield* Effect.exit(
            Effect.scoped(FiberPool.make({ workers: 1, worker: (_: number) => Effect.void, gracefulShutdown } as any))
          )
          assertTrue(Exit.isSuccess(exit), `${String(gracefulShutdown)}: ${exit}`)
        }
      }))

    it.effect("run(items) without its options (from JavaScript) dies naming them, not with \"Not a valid effect\"", () =>
      Effect.gen(function*() {
        // before, a call with one argument was the data-last form: it returned a function
        const effect = (FiberPool.run as unknown as (items: unknown) => Effect.Effect<unknown>)([1, 2, 3])
        const exit = yield* Effect.exit(effect)
        const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
        assertTrue(Option.isSome(defect) && Cause.isIllegalArgumentException(defect.value), String(exit))
        strictEqual((defect.value as Error).message, "FiberPool.run: options must be an object, got undefined")
        // so is a Stream without its options
        const ofStream = (FiberPool.run as unknown as (items: unknown) => Effect.Effect<unknown>)(Stream.make(1, 2))
        assertTrue(Effect.isEffect(ofStream), "an effect, not the data-last function")
        const streamExit = yield* Effect.exit(ofStream)
        const streamDefect = Exit.isFailure(streamExit) ? Cause.dieOption(streamExit.cause) : Option.none()
        assertTrue(
          Option.isSome(streamDefect) && Cause.isIllegalArgumentException(streamDefect.value),
          String(streamExit)
        )
        strictEqual((streamDefect.value as Error).message, "FiberPool.run: options must be an object, got undefined")
      }))

    it.scoped("a throwing keyBy fails that submit only; the pool stays consistent", () =>
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({
          workers: 2,
          keyBy: (n: number) => {
            if (n === 3) throw new Error("bad key")
            return String(n)
          },
          worker: (_: number) => Effect.void
        })
        yield* pool.submitAll([1, 2])
        const exit = yield* Effect.exit(pool.submit(3))
        assertTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
        yield* pool.submit(4)
        yield* pool.close
        const stats = yield* pool.stats
        strictEqual(stats.submitted, 3)
        strictEqual(stats.processed, 3)
      }))

    it.scoped("keyBy returning a non-string dies naming keyBy", () =>
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({
          workers: 2,
          keyBy: ((n: number) => n) as unknown as (n: number) => string,
          worker: (_: number) => Effect.void
        })
        const exit = yield* Effect.exit(pool.submit(3))
        const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
        assertTrue(Option.isSome(defect) && String((defect.value as Error).message).includes("keyBy"))
        yield* pool.close
        strictEqual((yield* pool.stats).submitted, 0)
      }))
  })

  describe("accounting", () => {
    it.effect("submitted = processed + errors + dropped in every mode", () =>
      Effect.gen(function*() {
        for (const continueOnError of [false, true]) {
          for (const interrupt of [false, true]) {
            const scope = yield* Scope.make()
            const pool = yield* FiberPool.make({
              workers: 3,
              batchSize: 4,
              continueOnError,
              // ~1.5 items per millisecond: the first failure comes after ~27 ms, the defect after
              // ~80 ms, so the scope closes (at 20 ms) in the middle of batches
              worker: (n: number) =>
                n % 41 === 40
                  ? Effect.fail(new Boom({ item: n }))
                  : n === 120
                  ? Effect.die("defect")
                  : Effect.sleep(`${(n % 3) + 1} millis`)
            }).pipe(Scope.extend(scope))
            const producer = yield* Effect.fork(pool.submitAll(range(200)))
            yield* TestClock.adjust("20 millis")
            if (interrupt) yield* Scope.close(scope, Exit.void)
            else yield* Effect.fork(Effect.zipRight(Effect.ignore(Fiber.join(producer)), pool.close))
            yield* TestClock.adjust("1 second")
            const exit = yield* Effect.exit(pool.wait)
            const stats = yield* pool.stats
            assertAccounting(stats)
            if (interrupt) {
              assertTrue(Exit.isInterrupted(exit), "the scope closed first")
              assertTrue(stats.dropped > 0 && stats.processed > 0, JSON.stringify(stats))
            } else {
              deepStrictEqual(exit, Exit.fail(new Boom({ item: 40 })))
              strictEqual(stats.errors, continueOnError ? 3 : 1) // continue: items 40, 81 and the defect at 120
            }
            yield* Scope.close(scope, Exit.void)
            assertAccounting(yield* pool.stats)
          }
        }
      }))

    for (const metrics of [true, false]) {
      it.scoped(`processing, wait and total time are exact under TestClock (metrics: ${metrics})`, () =>
        Effect.gen(function*() {
          const pool = yield* FiberPool.make({
            workers: 2,
            batchSize: 3,
            metrics,
            name: `timing-${metrics}`,
            worker: (n: number) => Effect.sleep(Duration.millis(100 * (n % 3 + 1)))
          })
          yield* pool.submitAll(range(6)) // worker 0: items 0,1,2 (600 ms); worker 1: 3,4,5 (600 ms)
          yield* settle
          yield* TestClock.adjust("1 second")
          yield* pool.close
          const stats = yield* pool.stats
          strictEqual(Duration.toMillis(stats.processingTime), 600)
          strictEqual(Duration.toMillis(stats.totalTime), 1000)
          // both idle from 600 ms until the end of input at 1000 ms
          strictEqual(Duration.toMillis(stats.waitTime), 800)
        }))
    }

    it.scoped("wait time is time waited for input: a worker with nothing left after end is done, and waits no more", () =>
      Effect.gen(function*() {
        const waitWhenClosedAt = (closeAt: number) =>
          Effect.scoped(Effect.gen(function*() {
            const pool = yield* FiberPool.make({
              workers: 2,
              batchSize: 1,
              worker: (ms: number) => Effect.sleep(Duration.millis(ms))
            })
            // one worker runs 1,000 ms, the other 100 ms and then idles
            yield* pool.submitAll([1000, 100])
            yield* settle
            yield* TestClock.adjust(Duration.millis(closeAt))
            const closed = yield* Effect.fork(pool.close)
            yield* TestClock.adjust("2 seconds")
            yield* Fiber.join(closed)
            return Duration.toMillis((yield* pool.stats).waitTime)
          }))
        // closed at once: the second worker ends after its item, while the first still runs
        strictEqual(yield* waitWhenClosedAt(0), 0)
        // closed at 500 ms: it waited for input from 100 to 500 ms
        strictEqual(yield* waitWhenClosedAt(500), 400)
      }))

    it.scoped("stats are live while running", () =>
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({
          workers: 1,
          batchSize: 1,
          workerQueueSize: 2,
          worker: (_: number) => Effect.sleep("1 second")
        })
        yield* pool.submitAll(range(3))
        yield* settle
        yield* TestClock.adjust("1 second")
        const live = yield* pool.stats
        strictEqual(live.processed, 1)
        strictEqual(live.submitted, 3)
        yield* TestClock.adjust("2 seconds")
        yield* pool.close
        strictEqual((yield* pool.stats).processed, 3)
      }))
  })

  it.scoped("submitAll accepts any Iterable, such as a Chunk", () =>
    Effect.gen(function*() {
      let sum = 0
      const pool = yield* FiberPool.make({ workers: 2, worker: (n: number) => Effect.sync(() => void (sum += n)) })
      yield* pool.submitAll(Chunk.fromIterable(range(10)))
      yield* pool.close
      strictEqual(sum, 45)
    }))
})
