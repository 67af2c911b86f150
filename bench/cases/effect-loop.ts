/**
 * Effect's floor: one fiber runs the tasks one after the other with `Effect.whileLoop`, no
 * concurrency and no hand-over between fibers. What any Effect program pays at least per task;
 * a pool adds a producer fiber handing items to worker fibers.
 */
import * as Effect from "effect/Effect"
import { effectTask } from "./effect-body.js"
import type { CaseContext, Prepared } from "./types.js"

export const prepare = ({ body, n }: CaseContext): Prepared => {
  if (body.failing) throw new Error("the floor does not run the failing body")
  const task = effectTask(body)
  const program = Effect.suspend(() => {
    let i = 0
    return Effect.whileLoop({ while: () => i < n, body: () => task(i++), step: () => {} })
  })
  return { run: async () => void (await Effect.runPromise(program)) }
}
