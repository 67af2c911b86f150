import type { Worker } from "@fiberpool/pool"
import * as Effect from "effect/Effect"

/**
 * `next(item)`, with a throw turned into a defect: a wrapped worker never throws at call time,
 * and costs no extra effect (unlike `Effect.suspend`).
 *
 * @internal
 */
export const callWorker = <A, E, R>(next: Worker.Worker<A, E, R>, item: A): Effect.Effect<void, E, R> => {
  try {
    return next(item)
  } catch (defect) {
    return Effect.die(defect)
  }
}
