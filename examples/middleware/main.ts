/**
 * middleware: the five built-in middleware and a custom one, stacked on one pool.
 *
 * - `logged` (custom): a structured log line for every task's outcome, with its id and priority;
 * - `Middleware.validate(Task)`: an Effect Schema; invalid tasks never reach the worker;
 * - `Middleware.retry`: up to 3 tries with backoff, for transient `TaskFailed` errors only;
 * - `Middleware.recover`: a defect (an unexpected throw) becomes a typed `WorkerDefect`;
 * - `Middleware.rateLimit`: at most `--rate` tasks per second across the pool;
 * - `Middleware.timeout`: a task gets 500 ms, then it is interrupted.
 *
 * The first element of `middleware` is the outermost wrapper. Logs are JSON (Effect's `Logger.json`).
 *
 *   npm run example -- middleware [--workers 2] [--retries 3] [--rate 10]
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import type { Worker } from "@fiberpool/pool"
import { FiberPool } from "@fiberpool/pool"
import { Middleware } from "@fiberpool/pool-middleware"
import { Data, Duration, Effect, HashMap, Logger, LogLevel, Option, Ref, Schema } from "effect"
import { flags } from "../flags.js"

const Task = Schema.Struct({
  id: Schema.NonEmptyString,
  priority: Schema.Int.pipe(Schema.between(0, 10)),
  payload: Schema.String
})
type Task = typeof Task.Type

/** A transient failure: worth retrying. */
class TaskFailed extends Data.TaggedError("TaskFailed")<{ readonly id: string; readonly attempt: number }> {
  override get message() {
    return `failed to process task ${this.id} (attempt ${this.attempt})`
  }
}

const args = flags("middleware [--workers 2] [--retries 3] [--rate 10]", {
  workers: { type: "string", default: "2" },
  retries: { type: "string", default: "3" },
  rate: { type: "string", default: "10" }
})

/** A custom middleware: logs every task's outcome, annotated with its id and priority. */
const logged: Worker.Middleware<Task> = (next) => (task) =>
  Effect.logDebug("processing task").pipe(
    Effect.zipRight(next(task)),
    Effect.tapBoth({
      onFailure: (error) =>
        Effect.logError("task failed").pipe(
          Effect.annotateLogs("error", error instanceof Error ? error.message : String(error))
        ),
      onSuccess: () => Effect.logInfo("task completed")
    }),
    Effect.withLogSpan("task"),
    Effect.annotateLogs({ task_id: task.id, priority: task.priority })
  )

const tasks: ReadonlyArray<Task> = [
  { id: "1", priority: 1, payload: "normal task" },
  { id: "2", priority: 5, payload: "flaky task" }, // fails twice, then succeeds: retried
  { id: "3", priority: 2, payload: "fail me" }, // fails every time: retried, then counted as an error
  { id: "", priority: 11, payload: "invalid" }, // rejected by validate
  { id: "5", priority: 4, payload: "{\"broken\": json" }, // JSON.parse throws: a defect, recovered
  { id: "6", priority: 3, payload: "slow task" }, // takes 5 s: timed out
  ...Array.from({ length: 10 }, (_, i): Task => ({ id: `rate-${i}`, priority: 3, payload: "rate limited task" }))
]

const program = Effect.gen(function*() {
  const attempts = yield* Ref.make(HashMap.empty<string, number>())

  const worker = (task: Task) =>
    Effect.gen(function*() {
      const attempt = yield* Ref.modify(attempts, (m) => {
        const n = Option.getOrElse(HashMap.get(m, task.id), () => 0) + 1
        return [n, HashMap.set(m, task.id, n)]
      })
      if (task.payload.startsWith("{")) yield* Effect.sync(() => JSON.parse(task.payload)) // throws: a defect
      if (task.payload.includes("fail") || (task.payload.includes("flaky") && attempt < 3)) {
        return yield* new TaskFailed({ id: task.id, attempt })
      }
      yield* Effect.sleep(task.payload.includes("slow") ? "5 seconds" : "100 millis")
    })

  const pool = yield* FiberPool.make({
    workers: Number(args.workers),
    worker,
    batchSize: 1, // slow tasks: hand them over one at a time
    continueOnError: true,
    middleware: [
      logged,
      Middleware.validate(Task),
      Middleware.retry({
        attempts: Number(args.retries),
        baseDelay: "100 millis",
        while: (error) => error instanceof TaskFailed
      }),
      Middleware.recover((defect, task: Task) =>
        Effect.logError("panic recovered").pipe(
          Effect.annotateLogs({ task_id: task.id, defect: String(defect) })
        )
      ),
      Middleware.rateLimit({ rate: Number(args.rate), burst: 3 }),
      Middleware.timeout("500 millis")
    ]
  })

  yield* Effect.logInfo("submitting tasks")
  yield* pool.submitAll(tasks)
  // continueOnError: every task ran; `close` reports the first failure
  const first = yield* pool.close.pipe(Effect.flip, Effect.option)

  const stats = yield* pool.stats
  yield* Effect.logInfo("pool finished").pipe(
    Effect.annotateLogs({
      processed: stats.processed,
      errors: stats.errors,
      total_time: `${Math.round(Duration.toMillis(stats.totalTime))}ms`,
      first_failure: Option.match(first, { onNone: () => "none", onSome: (e) => e._tag })
    })
  )
})

NodeRuntime.runMain(
  Effect.scoped(program).pipe(
    Effect.provide(Logger.json),
    Logger.withMinimumLogLevel(LogLevel.Debug)
  ),
  { disablePrettyLogger: true }
)
