import type { Worker } from "@fiberpool/pool"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import { binary, cut, guarded } from "./text.js"

/** @internal */
export type Parsed<A> = Either.Either<A, Cause.IllegalArgumentException>

/**
 * The longest timer Effect's live clock runs (setTimeout's limit): it never schedules a longer
 * sleep, which therefore never wakes.
 *
 * @internal
 */
export const MAX_TIMER_MILLIS = 2 ** 31 - 1

/**
 * A middleware whose every item dies with `defect` before its worker runs: what invalid options
 * build, so that nothing throws when a middleware is built or applied.
 *
 * @internal
 */
export const dies =
  (defect: unknown): Worker.Middleware =>
  <A1, E1, R1, B1>(_next: Worker.Worker<A1, E1, R1, B1>): Worker.Worker<A1, E1, R1, B1> =>
  (_item) => Effect.die(defect)

/**
 * `build()`, which reads the user's options; if a read throws (a getter, a Proxy's trap), a
 * middleware whose every item dies with what was thrown ({@link dies}) rather than a throw where
 * the middleware is built.
 *
 * @internal
 */
export const guard = <A, E, R>(build: () => Worker.Middleware<A, E, R>): Worker.Middleware<A, E, R> => {
  try {
    return build()
  } catch (defect) {
    return dies(defect)
  }
}

/** @internal */
export const invalid = (
  where: string,
  option: string,
  expected: string,
  value: unknown
): Cause.IllegalArgumentException =>
  new Cause.IllegalArgumentException(
    `${where}: option "${option}" must be ${expected}, got ${showValue(value)}`
  )

/**
 * A value as an error message shows it, so that its type reads too: strings quoted (`"5"` is not
 * the number 5), `-0` signed, bigints with their `n`, functions named as such, Durations, arrays in
 * brackets (one level, the first few), boxed primitives and other objects that print like a
 * primitive as objects (a `new Number(5)`, an object whose `toString` returns "5"), binary data by
 * its type and length. Bounded: long strings and printed objects are clipped, as the pool's
 * messages are (a value passed by mistake can be megabytes). Never throws:
 * an object whose inspection throws (a revoked Proxy, a throwing trap or `toString`) shows as
 * `an object (that cannot be shown)`.
 *
 * @internal
 */
export const showValue = (value: unknown): string => guarded(value, show, UNSHOWABLE)

/** How much of a string value a message quotes. */
const STRING_MAX = 100
/** How long any other value's text may grow in a message (its `toString` is the user's). */
const TEXT_MAX = 200

/** What a message says of a value whose reading throws: only objects run user code here. */
const UNSHOWABLE = "an object (that cannot be shown)"

const showElement = (value: unknown): string => Array.isArray(value) ? "[…]" : show(value)

const show = (value: unknown): string => {
  switch (typeof value) {
    case "string":
      return JSON.stringify(cut(value, STRING_MAX))
    case "number":
      return Object.is(value, -0) ? "-0" : String(value)
    case "bigint":
      return `${value}n`
    case "function":
      // not its source, which can be long (the pool's errors say the same)
      return "a function"
    case "object":
      break
    default:
      // undefined, booleans, symbols (whose description can be long)
      return cut(String(value), TEXT_MAX)
  }
  if (value === null) {
    return "null"
  }
  if (Array.isArray(value)) {
    // one level, and the first few: an error message, not a dump (nor a loop on an array that
    // holds itself)
    const shown = value.slice(0, 5).map((v) => guarded(v, showElement, UNSHOWABLE))
    return `[${shown.join(", ")}${value.length > 5 ? ", …" : ""}]`
  }
  if (Duration.isDuration(value)) {
    return `Duration(${Duration.format(value)})`
  }
  // the boxed value through the built-in `valueOf` (an own `valueOf` may return anything)
  if (value instanceof String) {
    return `a String object (${show(String.prototype.valueOf.call(value))})`
  }
  if (value instanceof Number) {
    return `a Number object (${show(Number.prototype.valueOf.call(value))})`
  }
  if (value instanceof Boolean) {
    return `a Boolean object (${show(Boolean.prototype.valueOf.call(value))})`
  }
  const bytes = binary(value)
  if (bytes !== undefined) {
    return bytes
  }
  // `String` of an object without a prototype (no `toString`) throws: `guarded` says so
  const printed = cut(String(value), TEXT_MAX)
  // "[object Object]" says what it is; "5", "true" or a date would read as something else
  return printed.startsWith("[object ") ? printed : `an object (${printed})`
}

