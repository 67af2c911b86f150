/** `Effect.forEach(items, f, { concurrency: 8, discard: true })` over an array built up front. */
import * as Effect from "effect/Effect"
import { type MiddlewareKind, WORKERS } from "../registry.js"
import { array, state } from "../workloads.js"
import { catchingTask, effectTask } from "./effect-body.js"
import type { CaseContext, Prepared } from "./types.js"

interface Params {
  readonly middleware?: MiddlewareKind
  /** the failing body: failures are caught and counted, as `continueOnError` does */
  readonly catchFailures?: boolean
}

export const prepare = async ({ body, def, n }: CaseContext): Promise<Prepared> => {
  const params = def.params as Params
  const items = array(n)
  let worker: (i: number) => Effect.Effect<void, unknown> = effectTask(body)
  if (params.middleware !== undefined) {
    const { applyMiddleware, middlewareFor } = await import("./middleware.js")
    worker = applyMiddleware(middlewareFor(params.middleware), worker)
  }
  const program = params.catchFailures === true
    ? Effect.forEach(items, catchingTask(worker), { concurrency: WORKERS, discard: true })
    : Effect.forEach(items, worker, { concurrency: WORKERS, discard: true })
  return {
    run: async () => {
      await Effect.runPromise(program)
      return params.catchFailures === true ? { failures: state.failures } : undefined
    }
  }
}
