/**
 * A value as an error message shows it: strings quoted (so `"10"` does not read as the number
 * 10), functions named as such, bigints with their `n`, arrays in brackets, boxed primitives as
 * objects (a `new String("x")` is not the string it prints as), anything else through `String`.
 *
 * @internal
 */
export const show = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u)
  if (typeof u === "function") return "a function"
  if (typeof u === "bigint") return `${u}n`
  if (Array.isArray(u)) {
    // one level, and the first few: an error message, not a dump (nor a loop on an array that holds itself)
    const shown = u.slice(0, 5).map((x) => Array.isArray(x) ? "[…]" : show(x))
    return `[${shown.join(", ")}${u.length > 5 ? ", …" : ""}]`
  }
  if (u instanceof String) return `a String object (${JSON.stringify(u.valueOf())})`
  if (u instanceof Number || u instanceof Boolean) return `a ${u.constructor.name} object (${u.valueOf()})`
  try {
    return String(u)
  } catch {
    return typeof u
  }
}
