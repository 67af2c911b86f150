import { Worker } from "@fiberpool/pool"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type { RetryOptions } from "../Middleware.js"
import * as Options from "./options.js"

interface Parsed {
  readonly attempts: number
  readonly baseMillis: number
  readonly factor: number
  readonly jitter: number
  readonly shouldRetry: ((error: unknown) => boolean) | undefined
}

const where = "Middleware.retry"

/**
 * The failure to retry, as `Effect.catchAll` (and so `Effect.retry`) sees it: the first failure
 * of the cause, or none (`Right`, the cause as it is) when the cause holds no failure or holds a
 * defect as well, say a failure whose finalizer died. Defects are never retried, nor erased.
 */
const retryable = <E>(cause: Cause.Cause<E>): Either.Either<Cause.Cause<E>, E> =>
  Cause.isDie(cause) ? Either.right(cause) : Cause.failureOrCause(cause)

/**
 * `effect`, its retryable failures handled by `retry` and every other cause kept as it is: for the
 * attempts after the first, which `Effect.catchAll` would turn into a defect when the cause holds
 * one too (the first attempt's cause is kept whole, `retryable`).
 */
const catchRetryable = <B, E, R, E2, R2>(
  effect: Effect.Effect<B, E, R>,
  retry: (error: E) => Effect.Effect<B, E2, R2>
): Effect.Effect<B, E | E2, R | R2> => Effect.catchAllCause(effect, retryOr(retry))

/** Retries the cause's retryable failure (`retryable`), or fails with the cause as it is. */
const retryOr =
  <B, E, E2, R2>(retry: (error: E) => Effect.Effect<B, E2, R2>) =>
  (cause: Cause.Cause<E>): Effect.Effect<B, E | E2, R2> => {
    const failure = retryable(cause)
    return Either.isLeft(failure) ? retry(failure.left) : Effect.failCause(cause)
  }

const parse = (options: RetryOptions): Either.Either<Parsed, Cause.IllegalArgumentException> =>
  Either.gen(function*() {
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      return yield* Either.left(
        Options.invalid(
          where,
          "options",
          "a Schedule, or an object { attempts?, baseDelay?, factor?, jitter?, while? }",
          options
        )
      )
    }
    const attempts = yield* Options.number(
      where,
      "attempts",
      options.attempts ?? 3,
      "an integer >= 1 (it counts every try, the first one included)",
      (n) => Number.isInteger(n) && n >= 1
    )
    const baseDelay = yield* Options.duration(where, "baseDelay", options.baseDelay ?? "1 second", {
      positive: false,
      finite: true
    })
    const factor = yield* Options.number(
      where,
      "factor",
      options.factor ?? 2,
      "a finite number >= 1",
      (n) => Number.isFinite(n) && n >= 1
    )
    const jitter = yield* Options.number(
      where,
      "jitter",
      options.jitter ?? 0.2,
      "a finite number >= 0 (a fraction of the delay: 0.2 adds up to 20%)",
      (n) => Number.isFinite(n) && n >= 0
    )
    const shouldRetry = options.while
    if (shouldRetry !== undefined && typeof shouldRetry !== "function") {
      return yield* Either.left(Options.invalid(where, "while", "a function (error) => boolean", shouldRetry))
    }
    return { attempts, baseMillis: Duration.toMillis(baseDelay), factor, jitter, shouldRetry }
  })

/**
 * The defect for a `while` that returned something else than a boolean (from JavaScript): read as
 * truthy or falsy, an Effect or a Promise of `false` would retry every try.
 */
const notBoolean = (result: unknown): Cause.IllegalArgumentException => {
  // a rejected promise must not also become an unhandled rejection (it would end the process)
  Options.ignoreRejection(result)
  const hint = Options.isEffect(result)
    ? " (an effectful while? retry with a Schedule instead: Schedule.whileInputEffect decides by an effect)"
    : Options.isThenable(result)
    ? " (an async while? it must answer at once; for a decision that waits, retry with a Schedule and Schedule.whileInputEffect)"
    : result === undefined
    ? " (a while that returns nothing?)"
    : ""
  return new Cause.IllegalArgumentException(
    `${where}: option "while" must return a boolean, got ${Options.showReturned(result)}${hint}`
  )
}

