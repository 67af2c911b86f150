/**
 * Go's `time.Duration.String()` for a duration rounded to the millisecond, as go-pkgz prints it.
 *
 * @internal
 */
export const formatGoMillis = (millis: number): string => {
  // Go has no infinite durations; Effect's Duration.infinity prints as Effect prints it
  if (!Number.isFinite(millis)) return millis > 0 ? "Infinity" : "-Infinity"
  // Go's Duration.Round(time.Millisecond) rounds half away from zero
  const ms = Math.round(Math.abs(millis)) * Math.sign(millis)
  if (ms === 0) return "0s"
  const negative = ms < 0
  let rest = Math.abs(ms)
  let out: string
  if (rest < 1000) {
    out = `${rest}ms`
  } else {
    const hours = Math.floor(rest / 3_600_000)
    rest -= hours * 3_600_000
    const minutes = Math.floor(rest / 60_000)
    rest -= minutes * 60_000
    const seconds = Math.floor(rest / 1000)
    const fraction = rest - seconds * 1000
    const secondsText = fraction === 0
      ? `${seconds}`
      : `${seconds}.${String(fraction).padStart(3, "0").replace(/0+$/, "")}`
    out = hours > 0
      ? `${hours}h${minutes}m${secondsText}s`
      : minutes > 0
      ? `${minutes}m${secondsText}s`
      : `${secondsText}s`
  }
  return negative ? `-${out}` : out
}
