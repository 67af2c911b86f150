import { Worker } from "@fiberpool/pool"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Options from "./options.js"

/** @internal */
export const timeout = (input: Duration.DurationInput): Worker.Middleware<unknown, Cause.TimeoutException> =>
  // reading the duration may throw (a Proxy): every item dies with that instead
  Options.guard(() => fromDuration(input))

const fromDuration = (input: Duration.DurationInput): Worker.Middleware<unknown, Cause.TimeoutException> => {
  const parsed = Options.duration("Middleware.timeout", "duration", input, { positive: true, finite: false })
  if (Either.isLeft(parsed)) return Options.dies(parsed.left)
  const duration = parsed.right
  // not "interrupted": an uninterruptible item runs to its end, and still fails with this
  const message = `item timed out after ${Duration.format(duration)} (Middleware.timeout)`
  const onTimeout = () => new Cause.TimeoutException(message)
  // `Effect.timeoutFail` itself: its item fiber is a child of the caller's race, which an
  // interruption of the caller reaches also in an uninterruptible region whose item is
  // interruptible, and its exit (a finalizer's defect) is the call's. Starting the item's fiber at
  // once (`Runtime.runFork`) halved the cost of items that do not suspend, but a root fiber broke
  // both, leaked when the caller was interrupted before the race began, and grew the JS stack per
  // nested timeout (794e698, reverted; timeout.test.ts pins each case)
  return <A1, E1, R1, B1>(
    next: Worker.Worker<A1, E1, R1, B1>
  ): Worker.Worker<A1, E1 | Cause.TimeoutException, R1, B1> =>
  (item) => Effect.timeoutFail(Effect.suspend(() => Worker.call(next, item)), { duration, onTimeout })
}
