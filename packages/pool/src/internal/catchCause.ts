import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Worker from "../Worker.js"
import { callWorker, isEffectValue, notAnEffect } from "./call.js"
import { show } from "./show.js"

/** @internal */
export type AnyCauseHandler = (
  cause: Cause.Cause<unknown>,
  item: unknown,
  again: Effect.Effect<unknown, unknown, unknown>
) => Effect.Effect<unknown, unknown, unknown>

const CauseHandlerId: unique symbol = Symbol.for("@fiberpool/pool/Worker/catchCause")

type AnyWorker = (item: unknown) => Effect.Effect<unknown, unknown, unknown>

/**
 * Runs `handler` for a failure of `next(item)`; a handler that throws or returns something else
 * than an Effect is a defect of the item.
 *
 * @internal
 */
export const handle = (
  handler: AnyCauseHandler,
  cause: Cause.Cause<unknown>,
  item: unknown,
  next: AnyWorker
): Effect.Effect<unknown, unknown, unknown> => {
  let result: unknown
  try {
    result = handler(cause, item, Effect.suspend(() => callWorker(next, item)))
    // the check inside the `try`, as in `callWorker`: on a revoked Proxy it throws, and the pool runs
    // this from its failure path, where a throw is not the item's defect
    if (isEffectValue(result)) return result
  } catch (defect) {
    return Effect.die(defect)
  }
  return notAnEffect("Worker.catchCause: the handler", result)
}

/**
 * A handler that is not a function (from JavaScript) builds a middleware whose every item dies with
 * an `IllegalArgumentException` naming it, before its worker runs, as the middleware package's
 * invalid options do: nothing throws here, and the error does not wait for an item to fail.
 *
 * @internal
 */
export const catchCause = <A, E, R, B>(handler: Worker.CauseHandler<A, E, R, B>): Worker.Middleware<A, E, R, B> => {
  if (typeof handler !== "function") {
    const defect = new Cause.IllegalArgumentException(
      `Worker.catchCause: the handler must be a function (cause, item, again) => Effect, got ${show(handler)}`
    )
    // not marked as a `catchCause` middleware: a pool applies it as an ordinary one
    return ((_next: AnyWorker) => (_item: unknown) => Effect.die(defect)) as unknown as Worker.Middleware<A, E, R, B>
  }
  const h = handler as unknown as AnyCauseHandler
  const middleware = (next: AnyWorker) => (item: unknown) =>
    Effect.catchAllCause(callWorker(next, item), (cause) => handle(h, cause, item, next))
  return Object.assign(middleware, { [CauseHandlerId]: h }) as unknown as Worker.Middleware<A, E, R, B>
}

/**
 * The handler of a middleware made by `catchCause`, which the pool runs from its own failure path.
 *
 * @internal
 */
export const handlerOf = (middleware: unknown): AnyCauseHandler | undefined =>
  typeof middleware === "function" ? (middleware as { [CauseHandlerId]?: AnyCauseHandler })[CauseHandlerId] : undefined
