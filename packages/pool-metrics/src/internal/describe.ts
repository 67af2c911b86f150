/**
 * At most `n` characters of `text`, a surrogate pair not split, with `…` when some were left out
 * (the pool's own `clip`: the packages share no internal module).
 */
const clip = (text: string, n: number): string => {
  if (text.length <= n) return text
  let end = n - 1
  const code = text.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end--
  return `${text.slice(0, end)}…`
}

/**
 * A value in an error message, with its type where the bare value would mislead ("5" is not 5);
 * never throws.
 *
 * @internal
 */
export const describe = (u: unknown): string => {
  switch (typeof u) {
    case "string":
      return JSON.stringify(clip(u, 100))
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
      if (u === null) return "null"
      try {
        return Array.isArray(u) ? "an array" : "an object"
      } catch {
        // a revoked Proxy
        return "an object"
      }
  }
}
