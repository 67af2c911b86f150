import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"

/** @internal */
export type Parsed<A> = Either.Either<A, Cause.IllegalArgumentException>

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

/** @internal */
export const showValue = (value: unknown): string => {
  if (typeof value === "string") {
    return JSON.stringify(value)
  }
  if (typeof value === "bigint") {
    return `${value}n`
  }
  if (typeof value === "function") {
    // not its source, which can be long (the pool's errors say the same)
    return "a function"
  }
  if (Duration.isDuration(value)) {
    return `Duration(${Duration.format(value)})`
  }
  if (Array.isArray(value)) {
    // one level, and the first few: an error message, not a dump (nor a loop on an array that
    // holds itself)
    const shown = value.slice(0, 5).map((v) => Array.isArray(v) ? "[…]" : showValue(v))
    return `[${shown.join(", ")}${value.length > 5 ? ", …" : ""}]`
  }
  try {
    return String(value)
  } catch {
    // an object without a prototype has no `toString`
    return typeof value
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
  const expected = `a ${constraint.finite ? "finite " : ""}${
    constraint.positive ? "positive" : "non-negative"
  } duration (a Duration, millis as a number, or a string such as "100 millis")`
  // decoded first: `isNegative` compares what `Duration.decodeUnknown` accepted (a tuple of symbols
  // would throw there)
  const decoded = Duration.decodeUnknown(input)
  if (decoded._tag === "None" || isNegative(input)) {
    return Either.left(invalid(where, option, expected, input))
  }
  const d = decoded.value
  if ((constraint.positive && Duration.isZero(d)) || (constraint.finite && !Duration.isFinite(d))) {
    return Either.left(invalid(where, option, expected, input))
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
