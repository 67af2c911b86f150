/**
 * The latency of a pool used now and then: `npx tsx bench/idle-latency.ts [gap-ms ...]`.
 *
 * A pool of 8 workers gets one `execute` of a trivial item every `gap` milliseconds (a real
 * `setTimeout` between them, so the workers wait for input in between), 400 times after 20 warm-up
 * calls; prints the p50, p90 and maximum of the time from the call to its result. With gaps of 10 ms
 * or more a woken worker takes at once; with shorter ones it may first park for the event loop's
 * turn, as a busy worker does (packages/pool/README.md, "Busy pools yield to the event loop").
 * Wall time of one process; the figures in that README come from this script, bundled
 * (`npx esbuild bench/idle-latency.ts --bundle --platform=node --format=esm
 * --outfile=bench/.build/idle-latency.mjs`, then `node bench/.build/idle-latency.mjs 20`).
 */
import { FiberPool } from "@fiberpool/pool"
import * as Effect from "effect/Effect"

const gaps = process.argv.slice(2).map(Number)
for (const gap of gaps) {
  if (!(gap >= 0)) throw new Error(`gaps must be numbers of milliseconds >= 0, got ${gap}`)
}
const WARMUP = 20
const CALLS = 400

const sleep = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))
const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!

const measure = (gap: number) =>
  Effect.scoped(Effect.gen(function*() {
    const pool = yield* FiberPool.make({ workers: 8, worker: (n: number) => Effect.succeed(n) })
    const micros: Array<number> = []
    for (let i = 0; i < WARMUP + CALLS; i++) {
      yield* sleep(gap)
      const t = performance.now()
      yield* pool.execute(i)
      if (i >= WARMUP) micros.push((performance.now() - t) * 1000)
    }
    micros.sort((a, b) => a - b)
    const us = (x: number) => `${x.toFixed(0)} µs`
    console.log(
      `gap ${gap} ms: execute p50 ${us(percentile(micros, 0.5))}, p90 ${us(percentile(micros, 0.9))}, ` +
        `max ${us(micros[micros.length - 1]!)}`
    )
  }))

await Effect.runPromise(Effect.forEach(gaps.length > 0 ? gaps : [20, 2], measure, { discard: true }))
