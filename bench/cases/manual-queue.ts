/**
 * The hand-rolled pool (go-pkgz's "manual pool": workers reading a shared channel): one
 * `Queue.bounded(100)`, 8 forked fibers taking one task at a time, a producer offering one by one,
 * and one sentinel per worker to end (`Queue.shutdown` would discard what is buffered).
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import { WINDOW, WORKERS } from "../registry.js"
import { effectTask } from "./effect-body.js"
import type { CaseContext, Prepared } from "./types.js"

const END = -1

export const prepare = ({ body, n }: CaseContext): Prepared => {
  const task = effectTask(body)
  const program = Effect.gen(function*() {
    const queue = yield* Queue.bounded<number>(WINDOW)
    const loop = (): Effect.Effect<void, unknown> =>
      Effect.flatMap(Queue.take(queue), (i) => i === END ? Effect.void : Effect.flatMap(task(i), loop))
    const fibers: Array<Fiber.RuntimeFiber<void, unknown>> = []
    for (let w = 0; w < WORKERS; w++) fibers.push(yield* Effect.fork(loop()))
    let i = 0
    yield* Effect.whileLoop({ while: () => i < n, body: () => Queue.offer(queue, i++), step: () => {} })
    for (let w = 0; w < WORKERS; w++) yield* Queue.offer(queue, END)
    yield* Fiber.joinAll(fibers)
  })
  return { run: () => Effect.runPromise(program) }
}
