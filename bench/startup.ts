/**
 * What a pool costs to start and stop: `npx tsx bench/startup.ts [workers ...]`.
 *
 * A pool forks all its workers when it is made and joins them when it closes, so a short-lived pool
 * pays that whatever it runs. For each worker count this prints, as medians of 5 rounds after 2
 * warm-up rounds:
 * - a `FiberPool.run` of 10 cheap items, against `Effect.forEach` of the same items with the same
 *   concurrency (which forks at most one fiber per item);
 * - the phases of a pool made by hand: `make`, 10 `submit`s, `close`;
 * - forking and awaiting as many bare fibers one by one (`Effect.forkDaemon(Effect.void)`, then
 *   `Fiber.await` each), as the pool forks and awaits its workers: the floor for starting and
 *   stopping that many fibers in Effect. (Not `Fiber.joinAll`: it forks one more fiber per fiber
 *   to await them, and read two to five times this floor.)
 * Wall time of one process; figures in the README come from this script.
 *
 * `npx tsx bench/startup.ts --cycle <pools> <workers> [bare]` only makes and closes `<pools>` pools
 * of `<workers>` workers one after another (or forks and awaits as many bare fibers), and prints
 * nothing: a workload for an instruction count, where two pool counts give the cost per worker
 * (bench/README.md, "Start-up cost").
 */
import { FiberPool } from "@fiberpool/pool"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { median } from "./lib/stats.js"

const ROUNDS = 5
const WARMUP = 2
const ITEMS = Array.from({ length: 10 }, (_, i) => i)
let sink = 0
const work = (i: number) =>
  Effect.sync(() => {
    sink += i
  })

/** Forks `workers` bare fibers, then awaits them one by one, as a pool forks and awaits its workers. */
const bareFibers = (workers: number) =>
  Effect.flatMap(
    Effect.forEach(Array.from({ length: workers }), () => Effect.forkDaemon(Effect.void)),
    (fibers) => Effect.forEach(fibers, Fiber.await, { discard: true })
  )

/** Makes and closes a pool of `workers` (or forks and awaits as many bare fibers), `pools` times. */
const cycle = (pools: number, workers: number, bare: boolean) =>
  Effect.runPromise(Effect.forEach(
    Array.from({ length: pools }),
    () =>
      bare
        ? bareFibers(workers)
        : Effect.scoped(Effect.flatMap(FiberPool.make({ workers, worker: work }), (pool) => pool.close)),
    { discard: true }
  ))

const args = process.argv.slice(2)
if (args[0] === "--cycle") {
  const [pools, workers] = [Number(args[1]), Number(args[2])]
  if (!(pools >= 1 && workers >= 1)) throw new Error("usage: startup.ts --cycle <pools> <workers> [bare]")
  await cycle(pools, workers, args[3] === "bare")
  process.exit(0)
}
const counts = args.map(Number)
const workerCounts = counts.length > 0 ? counts : [1, 8, 64, 1024]
for (const w of workerCounts) {
  if (!Number.isInteger(w) || w < 1) throw new Error(`worker counts must be integers >= 1, got ${w}`)
}

/** Milliseconds per call of `effect`, averaged over `repeat` calls (2,000 / workers, at least 1). */
const perCall = (effect: Effect.Effect<unknown>, repeat: number) =>
  Effect.gen(function*() {
    const t = performance.now()
    for (let i = 0; i < repeat; i++) yield* effect
    return (performance.now() - t) / repeat
  })

const measure = (workers: number) =>
  Effect.gen(function*() {
    const repeat = Math.max(1, Math.round(2000 / workers))
    const run = FiberPool.run(ITEMS, { workers, worker: work })
    const forEach = Effect.forEach(ITEMS, work, { concurrency: workers, discard: true })
    const phases = Effect.scoped(Effect.gen(function*() {
      const t0 = performance.now()
      const pool = yield* FiberPool.make({ workers, worker: work })
      const t1 = performance.now()
      for (const i of ITEMS) yield* pool.submit(i)
      const t2 = performance.now()
      yield* pool.close
      return [t1 - t0, t2 - t1, performance.now() - t2] as const
    }))
    const bare = bareFibers(workers)
    const rows = {
      run: [] as Array<number>,
      forEach: [] as Array<number>,
      make: [] as Array<number>,
      submit: [] as Array<number>,
      close: [] as Array<number>,
      bare: [] as Array<number>
    }
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      const r = yield* perCall(run, repeat)
      const f = yield* perCall(forEach, repeat)
      let m = 0
      let s = 0
      let c = 0
      for (let i = 0; i < repeat; i++) {
        const [dm, ds, dc] = yield* phases
        m += dm / repeat
        s += ds / repeat
        c += dc / repeat
      }
      const b = yield* perCall(bare, repeat)
      if (round < WARMUP) continue
      rows.run.push(r)
      rows.forEach.push(f)
      rows.make.push(m)
      rows.submit.push(s)
      rows.close.push(c)
      rows.bare.push(b)
    }
    const ms = (xs: ReadonlyArray<number>) => `${median(xs).toFixed(3)} ms`
    console.log(
      `workers ${workers}: run of 10 items ${ms(rows.run)} (Effect.forEach ${ms(rows.forEach)}); ` +
        `make ${ms(rows.make)}, 10 submits ${ms(rows.submit)}, close ${ms(rows.close)}; ` +
        `fork and await ${workers} bare fibers ${ms(rows.bare)}`
    )
  })

await Effect.runPromise(Effect.forEach(workerCounts, measure, { discard: true }))
if (sink < 0) console.log(sink)
