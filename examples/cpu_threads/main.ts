/**
 * cpu_threads: CPU-bound items on every core. A pool's workers are fibers on one thread, so CPU work
 * gets no faster with more of them (go-pkgz's goroutines run on every core). Here each pool worker
 * owns a worker thread: its `workerLayer` (`PrimeThread.layer`, in prime_thread.ts) starts one when
 * the worker starts and terminates it when the worker ends. The pool still feeds, counts and shuts
 * down; the threads do the arithmetic.
 * The same items run first in the program's own thread, to compare.
 *
 *   npm run example -- cpu_threads [--items 64] [--limit 200000] [--threads N] [--crash I]
 *
 * `--threads` defaults to the machine's available parallelism (`os.availableParallelism()`).
 * `--crash I` makes item I (from 0) end its thread on the second run, as a crash would: the run
 * fails with a typed `ThreadFailed`, and the pool stops (fail-fast).
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FiberPool } from "@fiberpool/pool"
import { Stats } from "@fiberpool/pool-metrics"
import { Console, Duration, Effect, Ref } from "effect"
import * as os from "node:os"
import { flags } from "../flags.js"
import { PrimeThread } from "./prime_thread.js"
import { countPrimes } from "./primes.mjs"

const args = flags("cpu_threads [--items 64] [--limit 200000] [--threads N] [--crash I]", {
  items: { type: "string", default: "64" },
  limit: { type: "string", default: "200000" },
  threads: { type: "string", default: String(os.availableParallelism()) },
  crash: { type: "string" }
})

const threads = Number(args.threads)
// item i counts the primes below limit + (i mod 8) · limit / 8: items of uneven cost
const limits = Array.from(
  { length: Number(args.items) },
  (_, i) => Number(args.limit) + (i % 8) * Math.floor(Number(args.limit) / 8)
)

/** A sum of the items' results, kept by the workers (one `Ref` per run). */
const addTo = (total: Ref.Ref<number>) => (primes: number) => Ref.update(total, (t) => t + primes)

const ms = (stats: Stats.Stats) => Math.round(Duration.toMillis(stats.totalTime))

const program = Effect.gen(function*() {
  yield* Console.log(
    `${limits.length} items${limits.length > 0 ? ` (primes below ${limits[0]} to ${Math.max(...limits)})` : ""}, ` +
      `${threads} workers, ` +
      `${os.availableParallelism()} cores available\n`
  )

  // the items in the program's own thread: the workers take turns on one core
  const inlineTotal = yield* Ref.make(0)
  const inlineStats = yield* FiberPool.run(limits, {
    workers: threads,
    batchSize: 1,
    // the count runs when the item's Effect runs (and again on a retry), not when it is built
    worker: (limit: number) => Effect.sync(() => countPrimes(limit)).pipe(Effect.flatMap(addTo(inlineTotal)))
  })
  const inline = { stats: inlineStats, total: yield* Ref.get(inlineTotal) }
  yield* Console.log(`in the program's thread: ${ms(inline.stats)} ms, ${inline.total} primes in all`)

  // each worker hands its items to its own thread and waits for the answer
  const threadedTotal = yield* Ref.make(0)
  // with --crash I, item I asks its thread for a negative limit, which ends the thread
  const items = limits.map((limit, i) => String(i) === args.crash ? -1 : limit)
  const threadedStats = yield* FiberPool.run(items, {
    workers: threads,
    batchSize: 1,
    workerLayer: PrimeThread.layer,
    worker: (limit: number) =>
      PrimeThread.pipe(
        Effect.flatMap((thread) => thread.countPrimes(limit)),
        Effect.flatMap(addTo(threadedTotal))
      )
  })
  const threaded = { stats: threadedStats, total: yield* Ref.get(threadedTotal) }
  yield* Console.log(
    `on ${threads} worker threads:  ${ms(threaded.stats)} ms, ${threaded.total} primes in all ` +
      `(${(ms(inline.stats) / Math.max(1, ms(threaded.stats))).toFixed(2)}x)`
  )
  yield* Console.log(`\nstats: ${Stats.format(threaded.stats)}`)
  if (threaded.total !== inline.total) {
    return yield* Effect.dieMessage(`the totals differ: ${threaded.total} against ${inline.total}`)
  }
})

NodeRuntime.runMain(program)
