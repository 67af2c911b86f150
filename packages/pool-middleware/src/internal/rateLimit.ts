import { Worker } from "@fiberpool/pool"
import type * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { RateLimitOptions } from "../Middleware.js"
import * as Options from "./options.js"

// times are compared with a tolerance (`Bucket.epsilon`): a thousandth of the interval, at most a
// microsecond. Float rounding of `1000 / rate`, summed over many tokens, never leaves a waiter
// sleeping for a fraction of a millisecond that a TestClock would not reach, or waking a whole
// millisecond late
const EPSILON_MILLIS = 1e-3
// the bucket's times are kept below this (a float's step there is 1.2e-10 ms)
const REBASE_MILLIS = 1e6

const liveClockPrototype = Object.getPrototypeOf(Clock.make())

/**
 * Whether `clock` is a `TestClock`, by its interface (as the pool recognises one): the methods
 * `adjust`, `adjustWith` and `setTime`, and the effects `save` and `sleeps`.
 */
const isTestClock = (clock: Clock.Clock): boolean => {
  const c = clock as Partial<Record<"adjust" | "adjustWith" | "setTime" | "save" | "sleeps", unknown>>
  return typeof c.adjust === "function" && typeof c.adjustWith === "function" && typeof c.setTime === "function" &&
    Effect.isEffect(c.save) && Effect.isEffect(c.sleeps)
}

/**
 * How the bucket reads `clock`, in milliseconds (any origin), with the finest resolution it has.
 * Not `unsafeCurrentTimeMillis()` of Effect's live clock: that is `Date.now()`, which moves once per
 * millisecond, and within one millisecond a bucket sees no token come back, so at most `burst`
 * tokens went out per millisecond whatever the rate (`{ rate: 1e9, burst: 1000 }` held items back at
 * 3 million per second). For Effect's live clock, `performance.now()`: monotonic as its nanosecond
 * reading (`process.hrtime.bigint()`), without a BigInt per reading (and, unlike `Date.now()`, never stepped by a
 * change of the wall clock). A `TestClock` through its milliseconds, which the test sets: its
 * nanoseconds are `⌊millis · 10^6⌋` in floating point, inexact past 2^53 ns (104 days from the
 * epoch, where `TestClock.setTime(Date.now())` puts it), and they throw for a time set to NaN. Any
 * other clock (a wrapper of the live clock, the live clock of another copy of effect) through its
 * nanoseconds: to 256 ns at the epoch's 1.8e18 ns.
 */
const readerOf = (clock: Clock.Clock): () => number => {
  if (Object.getPrototypeOf(clock) === liveClockPrototype && typeof performance === "object") {
    // `performance` is a lazy accessor of Node's global object: read once, not through a getter call
    // per reading (its `now` still is, so that a replaced `performance.now` is followed)
    const perf = performance
    return () => perf.now()
  }
  if (isTestClock(clock)) return () => clock.unsafeCurrentTimeMillis()
  return () => Number(clock.unsafeCurrentTimeNanos()) / 1_000_000
}

interface Waiter {
  /** moved with the bucket's origin (`now`) */
  arrival: number
  prev: Waiter | undefined
  next: Waiter | undefined
  linked: boolean
  resume: ((effect: Effect.Effect<void>) => void) | undefined
}

/**
 * A token bucket with a FIFO of waiters, in the GCRA form: `tat` is the theoretical arrival time of
 * the next token when the bucket is drained at `rate`; a token is available at `now` when
 * `now >= tat - tolerance`, where `tolerance = (burst - 1) · interval`. No state but `tat`, so a
 * long idle period refills the bucket for free.
 *
 * Only the waiter at the head of the queue sleeps (until its token is due); the others wait for
 * their turn without timers. A release therefore costs O(1) whatever the number of waiters.
 *
 * A waiter is accounted at its arrival time (`tat = max(tat, arrival) + interval`), as Go's
 * `rate.Limiter` reservations are: the logical start times obey the bucket exactly, and a head that
 * wakes late (timers have about 1 ms resolution) lets the waiters whose tokens are already due go
 * at once, so the average rate holds even above 1000 per second. Waking late never earns more than
 * what was due.
 *
 * @internal
 */
export class Bucket {
  /**
   * `tat`, kept as `anchor + count · interval` (one product, not a running sum: summed over
   * millions of tokens, float error would move the starts of a queue that never empties)
   */
  private tat: number | undefined = undefined
  private anchor = 0
  private count = 0
  /** the clock's reading at the bucket's first use: the bucket's times count from it */
  private origin: number | undefined = undefined
  /** added to readings after the clock went back, so that the bucket's time never does */
  private skew = 0
  private last = 0
  private head: Waiter | undefined = undefined
  private tail: Waiter | undefined = undefined
  /** the clock last read, and how it is read (see `readerOf`) */
  private clock: Clock.Clock | undefined = undefined
  private read: () => number = () => 0
  private readonly interval: number
  private readonly tolerance: number
  private readonly epsilon: number

