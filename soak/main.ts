/**
 * `npm run soak` — the full soak run (node --expose-gc --import tsx soak/main.ts):
 *
 *   1. 10,000,000 items through pool → pool → Collector, keyed, 1% failures in continue mode:
 *      RSS and heap sampled every 5% of the items (and a timer fiber tries every --sample-ms),
 *      every item accounted for;
 *   2. 10,000 pools created and closed in a loop: the retained heap (after GC) sampled every 1,000.
 *
 * Options: --items N (default 10000000), --pools N (default 10000), --sample-ms N (default 1000),
 * --json (print the results as JSON as well). Exit code 1 if a check fails.
 * The numbers are recorded in docs/reliability.md.
 */
import { Effect } from "effect"
import * as os from "node:os"
import { chain, churn, fails, formatMB, retainedHeap } from "./soak.js"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) return fallback
  const value = Number(process.argv[i + 1])
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be an integer >= 1, got ${process.argv[i + 1]}`)
  }
  return value
}

const items = arg("items", 10_000_000)
const pools = arg("pools", 10_000)
const sampleMs = arg("sample-ms", 1000)
const json = process.argv.includes("--json")

const cpus = os.cpus()
console.log("# fiberpool soak")
console.log(
  `machine: ${cpus[0]?.model ?? "unknown cpu"} × ${cpus.length}, ${formatMB(os.totalmem())} RAM, ` +
    `${os.type()} ${os.release()} ${os.arch()}, node ${process.version}, load average ${
      os.loadavg().map((l) => l.toFixed(2)).join(" ")
    }`
)

const failures: Array<string> = []
const check = (ok: boolean, what: string) => {
  if (!ok) failures.push(what)
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`)
}

const program = Effect.gen(function*() {
  console.log(
    `\n## chain: ${items.toLocaleString("en")} items, pool → pool → Collector, keyed, 1% failures, continue mode`
  )
  const baseline = retainedHeap()
  const c = yield* chain({
    items,
    sampleEveryItems: Math.max(1, Math.floor(items / 20)),
    sampleEveryMillis: sampleMs,
    onSample: (s) =>
      console.log(
        `  t=${s.at.toFixed(1).padStart(5)}s  rss ${formatMB(s.rss).padStart(9)}  heap ${
          formatMB(s.heapUsed).padStart(9)
        }  ` +
          `collected ${s.collected.toLocaleString("en")}`
      )
  })
  const rss = c.samples.map((s) => s.rss)
  const steady = c.samples.filter((s) => s.collected >= c.expectedCollected / 4).map((s) => s.rss)
  console.log(
    `  ${c.seconds.toFixed(1)} s, ${(c.items / c.seconds / 1000).toFixed(0)}k items/s; rss min ${
      formatMB(Math.min(...rss))
    }, ` +
      `max ${formatMB(Math.max(...rss))}, last ${formatMB(rss[rss.length - 1]!)}` +
      (steady.length > 1
        ? `; from 25% of the items on: ${formatMB(Math.min(...steady))} .. ${formatMB(Math.max(...steady))}`
        : "")
  )
  console.log(
    `  timer samples while items flowed (every ${sampleMs} ms): ${c.timerSamples}` +
      (c.timerSamples === 0 ? " — no timer fired during the run: the event loop was starved" : "")
  )
  check(c.timerSamples > 0, "a timer fired while items flowed (the pool did not starve the event loop)")
  console.log(`  stage 1: ${JSON.stringify(counts(c.stage1))}`)
  console.log(`  stage 2: ${JSON.stringify(counts(c.stage2))}`)
  check(c.stage1.submitted === items, `stage 1 submitted = ${items}`)
  check(
    c.stage1.submitted === c.stage1.processed + c.stage1.errors + c.stage1.dropped,
    "stage 1: submitted = processed + errors + dropped"
  )
  check(c.stage1.errors === items - c.expectedCollected, `stage 1 errors = 1% = ${items - c.expectedCollected}`)
  check(c.stage1.dropped === 0 && c.stage2.dropped === 0, "nothing dropped")
  check(c.stage2.submitted === c.stage1.processed, "stage 2 submitted = stage 1 processed")
  check(c.stage2.processed === c.expectedCollected && c.stage2.errors === 0, "stage 2 processed every item")
  check(c.collected === c.expectedCollected, `collected = ${c.expectedCollected.toLocaleString("en")}`)
  check(c.sum === c.expectedSum, "sum of collected items matches")
  check(c.firstFailure !== undefined && fails(c.firstFailure), "close reports a failing item (the first in time)")
  const after = retainedHeap()
  console.log(`  retained heap before ${formatMB(baseline)}, after ${formatMB(after)}`)

  console.log(
    `\n## churn: ${pools.toLocaleString("en")} pools created and closed (closed / failed / interrupted in turn)`
  )
  const r = yield* churn({
    pools,
    sampleEvery: Math.max(1, Math.floor(pools / 10)),
    onSample: (s) => console.log(`  after ${String(s.pools).padStart(6)} pools: retained heap ${formatMB(s.heapUsed)}`)
  })
  const heaps = r.heap.map((h) => h.heapUsed)
  const growth = heaps.length > 1 ? heaps[heaps.length - 1]! - heaps[0]! : 0
  console.log(
    `  ${r.seconds.toFixed(1)} s (${(r.seconds * 1e6 / pools).toFixed(0)} µs per pool); retained heap first ${
      formatMB(heaps[0] ?? 0)
    }, last ${formatMB(heaps[heaps.length - 1] ?? 0)}, max ${formatMB(Math.max(...heaps))}, growth ${formatMB(growth)}`
  )
  check(r.accountingViolations === 0, "every pool: submitted = processed + errors + dropped")
  check(r.layersAcquired === r.layersReleased && r.layersAcquired === pools * 4, "every worker layer released")
  check(growth < 2 * 1024 * 1024, "retained heap flat (growth < 2 MB from the first sample)")
  if (json) console.log(JSON.stringify({ chain: { ...c, samples: c.samples }, churn: r }))
})

const counts = (s: { submitted: number; processed: number; errors: number; dropped: number }) => ({
  submitted: s.submitted,
  processed: s.processed,
  errors: s.errors,
  dropped: s.dropped
})

Effect.runPromise(program).then(
  () => {
    console.log(failures.length === 0 ? "\nall checks passed" : `\n${failures.length} check(s) failed`)
    process.exit(failures.length === 0 ? 0 : 1)
  },
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
