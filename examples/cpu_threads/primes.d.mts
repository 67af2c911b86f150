/** The number of primes below `limit`, by trial division; `stop`, asked now and then, ends it short. */
export declare const countPrimes: (limit: number, stop?: () => boolean) => number