  constructor(rate: number, burst: number) {
    this.interval = 1000 / rate
    this.tolerance = (burst - 1) * this.interval
    this.epsilon = Math.min(EPSILON_MILLIS, this.interval / 1000)
  }

  /**
   * The bucket's time, in milliseconds from an origin: its first reading, moved up to the current
   * reading whenever the time has grown past `REBASE_MILLIS` (a clock moved far ahead, a process up
   * for days), all of the bucket's times (`tat`, the waiters' arrivals) by the same amount. Small numbers: at
   * the epoch's 1.8e12 ms a float's step is 2.4e-4 ms, so adding `1000 / rate` to such a time
   * drifted (a rate of 1e6 let 2.4% more through) or vanished (1e7: no limit at all). And it never
   * goes back: after the clock is set back (`TestClock.setTime`, a wall clock stepped back) it goes
   * on from its last reading, where the bucket's times would otherwise hold every newcomer until
   * the clock caught up.
   */
  private now(clock: Clock.Clock): number {
    if (clock !== this.clock) {
      this.clock = clock
      this.read = readerOf(clock)
    }
    const reading = this.read()
    // a reading that is not a finite number (a clock set to an invalid date) counts as no time
    // passed: NaN or Infinity kept in the bucket's times would break it for good
    if (!Number.isFinite(reading)) return this.last
    if (this.origin === undefined) this.origin = reading
    let t = reading - this.origin + this.skew
    if (t < this.last) {
      this.skew += this.last - t
      t = this.last
    }
    if (t > REBASE_MILLIS) {
      // rare (once per REBASE_MILLIS, or a jump), so the waiters are walked: after a jump, the ones
      // that arrived before it are due, and their arrivals may lose precision; a newcomer's does not
      if (this.tat !== undefined) {
        this.tat -= t
        this.anchor = this.tat
        this.count = 0
      }
      for (let node = this.head; node !== undefined; node = node.next) node.arrival -= t
      this.origin = reading
      this.skew = 0
      t = 0
    }
    this.last = t
    return t
  }

  /** milliseconds until a token is available at `now`; <= 0 when one is available now */
  private waitAt(now: number): number {
    return this.tat === undefined ? 0 : this.tat - this.tolerance - now
  }

  /** takes a token for a request that arrived at `arrival` */
  private take(arrival: number): void {
    if (this.tat === undefined || this.tat < arrival) {
      this.anchor = arrival
      this.count = 0
    }
    this.count++
    this.tat = this.anchor + this.count * this.interval
  }

  private enqueue(arrival: number): Waiter {
    const node: Waiter = { arrival, prev: this.tail, next: undefined, linked: true, resume: undefined }
    if (this.tail === undefined) {
      this.head = node
    } else {
      this.tail.next = node
    }
    this.tail = node
    return node
  }

  /** removes a waiter, wherever it is; when it was the head, the next waiter takes its turn */
  private leave(node: Waiter): void {
    if (!node.linked) {
      return
    }
    node.linked = false
    node.resume = undefined
    const wasHead = this.head === node
    if (node.prev === undefined) {
      this.head = node.next
    } else {
      node.prev.next = node.next
    }
    if (node.next === undefined) {
      this.tail = node.prev
    } else {
      node.next.prev = node.prev
    }
    node.prev = undefined
    node.next = undefined
    if (wasHead && this.head !== undefined) {
      const resume = this.head.resume
      if (resume !== undefined) {
        this.head.resume = undefined
        resume(Effect.void)
      }
    }
  }

