/** Shared by the pool's test files. */
import { strictEqual } from "@effect/vitest/utils"
import { Worker } from "@fiberpool/pool"
import type { Stats } from "@fiberpool/pool-metrics"
import type * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as TestClock from "effect/TestClock"
import * as v8 from "node:v8"
import * as vm from "node:vm"

/** A per-worker layer providing the worker's id as `tag`, whose release runs `release(id, exit)`. */
export const releasing = <I>(
  tag: Context.Tag<I, number>,
  release: (id: number, exit: Exit.Exit<unknown, unknown>) => Effect.Effect<void>
): Layer.Layer<I, never, Worker.WorkerId> =>
  Layer.scoped(
    tag,
    Effect.flatMap(Worker.WorkerId, (id) => Effect.acquireRelease(Effect.succeed(id), (_, exit) => release(id, exit)))
  )

/** A typed failure of an item. */
export class Boom extends Data.TaggedError("Boom")<{ readonly item: number }> {}

/**
 * A pool's options, for the tests of a failure nothing read: one worker, 50 ms per item, item 1
 * fails (a fail-fast stop, which drops what is queued behind it).
 */
export const failingOnItemOne = {
  workers: 1,
  batchSize: 1,
  workerQueueSize: 10,
  worker: (n: number): Effect.Effect<void, Boom> =>
    Effect.zipRight(Effect.sleep("50 millis"), n === 1 ? new Boom({ item: 1 }) : Effect.void)
}

/** What a pool made with `failingOnItemOne` and fed `[1, 2, 3]` logs as its scope closes when nothing read its failure. */
export const unreadFailureLog =
  "fiberpool: stopped by a failure that no wait or close read (2 accepted items were dropped); it is logged as the " +
  "pool's scope closes"

/** `[from, from + 1, ..., from + n - 1]` */
export const range = (n: number, from = 0): Array<number> => Array.from({ length: n }, (_, i) => i + from)

/** Waits for the event loop's next macrotask turn (live tests). */
export const macrotask: Effect.Effect<void> = Effect.promise(() =>
  new Promise<void>((resolve) => setImmediate(resolve))
)

/** Lets forked fibers run until they block (under the TestClock). */
export const settle = TestClock.adjust(0)

/** submitted = processed + errors + dropped */
export const assertAccounting = (stats: Stats.Stats) =>
  strictEqual(stats.submitted, stats.processed + stats.errors + stats.dropped, `accounting: ${JSON.stringify(stats)}`)

/** A forced garbage collection (`--expose-gc` set from inside the process), for retained memory. */
export const exposeGc = (): () => void => {
  v8.setFlagsFromString("--expose-gc")
  return vm.runInNewContext("gc") as () => void
}

/**
 * A clock like `base` (its sleeps, its prototype) whose readings come from `read`: a clock of the
 * application's own, one set back, one that throws. The pool reads a clock other than Effect's live
 * one through `unsafeCurrentTimeNanos`.
 */
export const readingClock = (base: Clock.Clock, read: () => bigint): Clock.Clock => {
  const clock: Clock.Clock = Object.create(base)
  ;(clock as { unsafeCurrentTimeNanos: () => bigint }).unsafeCurrentTimeNanos = read
  return clock
}

/** Runs `effect` with a logger that records every message (its cause and annotations too). */
export const withLogs = <A, E, R>(effect: Effect.Effect<A, E, R>) => {
  const logs: Array<
    {
      readonly level: string
      readonly message: string
      readonly cause: Cause.Cause<unknown>
      readonly annotations: Readonly<Record<string, unknown>>
    }
  > = []
  const logger = Logger.make(({ annotations, cause, logLevel, message }) =>
    void logs.push({
      level: logLevel.label,
      message: String(message),
      cause,
      annotations: Object.fromEntries(annotations)
    })
  )
  return Effect.map(
    Effect.provide(effect, Logger.replace(Logger.defaultLogger, logger)),
    (value) => ({ value, logs })
  )
}

/** The worker of `key` as go-pkgz routes it: FNV-1a over the key's UTF-8 bytes, mod workers. */
export const workerOfKey = (key: string, workers: number): number => {
  let h = 0x811c9dc5
  for (const byte of new TextEncoder().encode(key)) h = Math.imul(h ^ byte, 0x01000193)
  return (h >>> 0) % workers
}

/**
 * Fills one batch of 3 on a paused pool: item 1 submitted in a span "first", 2 in "second", 3 with
 * no span; then resumes and closes the pool (the batched span tests' scenario).
 */
export const batchOfThreeSpans = (
  pool: {
    readonly pause: Effect.Effect<void>
    readonly resume: Effect.Effect<void>
    readonly submit: (n: number) => Effect.Effect<void, unknown>
    readonly close: Effect.Effect<void, unknown>
  }
): Effect.Effect<void, unknown> =>
  Effect.gen(function*() {
    yield* pool.pause
    yield* pool.submit(1).pipe(Effect.withSpan("first"))
    yield* pool.submit(2).pipe(Effect.withSpan("second"))
    yield* pool.submit(3)
    yield* pool.resume
    yield* pool.close
  })
