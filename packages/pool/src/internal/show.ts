/**
 * A value as an error message shows it: strings quoted (so `"10"` does not read as the number
 * 10), functions named as such, anything else through `String`.
 *
 * @internal
 */
export const show = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u)
  if (typeof u === "function") return "a function"
  try {
    return String(u)
  } catch {
    return typeof u
  }
}
