/**
 * Hand-rolled, no pool: 8 fibers (`Effect.all`, unbounded concurrency) each run an
 * `Effect.whileLoop` that takes the next index of one shared counter. The same semantics as
 * `Effect.forEach(items, f, { concurrency: 8 })` over items already in memory: at most 8 in
 * flight, each item once. A context row, not a target: what a few lines cost when the work is a
 * known list and nothing more (no back-pressure from a producer, no stats, no routing) is wanted.
 */
import * as Effect from "effect/Effect"
import { WORKERS } from "../registry.js"
import { effectTask } from "./effect-body.js"
import type { CaseContext, Prepared } from "./types.js"

export const prepare = ({ body, n }: CaseContext): Prepared => {
  if (body.failing) throw new Error("the hand-rolled pull does not run the failing body")
  const task = effectTask(body)
  const program = Effect.suspend(() => {
    let next = 0
    const worker = Effect.whileLoop({ while: () => next < n, body: () => task(next++), step: () => {} })
    return Effect.all(Array.from({ length: WORKERS }, () => worker), { concurrency: "unbounded", discard: true })
  })
  return { run: async () => void (await Effect.runPromise(program)) }
}
