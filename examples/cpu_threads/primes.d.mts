/** The number of primes below `limit`, by trial division. */
export declare const countPrimes: (limit: number) => number
