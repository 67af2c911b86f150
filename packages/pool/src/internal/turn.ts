import * as Effect from "effect/Effect"

/**
 * Fairness to the event loop.
 *
 * Effect runs a resumed fiber on a microtask, and only falls back to a timer after a fiber has kept
 * its own scheduler busy for 2048 rounds in a row. Pool workers hand work to each other through
 * suspend/resume, which resets that count, so a busy pool would keep the microtask queue full
 * forever: no timer, I/O callback or signal handler would ever run. Every `BUSY_MILLIS` of real
 * time, the pool's fibers therefore park until the next macrotask turn (`nextTurn`), shared
 * by all pools of the process. `performance.now()` and `setImmediate` are the real ones on purpose:
 * this is about the real event loop. Pools running under a `TestClock` do not yield (the test drives
 * time, and a real-time yield would make the order of fibers depend on the machine's speed).
 *
 * @internal
 */
const BUSY_MILLIS = 10

/**
 * The next macrotask turn: `setImmediate`, or a timer of `BUSY_MILLIS` if that comes first. Effect's
 * own scheduler falls back to a `setTimeout(0)` after 2048 rounds of microtasks, and Node runs a
 * timer set while its timers phase runs in that same phase once it is due: fibers that keep
 * Effect's scheduler busy (producers retrying a refused `trySubmit` with `Effect.yieldNow()`) keep
 * the event loop in that phase, and a `setImmediate` alone never came (10 such fibers: the pool ran
 * ~200 items a second, measured, where a `Queue` with consumer fibers ran ~15,000). The timer is
 * cleared when the `setImmediate` comes first, as it does whenever the loop gets past its timers: a
 * timer of 0 there also fired before it, and let the pool take two turns per turn of the loop.
 */
const nextTurn: (f: () => void) => void = typeof setImmediate === "function"
  ? (f) => {
    let done = false
    const run = (): void => {
      if (done) return
      done = true
      clearImmediate(immediate)
      clearTimeout(timer)
      f()
    }
    const immediate = setImmediate(run)
    const timer = setTimeout(run, BUSY_MILLIS)
  }
  : (f) => void setTimeout(f, 0)

/**
 * `performance` is a lazy accessor of Node's global object: read once, not through a getter call per
 * reading (as the pool's own clock does).
 */
const perf = performance
let lastTurn = perf.now()
/**
 * The time since the last turn, also when the clock went back: a mocked `performance.now()`
 * restored behind the reading of a turn (a test's) must not stop the pools from parking until the
 * real clock catches up. The real clock never goes back; this costs a `Math.abs` per check.
 */
const sinceTurn = (): number => Math.abs(perf.now() - lastTurn)
/** The fibers waiting for the next turn; `undefined` while none is scheduled. */
let parked: Array<() => void> | undefined
/**
 * Fibers a turn woke that found it over (`parkAgain`): woken first at the next turn, ahead of
 * `parked`. The worker that took at a turn runs its batch before the others it woke resume, so it
 * parks first: in line behind it, they would find every turn over and never take while its queue
 * lasted (another pool's worker, or a worker of the same pool).
 */
let skipped: Array<() => void> = []
/** Set by a turn, cleared by the first take after it (`takeAfterTurn`). */
let fresh = false

/**
 * At most this many parked fibers are woken per turn; the rest wait for the next turn, scheduled at
 * once. A woken fiber that finds the turn over parks again (`takeAfterTurn`): waking all of some
 * 20,000 parked workers at every turn, to let a few of them take, made a pool of 24,000 workers run
 * 50,000 items of 10 µs in 77 s instead of 7 (measured; with this bound, 6–8 s).
 */
const WAKE_MAX = 64

const turn = (): void => {
  let waiting = parked!
  if (skipped.length > 0) {
    waiting = skipped.concat(waiting)
    skipped = []
  }
  if (waiting.length > WAKE_MAX) {
    parked = waiting.splice(WAKE_MAX)
    nextTurn(turn)
  } else {
    parked = undefined
  }
  for (const wake of waiting) wake()
  // the woken fibers run after this: their turn starts now, however long waking thousands took
  lastTurn = perf.now()
  fresh = true
  // the next turn after this one comes once the woken fibers let it: while they run, and while
  // they then wait for input, an idle take needs to see it (`yieldToEventLoop`)
  watchNextTurn()
}

const awaitTurn: Effect.Effect<void> = Effect.async<void>((resume) => {
  if (parked === undefined) return resume(Effect.void)
  const wake = () => resume(Effect.void)
  parked.push(wake)
  return Effect.sync(() => withdraw(parked, wake))
})

const withdraw = (line: Array<() => void> | undefined, wake: () => void): void => {
  const index = line === undefined ? -1 : line.indexOf(wake)
  if (index >= 0) line!.splice(index, 1)
}

/** Schedules the next turn, unless one is: `parked` is defined exactly while one is. */
const scheduleTurn = (): void => {
  if (parked !== undefined) return
  parked = []
  nextTurn(turn)
}

