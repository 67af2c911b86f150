/**
 * The task bodies as Effects, identical for every Effect-based system: `Effect.sync(body)`,
 * W2 `yieldNow` then `sync`, and the failing variant (1%) as `Effect.fail` after the work.
 */
import * as Effect from "effect/Effect"
import { type Body, fails, state, type TaskFailed } from "../workloads.js"

export type EffectTask = (i: number) => Effect.Effect<void, TaskFailed>

export const effectTask = (body: Body): EffectTask => {
  const f = body.sync
  if (body.failing) {
    return (i) =>
      Effect.suspend(() => {
        f(i)
        return fails(i) ? Effect.fail<TaskFailed>({ _tag: "TaskFailed", i }) : Effect.void
      })
  }
  if (body.async) return (i) => Effect.zipRight(Effect.yieldNow(), Effect.sync(() => f(i)))
  return (i) => Effect.sync(() => f(i))
}

/** The failing variant with its failures caught and counted (what `continueOnError` does). */
export const catchingTask =
  (task: (i: number) => Effect.Effect<void, unknown>): (i: number) => Effect.Effect<void> => (i) =>
    Effect.catchAll(task(i), () =>
      Effect.sync(() => {
        state.failures++
      }))
