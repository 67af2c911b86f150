/**
 * fiberpool: `FiberPool.make` with 8 workers, fed by `submit` per task (go-pkgz's benchmark calls
 * `Submit` per item), `submitAll(lazy iterable)`, or `submitAll(array)` into queues large enough to
 * hold everything (eager); then `close`, and the final `Stats` are cross-checked.
 */
import { FiberPool } from "@fiberpool/pool"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { type FiberPoolParams, WORKERS } from "../registry.js"
import { array, range } from "../workloads.js"
import { effectTask } from "./effect-body.js"
import type { CaseContext, Prepared } from "./types.js"

/** The pool's default batch size (DESIGN.md), used to size the eager queues. */
const DEFAULT_BATCH = 10

export const prepare = async ({ body, def, n }: CaseContext): Promise<Prepared> => {
  const p = def.params as unknown as FiberPoolParams
  const worker = effectTask(body)
  const middleware = p.middleware === undefined
    ? undefined
    : (await import("./middleware.js")).middlewareFor(p.middleware)
  const batch = Math.max(1, p.batchSize ?? DEFAULT_BATCH)
  const workerQueueSize = p.workerQueueSize === "eager"
    ? Math.max(1, Math.ceil(n / (WORKERS * batch)))
    : p.workerQueueSize
  const keyMod = p.keyMod
  const keyBy = keyMod === undefined ? undefined : (i: number) => String(i % keyMod)
  const items = p.submit === "array" ? array(n) : undefined
  const continueOnError = p.continueOnError === true

  const program = Effect.scoped(Effect.gen(function*() {
    const pool = yield* FiberPool.make({
      workers: WORKERS,
      worker,
      batchSize: p.batchSize,
      workerQueueSize,
      keyBy,
      continueOnError,
      middleware,
      span: p.span === true,
      metrics: p.metrics !== false
    })
    switch (p.submit) {
      case "each": {
        let i = 0
        yield* Effect.whileLoop({ while: () => i < n, body: () => pool.submit(i++), step: () => {} })
        break
      }
      case "lazy":
        yield* pool.submitAll(range(n))
        break
      case "array":
        yield* pool.submitAll(items!)
        break
    }
    const exit = yield* Effect.exit(pool.close)
    // continue mode: `close` reports the first failure after every item ran
    if (Exit.isFailure(exit) && !continueOnError) return yield* Effect.failCause(exit.cause)
    return yield* pool.stats
  }))

  return {
    run: async () => {
      const stats = await Effect.runPromise(program)
      return {
        failures: stats.errors,
        stats: { submitted: stats.submitted, processed: stats.processed, errors: stats.errors, dropped: stats.dropped }
      }
    }
  }
}
