/**
 * Property-based tests of the pool's contract (DESIGN.md, "Outcome" and "Lifecycle and accounting").
 *
 * fast-check (as `effect/FastCheck`, through `@effect/vitest`'s `it.effect.prop`) generates pool
 * configurations, item sequences with a failure plan, producers, callback failures and, in some
 * properties, an interruption at a random point. Each run is driven by `TestClock` (a fresh one per
 * run) and checked against an event log written by the worker, the callbacks and the worker layer.
 *
 * Runs per property: 200 by default. More:
 *
 *   npm run test:props -- --runs 2000           (scripts/test-props.ts sets FIBERPOOL_PROP_RUNS)
 *   FIBERPOOL_PROP_RUNS=2000 npm run test:props
 *
 * A failure prints fast-check's report: `{ seed: S, path: "P", endOnFailure: true }` and the
 * (shrunk) counterexample. Replay exactly that case with
 *
 *   FIBERPOOL_PROP_SEED=S FIBERPOOL_PROP_PATH=P npm run test:props -- -t "<property name>"
 *
 * (`--seed=S` on the npm command line works too.) Every run sets a high `maxOpsBeforeYield`, so
 * fibers switch only where an item or the pool suspends (sleep, yieldNow, a full queue): the
 * schedule, and so the run, is a function of the generated case alone.
 */
import { describe, it } from "@effect/vitest"
import { assertTrue, strictEqual } from "@effect/vitest/utils"
import { FiberPool, Worker } from "@fiberpool/pool"
import type { Stats } from "@fiberpool/pool-metrics"
import { Middleware } from "@fiberpool/pool-middleware"
import { Cause, Context, Data, Effect, Exit, FastCheck as fc, Fiber, Layer, Scope, Supervisor, TestClock } from "effect"
import { Boom } from "./helpers.js"

// ---------------------------------------------------------------------------------------------
// run count and seed
// ---------------------------------------------------------------------------------------------

const setting = (...names: ReadonlyArray<string>): string | undefined => {
  for (const name of names) {
    const value = process.env[name]
    if (value !== undefined && value !== "") return value
  }
  return undefined
}

const RUNS = (() => {
  const raw = setting("FIBERPOOL_PROP_RUNS", "npm_config_runs")
  if (raw === undefined) return 200
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(
      `properties.test.ts: the number of runs must be an integer >= 1, got ${JSON.stringify(raw)} ` +
        `(write "npm run test:props --runs=N", with "=", or set FIBERPOOL_PROP_RUNS=N)`
    )
  }
  return n
})()
const SEED = setting("FIBERPOOL_PROP_SEED", "npm_config_seed")
const PATH = setting("FIBERPOOL_PROP_PATH")

const fastCheck: fc.Parameters<any> = {
  numRuns: RUNS,
  ...(SEED !== undefined ? { seed: Number(SEED) } : {}),
  ...(PATH !== undefined ? { path: PATH } : {})
}
/** generous: 200 runs take a few seconds; the timeout only matters with many more runs */
const timeout = { timeout: Math.max(120_000, RUNS * 600), fastCheck }

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/**
 * What an item does: `ok` succeeds at once, `yield` yields first (interleaving), `slow` sleeps
 * `millis`, `shield` sleeps `millis` uninterruptibly and succeeds, `fail` fails with `Boom`, `die`
 * dies, `throw` makes the worker function throw before it returns an effect. `fail` and `die`
 * sleep `millis` first when `delayed`.
 */
type Kind = "ok" | "yield" | "slow" | "shield" | "fail" | "die" | "throw"

interface ItemSpec {
  readonly id: number
  readonly producer: number
  readonly key: string
  readonly kind: Kind
  readonly millis: number
  readonly delayed: boolean
}

type CallbackPlan = "ok" | "fail" | "die" | "slow"

type Interrupt =
  | { readonly by: "clock"; readonly atMillis: number }
  | { readonly by: "producer"; readonly afterSubmits: number }

interface Scenario {
  readonly workers: number
  readonly batchSize: number
  readonly workerQueueSize: number
  /** 0: no keyBy; otherwise each producer spreads its items over this many keys of its own */
  readonly keys: number
  readonly continueOnError: boolean
  readonly recover: boolean
  readonly stateful: boolean
  readonly metrics: boolean
  readonly submitMode: "one" | "all" | "chunks"
  readonly chunk: number
  readonly producers: ReadonlyArray<ReadonlyArray<ItemSpec>>
  /** onWorkerComplete of worker `worker % workers` fails or dies */
  readonly workerComplete: { readonly worker: number; readonly plan: CallbackPlan }
  readonly poolComplete: CallbackPlan
  readonly interrupt: Interrupt | undefined
}

class CallbackFailed extends Data.TaggedError("CallbackFailed")<{ readonly where: string }> {}
class Defect extends Error {
  constructor(readonly label: string) {
    super(`defect ${label}`)
  }
}

class Conn extends Context.Tag("properties/Conn")<Conn, number>() {}

