// The work of the cpu_threads example, in plain JavaScript so that a worker thread can load it
// without a TypeScript loader; main.ts runs the same function in its own thread to compare.

/**
 * The number of primes below `limit`, by trial division: milliseconds of CPU per call. `stop` is
 * asked every 4,096 numbers; once it says so, the count ends there (short).
 */
export const countPrimes = (limit, stop = () => false) => {
  let count = 0
  for (let n = 2; n < limit; n++) {
    if ((n & 4095) === 0 && stop()) break
    let prime = true
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false
        break
      }
    }
    if (prime) count++
  }
  return count
}