  /** suspends until `node` is at the head of the queue */
  private turn(node: Waiter): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      if (this.head === node) {
        resume(Effect.void)
        return
      }
      node.resume = resume
      return Effect.sync(() => {
        node.resume = undefined
      })
    })
  }

  /** the head waiter sleeps until its token is due, then takes it and hands the turn on */
  private headLoop(node: Waiter, clock: Clock.Clock): Effect.Effect<void> {
    return Effect.suspend(() => {
      const now = this.now(clock)
      const wait = this.waitAt(now)
      if (wait <= this.epsilon) {
        this.take(node.arrival)
        this.leave(node)
        return Effect.void
      }
      // whole milliseconds: timers have no finer resolution, and a TestClock woken at a fractional
      // time (1000 / 3 ms) makes Effect's `Clock.currentTimeNanos` (`Effect.timed`) throw. Waking at
      // most 1 ms late costs no rate: waiters are accounted at their arrival. Less the tolerance, so
      // that float rounding (30 intervals of 1000 / 30 ms make 1000.0000000000001) adds no millisecond.
      // At most the live clock's longest timer (a longer one is never scheduled): the head loops
      const sleep = Math.min(Math.ceil(wait - this.epsilon), Options.MAX_TIMER_MILLIS)
      return Effect.zipRight(clock.sleep(Duration.millis(sleep)), this.headLoop(node, clock))
    })
  }

  /**
   * Takes a token if one is available now and nobody waits: the common case, synchronous, with no
   * effect to run. Otherwise false, and the caller waits (`acquire`).
   */
  tryTake(clock: Clock.Clock): boolean {
    if (this.head !== undefined) return false
    const now = this.now(clock)
    if (this.waitAt(now) > this.epsilon) return false
    this.take(now)
    return true
  }

  /**
   * Waits (first come, first served) for a token and takes it; never fails. Reads the clock again,
   * inside the mask: the fiber may have yielded since `tryTake` (another item may have taken the
   * token, or moved the bucket's times to a new origin, where an older reading means nothing)
   */
  acquire(clock: Clock.Clock): Effect.Effect<void> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.suspend(() => {
        const now = this.now(clock)
        if (this.head === undefined && this.waitAt(now) <= this.epsilon) {
          this.take(now)
          return Effect.void
        }
        const node = this.enqueue(now)
        // a waiter that ends without its token (interrupted, or its clock or sleep died) leaves the
        // queue: its place (and, if it was the head, its turn) goes to the next one. Leaving twice
        // is harmless: one that took its token has left already
        return Effect.ensuring(
          restore(Effect.zipRight(this.turn(node), this.headLoop(node, clock))),
          Effect.sync(() => this.leave(node))
        )
      })
    )
  }
}

const parse = (options: RateLimitOptions): Either.Either<Bucket, Cause.IllegalArgumentException> =>
  Either.gen(function*() {
    const where = "Middleware.rateLimit"
    if (typeof options !== "object" || options === null) {
      return yield* Either.left(Options.invalid(where, "options", "an object { rate, burst? }", options))
    }
    const rate = yield* Options.number(
      where,
      "rate",
      options.rate,
      "a finite number > 0 (tokens per second) whose interval, 1000 / rate milliseconds, is finite",
      (n) => Number.isFinite(n) && n > 0 && Number.isFinite(1000 / n)
    )
    const burst = yield* Options.number(
      where,
      "burst",
      options.burst ?? 1,
      "an integer from 1 to 2^53 - 1 (the bucket's capacity)",
      (n) => Number.isSafeInteger(n) && n >= 1
    )
    if (!Number.isFinite((burst - 1) * (1000 / rate))) {
      // the bucket's tolerance would be infinite: no limit at all
      return yield* Either.left(
        Options.invalid(
          where,
          "burst",
          `an integer >= 1 whose (burst - 1) / rate seconds is finite (rate ${rate})`,
          burst
        )
      )
    }
    return new Bucket(rate, burst)
  })

/** @internal */
export const rateLimit =
  (options: RateLimitOptions): Worker.Middleware =>
  <A1, E1, R1, B1>(next: Worker.Worker<A1, E1, R1, B1>): Worker.Worker<A1, E1, R1, B1> => {
    // the bucket is created here, when the middleware is applied to a worker: a pool applies its
    // middleware once, so all workers of one pool share a bucket and two pools never do
    // reading the options runs user code (a getter, a Proxy's trap): a throw there makes every item
    // die with it, as invalid options do, instead of a throw where the middleware is applied
    let bucket: Either.Either<Bucket, Cause.IllegalArgumentException>
    try {
      bucket = parse(options)
    } catch (defect) {
      return Options.dies(defect)(next)
    }
    if (Either.isLeft(bucket)) return Options.dies(bucket.left)(next)
    const limiter = bucket.right
    // one effect for an item that finds a token and nobody waiting: the clock is taken from the
    // fiber as `Effect.clockWith` does, the token taken at once (nothing can interrupt a synchronous
    // check), and the worker's effect returned as it is. Only an item without a token goes through
    // the waiting path (a mask, an `ensuring`, the queue), which every item went through before
    return (item) =>
      Effect.withFiberRuntime((fiber) => {
        const clock: Clock.Clock = fiber.currentDefaultServices.unsafeMap.get(Clock.Clock.key)
        return limiter.tryTake(clock)
          ? Worker.call(next, item)
          : Effect.zipRight(limiter.acquire(clock), Effect.suspend(() => Worker.call(next, item)))
      })
  }
