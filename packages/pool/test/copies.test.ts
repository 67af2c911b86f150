import { describe, it } from "@effect/vitest"
import { deepStrictEqual } from "@effect/vitest/utils"
import { FiberPool } from "@fiberpool/pool"
import { Effect, Fiber, Schedule, Stream, TestClock } from "effect"
import { vi } from "vitest"
import { failingOnItemOne, unreadFailureLog, withLogs } from "./helpers.js"

describe("two copies of the package in one process", () => {
  // two copies of the package in one process (its ESM and CJS builds, or two versions): a pool
  // made by one, progress from the other. A `Symbol("…")` key would differ per copy, so progress
  // would fall back to `wait`, which reads the failure and silences the log (hence `Symbol.for`, as
  // catchCause's id)
  it.effect("progress from another copy of the package reads nothing either", () =>
    Effect.gen(function*() {
      vi.resetModules()
      const other = (yield* Effect.promise(() => import("../src/FiberPool.js"))) as typeof FiberPool
      deepStrictEqual(other === FiberPool, false)
      const logs = yield* withLogs(
        Effect.scoped(Effect.gen(function*() {
          const pool = yield* FiberPool.make(failingOnItemOne)
          yield* pool.submitAll([1, 2, 3])
          yield* Effect.forkScoped(Stream.runDrain(other.progress(pool, Schedule.spaced("20 millis"))))
          yield* TestClock.adjust("1 second")
        })).pipe(Effect.fork, Effect.flatMap(Fiber.join))
      )
      deepStrictEqual(logs.logs.map((log) => log.message), [unreadFailureLog])
    }))
})
