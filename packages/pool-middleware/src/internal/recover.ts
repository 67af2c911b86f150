import { Worker } from "@fiberpool/pool"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import { WorkerDefect } from "./errors.js"
import * as Options from "./options.js"

/** @internal */
export type OnDefect<A, R> = (defect: unknown, item: A) => Effect.Effect<unknown, never, R> | void

/** @internal */
export const recover = <A, R>(onDefect?: OnDefect<A, R>): Worker.Middleware<A, WorkerDefect, R> =>
  Options.guard(() => fromHandler(onDefect))

const fromHandler = <A, R>(onDefect: OnDefect<A, R> | undefined): Worker.Middleware<A, WorkerDefect, R> => {
  if (onDefect !== undefined && typeof onDefect !== "function") {
    return Options.dies(Options.invalid(
      "Middleware.recover",
      "onDefect",
      "a function (defect, item) => Effect | void",
      onDefect
    ))
  }
  // a `catchCause` middleware: a pool runs it only for items that fail. A worker function that
  // throws before returning an effect is a defect too
  return Worker.catchCause<A, WorkerDefect, R>(<A1 extends A, E1, R1, B1>(cause: Cause.Cause<E1>, item: A1) => {
    // failures and interruption pass through unchanged. A defect is recovered wherever it is in
    // the cause, as `Effect.catchAllDefect` finds it: also beside interruption, as when one child
    // of `Effect.all` dies and its siblings are interrupted. (A pool that interrupts the item from
    // outside runs no handler at all: Effect runs none in an interrupted fiber.)
    const defect = Cause.dieOption(cause)
    if (Option.isNone(defect)) {
      return Effect.failCause(cause) as Effect.Effect<B1, E1 | WorkerDefect, R | R1>
    }
    const error = new WorkerDefect({ defect: defect.value, item })
    if (onDefect === undefined) return Effect.fail(error)
    return Effect.zipRight(
      Effect.suspend(() => {
        const result: unknown = onDefect(defect.value, item)
        if (Effect.isEffect(result)) return result as Effect.Effect<unknown, never, R>
        // a handler is an effect or a plain function; a promise it returns is not awaited, but
        // its rejection must not become an unhandled rejection
        if (Predicate.isPromiseLike(result)) Promise.resolve(result).catch(() => {})
        return Effect.void
      }),
      Effect.fail(error)
    )
  })
}
