import { Worker } from "@fiberpool/pool"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { ValidationError } from "./errors.js"
import * as Options from "./options.js"

/** @internal */
export const validate = (check: unknown): Worker.Middleware<any, ValidationError, any> =>
  // inspecting the check may throw (a Proxy, a throwing `name` getter): every item dies with that
  Options.guard(() => fromCheck(check))

const fromCheck = (check: unknown): Worker.Middleware<any, ValidationError, any> => {
  // schemas are functions too: test for a schema first
  if (Schema.isSchema(check)) {
    const run = Schema.validate(check as Schema.Schema<unknown, unknown, unknown>, { errors: "all" })
    return <A1, E1, R1, B1>(
      next: Worker.Worker<A1, E1, R1, B1>
    ): Worker.Worker<A1, E1 | ValidationError, R1 | unknown, B1> =>
    (item) =>
      Effect.matchEffect(run(item), {
        onFailure: (cause) => Effect.fail(new ValidationError({ item, cause })),
        onSuccess: () => Effect.suspend(() => Worker.call(next, item))
      })
  }
  if (typeof check !== "function") {
    return Options.dies(Options.invalid(
      "Middleware.validate",
      "check",
      "a Schema, a predicate (item) => boolean, or a function (item) => Effect",
      check
    ))
  }
  const f = check as (item: unknown) => unknown
  // read once; a `name` that is not a string (from JavaScript) names nothing
  const name: unknown = f.name
  const named = typeof name === "string" && name.length > 0
  const rejected = named ? `the predicate ${name} returned false` : "the predicate returned false"
  const rejectedByEffect = named ? `the check ${name} succeeded with false` : "the check succeeded with false"
  return <A1, E1, R1, B1>(
    next: Worker.Worker<A1, E1, R1, B1>
  ): Worker.Worker<A1, E1 | ValidationError, R1 | unknown, B1> =>
  (item) => {
    // the pool calls this function when the item runs: a predicate is checked right here, at no
    // cost in effects; a check that throws is a defect of the item
    let result: unknown
    try {
      result = f(item)
    } catch (defect) {
      return Effect.die(defect)
    }
    if (Options.isEffect(result)) {
      return Effect.matchEffect(result as Effect.Effect<unknown, unknown, unknown>, {
        onFailure: (cause) => Effect.fail(new ValidationError({ item, cause })),
        // an effectful predicate (`Effect<boolean>`) rejects with `false`, as a plain one does
        onSuccess: (ok): Effect.Effect<B1, E1 | ValidationError, R1> =>
          ok === false ? Effect.fail(new ValidationError({ item, cause: rejectedByEffect })) : Worker.call(next, item)
      })
    }
    if (result === true) return Worker.call(next, item)
    if (result === false) return Effect.fail(new ValidationError({ item, cause: rejected }))
    // from JavaScript: neither a boolean nor an Effect. A Go-style validator returning an error (or
    // nothing) would be read upside down as a truthy or falsy value
    return Effect.die(new Cause.IllegalArgumentException(notBoolean(result)))
  }
}

const notBoolean = (result: unknown): string => {
  // a rejected promise must not also become an unhandled rejection (it would end the process)
  Options.ignoreRejection(result)
  const hint = Options.isThenable(result)
    ? " (an async predicate? wrap it with Effect.tryPromise)"
    : result === undefined || result === null || isError(result)
    ? " (for a Go-style validator that returns an error, fail with it: (item) => error ? Effect.fail(error) : Effect.void)"
    : ""
  return `Middleware.validate: a predicate must return a boolean or an Effect, got ${
    Options.showReturned(result)
  }${hint}`
}

const isError = (u: unknown): boolean => {
  try {
    return u instanceof Error
  } catch {
    return false // a Proxy whose getPrototypeOf trap throws
  }
}
