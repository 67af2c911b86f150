/**
 * pool_completion: `onWorkerComplete` runs in each worker fiber when its input has ended;
 * `onPoolComplete` runs once, after every worker ended, and `close` returns only after it ran.
 * Use them for per-worker flushing and a final aggregation or hand-over to the next stage.
 *
 *   npm run example -- pool_completion
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FiberPool } from "@fiberpool/pool"
import { Stats } from "@fiberpool/pool-metrics"
import { Console, Duration, Effect, Ref } from "effect"
import { flags } from "../flags.js"

// no flags: `--help` prints the usage line, any other flag is an error (exit code 2)
flags("pool_completion", {})

const program = Effect.gen(function*() {
  const total = yield* Ref.make(0)

  const pool = yield* FiberPool.make({
    workers: 3,
    batchSize: 1,
    continueOnError: true,
    worker: (_: number) => Effect.sleep("10 millis").pipe(Effect.zipRight(Ref.update(total, (n) => n + 1))),
    // in each worker fiber, once its input ended
    onWorkerComplete: (id) => Console.log(`worker ${id} completed`),
    // once, after every worker ended
    onPoolComplete: Effect.gen(function*() {
      yield* Console.log(`\nall workers completed, total items processed: ${yield* Ref.get(total)}`)
      yield* Console.log("performing final cleanup...")
    })
  })

  yield* pool.submitAll([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  yield* pool.close // returns after onPoolComplete

  const stats = yield* pool.stats
  yield* Console.log(
    `\nfinal stats: processed=${stats.processed}, time=${Math.round(Duration.toMillis(stats.totalTime))}ms`
  )
  yield* Console.log(Stats.format(stats))
})

NodeRuntime.runMain(Effect.scoped(program))
