/**
 * cpu_threads: CPU-bound items on every core. A pool's workers are fibers on one thread, so CPU work
 * gets no faster with more of them (go-pkgz's goroutines run on every core). Here each pool worker
 * owns a worker thread: its `workerLayer` starts one when the worker starts and terminates it when
 * the worker ends. The pool still feeds, counts and shuts down; the threads do the arithmetic.
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
import { Console, Context, Data, Duration, Effect, Layer, Ref } from "effect"
import * as os from "node:os"
import { Worker as Thread } from "node:worker_threads"
import { flags } from "../flags.js"
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

class ThreadFailed extends Data.TaggedError("ThreadFailed")<{ readonly message: string }> {}

/** A worker's own thread, as a service: one per pool worker, built by `workerLayer`. */
class PrimeThread extends Context.Tag("cpu_threads/PrimeThread")<PrimeThread, {
  readonly countPrimes: (limit: number) => Effect.Effect<number, ThreadFailed>
}>() {
  static readonly layer = Layer.scoped(
    PrimeThread,
    Effect.gen(function*() {
      // one call at a time (the worker's): the one waiting for its answer, and the thread's end
      let pending:
        | { readonly id: number; readonly resume: (answer: Effect.Effect<number, ThreadFailed>) => void }
        | undefined
      let ended: ThreadFailed | undefined
      let next = 0
      const end = (message: string) => {
        ended ??= new ThreadFailed({ message })
        const call = pending
        pending = undefined
        call?.resume(Effect.fail(ended))
      }
      const thread = yield* Effect.acquireRelease(
        // the thread runs plain JavaScript: without this program's loader flags (tsx), which would
        // load in every thread and cost each ~100 ms to start. Its listeners are attached as it is
        // made, with no step between in which an error or exit could go unheard
        Effect.sync(() =>
          new Thread(new URL("./thread.mjs", import.meta.url), { execArgv: [] })
            .on("message", (answer: { readonly id: number; readonly primes: number }) => {
              // an answer to a call given up on (interrupted) is not the current call's
              if (pending?.id !== answer.id) return
              const call = pending
              pending = undefined
              call.resume(Effect.succeed(answer.primes))
            })
            .on("error", (error) => end(error.message))
            .on("exit", (code) => end(`the thread exited with code ${code}`))
        ),
        (thread) => Effect.promise(() => thread.terminate())
      )
      const countPrimes = (limit: number) =>
        Effect.async<number, ThreadFailed>((resume) => {
          // a thread that died fails every later call at once, instead of leaving it waiting
          if (ended !== undefined) return resume(Effect.fail(ended))
          const id = next++
          pending = { id, resume }
          thread.postMessage({ id, limit })
          return Effect.sync(() => {
            if (pending?.id === id) pending = undefined
          })
        })
      // wait for the thread's first answer: its start (~50 ms) is then the pool's init rather than
      // the first item's time, and a thread that cannot start fails the worker's start-up, so the
      // pool fails to start (as a workerLayer should) instead of failing an item
      yield* countPrimes(0)
      return { countPrimes }
    })
  )
}

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
    worker: (limit: number) => addTo(inlineTotal)(countPrimes(limit))
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