type Event =
  | { readonly t: "acquire" | "release" | "unmake" | "wc" | "wcDone"; readonly worker: number }
  | { readonly t: "wcFail"; readonly worker: number; readonly error: unknown }
  | { readonly t: "pc" | "pcDone" }
  | { readonly t: "pcFail"; readonly error: unknown }
  | { readonly t: "start"; readonly item: ItemSpec; readonly worker: number | undefined }
  | { readonly t: "ok"; readonly item: ItemSpec }
  | { readonly t: "fail"; readonly item: ItemSpec; readonly error: unknown }
  | { readonly t: "ready" | "close" | "closed" | "scopeClose" }

// ---------------------------------------------------------------------------------------------
// arbitraries
// ---------------------------------------------------------------------------------------------

const kindArb = (failures: number, shield: boolean): fc.Arbitrary<Kind> =>
  fc.oneof(
    { arbitrary: fc.constant<Kind>("ok"), weight: 10 },
    { arbitrary: fc.constant<Kind>("yield"), weight: 3 },
    { arbitrary: fc.constant<Kind>("slow"), weight: 2 },
    ...(shield ? [{ arbitrary: fc.constant<Kind>("shield"), weight: 3 }] : []),
    ...(failures > 0
      ? [
        { arbitrary: fc.constant<Kind>("fail"), weight: failures },
        { arbitrary: fc.constant<Kind>("die"), weight: 1 },
        { arbitrary: fc.constant<Kind>("throw"), weight: 1 }
      ]
      : [])
  )

const rawItemArb = (failures: number, shield: boolean) =>
  fc.record({
    kind: kindArb(failures, shield),
    key: fc.nat(3),
    millis: fc.integer({ min: 1, max: 20 }),
    delayed: fc.boolean()
  })

const producersArb = (options: { readonly failures: boolean; readonly shield: boolean; readonly maxItems: number }) =>
  fc.integer({ min: 0, max: options.failures ? 3 : 0 }).chain((failures) =>
    fc.array(fc.array(rawItemArb(failures, options.shield), { maxLength: options.maxItems }), {
      minLength: 1,
      maxLength: 3
    })
  )

const callbackArb = (failures: boolean): fc.Arbitrary<CallbackPlan> =>
  failures
    ? fc.oneof(
      { arbitrary: fc.constant<CallbackPlan>("ok"), weight: 6 },
      { arbitrary: fc.constant<CallbackPlan>("slow"), weight: 2 },
      { arbitrary: fc.constant<CallbackPlan>("fail"), weight: 1 },
      { arbitrary: fc.constant<CallbackPlan>("die"), weight: 1 }
    )
    : fc.constantFrom<CallbackPlan>("ok", "slow")

const interruptArb: fc.Arbitrary<Interrupt> = fc.oneof(
  fc.record({ by: fc.constant("clock" as const), atMillis: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ by: fc.constant("producer" as const), afterSubmits: fc.integer({ min: 0, max: 40 }) })
)

const scenarioArb = (options: {
  readonly failures: boolean
  readonly shield: boolean
  readonly interrupt: "never" | "always" | "sometimes"
}): fc.Arbitrary<Scenario> =>
  fc.record({
    workers: fc.integer({ min: 1, max: 8 }),
    batchSize: fc.integer({ min: 0, max: 20 }),
    workerQueueSize: fc.integer({ min: 1, max: 4 }),
    keys: fc.integer({ min: 0, max: 4 }),
    continueOnError: fc.boolean(),
    recover: fc.boolean(),
    stateful: fc.boolean(),
    metrics: fc.boolean(),
    submitMode: fc.constantFrom("one" as const, "all" as const, "chunks" as const),
    chunk: fc.integer({ min: 1, max: 6 }),
    producers: producersArb({ failures: options.failures, shield: options.shield, maxItems: 30 }),
    workerComplete: fc.record({ worker: fc.nat(7), plan: callbackArb(options.failures) }),
    poolComplete: callbackArb(options.failures),
    interrupt: options.interrupt === "never"
      ? fc.constant(undefined)
      : options.interrupt === "always"
      ? interruptArb
      : fc.option(interruptArb, { nil: undefined })
  }).map((s) => ({
    ...s,
    producers: s.producers.map((items, p) =>
      items.map((raw, i): ItemSpec => ({
        id: p * 1000 + i,
        producer: p,
        key: s.keys === 0 ? `p${p}` : `p${p}k${raw.key % s.keys}`,
        kind: raw.kind,
        millis: raw.millis,
        delayed: raw.delayed
      }))
    )
  }))

// ---------------------------------------------------------------------------------------------
// one run
// ---------------------------------------------------------------------------------------------

interface Run {
  readonly log: ReadonlyArray<Event>
  /** accepted items per producer, in submission order */
  readonly accepted: ReadonlyArray<ReadonlyArray<ItemSpec>>
  /** reasons of rejected submits, per producer, in order */
  readonly rejected: ReadonlyArray<ReadonlyArray<string>>
  /** per producer: an item accepted after one was rejected */
  readonly acceptedAfterRejection: ReadonlyArray<ItemSpec>
  /** submitAll failures that rejected no item */
  readonly badRejections: ReadonlyArray<string>
  readonly closeExit: Exit.Exit<void, unknown>
  readonly waitExit: Exit.Exit<void, unknown>
  readonly stats: Stats.Stats
  readonly alive: ReadonlyArray<Fiber.RuntimeFiber<unknown, unknown>>
}

