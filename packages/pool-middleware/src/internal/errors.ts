import * as Data from "effect/Data"

/** How many values of an object `toJson` writes before it gives up: a message is read per log line. */
const JSON_VALUES_MAX = 1000

/** Thrown inside `JSON.stringify` when an object has more than `JSON_VALUES_MAX` values. */
const tooLarge = new Error("too large")

/**
 * An object as JSON, with bigints written `1n` and a reference back to an enclosing object written
 * `"[Circular]"`, where `JSON.stringify` would throw; for an object of more than `JSON_VALUES_MAX`
 * values, its size in words (its JSON would be cut anyway, and writing it whole costs as much as the
 * object is large); `undefined` when it still cannot.
 */
const toJson = (u: object): string | undefined => {
  const ancestors: Array<unknown> = []
  let values = 0
  try {
    return JSON.stringify(u, function(this: unknown, _key, value: unknown) {
      if (++values > JSON_VALUES_MAX) throw tooLarge
      if (typeof value === "bigint") return `${value}n`
      if (typeof value !== "object" || value === null) return value
      // `this` is the object holding `value`: the ancestors are the chain up to it
      while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop()
      if (ancestors.includes(value)) return "[Circular]"
      ancestors.push(value)
      return value
    })
  } catch (e) {
    if (e === tooLarge) {
      return Array.isArray(u)
        ? `[an array of ${u.length} items]`
        : "{an object of more than 1000 values}"
    }
    return undefined // a throwing toJSON or getter
  }
}

/** @internal */
export const describe = (u: unknown): string => {
  if (u instanceof Error) {
    return truncate(u.message.length > 0 ? u.message : u.name)
  }
  if (typeof u === "string") {
    return truncate(u)
  }
  if (typeof u === "object" && u !== null) {
    const json = toJson(u)
    if (json !== undefined) {
      return truncate(json)
    }
  }
  return truncate(String(u))
}

/** @internal */
export const describeItem = (item: unknown): string => {
  if (typeof item === "string") {
    return truncate(JSON.stringify(item))
  }
  if (typeof item === "bigint") {
    return `${item}n`
  }
  if (typeof item === "object" && item !== null) {
    const json = toJson(item)
    if (json !== undefined) {
      return truncate(json)
    }
  }
  return truncate(String(item))
}

const truncate = (s: string): string => (s.length > 200 ? `${s.slice(0, 197)}...` : s)

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
