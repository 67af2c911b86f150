/**
 * The CI version of `npm run soak` (soak/main.ts): the same workloads, shorter (well under 60 s).
 */
import { describe, it } from "@effect/vitest"
import { assertTrue, strictEqual } from "@effect/vitest/utils"
import { Effect } from "effect"
import { chain, churn, fails } from "./soak.js"

describe("soak (short)", () => {
  it.live(
    "chain: 300,000 items through pool → pool → Collector, keyed, 1% failures: every item accounted for",
    () =>
      Effect.gen(function*() {
        const items = 300_000
        const c = yield* chain({ items, sampleEveryItems: 10_000 })
        strictEqual(c.stage1.submitted, items)
        strictEqual(c.stage1.submitted, c.stage1.processed + c.stage1.errors + c.stage1.dropped)
        strictEqual(c.stage1.errors, items / 100)
        strictEqual(c.stage1.dropped + c.stage2.dropped + c.stage2.errors, 0)
        strictEqual(c.stage2.submitted, c.stage1.processed)
        strictEqual(c.stage2.processed, c.expectedCollected)
        strictEqual(c.collected, c.expectedCollected)
        strictEqual(c.sum, c.expectedSum)
        // continue mode: close reports the first failure in time; keyed items run on four workers,
        // so any failing item may come first
        assertTrue(c.firstFailure !== undefined && fails(c.firstFailure), `first failure: ${c.firstFailure}`)
        // RSS stays bounded: the pipeline holds a few thousand items at most
        const rss = c.samples.map((s) => s.rss)
        assertTrue(
          Math.max(...rss) - rss[0]! < 256 * 1024 * 1024,
          `rss grew by ${(Math.max(...rss) - rss[0]!) / 1e6} MB`
        )
      }),
    60_000
  )

  it.live(
    "churn: 3,000 pools created and closed (closed, failed, interrupted): every layer released, heap flat after GC",
    () =>
      Effect.gen(function*() {
        const r = yield* churn({ pools: 3_000, sampleEvery: 500 })
        strictEqual(r.accountingViolations, 0)
        strictEqual(r.layersAcquired, 3_000 * 4)
        strictEqual(r.layersReleased, r.layersAcquired)
        strictEqual(r.endings.closed + r.endings.failed + r.endings.interrupted, 3_000)
        const heaps = r.heap.map((h) => h.heapUsed)
        const growth = heaps[heaps.length - 1]! - heaps[0]!
        assertTrue(
          growth < 2 * 1024 * 1024,
          `retained heap grew by ${(growth / 1024).toFixed(0)} KiB over ${r.pools} pools: ${heaps}`
        )
      }),
    60_000
  )
})
