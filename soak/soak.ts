/**
 * The soak workloads behind `npm run soak` (soak/main.ts) and its short CI version (soak/soak.test.ts).
 *
 * - `chain`: N items through pool → pool → Collector, keyed, 1% failures in continue mode; RSS and
 *   heap sampled while it runs; every item accounted for at the end.
 * - `churn`: M pools created and closed in a loop (ending normally, failing fast, or interrupted by
 *   their scope with items in flight); the heap after a forced GC is sampled as it goes.
 *
 * Both run on the live clock; they need `--expose-gc` for the heap figures.
 */
import { Collector, FiberPool, Worker } from "@fiberpool/pool"
import type { Stats } from "@fiberpool/pool-metrics"
import { Chunk, Context, Data, Effect, Exit, Fiber, FiberId, Layer, Scope, Stream } from "effect"
import * as v8 from "node:v8"
import * as vm from "node:vm"

export class SoakFailure extends Data.TaggedError("SoakFailure")<{ readonly item: number }> {}

const MB = 1024 * 1024

/**
 * `global.gc` when node runs with --expose-gc (npm run soak); otherwise the flag is turned on at run
 * time and the function taken from a fresh context (vitest projects cannot pass node flags).
 */
const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {
  v8.setFlagsFromString("--expose-gc")
  return vm.runInNewContext("gc") as () => void
})()

/** The heap in use after a full GC, in bytes. */
export const retainedHeap = (): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

export interface MemorySample {
  /** seconds since the start */
  readonly at: number
  readonly rss: number
  readonly heapUsed: number
  /** items completed by the last stage so far */
  readonly collected: number
}

export interface ChainOptions {
  readonly items: number
  /** sample memory each time this many more items were collected (default: items / 50) */
  readonly sampleEveryItems?: number | undefined
  /** also try to sample every this many milliseconds from a timer fiber (default 1000) */
  readonly sampleEveryMillis?: number | undefined
  readonly onSample?: ((sample: MemorySample) => void) | undefined
}

export interface ChainResult {
  readonly items: number
  readonly seconds: number
  readonly stage1: Stats.Stats
  readonly stage2: Stats.Stats
  readonly collected: number
  readonly sum: number
  readonly expectedCollected: number
  readonly expectedSum: number
  /** the failure `close` of stage 1 reported (continue mode: the first one) */
  readonly firstFailure: number | undefined
  readonly samples: ReadonlyArray<MemorySample>
  /**
   * How many samples the timer fiber took while items were flowing. Zero means no timer could fire
   * during the run: the pool kept the event loop from running (timers, I/O, signals).
   */
  readonly timerSamples: number
}

/** 1% of the items fail in stage 1 */
export const fails = (n: number): boolean => n % 100 === 42

const KEYS = Array.from({ length: 64 }, (_, i) => `key-${i}`)
const keyOf = (n: number): string => KEYS[n & 63]!

/**
 * `items` numbers through stage 1 (keyed, 4 workers, continue mode, 1% failures) → stage 2 (keyed,
 * 4 workers) → a Collector read by one consumer that counts and sums. Stage 1's onPoolComplete
 * ends stage 2; stage 2's closes the collector.
 */
export const chain = (options: ChainOptions): Effect.Effect<ChainResult> =>
  Effect.scoped(Effect.gen(function*() {
    const n = options.items
    const start = performance.now()
    let collected = 0
    let sum = 0
    let timerSamples = 0
    const every = options.sampleEveryItems ?? Math.max(1, Math.floor(n / 50))
    let nextSample = every
    const samples: Array<MemorySample> = []
    const sample = () => {
      const memory = process.memoryUsage()
      const s: MemorySample = {
        at: (performance.now() - start) / 1000,
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        collected
      }
      samples.push(s)
      options.onSample?.(s)
    }
    sample()
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(
      Effect.sleep(options.sampleEveryMillis ?? 1000),
      Effect.sync(() => {
        if (collected > 0 && collected < n) timerSamples++
      })
    )))

    const results = yield* Collector.make<number>(4096)
    const stage2 = yield* FiberPool.make({
      name: "soak-stage2",
      workers: 4,
      batchSize: 64,
      workerQueueSize: 4,
      keyBy: keyOf,
      continueOnError: true,
      worker: Worker.make((n: number) => results.submit(n)),
      onPoolComplete: results.close
    })
    const stage1 = yield* FiberPool.make({
      name: "soak-stage1",
      workers: 4,
      batchSize: 64,
      workerQueueSize: 4,
      keyBy: keyOf,
      continueOnError: true,
      worker: (n: number): Effect.Effect<void, SoakFailure | FiberPool.PoolClosedError> =>
        fails(n) ? Effect.fail(new SoakFailure({ item: n })) : stage2.send(n),
      onPoolComplete: stage2.end
    })
    // start reading before anything is submitted (a bounded collector would otherwise deadlock)
    const reader = yield* Effect.fork(Stream.runForEachChunk(results.stream, (chunk) =>
      Effect.sync(() => {
        collected += chunk.length
        for (const v of Chunk.toReadonlyArray(chunk)) sum += v
        // sampled from the pipeline itself: a timer may not get to run (see timerSamples)
        if (collected >= nextSample) {
          nextSample += every
          sample()
        }
      })))
    const items = function*() {
      for (let i = 0; i < n; i++) yield i
    }
    yield* stage1.submitAll(items()).pipe(Effect.orDie)
    const exit1 = yield* Effect.exit(stage1.close)
    yield* stage2.wait.pipe(Effect.orDie)
    yield* Fiber.join(reader)
    sample()
    let expectedCollected = 0
    let expectedSum = 0
    for (let i = 0; i < n; i++) {
      if (!fails(i)) {
        expectedCollected++
        expectedSum += i
      }
    }
    return {
      items: n,
      seconds: (performance.now() - start) / 1000,
      stage1: yield* stage1.stats,
      stage2: yield* stage2.stats,
      collected,
      sum,
      expectedCollected,
      expectedSum,
      firstFailure: Exit.isFailure(exit1) && exit1.cause._tag === "Fail" && exit1.cause.error instanceof SoakFailure
        ? exit1.cause.error.item
        : undefined,
      samples,
      timerSamples
    }
  }))

