/**
 * chunking: `keyBy` routes the items of one key to one worker, in submission order (go-pkgz's
 * `WithChunkFn`). Every event of a user lands on the same worker fiber, so per-user work needs no
 * coordination, and a user's events are handled in the order they happened.
 *
 *   npm run example -- chunking
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FiberPool, Worker } from "@fiberpool/pool"
import { Stats } from "@fiberpool/pool-metrics"
import { Array, Console, Effect, Ref } from "effect"
import { flags } from "../flags.js"

// no flags: `--help` prints the usage line, any other flag is an error (exit code 2)
flags("chunking", {})

interface Event {
  readonly user: string
  readonly action: string
}

const events: ReadonlyArray<Event> = [
  { user: "alice", action: "login" },
  { user: "bob", action: "login" },
  { user: "charlie", action: "login" },
  { user: "alice", action: "view_page" },
  { user: "bob", action: "view_page" },
  { user: "alice", action: "click_button" },
  { user: "charlie", action: "view_page" },
  { user: "bob", action: "logout" },
  { user: "alice", action: "logout" },
  { user: "charlie", action: "click_button" },
  { user: "charlie", action: "logout" }
]

const program = Effect.gen(function*() {
  // which worker handled which user's event, for the report
  const handled = yield* Ref.make<ReadonlyArray<{ readonly worker: number; readonly user: string }>>([])

  const pool = yield* FiberPool.make({
    workers: 3,
    keyBy: (event: Event) => event.user, // same user, same worker
    worker: (event: Event) =>
      Effect.gen(function*() {
        const id = yield* Worker.WorkerId // the worker fiber running this item: 0, 1 or 2
        yield* Console.log(`worker ${id}: user=${event.user} action=${event.action}`)
        yield* Ref.update(handled, Array.append({ worker: id, user: event.user }))
        yield* Effect.sleep("10 millis")
      })
  })

  yield* pool.submitAll(events)
  yield* pool.close

  yield* Console.log("\nworker assignment (each user always goes to the same worker):")
  const byWorker = Array.groupBy(yield* Ref.get(handled), (h) => String(h.worker))
  for (const worker of Object.keys(byWorker).sort()) {
    const users = Array.groupBy(byWorker[worker]!, (h) => h.user)
    yield* Console.log(
      `  worker ${worker}: ${Object.entries(users).map(([user, hs]) => `${user}(${hs.length})`).join(" ")}`
    )
  }

  const stats = yield* pool.stats
  yield* Console.log(`\nprocessed ${stats.processed} events: ${Stats.format(stats)}`)
})

NodeRuntime.runMain(Effect.scoped(program))