const sleepIf = (delayed: boolean, millis: number) => delayed ? Effect.sleep(millis) : Effect.void

/** `n` scheduler turns */
const yields = (n: number): Effect.Effect<void> => n <= 0 ? Effect.void : Effect.repeatN(Effect.yieldNow(), n - 1)

const runScenario = (s: Scenario): Effect.Effect<Run> =>
  Effect.gen(function*() {
    const log: Array<Event> = []
    const defect = (label: string) => new Defect(label)

    // the item's effect; `worker` is known synchronously only in stateful pools
    const runItem = (item: ItemSpec, knownWorker: number | undefined): Effect.Effect<void, Boom, Worker.WorkerId> => {
      if (item.kind === "throw") {
        log.push({ t: "start", item, worker: knownWorker })
        const error = defect(`item ${item.id}`)
        log.push({ t: "fail", item, error })
        throw error
      }
      return Effect.flatMap(Worker.WorkerId, (worker): Effect.Effect<void, Boom> => {
        log.push({ t: "start", item, worker })
        const ok = Effect.sync(() => {
          log.push({ t: "ok", item })
        })
        switch (item.kind) {
          case "ok":
            return ok
          case "yield":
            return Effect.zipRight(Effect.yieldNow(), ok)
          case "slow":
            return Effect.zipRight(Effect.sleep(item.millis), ok)
          case "shield":
            return Effect.uninterruptible(Effect.zipRight(Effect.sleep(item.millis), ok))
          case "fail":
            return Effect.zipRight(
              sleepIf(item.delayed, item.millis),
              Effect.suspend(() => {
                const error = new Boom({ item: item.id })
                log.push({ t: "fail", item, error })
                return Effect.fail(error)
              })
            )
          case "die":
            return Effect.zipRight(
              sleepIf(item.delayed, item.millis),
              Effect.suspend(() => {
                const error = defect(`item ${item.id}`)
                log.push({ t: "fail", item, error })
                return Effect.die(error)
              })
            )
          case "throw":
            return Effect.dieMessage("unreachable")
        }
      })
    }

    const callback = (
      plan: CallbackPlan,
      where: string,
      onStart: () => void,
      onDone: () => void,
      onFail: (error: unknown) => void
    ): Effect.Effect<void, CallbackFailed> =>
      Effect.suspend(() => {
        onStart()
        switch (plan) {
          case "ok":
            return Effect.sync(onDone)
          case "slow":
            return Effect.zipRight(Effect.sleep(7), Effect.sync(onDone))
          case "fail": {
            const error = new CallbackFailed({ where })
            onFail(error)
            return Effect.fail(error)
          }
          case "die": {
            const error = defect(where)
            onFail(error)
            return Effect.die(error)
          }
        }
      })

    const failingWorker = s.workerComplete.worker % s.workers
    const common = {
      workers: s.workers,
      batchSize: s.batchSize,
      workerQueueSize: s.workerQueueSize,
      continueOnError: s.continueOnError,
      metrics: s.metrics,
      name: "fiberpool-properties",
      ...(s.keys > 0 ? { keyBy: (item: ItemSpec) => item.key } : {}),
      ...(s.recover ? { middleware: [Middleware.recover()] } : {}),
      workerLayer: Layer.scoped(
        Conn,
        Effect.flatMap(Worker.WorkerId, (worker) =>
          Effect.acquireRelease(
            Effect.sync(() => {
              log.push({ t: "acquire", worker })
              return worker
            }),
            () => Effect.sync(() => log.push({ t: "release", worker }))
          ))
      ),
      onWorkerComplete: (worker: number) =>
        callback(
          worker === failingWorker ? s.workerComplete.plan : "ok",
          `onWorkerComplete ${worker}`,
          () => log.push({ t: "wc", worker }),
          () => log.push({ t: "wcDone", worker }),
          (error) => log.push({ t: "wcFail", worker, error })
        ),
      onPoolComplete: callback(
        s.poolComplete,
        "onPoolComplete",
        () => log.push({ t: "pc" }),
        () => log.push({ t: "pcDone" }),
        (error) => log.push({ t: "pcFail", error })
      )
    }
    const options = s.stateful
      ? {
        ...common,
        makeWorker: (id: number) =>
          Effect.as(
            Effect.addFinalizer(() => Effect.sync(() => log.push({ t: "unmake", worker: id }))),
            Worker.make((item: ItemSpec) => runItem(item, id))
          )
      }
      : { ...common, worker: (item: ItemSpec) => runItem(item, undefined) }

    const scope = yield* Scope.make()
    const supervisor = yield* Supervisor.track
    const make: Effect.Effect<FiberPool.FiberPool<ItemSpec, unknown>, never, Scope.Scope> = s.stateful
      ? FiberPool.makeStateful(options as any) as any
      : FiberPool.make(options as any) as any
    const pool = yield* make.pipe(Effect.supervised(supervisor), Scope.extend(scope))
    log.push({ t: "ready" })

    // -- producers ---------------------------------------------------------------------------------
    const accepted: Array<Array<ItemSpec>> = s.producers.map(() => [])
    const rejected: Array<Array<string>> = s.producers.map(() => [])
    const acceptedAfterRejection: Array<ItemSpec> = []
    const badRejections: Array<string> = []
    let acceptedTotal = 0
    let scopeClosed = false
    const closeScope = Effect.suspend(() => {
      if (scopeClosed) return Effect.void
      scopeClosed = true
      log.push({ t: "scopeClose" })
      return Scope.close(scope, Exit.void)
    })
    const onAccepted = (p: number, items: ReadonlyArray<ItemSpec>) =>
      Effect.suspend(() => {
        if (items.length > 0 && rejected[p]!.length > 0) { for (const item of items) acceptedAfterRejection.push(item) }
        for (const item of items) accepted[p]!.push(item)
        const before = acceptedTotal
        acceptedTotal += items.length
        const interrupt = s.interrupt
        return interrupt?.by === "producer" && before <= interrupt.afterSubmits &&
            acceptedTotal >= interrupt.afterSubmits
          ? closeScope
          : Effect.void
      })
    const submitChunk = (p: number, items: ReadonlyArray<ItemSpec>) =>
      Effect.matchEffect(pool.submitAll(items), {
        onFailure: (error) =>
          Effect.zipRight(
            onAccepted(p, items.slice(0, error.accepted ?? 0)),
            Effect.sync(() => {
              rejected[p]!.push(error.reason)
              // submitAll fails only at a rejected item: `accepted` < the number of items
              if (error.accepted === undefined || error.accepted >= items.length) {
                badRejections.push(
                  `submitAll of ${items.length} failed (${error.reason}) with accepted ${error.accepted}`
                )
              }
            })
          ),
        onSuccess: () => onAccepted(p, items)
      })
    const produce = (p: number, items: ReadonlyArray<ItemSpec>) =>
      Effect.gen(function*() {
        if (s.submitMode === "all") return yield* submitChunk(p, items)
        const size = s.submitMode === "one" ? 1 : s.chunk
        for (let i = 0; i < items.length; i += size) {
          const chunk = items.slice(i, i + size)
          if (size === 1) {
            yield* Effect.matchEffect(pool.submit(chunk[0]!), {
              onFailure: (error) => Effect.sync(() => rejected[p]!.push(error.reason)),
              onSuccess: () => onAccepted(p, chunk)
            })
          } else {
            yield* submitChunk(p, chunk)
          }
        }
      })
    const producers = yield* Effect.forEach(s.producers, (items, p) => Effect.fork(produce(p, items)))
    const closer = yield* Effect.fork(Effect.gen(function*() {
      yield* Fiber.joinAll(producers)
      log.push({ t: "close" })
      const exit = yield* Effect.exit(pool.close)
      log.push({ t: "closed" })
      return exit
    }))

    // closing the scope waits for uninterruptible items, which may sleep: fork it and keep driving
    const scopeCloser = s.interrupt?.by === "clock"
      ? yield* Effect.zipRight(TestClock.adjust(s.interrupt.atMillis), Effect.fork(closeScope))
      : undefined
    // drive the clock until `close` returns; a pool that never ends is a failure, not a hang
    for (let hours = 0; closer.unsafePoll() === null || scopeCloser?.unsafePoll() === null; hours++) {
      if (hours === 48) {
        return yield* Effect.dieMessage(
          `no progress: close did not return after ${hours} hours of TestClock time; events: ${
            log.map(showEvent).join(" ")
          }`
        )
      }
      yield* TestClock.adjust("1 hour")
    }
    const closeExit = yield* Fiber.join(closer)
    const waitExit = yield* Effect.exit(pool.wait)
    if (!scopeClosed) yield* Scope.close(scope, Exit.void)
    const stats = yield* pool.stats
    const alive = yield* supervisor.value
    return {
      log,
      accepted,
      rejected,
      acceptedAfterRejection,
      badRejections,
      closeExit,
      waitExit,
      stats,
      alive
    }
  }).pipe(Effect.withMaxOpsBeforeYield(1_000_000))

