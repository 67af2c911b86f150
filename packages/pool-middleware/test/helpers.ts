import { assert } from "@effect/vitest"
import { assertTrue } from "@effect/vitest/utils"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"

/** the current (test) clock time in milliseconds */
export const now: Effect.Effect<number> = Clock.currentTimeMillis

/** the failure `E` of an exit, or fails the test */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) {
    return assert.fail(`expected a failure, got success ${String(exit.value)}`)
  }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) {
    return assert.fail(`expected a failure, got ${Cause.pretty(exit.cause)}`)
  }
  return failure.value
}

/** the defect of an exit, or fails the test */
export const defectOf = <A, E>(exit: Exit.Exit<A, E>): unknown => {
  if (Exit.isSuccess(exit)) {
    return assert.fail("expected a defect, got success")
  }
  const defect = Cause.dieOption(exit.cause)
  if (Option.isNone(defect)) {
    return assert.fail(`expected a defect, got ${Cause.pretty(exit.cause)}`)
  }
  return defect.value
}

/** asserts that an exit died with an IllegalArgumentException whose message names `option` and `value` */
export const assertIllegalArgument = <A, E>(exit: Exit.Exit<A, E>, option: string, value: string): void => {
  const defect = defectOf(exit)
  assertTrue(Cause.isIllegalArgumentException(defect), `expected IllegalArgumentException, got ${String(defect)}`)
  const message = (defect as Cause.IllegalArgumentException).message
  assertTrue(message.includes(`"${option}"`), `message should name the option ${option}: ${message}`)
  assertTrue(message.includes(value), `message should show the value ${value}: ${message}`)
}

/** asserts that an exit is an interruption only */
export const assertInterrupted = <A, E>(exit: Exit.Exit<A, E>): void => {
  assertTrue(
    Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause),
    `expected interruption, got ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "success"}`
  )
}
