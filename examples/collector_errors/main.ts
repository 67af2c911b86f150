/**
 * collector_errors: gather successes and failures together. Each job's outcome (an `Exit`) goes to
 * a Collector with its timing; the worker then re-raises the failure, so the pool's stats count it
 * too. `continueOnError` keeps the pool going past failed jobs. Failures are grouped by type at the
 * end. Each job draws its randomness from its own seeded `Random`, so a seed gives the same run.
 *
 *   npm run example -- collector_errors [--workers 4] [--jobs 20] [--error-rate 0.3] [--seed 42] [--verbose]
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Collector, FiberPool } from "@fiberpool/pool"
import { Stats } from "@fiberpool/pool-metrics"
import { Array, Cause, Clock, Console, Data, Duration, Effect, Exit, Fiber, Option, Order, Random } from "effect"
import { flags } from "../flags.js"

class ValidationFailed extends Data.TaggedError("ValidationFailed")<{}> {
  override get message() {
    return "validation failed"
  }
}
class DatabaseUnavailable extends Data.TaggedError("DatabaseUnavailable")<{}> {
  override get message() {
    return "database connection failed"
  }
}
class UpstreamTimeout extends Data.TaggedError("UpstreamTimeout")<{}> {
  override get message() {
    return "timeout exceeded"
  }
}
type JobError = ValidationFailed | DatabaseUnavailable | UpstreamTimeout

/** A job's outcome, success or failure, with its timing. */
interface Result {
  readonly job: string
  readonly exit: Exit.Exit<void, JobError>
  /** milliseconds since the start, when the job ended */
  readonly at: number
  /** milliseconds the job took */
  readonly took: number
}

const args = flags("collector_errors [--workers 4] [--jobs 20] [--error-rate 0.3] [--seed 42] [--verbose]", {
  workers: { type: "string", default: "4" },
  jobs: { type: "string", default: "20" },
  "error-rate": { type: "string", default: "0.3" },
  seed: { type: "string", default: "42" },
  verbose: { type: "boolean", default: false }
})
const errorRate = Number(args["error-rate"])

/** A job: 50-200 ms of work, failing with probability `errorRate` with one of three errors. */
const job = (id: string) =>
  Effect.gen(function*() {
    const ms = yield* Random.nextIntBetween(50, 200)
    if (args.verbose) yield* Console.log(`processing ${id} (will take ${ms}ms)...`)
    yield* Effect.sleep(Duration.millis(ms))
    if ((yield* Random.next) < errorRate) {
      const errors = [new ValidationFailed(), new DatabaseUnavailable(), new UpstreamTimeout()]
      return yield* Effect.fail(errors[yield* Random.nextIntBetween(0, errors.length)]!)
    }
  }).pipe(Effect.withRandom(Random.make(`${args.seed}/${id}`))) // the job's own random sequence

const program = Effect.gen(function*() {
  const start = yield* Clock.currentTimeMillis
  const results = yield* Collector.make<Result>(100)

  const pool = yield* FiberPool.make({
    workers: Number(args.workers),
    batchSize: 5,
    continueOnError: true,
    worker: (id: string) =>
      Effect.gen(function*() {
        const begin = yield* Clock.currentTimeMillis
        const exit = yield* Effect.exit(job(id))
        const end = yield* Clock.currentTimeMillis
        if (args.verbose) {
          yield* Console.log(Exit.isSuccess(exit) ? `[OK] ${id} completed` : `[FAIL] ${id}: ${exit.cause}`)
        }
        yield* results.submit({ job: id, exit, at: end - start, took: end - begin })
        return yield* exit // re-raise the failure, so the pool counts it as an error
      })
  })

  const collected = yield* Effect.fork(results.all) // read while the pool runs
  const jobs = Array.makeBy(Number(args.jobs), (i) => `job-${String(i + 1).padStart(3, "0")}`)
  yield* pool.submitAll(jobs)
  const firstFailure = yield* pool.close.pipe(Effect.flip, Effect.option) // continue mode: the first failure
  yield* results.close
  const all = yield* Fiber.join(collected)

  const [successes, failures] = Array.partition(all, (r) => Exit.isFailure(r.exit))
  const stats = yield* pool.stats
  const avg = (rs: ReadonlyArray<Result>) => Math.round(rs.reduce((sum, r) => sum + r.took, 0) / rs.length)
  yield* Console.log(`Processing summary:
Total jobs:        ${jobs.length}
Results collected: ${all.length}
Successful jobs:   ${successes.length}
Failed jobs:       ${failures.length}
Pool errors:       ${stats.errors}${firstFailure._tag === "Some" ? ` (first: ${firstFailure.value.message})` : ""}
Processing time:   ${Math.round(Duration.toMillis(stats.processingTime))}ms
Total time:        ${Math.round(Duration.toMillis(stats.totalTime))}ms
Stats:             ${Stats.format(stats)}`)
  if (successes.length > 0) yield* Console.log(`Avg success time:  ${avg(successes)}ms`)
  if (failures.length > 0) yield* Console.log(`Avg failure time:  ${avg(failures)}ms`)

  if (failures.length > 0) {
    yield* Console.log("\nError details:")
    // the failure's message, e.g. "database connection failed"
    const type = (r: Result) =>
      Exit.isFailure(r.exit)
        ? Option.match(Cause.failureOption(r.exit.cause), { onNone: () => "defect", onSome: (e) => e.message })
        : ""
    const byType = Array.groupBy(failures, type)
    const byTime = Order.mapInput(Order.number, (r: Result) => r.at)
    for (const type of Object.keys(byType).sort()) {
      const group = Array.sort(byType[type]!, byTime)
      yield* Console.log(`\n* ${type} (${group.length} occurrences):`)
      for (const r of group) yield* Console.log(`  - ${r.job} (at +${r.at}ms, took ${r.took}ms)`)
    }
  }
})

NodeRuntime.runMain(Effect.scoped(program))
