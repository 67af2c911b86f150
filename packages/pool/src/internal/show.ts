/**
 * A value as an error message shows it: strings quoted (so `"10"` does not read as the number
 * 10), functions named as such, boxed primitives as objects (a `new String("x")` is not the string
 * it prints as), anything else through `String`.
 *
 * @internal
 */
export const show = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u)
  if (typeof u === "function") return "a function"
  if (u instanceof String) return `a String object (${JSON.stringify(u.valueOf())})`
  if (u instanceof Number || u instanceof Boolean) return `a ${u.constructor.name} object (${u.valueOf()})`
  try {
    return String(u)
  } catch {
    return typeof u
  }
}