// ---------------------------------------------------------------------------------------------
// checks
// ---------------------------------------------------------------------------------------------

const showEvent = (e: Event): string => {
  switch (e.t) {
    case "start":
      return `start(${e.item.id}${e.worker === undefined ? "" : `@${e.worker}`})`
    case "ok":
    case "fail":
      return `${e.t}(${e.item.id})`
    case "acquire":
    case "release":
    case "unmake":
    case "wc":
    case "wcDone":
    case "wcFail":
      return `${e.t}(${e.worker})`
    default:
      return e.t
  }
}

/** A one-line description of an exit: `success`, `interrupt`, `fail:<what>`, `die:<what>`, or `complex:...`. */
const showExit = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const cause = exit.cause
  if (Cause.isInterruptedOnly(cause)) return "interrupt"
  if (cause._tag === "Fail") return `fail:${showError(cause.error)}`
  if (cause._tag === "Die") return `die:${showError(cause.defect)}`
  return `complex:${Cause.pretty(cause)}`
}

const showError = (error: unknown): string => {
  if (error instanceof Defect) return error.label
  if (error instanceof Boom) return `Boom ${error.item}`
  if (error instanceof CallbackFailed) return `CallbackFailed ${error.where}`
  if (error instanceof Middleware.WorkerDefect) {
    return `WorkerDefect(${showError(error.defect)}, item ${(error.item as ItemSpec).id})`
  }
  return `unexpected ${String(error)}`
}

