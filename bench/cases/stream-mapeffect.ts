/** `Stream.range(0, n - 1)` through `Stream.mapEffect(task, { concurrency: 8 })`, drained. */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { WORKERS } from "../registry.js"
import { effectTask } from "./effect-body.js"
import type { CaseContext, Prepared } from "./types.js"

export const prepare = ({ body, n }: CaseContext): Prepared => {
  const task = effectTask(body)
  const program = Stream.range(0, n - 1).pipe(
    Stream.mapEffect(task, { concurrency: WORKERS }),
    Stream.runDrain
  )
  return { run: () => Effect.runPromise(program) }
}
