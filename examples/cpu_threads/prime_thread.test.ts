import { Duration, Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { PrimeThread } from "./prime_thread.js"

const withThread = <A, E>(effect: Effect.Effect<A, E, PrimeThread>) =>
  effect.pipe(Effect.provide(PrimeThread.layer), Effect.runPromise)

describe("cpu_threads: PrimeThread", () => {
  it("answers calls in turn", () =>
    withThread(Effect.gen(function*() {
      const thread = yield* PrimeThread
      expect(yield* thread.countPrimes(100)).toBe(25)
      expect(yield* thread.countPrimes(1000)).toBe(168)
    })))

  it("an interrupted call stops its item in the thread: the next call does not wait behind it", () =>
    withThread(Effect.gen(function*() {
      const thread = yield* PrimeThread
      // primes below 10 million by trial division: seconds of CPU, given up on after 50 ms
      const slow = yield* thread.countPrimes(10_000_000).pipe(Effect.timeout("50 millis"), Effect.either)
      expect(Either.isLeft(slow)).toBe(true)
      const [took, primes] = yield* Effect.timed(thread.countPrimes(1000))
      // the late answer to the interrupted call is not taken for this one
      expect(primes).toBe(168)
      expect(Duration.toMillis(took)).toBeLessThan(500)
    })))

  it("a thread that exits fails the call waiting on it and every later call with ThreadFailed", () =>
    withThread(Effect.gen(function*() {
      const thread = yield* PrimeThread
      const crash = yield* Effect.flip(thread.countPrimes(-1)) // thread.mjs exits on a negative limit
      expect(crash).toMatchObject({ _tag: "ThreadFailed", message: "the thread exited with code 1" })
      expect(yield* Effect.flip(thread.countPrimes(100))).toBe(crash)
    })))
})
