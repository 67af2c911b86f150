import { Effect, Either } from "effect"
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
      // primes below a billion by trial division: hours of CPU, given up on after 50 ms. Were the
      // item not stopped in the thread, the next call would wait behind it for those hours: the
      // bound below tells milliseconds from hours, and lets the layer end the thread either way
      const slow = yield* thread.countPrimes(1_000_000_000).pipe(Effect.timeout("50 millis"), Effect.either)
      expect(Either.isLeft(slow)).toBe(true)
      // answered, and not with the late answer to the interrupted call
      expect(yield* thread.countPrimes(1000).pipe(Effect.timeout("3 seconds"))).toBe(168)
    })))

  it("a thread that exits fails the call waiting on it and every later call with ThreadFailed", () =>
    withThread(Effect.gen(function*() {
      const thread = yield* PrimeThread
      const crash = yield* Effect.flip(thread.countPrimes(-1)) // thread.mjs exits on a negative limit
      expect(crash).toMatchObject({ _tag: "ThreadFailed", message: "the thread exited with code 1" })
      expect(yield* Effect.flip(thread.countPrimes(100))).toBe(crash)
    })))
})
