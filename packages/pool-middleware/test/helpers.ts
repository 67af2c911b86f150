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

/** a Proxy whose every inspection throws a TypeError (`Array.isArray`, `in`, property reads) */
export const revoked = (): object => {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

/** a Proxy of `target` whose `has` and `get` traps throw `error` */
export const throwingProxy = <T extends object>(error: unknown, target: T = {} as T): T =>
  new Proxy(target, {
    has: () => {
      throw error
    },
    get: () => {
      throw error
    }
  })

/** an object whose property `key` throws `error` when read */
export const throwingGetter = (key: string, error: unknown): object =>
  Object.defineProperty({}, key, {
    enumerable: true,
    get: () => {
      throw error
    }
  })

/**
 * An object whose properties are getters that count their reads in `reads` and return `values`;
 * arrays among the values are copied with getter elements that count their reads too (`key[i]`).
 */
export const countingReads = <T extends Record<string, unknown>>(values: T) => {
  const reads: Record<string, number> = {}
  const counted = <T extends object>(target: T, entries: ReadonlyArray<readonly [string, string, unknown]>): T => {
    for (const [property, name, value] of entries) {
      reads[name] = 0
      Object.defineProperty(target, property, {
        enumerable: true,
        get: () => {
          reads[name]++
          return value
        }
      })
    }
    return target
  }
  const options = counted(
    {} as T,
    Object.entries(values).map(([key, value]) =>
      [
        key,
        key,
        Array.isArray(value)
          ? counted(new Array(value.length), value.map((v, i) => [String(i), `${key}[${i}]`, v] as const))
          : value
      ] as const
    )
  )
  return { options, reads }
}