/** What `close` must report for a failure event. */
const expectedFor = (s: Scenario, e: Event): string => {
  if (e.t === "fail") {
    if (e.item.kind === "fail") return `fail:${showError(e.error)}`
    return s.recover ? `fail:WorkerDefect(${showError(e.error)}, item ${e.item.id})` : `die:${showError(e.error)}`
  }
  if (e.t === "wcFail" || e.t === "pcFail") {
    return e.error instanceof Defect ? `die:${showError(e.error)}` : `fail:${showError(e.error)}`
  }
  throw new Error(`not a failure: ${e.t}`)
}

/** Does this event stop the pool (DESIGN: fail-fast failures, defects, callback failures in fail-fast mode)? */
const stops = (s: Scenario, e: Event): boolean => {
  if (e.t === "fail") return !s.continueOnError || (e.item.kind !== "fail" && !s.recover)
  if (e.t === "wcFail") return !s.continueOnError || e.error instanceof Defect
  return false
}

const ids = (items: Iterable<ItemSpec>) => Array.from(items, (i) => i.id)

const check = (s: Scenario, r: Run): void => {
  const { log, stats } = r
  const trace = () => `\nevents: ${log.map(showEvent).join(" ")}\nstats: ${JSON.stringify(stats)}`
  const at = (pred: (e: Event) => boolean) => log.findIndex(pred)
  const scopeIdx = at((e) => e.t === "scopeClose")
  const closedIdx = at((e) => e.t === "closed")
  const closeIdx = at((e) => e.t === "close")
  const stopIdx = at((e) => stops(s, e))
  const interruptedFirst = scopeIdx >= 0 && (closedIdx < 0 || scopeIdx < closedIdx)

  // -- accounting: counts and item sets ----------------------------------------------------------
  const accepted = r.accepted.flat()
  const acceptedIds = new Set(ids(accepted))
  strictEqual(acceptedIds.size, accepted.length, "an item was accepted twice")
  strictEqual(r.acceptedAfterRejection.length, 0, "a submit succeeded after an earlier one of the same producer failed")
  strictEqual(r.badRejections.join("; "), "", `submitAll failed without rejecting an item${trace()}`)
  strictEqual(stats.submitted, accepted.length, `submitted counts the accepted items${trace()}`)
  strictEqual(
    stats.submitted,
    stats.processed + stats.errors + stats.dropped,
    `submitted = processed + errors + dropped${trace()}`
  )
  const started = new Map<number, number>()
  const okIds = new Set<number>()
  const failIds = new Set<number>()
  for (const e of log) {
    if (e.t === "start") {
      assertTrue(acceptedIds.has(e.item.id), `item ${e.item.id} ran but was not accepted${trace()}`)
      assertTrue(!started.has(e.item.id), `item ${e.item.id} ran twice${trace()}`)
      started.set(e.item.id, log.indexOf(e))
    } else if (e.t === "ok" || e.t === "fail") {
      assertTrue(started.has(e.item.id), `item ${e.item.id} ended without starting${trace()}`)
      assertTrue(!okIds.has(e.item.id) && !failIds.has(e.item.id), `item ${e.item.id} ended twice${trace()}`)
      ;(e.t === "ok" ? okIds : failIds).add(e.item.id)
    }
  }
  strictEqual(stats.processed, okIds.size, `processed = the items that succeeded${trace()}`)
  strictEqual(stats.errors, failIds.size, `errors = the items that failed${trace()}`)
  strictEqual(
    stats.dropped,
    accepted.length - okIds.size - failIds.size,
    `dropped = the accepted items that did not complete${trace()}`
  )
  if (stopIdx < 0 && !interruptedFirst) {
    strictEqual(stats.dropped, 0, `nothing is dropped when the pool neither stopped nor was interrupted${trace()}`)
  }
  // nothing starts after a stop or after the scope closed
  const cutIdx = Math.min(...[stopIdx, scopeIdx].filter((i) => i >= 0), Number.POSITIVE_INFINITY)
  for (const [id, index] of started) {
    assertTrue(index < cutIdx, `item ${id} started after the pool stopped or its scope closed${trace()}`)
  }
  // rejected submits name the right reason
  for (const reasons of r.rejected) {
    for (const reason of reasons) {
      if (reason === "failed") assertTrue(stopIdx >= 0, `rejected as "failed" without a stop${trace()}`)
      else if (reason === "interrupted") {
        assertTrue(scopeIdx >= 0, `rejected as "interrupted" without interruption${trace()}`)
      } else assertTrue(false, `producers finish before close: unexpected rejection "${reason}"${trace()}`)
    }
  }

  // -- per-key order -------------------------------------------------------------------------------
  if (s.keys > 0) {
    const startedByKey = new Map<string, Array<ItemSpec>>()
    const workerByKey = new Map<string, number>()
    for (const e of log) {
      if (e.t !== "start") continue
      startedByKey.set(e.item.key, [...(startedByKey.get(e.item.key) ?? []), e.item])
      if (e.worker !== undefined) {
        const w = workerByKey.get(e.item.key)
        assertTrue(w === undefined || w === e.worker, `key ${e.item.key} ran on workers ${w} and ${e.worker}${trace()}`)
        workerByKey.set(e.item.key, e.worker)
      }
    }
    for (const [key, items] of startedByKey) {
      const submitted = accepted.filter((i) => i.key === key)
      strictEqual(
        ids(items).join(","),
        ids(submitted.slice(0, items.length)).join(","),
        `key ${key}: processing order is submission order${trace()}`
      )
    }
  } else if (s.workers === 1 && s.producers.length === 1) {
    const order = log.flatMap((e) => e.t === "start" ? [e.item.id] : [])
    strictEqual(
      order.join(","),
      ids(accepted.slice(0, order.length)).join(","),
      `one worker: submission order${trace()}`
    )
  }

  // -- outcome ---------------------------------------------------------------------------------------
  const failure = log.find((e) => e.t === "fail" || e.t === "wcFail" || e.t === "pcFail")
  const failureIdx = failure === undefined ? -1 : log.indexOf(failure)
  const outcome = showExit(r.closeExit)
  strictEqual(showExit(r.waitExit), outcome, "wait and close report the same outcome")
  if (failure !== undefined && (scopeIdx < 0 || failureIdx < scopeIdx)) {
    strictEqual(outcome, expectedFor(s, failure), `the first failure in time is the outcome${trace()}`)
  } else if (scopeIdx >= 0) {
    const pcDoneIdx = at((e) => e.t === "pcDone")
    assertTrue(
      outcome === "interrupt" || (outcome === "success" && pcDoneIdx >= 0 && pcDoneIdx < scopeIdx),
      `the scope closed first: interruption (got ${outcome})${trace()}`
    )
  } else {
    strictEqual(outcome, "success", `no failure, no interruption: success${trace()}`)
  }

  // -- lifecycle: worker layers, makeWorker, callbacks --------------------------------------------
  const readyIdx = at((e) => e.t === "ready")
  for (let w = 0; w < s.workers; w++) {
    const acquires = log.filter((e) => e.t === "acquire" && e.worker === w)
    const releases = log.filter((e) => e.t === "release" && e.worker === w)
    strictEqual(acquires.length, 1, `worker ${w}: layer acquired once${trace()}`)
    assertTrue(log.indexOf(acquires[0]!) < readyIdx, `worker ${w}: layer built before make returned${trace()}`)
    strictEqual(releases.length, 1, `worker ${w}: layer released exactly once${trace()}`)
    const releaseIdx = log.indexOf(releases[0]!)
    if (!interruptedFirst) {
      assertTrue(releaseIdx < closedIdx, `worker ${w}: layer released before close returned${trace()}`)
    }
    if (s.stateful) {
      const unmakes = log.filter((e) => e.t === "unmake" && e.worker === w)
      strictEqual(unmakes.length, 1, `worker ${w}: makeWorker's scope closed once${trace()}`)
      assertTrue(log.indexOf(unmakes[0]!) < releaseIdx, `worker ${w}: makeWorker's scope closes before the layer's`)
    }
    const wcs = log.filter((e) => e.t === "wc" && e.worker === w)
    assertTrue(wcs.length <= 1, `worker ${w}: onWorkerComplete ran more than once${trace()}`)
    if (wcs.length === 1) {
      const wcIdx = log.indexOf(wcs[0]!)
      assertTrue(closeIdx >= 0 && wcIdx > closeIdx, `worker ${w}: onWorkerComplete before end/close${trace()}`)
      assertTrue(wcIdx < cutIdx, `worker ${w}: onWorkerComplete after the pool stopped or its scope closed${trace()}`)
      assertTrue(wcIdx < releaseIdx, `worker ${w}: onWorkerComplete after its layer was released${trace()}`)
    } else {
      assertTrue(
        stopIdx >= 0 || interruptedFirst,
        `worker ${w}: onWorkerComplete did not run although the pool neither stopped nor was interrupted${trace()}`
      )
    }
  }
  const pcs = log.filter((e) => e.t === "pc")
  assertTrue(pcs.length <= 1, `onPoolComplete ran more than once${trace()}`)
  if (pcs.length === 1) {
    const pcIdx = log.indexOf(pcs[0]!)
    assertTrue(scopeIdx < 0 || pcIdx < scopeIdx, `onPoolComplete ran after the scope closed${trace()}`)
    const lastWorkerEvent = Math.max(
      ...log.flatMap((e, i) => e.t === "release" || e.t === "wcDone" || e.t === "wcFail" || e.t === "start" ? [i] : [])
    )
    assertTrue(pcIdx > lastWorkerEvent, `onPoolComplete ran before every worker ended${trace()}`)
    if (!interruptedFirst && s.poolComplete !== "fail" && s.poolComplete !== "die") {
      const pcDoneIdx = at((e) => e.t === "pcDone")
      assertTrue(pcDoneIdx >= 0 && pcDoneIdx < closedIdx, `close returned before onPoolComplete finished${trace()}`)
    }
  } else {
    assertTrue(interruptedFirst, `onPoolComplete did not run although the scope did not close first${trace()}`)
  }

  // -- no fiber outlives the pool's scope -----------------------------------------------------------
  strictEqual(r.alive.length, 0, `fibers alive after the pool's scope closed: ${r.alive.map((f) => f.id().id)}`)
}

