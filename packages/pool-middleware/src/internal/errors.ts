import * as Data from "effect/Data"
import { binary, collection, cut, guarded } from "./text.js"

/** How many values of an object `toJson` writes before it gives up: a message is read per log line. */
const JSON_VALUES_MAX = 1000
/** How long a message's description of a value may grow (JSON, a string, an error's message). */
const TEXT_MAX = 200

/** Thrown inside `JSON.stringify` when an object has more than `JSON_VALUES_MAX` values. */
const tooLarge = new Error("too large")

/**
 * An object as JSON, with bigints written `1n`, strings cut, and a reference back to an enclosing
 * object written `"[Circular]"`, where `JSON.stringify` would throw; for an object of more than
 * `JSON_VALUES_MAX` values (those JSON writes, the object itself not counted), its kind in words: its
 * JSON would be cut anyway, and writing it whole costs as much as the object is large. `undefined`
 * when it still cannot (a throwing `toJSON` or getter).
 */
const toJson = (u: object): string | undefined => {
  const ancestors: Array<unknown> = []
  let values = 0
  let first = true
  try {
    return JSON.stringify(u, function(this: unknown, _key, value: unknown) {
      // the first call is for the object itself; JSON leaves functions, symbols and undefined out
      // of objects, but writes them (and holes) as null in arrays
      if (first) {
        first = false
      } else if (
        (Array.isArray(this) || (typeof value !== "function" && typeof value !== "symbol" && value !== undefined)) &&
        ++values > JSON_VALUES_MAX
      ) throw tooLarge
      if (typeof value === "bigint") return `${value}n`
      if (typeof value === "string") return cut(value, TEXT_MAX)
      if (typeof value !== "object" || value === null) return value
      // `this` is the object holding `value`: the ancestors are the chain up to it
      while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop()
      if (ancestors.includes(value)) return "[Circular]"
      ancestors.push(value)
      return value
    })
  } catch (e) {
    if (e !== tooLarge) return undefined
    return Array.isArray(u)
      ? `[an array of ${u.length} ${u.length === 1 ? "item" : "items"}, too large to show]`
      : "{an object too large to show}"
  }
}

/** An object by its kind and size where its JSON would mislead or cost much: binary data, a Map, a Set. */
const named = (u: object): string | undefined => binary(u) ?? collection(u)

/** What a message says of a value whose reading throws. */
const UNSHOWABLE = "a value that cannot be shown"

const describeObject = (u: object): string => truncate(named(u) ?? toJson(u) ?? String(u))

/** @internal */
export const describe = (u: unknown): string =>
  guarded(u, (u) => {
    if (u instanceof Error) {
      // an Error's message and name are the user's: only strings are taken as text
      const text = [u.message, u.name].find((t): t is string => typeof t === "string" && t.length > 0)
      if (text !== undefined) return truncate(text)
    }
    if (typeof u === "string") {
      return truncate(u)
    }
    return typeof u === "object" && u !== null ? describeObject(u) : truncate(String(u))
  }, UNSHOWABLE)

/** @internal */
export const describeItem = (item: unknown): string =>
  guarded(item, (item) => {
    if (typeof item === "string") {
      // cut before quoting: JSON.stringify reads the whole string
      return truncate(JSON.stringify(cut(item, TEXT_MAX)))
    }
    if (typeof item === "bigint") {
      return truncate(`${item}n`)
    }
    return typeof item === "object" && item !== null ? describeObject(item) : truncate(String(item))
  }, UNSHOWABLE)

/** At most `TEXT_MAX` characters, with `...` when cut (a surrogate pair is not split). */
const truncate = (s: string): string => cut(s, TEXT_MAX, "...")

/** @internal */
export class ValidationError extends Data.TaggedError("ValidationError")<{
  readonly item: unknown
  readonly cause: unknown
}> {
  get message(): string {
    return `item ${describeItem(this.item)} rejected by Middleware.validate and not processed: ${describe(this.cause)}`
  }
}

/** @internal */
export class WorkerDefect extends Data.TaggedError("WorkerDefect")<{
  readonly defect: unknown
  readonly item: unknown
}> {
  get message(): string {
    return `worker died on item ${describeItem(this.item)}: ${
      describe(this.defect)
    } (a defect, turned into a WorkerDefect failure by Middleware.recover)`
  }
}