export interface ChurnOptions {
  readonly pools: number
  /** sample the retained heap every this many pools */
  readonly sampleEvery?: number | undefined
  readonly onSample?: ((sample: { readonly pools: number; readonly heapUsed: number }) => void) | undefined
}

export interface ChurnResult {
  readonly pools: number
  readonly seconds: number
  /** retained heap (after GC) once per `sampleEvery` pools, the first after the first batch (warm-up) */
  readonly heap: ReadonlyArray<{ readonly pools: number; readonly heapUsed: number }>
  /** per ending: how many pools ended that way, and whether their accounting held */
  readonly endings: Readonly<Record<"closed" | "failed" | "interrupted", number>>
  readonly accountingViolations: number
  readonly layersAcquired: number
  readonly layersReleased: number
}

class Resource extends Context.Tag("soak/Resource")<Resource, { readonly buffer: Uint8Array }>() {}

/**
 * Creates and closes `pools` pools one after another. Each has 4 workers with a worker layer (a
 * 4 KiB buffer per worker, so a leaked layer shows in the heap), takes 20 items, and ends one of
 * three ways in turn: closed normally, stopped by a failure (fail-fast), or interrupted by its
 * scope with items in flight.
 */
export const churn = (options: ChurnOptions): Effect.Effect<ChurnResult> =>
  Effect.gen(function*() {
    const every = options.sampleEvery ?? 1000
    const start = performance.now()
    const heap: Array<{ pools: number; heapUsed: number }> = []
    const endings = { closed: 0, failed: 0, interrupted: 0 }
    let accountingViolations = 0
    let layersAcquired = 0
    let layersReleased = 0
    const layer = Layer.scoped(
      Resource,
      Effect.acquireRelease(
        Effect.sync(() => {
          layersAcquired++
          return { buffer: new Uint8Array(4096) }
        }),
        () => Effect.sync(() => void layersReleased++)
      )
    )
    for (let i = 0; i < options.pools; i++) {
      const ending = (["closed", "failed", "interrupted"] as const)[i % 3]!
      const scope = yield* Scope.make()
      const pool = yield* FiberPool.make({
        name: "soak-churn",
        workers: 4,
        batchSize: 4,
        workerLayer: layer,
        ...(i % 2 === 0 ? { keyBy: (n: number) => keyOf(n) } : {}),
        worker: (n: number) =>
          Effect.flatMap(Resource, (r) =>
            ending === "failed" && n === 7
              ? Effect.fail(new SoakFailure({ item: n }))
              : ending === "interrupted" && n >= 10
              ? Effect.never
              : Effect.sync(() => void (r.buffer[n] = n)))
      }).pipe(Scope.extend(scope))
      // the producer may be suspended on back-pressure behind items that never end: fork it
      const producer = yield* Effect.fork(Effect.exit(pool.submitAll(Array.from({ length: 20 }, (_, k) => k))))
      if (ending === "interrupted") {
        yield* Effect.yieldNow()
        // closed as an interruption closes it (a closing scope with work left otherwise logs a warning)
        yield* Scope.close(scope, Exit.interrupt(FiberId.none))
        yield* Fiber.join(producer)
      } else {
        yield* Fiber.join(producer)
        yield* Effect.exit(pool.close)
        yield* Scope.close(scope, Exit.void)
      }
      const stats = yield* pool.stats
      if (stats.submitted !== stats.processed + stats.errors + stats.dropped) accountingViolations++
      endings[ending]++
      if ((i + 1) % every === 0) {
        const sample = { pools: i + 1, heapUsed: retainedHeap() }
        heap.push(sample)
        options.onSample?.(sample)
      }
    }
    return {
      pools: options.pools,
      seconds: (performance.now() - start) / 1000,
      heap,
      endings,
      accountingViolations,
      layersAcquired,
      layersReleased
    }
  })

export const formatMB = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`