/**
 * `Middleware.retry`: a Schedule, options or nothing. Nothing throws here: invalid options, and
 * options whose reading throws (a getter, a Proxy), build a middleware whose every item dies with
 * the `IllegalArgumentException` or with what was thrown.
 *
 * @internal
 */
export const retry = (input: unknown): Worker.Middleware<unknown, never, unknown> =>
  Options.guard(() =>
    Schedule.isSchedule(input)
      ? fromSchedule(input as Schedule.Schedule<unknown, unknown, unknown>)
      : fromOptions(input === undefined ? {} : input as RetryOptions)
  )

const fromOptions = (options: RetryOptions): Worker.Middleware => {
  // every option is read once, in `parse`: what is checked is what is used
  const parsed = parse(options)
  if (Either.isLeft(parsed)) return Options.dies(parsed.left)
  const { attempts, baseMillis, factor, jitter, shouldRetry } = parsed.right
  // delay before retry n (n = 0 for the first retry): baseDelay·factor^n, plus up to `jitter` of it,
  // rounded up to whole milliseconds (a TestClock woken at a fractional time makes Effect's
  // `Clock.currentTimeNanos`, so `Effect.timed`, throw); none at all for a zero delay, however many
  // retries (0·factor^n is NaN once factor^n overflows). A delay longer than the longest timer
  // Effect's live clock runs (2^31 − 1 ms, ~24.8 days; longer ones never fire) is slept in steps
  const sleep = (millis: number): Effect.Effect<void> =>
    millis === 0
      ? Effect.void
      : millis > Options.MAX_TIMER_MILLIS
      ? Effect.zipRight(
        Effect.sleep(Duration.millis(Options.MAX_TIMER_MILLIS)),
        Effect.suspend(() => sleep(millis - Options.MAX_TIMER_MILLIS))
      )
      : Effect.sleep(Duration.millis(Math.ceil(millis)))
  const delay = (n: number): Effect.Effect<void> => {
    const d = baseMillis === 0 ? 0 : baseMillis * Math.pow(factor, n)
    return jitter === 0 || d === 0 ? sleep(d) : Effect.flatMap(Random.next, (r) => sleep(d + d * jitter * r))
  }
  // retry n (0 for the first) after `error`: wait, then run the worker again; its failure leads to
  // retry n + 1. Every retry calls the wrapped worker again, so middleware inside it sees each attempt
  const retryAfter =
    <B1, E1, R1>(n: number, again: Effect.Effect<B1, E1, R1>) => (error: E1): Effect.Effect<B1, E1, R1> => {
      if (n + 1 >= attempts) return Effect.fail(error)
      if (shouldRetry !== undefined) {
        // `while` is called right here; if it throws, that is a defect of the item
        let decision: unknown
        try {
          decision = shouldRetry(error)
        } catch (defect) {
          return Effect.die(defect)
        }
        if (decision !== true) {
          return decision === false ? Effect.fail(error) : Effect.die(notBoolean(decision))
        }
      }
      return Effect.zipRight(delay(n), catchRetryable(again, retryAfter(n + 1, again)))
    }
  // failures only, as `Effect.catchAll` sees them: defects and interruption are never retried. A
  // `catchCause` middleware: a pool runs it only for items that fail
  return Worker.catchCause((cause, _item, again) => retryOr(retryAfter(0, again))(cause))
}

const fromSchedule = <Out, RS>(
  schedule: Schedule.Schedule<Out, unknown, RS>
): Worker.Middleware<unknown, never, RS> =>
  // `Effect.retry(next(item), schedule)`, as a `catchCause` middleware (a pool runs it only for
  // items that fail): the first failure goes to a fresh driver of the schedule, like every later
  // one; when the schedule is done, the item fails with its last error
  Worker.catchCause<unknown, never, RS>(
    <A1, E1, R1, B1>(cause: Cause.Cause<E1>, _item: A1, again: Effect.Effect<B1, E1, R1>) =>
      retryOr((first: E1) =>
        Effect.flatMap(Schedule.driver(schedule), (driver) => {
          const next = (error: E1): Effect.Effect<B1, E1, R1 | RS> =>
            Effect.matchEffect(driver.next(error), {
              onFailure: () => Effect.fail(error),
              onSuccess: () => catchRetryable(again, next)
            })
          return next(first)
        })
      )(cause)
  )
