/**
 * Go's `fmt.Sprintf("%.1f", x)`.
 *
 * `Number.prototype.toFixed` rounds the exact binary value half up; Go rounds it half to even. They
 * differ only on exact ties, which at one decimal are the values `k + 0.25` and `k + 0.75` (the
 * only binary fractions that end in a 5 at the second decimal): Go prints `12.25` as `12.2`,
 * `toFixed` as `12.3`. Go also never switches to exponent notation and prints infinities as
 * `+Inf` / `-Inf`.
 *
 * @internal
 */
export const formatGoFixed1 = (x: number): string => {
  if (Number.isNaN(x)) return "NaN"
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf"
  const sign = x < 0 ? "-" : ""
  const abs = Math.abs(x)
  // from 1e21 on toFixed uses exponent notation; every such double is an integer
  if (abs >= 1e21) return `${sign}${BigInt(abs)}.0`
  const whole = Math.floor(abs)
  const fraction = abs - whole // exact
  // exact tie: round half to even (k.25 -> k.2, k.75 -> k.8)
  if (fraction === 0.25) return `${sign}${whole}.2`
  if (fraction === 0.75) return `${sign}${whole}.8`
  return x.toFixed(1)
}

const codePointKey = (unit: number): number => unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit

/**
 * Compares strings by Unicode code point, which is the UTF-8 byte order of Go's `sort.Strings`
 * (JavaScript's default sort compares UTF-16 code units, which puts characters above U+FFFF before
 * U+E000–U+FFFF).
 *
 * @internal
 */
export const compareCodePoints = (a: string, b: string): number => {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return codePointKey(x) - codePointKey(y)
  }
  return a.length - b.length
}
