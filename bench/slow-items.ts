/**
 * Slow items through `FiberPool.run` at the default sizes: `npx tsx bench/slow-items.ts`.
 *
 * Items that wait (an `Effect.sleep`, as I/O would) run on `workers` workers, through
 * `FiberPool.run` with the default batches, with `batchSize: 1`, and through `Effect.forEach` with
 * the same concurrency, which starts each item as a slot frees up and so sets the pace. Three
 * cases: 130 items of 100 ms on 8 workers; 300 items of 5–100 ms (a fixed pseudo-random sequence)
 * on 8 workers; 10,000 items of 10 ms on 64 workers with `batchSize: 100`; 100,000 items of 10 ms on
 * 1,024 workers. Prints each total in ms.
 * A pool's batches stay with the worker that took them, so how much a worker takes at once decides
 * how evenly such items spread (packages/pool/README.md, "A worker takes about 1 ms of its items at
 * once"). Wall time of one process; the figures in the READMEs come from this script.
 */
import { FiberPool } from "@fiberpool/pool"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** A fixed sequence of `n` durations between `min` and `max` ms (a linear congruential generator). */
const durations = (n: number, min: number, max: number): Array<number> => {
  let seed = 42
  return Array.from({ length: n }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return Math.round(min + (seed / 2 ** 31) * (max - min))
  })
}

const cases = [
  { name: "130 items of 100 ms, 8 workers", workers: 8, batchSize: undefined, millis: durations(130, 100, 100) },
  { name: "300 items of 5-100 ms, 8 workers", workers: 8, batchSize: undefined, millis: durations(300, 5, 100) },
  { name: "10,000 items of 10 ms, 64 workers", workers: 64, batchSize: 100, millis: durations(10_000, 10, 10) },
  {
    name: "100,000 items of 10 ms, 1,024 workers",
    workers: 1024,
    batchSize: undefined,
    millis: durations(100_000, 10, 10)
  }
]

const elapsed = (effect: Effect.Effect<unknown>) =>
  Effect.gen(function*() {
    const t = performance.now()
    yield* effect
    return Math.round(performance.now() - t)
  })

await Effect.runPromise(Effect.gen(function*() {
  for (const c of cases) {
    const items = c.millis.map((_, i) => i)
    const worker = (i: number) => Effect.sleep(Duration.millis(c.millis[i]!))
    const forEach = yield* elapsed(Effect.forEach(items, worker, { concurrency: c.workers, discard: true }))
    const batched = yield* elapsed(
      FiberPool.run(items, {
        workers: c.workers,
        worker,
        ...(c.batchSize === undefined ? {} : { batchSize: c.batchSize })
      })
    )
    const single = yield* elapsed(FiberPool.run(items, { workers: c.workers, batchSize: 1, worker }))
    console.log(
      `${c.name}: Effect.forEach ${forEach} ms; FiberPool.run batchSize ${
        c.batchSize ?? "10 (default)"
      } ${batched} ms, ` +
        `batchSize 1 ${single} ms`
    )
  }
}))