/**
 * The park of a fiber woken by a turn that found it over (`takeAfterTurn` said no): it waits for the
 * next turn first in line, where it was, not behind the fibers that took meanwhile.
 *
 * @internal
 */
export const parkAgain: Effect.Effect<void> = Effect.async<void>((resume) => {
  scheduleTurn()
  const wake = () => resume(Effect.void)
  skipped.push(wake)
  return Effect.sync(() => {
    withdraw(skipped, wake)
    withdraw(parked, wake)
  })
})

/**
 * How many turns of the event loop the pools saw: a `setImmediate` (`watchNextTurn`), scheduled as a
 * worker begins to wait for input and at each turn of the pools, one at a time, counts one when it
 * runs. A count, not a clock reading: a mocked `performance.now()` cannot move it.
 */
let turnsSeen = 0
/** `turnsSeen` at the last idle take (`yieldToEventLoop`): one per turn seen. */
let idleTakeSeen = -1
let watching = false
const seeTurn = (): void => {
  watching = false
  turnsSeen++
}
const onImmediate: (f: () => void) => void = typeof setImmediate === "function"
  ? (f) => void setImmediate(f)
  : (f) => void setTimeout(f, 0)
/**
 * Watches for the event loop's next turn, unless a watch is pending, and returns the count of turns
 * seen so far: a worker calls it as it begins to wait for input, and `turnSeenSince` of that count
 * at its wake says whether the loop was seen to turn during the wait. While fibers hold the loop, one
 * watch waits for its turn, and the waits that begin meanwhile cost a check of a flag.
 *
 * @internal
 */
export const watchNextTurn = (): number => {
  if (!watching) {
    watching = true
    onImmediate(seeTurn)
  }
  return turnsSeen
}

/**
 * Whether the event loop was seen to turn since `watchNextTurn` returned `count`.
 *
 * @internal
 */
export const turnSeenSince = (count: number): boolean => turnsSeen !== count

/**
 * `undefined` while the event loop had a turn recently, or for a worker that was idle for a turn's
 * interval before this while the loop was seen to turn (`idle`: how long it waited for input, in
 * milliseconds of its pool's clock; 0 if it was not waiting, or if the loop was not seen to turn
 * during its wait: `turnSeenSince`); otherwise an effect that waits for the next turn.
 *
 * A worker that waited that long for input, while the event loop had its turns, was not what kept
 * the loop from them: its take need not park. Without this, the first item after a pause in traffic
 * waited for a turn of the loop (`bench/idle-latency.ts`, 10 runs alternated: an `execute` every 20
 * ms, p50 median 153 µs and p90 median 214 µs, against 112 and 164 µs with this).
 *
 * Its wait alone does not show that the loop had them: fibers may have held it all along, the
 * pools' own among them. Each guard below has a test, after a review found the event loop starved
 * without it:
 *
 * - the loop was seen to turn during the wait (`turnSeenSince`, checked by the caller, which reads
 *   its clock for `idle` only then): a caller that runs 12 ms of CPU between its `execute`s
 *   otherwise got a turn every ~22 ms;
 * - at most one such take per turn seen (`turnsSeen`, a count): one caller awaiting 12 ms items in
 *   a row on 8 idle workers otherwise got 8 items, one per worker, before the next turn. So between
 *   two turns of the loop, at most one batch runs unchecked this way;
 * - no turn of the pools came during the wait (`sinceTurn() >= idle`): such a turn means the pools
 *   kept the loop busy, and the worker takes on the same terms as their busy workers (two pools
 *   handing each other 11 ms items otherwise ran 60 of them without a turn);
 * - none while a turn is awaited (other workers parked for it): with the one per turn seen, a
 *   flood that wakes many idle workers lets one of them take at once, and the others yield as
 *   before.
 *
 * The turn's own clock (`lastTurn`) is left as it is: the workers that were busy, of this pool or
 * another, still yield on time.
 *
 * @internal
 */
export const yieldToEventLoop = (idle: number): Effect.Effect<void> | undefined => {
  if (parked !== undefined) return awaitTurn
  if (idle >= BUSY_MILLIS && turnsSeen !== idleTakeSeen && sinceTurn() >= idle) {
    idleTakeSeen = turnsSeen
    watchNextTurn()
    return undefined
  }
  if (sinceTurn() < BUSY_MILLIS) return undefined
  scheduleTurn()
  return awaitTurn
}

/**
 * Whether a worker woken by a turn may take a batch now. The first such take after each turn always
 * may (however long waking thousands of parked workers took, one batch goes on per turn); the others
 * only within `BUSY_MILLIS` of the turn, otherwise they park again. Without the check, every worker
 * parked at a turn took a batch before the event loop had its next one: with slow items, the loop
 * waited for workers × one batch (8 workers, batches of ten 1 ms items: 80 ms per turn).
 *
 * @internal
 */
export const takeAfterTurn = (): boolean => {
  if (fresh) {
    fresh = false
    return true
  }
  return sinceTurn() < BUSY_MILLIS
}