/**
 * What a user function returned where a boolean was expected, for an error message: its kind
 * (an Effect, a Promise), else the value with its type (`the string "no"`, `the number 0`).
 *
 * @internal
 */
export const showReturned = (result: unknown): string => {
  if (isEffect(result)) return "an Effect"
  if (isThenable(result)) return "a Promise"
  switch (typeof result) {
    case "string":
    case "number":
    case "bigint":
    case "symbol":
      return `the ${typeof result} ${showValue(result)}`
    default:
      return showValue(result)
  }
}

/**
 * Whether `u` is an Effect; never throws (a revoked Proxy is not one).
 *
 * @internal
 */
export const isEffect = (u: unknown): u is Effect.Effect<unknown, unknown, unknown> => {
  try {
    return Effect.isEffect(u)
  } catch {
    return false
  }
}

/**
 * Whether `u` is a promise (a thenable); never throws (a revoked Proxy is not one).
 *
 * @internal
 */
export const isThenable = (u: unknown): u is PromiseLike<unknown> => {
  try {
    return Predicate.isPromiseLike(u)
  } catch {
    return false
  }
}

/**
 * Handles the rejection of `u` if it is a promise that a user function returned where no promise
 * belongs: its outcome is not awaited (the caller reports the promise itself), but a rejection
 * left unhandled would end the process.
 *
 * @internal
 */
export const ignoreRejection = (u: unknown): void => {
  if (isThenable(u)) {
    try {
      Promise.resolve(u).catch(() => {})
    } catch {
      // a `then` that throws: nothing left to handle
    }
  }
}

const isNegative = (input: Duration.DurationInput): boolean => {
  if (typeof input === "number") {
    return !(input >= 0)
  }
  if (typeof input === "bigint") {
    return input < BigInt(0)
  }
  if (typeof input === "string") {
    // "-5 seconds"; "-0 seconds" is zero, as -0 is
    return Number.parseFloat(input) < 0
  }
  if (Array.isArray(input)) {
    // [seconds, nanos]: [1, -5e8] is half a second
    return !(input[0] * 1e9 + input[1] >= 0)
  }
  return false
}

/**
 * Decodes a `DurationInput`, rejecting what `Duration.decode` would silently clamp to zero
 * (negative numbers, NaN) and what it throws on (malformed strings).
 *
 * @internal
 */
export const duration = (
  where: string,
  option: string,
  input: Duration.DurationInput,
  constraint: { readonly positive: boolean; readonly finite: boolean }
): Parsed<Duration.Duration> => {
  // an array ([seconds, nanos]) is read once, here: `Duration.decodeUnknown` and `isNegative` read
  // its elements again, and a getter among them must not answer one thing to the checks and
  // another to the decoding
  const value: Duration.DurationInput = Array.isArray(input) ? input.slice() as [number, number] : input
  const expected = `a ${constraint.finite ? "finite " : ""}${
    constraint.positive ? "positive" : "non-negative"
  } duration (a Duration, millis as a number, or a string such as "100 millis")`
  // decoded first: `isNegative` compares what `Duration.decodeUnknown` accepted (a tuple of symbols
  // would throw there)
  const decoded = Duration.decodeUnknown(value)
  if (decoded._tag === "None" || isNegative(value)) {
    return Either.left(invalid(where, option, expected, value))
  }
  const d = decoded.value
  if ((constraint.positive && Duration.isZero(d)) || (constraint.finite && !Duration.isFinite(d))) {
    return Either.left(invalid(where, option, expected, value))
  }
  return Either.right(d)
}

/** @internal */
export const number = (
  where: string,
  option: string,
  value: unknown,
  expected: string,
  valid: (n: number) => boolean
): Parsed<number> =>
  typeof value === "number" && valid(value)
    ? Either.right(value)
    : Either.left(invalid(where, option, expected, value))
