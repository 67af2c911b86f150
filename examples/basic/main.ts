/**
 * basic: the smallest useful pool. Three worker fibers, five items, the final stats.
 *
 *   npm run example -- basic
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FiberPool } from "@fiberpool/pool"
import { Stats } from "@fiberpool/pool-metrics"
import { Console, Duration, Effect } from "effect"
import { flags } from "../flags.js"

// no flags: `--help` prints the usage line, any other flag is an error (exit code 2)
flags("basic", {})

const program = Effect.gen(function*() {
  // a pool of 3 worker fibers; it lives in the current Scope
  const pool = yield* FiberPool.make({
    workers: 3,
    batchSize: 1, // slow items: hand them over one at a time (the default batches up to 10)
    worker: (fruit: string) =>
      Console.log(`processing: ${fruit}`).pipe(
        Effect.zipRight(Effect.sleep("50 millis")) // simulate work
      )
  })

  yield* pool.submitAll(["apple", "banana", "cherry", "date", "elderberry"])

  // end input and wait for every item
  yield* pool.close

  const stats = yield* pool.stats
  yield* Console.log(
    `\ndone: processed ${stats.processed} items in ${Math.round(Duration.toMillis(stats.totalTime))}ms`
  )
  yield* Console.log(`stats: ${Stats.format(stats)}`)
})

NodeRuntime.runMain(Effect.scoped(program))
