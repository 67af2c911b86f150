import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { FiberPool } from "@fiberpool/pool"
import { Deferred, Effect } from "effect"
import { range } from "./helpers.js"

/** A `setImmediate`: the event loop's next turn, as the pool's workers wait for it. */
const onNextTurn = (f: () => void) => Effect.sync(() => void setImmediate(f))

/** Counts the event loop's turns from now (a `setImmediate` at each) until `stop`. */
const countingTurns = Effect.sync(() => {
  let turns = 0
  let counting = true
  const count = (): void => {
    turns++
    if (counting) setImmediate(count)
  }
  setImmediate(count)
  return {
    stop: Effect.sync(() => {
      counting = false
      return turns
    })
  }
})

/** `ms` milliseconds of CPU. */
const spin = (ms: number): void => {
  const end = performance.now() + ms
  while (performance.now() < end) { /* CPU */ }
}

describe("yielding to the event loop", () => {
  // Producers that retry a refused `trySubmit` with `Effect.yieldNow()` keep Effect's scheduler busy:
  // it falls back to a `setTimeout(0)` every 2048 rounds, and Node runs such a timer in the timers
  // phase it is set in, so the loop never reached the `setImmediate` the parked workers waited for.
  // Measured before the fix: 10 such producers got ~4,000 of 20,000 items in in 20 s (~200 a
  // second, 33 million refusals); after it, all 20,000 in ~0.1 s with ~45,000 refusals. No clock is
  // read here: the producers give up after a number of refusals, above what the pool needs. For the
  // 50,000 items here a review counted 95,000–351,000 refusals after the fix (more on a faster CPU,
  // whose producers spin faster through the ≤ 10 ms parks), and 43–180 refusals per item accepted
  // before it (5,500–23,000 items in after 1,000,000): 1,500,000 leaves room on both sides.
  it.live(
    "a pool makes progress while producers retry trySubmit with Effect.yieldNow",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const producers = 10
        const each = 5_000
        const maxRefusals = 1_500_000
        let ran = 0
        let accepted = 0
        let refused = 0
        const pool = yield* FiberPool.make({
          name: "turn-trySubmit-yieldNow",
          metrics: false,
          workers: 8,
          worker: (_: number) => Effect.sync(() => void ran++)
        })
        yield* Effect.forEach(
          Array.from({ length: producers }, (_, p) => p),
          (p) =>
            Effect.gen(function*() {
              for (let i = 0; i < each; i++) {
                while (!(yield* pool.trySubmit(p * each + i))) {
                  if (++refused > maxRefusals) return
                  yield* Effect.yieldNow()
                }
                accepted++
              }
            }),
          { concurrency: "unbounded", discard: true }
        )
        yield* pool.close
        strictEqual(accepted, producers * each, `accepted ${accepted} after ${refused} refusals`)
        strictEqual(ran, accepted)
        strictEqual((yield* pool.stats).submitted, accepted)
      })),
    60_000
  )

  // A worker idle for a turn's interval (10 ms) did not keep the event loop from its turns. Before,
  // its first take after the wait parked for the loop's next turn all the same: ~70 µs more per
  // `execute` of a pool used now and then. Each round here waits 30 ms.
  it.live("a worker idle for a turn's interval takes the next item at once, not after a turn of the event loop", () =>
    Effect.scoped(Effect.gen(function*() {
      const order: Array<string> = []
      const pool = yield* FiberPool.make({
        metrics: false,
        workers: 1,
        worker: (n: number) => Effect.sync(() => void order.push(`item ${n}`))
      })
      for (const n of range(3)) {
        yield* Effect.sleep("30 millis")
        order.length = 0
        yield* onNextTurn(() => void order.push("turn"))
        yield* pool.execute(n)
        deepStrictEqual(order, [`item ${n}`], `round ${n}`)
      }
    })))

  // One such take per interval in the whole process: a flood that wakes many idle workers at once
  // lets one of them take a batch before the event loop's next turn, not every one (here 8 batches
  // of ten 1 ms items: 80 ms without a turn).
  it.live("a flood that wakes many idle workers lets one of them take before the event loop's next turn", () =>
    Effect.scoped(Effect.gen(function*() {
      let ran = 0
      const pool = yield* FiberPool.make({
        metrics: false,
        workers: 8,
        batchSize: 10,
        worker: (_: number) =>
          Effect.sync(() => {
            spin(1)
            ran++
          })
      })
      yield* Effect.sleep("30 millis")
      let beforeTurn = -1
      yield* onNextTurn(() => void (beforeTurn = ran))
      yield* pool.submitAll(range(80))
      yield* pool.close
      strictEqual(ran, 80)
      assertTrue(beforeTurn >= 0 && beforeTurn <= 10, `${beforeTurn} items ran before the event loop's next turn`)
    })))

  // The idle take is for workers that idled while the event loop had its turns, not while other
  // pools' workers kept it busy: two pools that hand each other items of 12 ms (a pipeline whose
  // stages feed each other) leave each worker idle 12 ms before every take, and each finds nothing
  // to take after its item, so that no take of either is checked but the idle ones. With an idle take
  // allowed every 10 ms, the event loop had no turn until all 10 items ran (0.7 s for 60, measured);
  // with one allowed per turn of the loop, a turn every other item; before, and now, one per item.
  it.live("pools that hand each other slow items yield to the event loop after every item, as busy workers", () =>
    Effect.scoped(Effect.gen(function*() {
      let ran = 0
      const done = yield* Deferred.make<void>()
      const pools: Array<FiberPool.FiberPool<number, unknown>> = []
      const stage = (next: number) => (n: number) =>
        Effect.suspend(() => {
          spin(12)
          ran++
          return n === 9 ? Deferred.succeed(done, undefined) : pools[next].submit(n + 1)
        })
      for (const next of [1, 0]) {
        pools.push(yield* FiberPool.make({ metrics: false, workers: 1, worker: stage(next) }))
      }
      yield* Effect.sleep("30 millis")
      const turns = yield* countingTurns
      yield* pools[0].submit(0)
      yield* Deferred.await(done)
      strictEqual(ran, 10)
      const seen = yield* turns.stop
      assertTrue(seen >= 8, `${seen} turns of the event loop while 10 items of 12 ms ran`)
    })))

  // A worker's wait shows nothing about the event loop unless the loop was seen to turn during it:
  // a fiber that holds the loop with 12 ms of CPU and then calls `execute` wakes a worker that waited
  // 12 ms while the loop had no turn. Its take is checked as a busy worker's, and parks (with the
  // review's first fix, one `execute` in two took at once: a turn every ~22 ms).
  it.live("a caller that holds the event loop between its executes still gets it a turn at each", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ metrics: false, workers: 1, worker: (n: number) => Effect.succeed(n) })
      yield* Effect.sleep("30 millis")
      const turns = yield* countingTurns
      for (const n of range(10)) {
        yield* Effect.sync(() => spin(12))
        yield* pool.execute(n)
      }
      const seen = yield* turns.stop
      assertTrue(seen >= 8, `${seen} turns of the event loop during 10 rounds of 12 ms of CPU and an execute`)
    })))
  // One turn of the event loop seen during the waits of many workers lets one of them take at once,
  // not each in turn: a caller that awaits items of 12 ms one after another on a pool of 8 idle
  // workers wakes a different one each time (the takers are woken first in, first out), each of
  // which waited through the one turn before the first item and through no turn of the pools. With
  // the turn only asked to come during the wait, 8 items ran before the loop's next turn (~96 ms; 32
  // workers, ~360 ms, against ~12 ms before any idle take).
  it.live("a turn of the event loop seen by many idle workers lets one of them take before the next turn", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        metrics: false,
        workers: 8,
        worker: (n: number) =>
          Effect.sync(() => {
            spin(12)
            return n
          })
      })
      yield* Effect.sleep("30 millis")
      const turns = yield* countingTurns
      for (const n of range(10)) yield* pool.execute(n)
      const seen = yield* turns.stop
      assertTrue(seen >= 8, `${seen} turns of the event loop while 10 items of 12 ms ran on 8 idle workers`)
    })))
})