const property = (s: Scenario) => Effect.map(runScenario(s), (r) => check(s, r))

// ---------------------------------------------------------------------------------------------
// properties
// ---------------------------------------------------------------------------------------------

describe("FiberPool properties", () => {
  it.effect.prop(
    "close at the end: accounting, per-key order, outcome, lifecycle, no leaked fibers",
    { scenario: scenarioArb({ failures: true, shield: false, interrupt: "never" }) },
    ({ scenario }) => property(scenario),
    timeout
  )

  it.effect.prop(
    "interrupted at a random point (clock time or after n accepted items): the same invariants",
    { scenario: scenarioArb({ failures: true, shield: false, interrupt: "always" }) },
    ({ scenario }) => property(scenario),
    timeout
  )

  it.effect.prop(
    "no failures: every accepted item is processed exactly once, in key order, and close succeeds",
    { scenario: scenarioArb({ failures: false, shield: false, interrupt: "never" }) },
    ({ scenario }) =>
      Effect.map(runScenario(scenario), (r) => {
        check(scenario, r)
        strictEqual(r.stats.processed, scenario.producers.flat().length)
        strictEqual(showExit(r.closeExit), "success")
      }),
    timeout
  )

  it.effect.prop(
    "uninterruptible items run to completion and count as processed, also when the pool stops or is interrupted",
    { scenario: scenarioArb({ failures: true, shield: true, interrupt: "sometimes" }) },
    ({ scenario }) => property(scenario),
    timeout
  )

  it.effect.prop(
    "producers racing close: each submit is accepted and processed, or rejected as closed; never both, never lost",
    {
      workers: fc.integer({ min: 1, max: 8 }),
      batchSize: fc.integer({ min: 0, max: 20 }),
      workerQueueSize: fc.integer({ min: 1, max: 4 }),
      keys: fc.integer({ min: 0, max: 4 }),
      producers: fc.array(
        fc.record({
          chunk: fc.integer({ min: 1, max: 5 }),
          items: fc.array(
            fc.record({ yields: fc.integer({ min: 0, max: 2 }), work: fc.integer({ min: 0, max: 2 }) }),
            { maxLength: 20 }
          )
        }),
        { minLength: 1, maxLength: 6 }
      ),
      closeAfterYields: fc.integer({ min: 0, max: 40 })
    },
    (c) =>
      Effect.gen(function*() {
        const processed: Array<number> = []
        const startedByKey = new Map<string, Array<number>>()
        const pool = yield* FiberPool.make({
          workers: c.workers,
          batchSize: c.batchSize,
          workerQueueSize: c.workerQueueSize,
          metrics: false,
          ...(c.keys > 0 ? { keyBy: (item: { key: string }) => item.key } : {}),
          worker: (item: { id: number; key: string; work: number }) =>
            Effect.zipRight(
              Effect.sync(() => startedByKey.set(item.key, [...(startedByKey.get(item.key) ?? []), item.id])),
              Effect.zipRight(yields(item.work), Effect.sync(() => processed.push(item.id)))
            )
        })
        type Item = { id: number; key: string; work: number }
        const outcomes = c.producers.map(() => [] as Array<Item & { result: string }>)
        const badRejections: Array<string> = []
        // a producer submits its items one by one (chunk 1) or in submitAll chunks
        const producers = yield* Effect.forEach(c.producers, (producer, p) => {
          const items: Array<Item> = producer.items.map((spec, i) => ({
            id: p * 1000 + i,
            key: `p${p}k${c.keys === 0 ? 0 : i % c.keys}`,
            work: spec.work
          }))
          const chunks = Array.from(
            { length: Math.ceil(items.length / producer.chunk) },
            (_, k) => items.slice(k * producer.chunk, (k + 1) * producer.chunk)
          )
          return Effect.fork(Effect.forEach(chunks, (chunk) =>
            Effect.zipRight(
              yields(producer.items[chunk[0]!.id - p * 1000]!.yields),
              Effect.matchEffect(chunk.length === 1 ? pool.submit(chunk[0]!) : pool.submitAll(chunk), {
                onFailure: (e) =>
                  Effect.sync(() => {
                    const accepted = chunk.length === 1 ? 0 : e.accepted ?? -1
                    if (accepted < 0 || accepted >= chunk.length) {
                      badRejections.push(
                        `submitAll of ${chunk.length} failed (${e.reason}) with accepted ${e.accepted}`
                      )
                    }
                    chunk.forEach((item, k) =>
                      outcomes[p]!.push({ ...item, result: k < accepted ? "accepted" : e.reason })
                    )
                  }),
                onSuccess: () =>
                  Effect.sync(() => chunk.forEach((item) => outcomes[p]!.push({ ...item, result: "accepted" })))
              })
            ), { discard: true }))
        })
        const closer = yield* Effect.fork(Effect.zipRight(yields(c.closeAfterYields), Effect.exit(pool.close)))
        for (let hours = 0; closer.unsafePoll() === null || producers.some((f) => f.unsafePoll() === null); hours++) {
          if (hours === 48) return yield* Effect.dieMessage("no progress after 48 hours of TestClock time")
          yield* TestClock.adjust("1 hour")
        }
        strictEqual(showExit(yield* Fiber.join(closer)), "success")
        strictEqual(badRejections.join("; "), "", "submitAll failed without rejecting an item")
        const stats = yield* pool.stats
        const accepted = outcomes.flat().filter((o) => o.result === "accepted")
        for (const o of outcomes.flat()) {
          assertTrue(o.result === "accepted" || o.result === "closed", `unexpected rejection ${o.result}`)
        }
        for (const list of outcomes) {
          const firstRejected = list.findIndex((o) => o.result !== "accepted")
          assertTrue(
            firstRejected < 0 || list.slice(firstRejected).every((o) => o.result !== "accepted"),
            "a submit succeeded after close had rejected an earlier one"
          )
        }
        strictEqual(stats.submitted, accepted.length)
        strictEqual(stats.processed, accepted.length)
        strictEqual(stats.dropped + stats.errors, 0)
        strictEqual(
          [...processed].sort((a, b) => a - b).join(","),
          ids(accepted as any).sort((a, b) => a - b).join(","),
          "the processed items are exactly the accepted ones"
        )
        if (c.keys > 0) {
          for (const [key, order] of startedByKey) {
            strictEqual(order.join(","), accepted.filter((o) => o.key === key).map((o) => o.id).join(","), `key ${key}`)
          }
        }
      }).pipe(Effect.withMaxOpsBeforeYield(1_000_000), Effect.scoped),
    timeout
  )

  it.effect.prop(
    "interrupting producers suspended on back-pressure: an item is counted and processed, or neither",
    {
      workers: fc.integer({ min: 1, max: 4 }),
      batchSize: fc.integer({ min: 0, max: 4 }),
      workerQueueSize: fc.integer({ min: 1, max: 2 }),
      keyed: fc.boolean(),
      producers: fc.array(
        fc.record({
          items: fc.integer({ min: 1, max: 15 }),
          all: fc.boolean(),
          interruptAt: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined })
        }),
        { minLength: 1, maxLength: 5 }
      ),
      work: fc.integer({ min: 0, max: 3 })
    },
    (c) =>
      Effect.gen(function*() {
        const processed: Array<number> = []
        const pool = yield* FiberPool.make({
          workers: c.workers,
          batchSize: c.batchSize,
          workerQueueSize: c.workerQueueSize,
          metrics: false,
          ...(c.keyed ? { keyBy: (n: number) => `k${Math.floor(n / 1000)}` } : {}),
          worker: (n: number) => Effect.zipRight(yields(c.work), Effect.sync(() => processed.push(n)))
        })
        const returned = c.producers.map(() => [] as Array<number>)
        const fibers = yield* Effect.forEach(c.producers, (p, index) => {
          const items = Array.from({ length: p.items }, (_, i) => index * 1000 + i)
          return Effect.fork(
            p.all
              ? Effect.zipRight(
                pool.submitAll(items),
                Effect.sync(() => {
                  for (const n of items) returned[index]!.push(n)
                })
              )
              : Effect.forEach(items, (n) =>
                Effect.zipRight(pool.submit(n), Effect.sync(() => returned[index]!.push(n))), {
                discard: true
              })
          )
        })
        // interrupt producers after their number of scheduler turns, in order
        const schedule = c.producers
          .map((p, index) => ({ at: p.interruptAt, index }))
          .filter((x): x is { at: number; index: number } =>
            x.at !== undefined
          )
          .sort((a, b) => a.at - b.at)
        let turns = 0
        for (const { at, index } of schedule) {
          yield* yields(at - turns)
          turns = at
          yield* Fiber.interrupt(fibers[index]!)
        }
        for (let hours = 0; fibers.some((f) => f.unsafePoll() === null); hours++) {
          if (hours === 48) return yield* Effect.dieMessage("producers never finished")
          yield* TestClock.adjust("1 hour")
        }
        const closing = yield* Effect.fork(pool.close)
        for (let hours = 0; closing.unsafePoll() === null; hours++) {
          if (hours === 48) return yield* Effect.dieMessage("close never returned")
          yield* TestClock.adjust("1 hour")
        }
        yield* Fiber.join(closing)
        const stats = yield* pool.stats
        strictEqual(stats.dropped + stats.errors, 0)
        strictEqual(stats.processed, processed.length)
        strictEqual(stats.submitted, processed.length, "every counted item was processed, and only those")
        strictEqual(new Set(processed).size, processed.length, "no item processed twice")
        const processedSet = new Set(processed)
        c.producers.forEach((p, index) => {
          // every submit that returned was processed
          for (const n of returned[index]!) {
            assertTrue(processedSet.has(n), `item ${n} returned from submit but was lost`)
          }
          // what a producer got in is a prefix of its items (one producer, one key: in order)
          const mine = processed.filter((n) => Math.floor(n / 1000) === index).sort((a, b) => a - b)
          strictEqual(mine.join(","), mine.map((_, i) => index * 1000 + i).join(","), `producer ${index}: a prefix`)
          if (p.interruptAt === undefined) strictEqual(mine.length, p.items, `producer ${index}: not interrupted`)
          if (c.keyed) {
            const order = processed.filter((n) => Math.floor(n / 1000) === index)
            strictEqual(order.join(","), mine.join(","), `producer ${index}: key order`)
          }
        })
      }).pipe(Effect.withMaxOpsBeforeYield(1_000_000), Effect.scoped),
    timeout
  )
})
