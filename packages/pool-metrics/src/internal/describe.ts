/**
 * A value in an error message, with its type where the bare value would mislead ("5" is not 5);
 * never throws.
 *
 * @internal
 */
export const describe = (u: unknown): string => {
  switch (typeof u) {
    case "string":
      return JSON.stringify(u.length > 100 ? `${u.slice(0, 100)}…` : u)
    case "bigint":
      return `${u}n (a bigint)`
    case "number":
    case "boolean":
    case "undefined":
      return String(u)
    case "symbol":
      return "a symbol"
    case "function":
      return "a function"
    default:
      return u === null ? "null" : Array.isArray(u) ? "an array" : "an object"
  }
}
