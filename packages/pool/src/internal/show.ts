/** How much of a string value a message quotes. */
const STRING_MAX = 100
/** How long any other value's text may grow in a message (its `toString` is the user's). */
const TEXT_MAX = 200

/**
 * At most `n` characters of `text`, a surrogate pair not split, with `…` when some were left out.
 *
 * @internal
 */
export const clip = (text: string, n: number): string => {
  if (text.length <= n) return text
  let end = n - 1
  const code = text.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end--
  return `${text.slice(0, end)}…`
}

/**
 * A value as an error message shows it: strings quoted (so `"10"` does not read as the number
 * 10), functions named as such, bigints with their `n`, arrays in brackets, boxed primitives as
 * objects (a `new String("x")` is not the string it prints as), binary data by its type and
 * length, anything else through `String`. Bounded: a message must not echo a megabyte that was
 * passed by mistake (long strings are clipped, a `Buffer` is not decoded).
 *
 * @internal
 */
export const show = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(clip(u, STRING_MAX))
  if (typeof u === "function") return "a function"
  if (typeof u === "bigint") return `${u}n`
  if (Array.isArray(u)) {
    // one level, and the first few: an error message, not a dump (nor a loop on an array that holds itself)
    const shown = u.slice(0, 5).map((x) => Array.isArray(x) ? "[…]" : show(x))
    return `[${shown.join(", ")}${u.length > 5 ? ", …" : ""}]`
  }
  if (u instanceof String) return `a String object (${JSON.stringify(clip(u.valueOf(), STRING_MAX))})`
  if (u instanceof Number || u instanceof Boolean) return `a ${u.constructor.name} object (${u.valueOf()})`
  try {
    if (ArrayBuffer.isView(u)) return `${u.constructor.name}(${"length" in u ? u.length : u.byteLength})`
    if (u instanceof ArrayBuffer) return `ArrayBuffer(${u.byteLength})`
    return clip(String(u), TEXT_MAX)
  } catch {
    return typeof u
  }
}
