import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { attempt, show } from "./show.js"

/**
 * A user function returned something else than an Effect: a defect that says so. A promise is
 * given a rejection handler, so that a rejected one does not also become an unhandled rejection.
 *
 * @internal
 */
export const notAnEffect = (what: string, value: unknown, underMiddleware = false): Effect.Effect<never> => {
  // (guarded: `in` and `Array.isArray` throw on a revoked Proxy, and a message must not)
  const thenable = attempt(() => Predicate.isPromiseLike(value)) === true
  if (thenable) Promise.resolve(value).catch(() => {})
  const hint = thenable
    ? " (a Promise: wrap it with Effect.tryPromise)"
    : typeof value === "function" && underMiddleware
    // a middleware factory in the list, not called: `Middleware.recover(next)` is a middleware, whose
    // `(item)` is a worker
    ? " (a function: is a middleware factory in `middleware` not called, as `Middleware.recover` for `Middleware.recover()`?)"
    : attempt(() => Array.isArray(value))
    ? " (an array: return one Effect; `Effect.all` makes one of several)"
    : ""
  return Effect.die(
    new Cause.IllegalArgumentException(
      `${what} must return an Effect, got ${value === null ? "null" : typeof value}${hint}`
    )
  )
}

/**
 * `Effect.isEffect`, as a check of its own: a worker's result is checked once per item, and a site
 * that sees only workers' effects stays monomorphic (Effect's shared predicate sees everything:
 * through it, `Worker.call` in a middleware cost ~170 instructions per item more, measured).
 *
 * @internal
 */
export const isEffectValue = (u: unknown): u is Effect.Effect<unknown, unknown, unknown> =>
  ((typeof u === "object" && u !== null) || typeof u === "function") && Effect.EffectTypeId in u

/**
 * `worker(item)`, as an Effect whatever the worker does at call time: a throw becomes a defect, and
 * so does a result that is not an Effect (see `notAnEffect`).
 *
 * @internal
 */
export const callWorker = (
  worker: (item: any) => unknown,
  item: unknown
): Effect.Effect<any, any, any> => {
  let result: unknown
  try {
    result = worker(item)
    // called by middleware (`Worker.call`, `catchCause`) and by a stateful pool's middleware stack;
    // the check inside the `try`, as in the pool's own call: on a revoked Proxy it throws
    if (isEffectValue(result)) return result
  } catch (defect) {
    return Effect.die(defect)
  }
  return notAnEffect("A worker", result, true)
}

/**
 * `Worker.call`: `callWorker`, with a `worker` that is not a function (from JavaScript) named as
 * such instead of a bare `TypeError` (one `typeof` per call).
 *
 * @internal
 */
export const call = (
  worker: (item: any) => unknown,
  item: unknown
): Effect.Effect<any, any, any> =>
  typeof worker === "function" ? callWorker(worker, item) : Effect.die(notAWorker(worker, item))

const notAWorker = (worker: unknown, item: unknown): Cause.IllegalArgumentException =>
  new Cause.IllegalArgumentException(
    `Worker.call: the worker must be a function, got ${show(worker)}${
      typeof item === "function"
        ? " (the arguments swapped? Worker.call(worker, item), or Worker.call(item)(worker))"
        : ""
    }`
  )
