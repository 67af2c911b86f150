/**
 * One run of one case, in a fresh process:
 *
 *   node --expose-gc bench/.build/<pid>/<tag>/case.mjs <case-id> <N> [--warmup W] [--no-rss-sampler] [--slow-clock F]   (bundled by run.ts)
 *   node --expose-gc --import tsx bench/case.ts <case-id> <N> [--warmup W] [--no-rss-sampler] [--slow-clock F]
 *
 * Runs a warm-up pass of W tasks (JIT), collects garbage, then times the workload only: wall time
 * (`performance.now()`), CPU time (`process.cpuUsage()`), peak RSS (`process.resourceUsage().maxRSS`,
 * plus `memoryUsage.rss()` sampled every 10 ms while the event loop gets a turn). Prints one line
 * `@@RESULT {json}` with the measurements and the task count and checksum for the orchestrator to
 * verify.
 */
import type { CaseModule, Report } from "./cases/types.js"
import { caseById, type SystemId } from "./registry.js"
import { bodies, resetState, state } from "./workloads.js"

const loaders: Record<SystemId, () => Promise<CaseModule>> = {
  "sync-loop": () => import("./cases/sync-loop.js"),
  "effect-loop": () => import("./cases/effect-loop.js"),
  "effect-foreach": () => import("./cases/effect-foreach.js"),
  "fiberpool": () => import("./cases/fiberpool.js"),
  "manual-queue": () => import("./cases/manual-queue.js"),
  "stream-mapeffect": () => import("./cases/stream-mapeffect.js"),
  "p-limit": () => import("./cases/p-limit.js"),
  "p-queue": () => import("./cases/p-queue.js"),
  "p-map": () => import("./cases/p-map.js"),
  "effect-pull": () => import("./cases/effect-pull.js"),
  "promise-pull": () => import("./cases/promise-pull.js")
}

export interface RunResult {
  readonly id: string
  readonly n: number
  readonly warmup: number
  readonly wallMs: number
  readonly cpuUserMs: number
  readonly cpuSystemMs: number
  /** Peak RSS of the process (MiB), from `resourceUsage().maxRSS`. */
  readonly maxRssMiB: number
  /** Highest RSS sampled during the timed workload (MiB). */
  readonly sampledRssMiB: number
  /** RSS just before the timed workload (MiB). */
  readonly rssBeforeMiB: number
  readonly count: number
  readonly sum: number
  readonly failures: number
  readonly report: Report | null
  /** `process.hrtime` (µs) at the start and end of the timed workload: the same clock as `--cpu-prof`. */
  readonly windowUs: readonly [number, number]
}

const MiB = 1024 * 1024

const main = async (): Promise<void> => {
  const args = process.argv.slice(2)
  const [id, nArg] = args
  // flags and the value each takes; anything else is a mistake (an old flag would run unnoticed)
  const flags: Record<string, boolean> = { "--warmup": true, "--no-rss-sampler": false, "--slow-clock": true }
  for (let i = 2; i < args.length; i++) {
    const takesValue = flags[args[i]!]
    if (takesValue === undefined) throw new Error(`unknown argument ${JSON.stringify(args[i])}`)
    if (takesValue) i++
  }
  const warmupAt = args.indexOf("--warmup")
  const warmup = warmupAt >= 0 ? Number(args[warmupAt + 1]) : 0
  const n = Number(nArg)
  const def = id === undefined ? undefined : caseById(id)
  if (def === undefined) throw new Error(`unknown case ${JSON.stringify(id)}`)
  if (!Number.isInteger(n) || n < 1) throw new Error(`N must be an integer >= 1, got ${JSON.stringify(nArg)}`)
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`--warmup must be an integer >= 0`)
  // `--slow-clock F` (instruction counts under valgrind, which runs the program ~F× slower):
  // `performance.now()` follows this process's CPU time divided by F, so that what is driven by time
  // (the pool's yield to the event loop every 10 ms) happens about as often per task as natively,
  // however loaded the machine is. Each reading calls the real `performance.now()` (so it counts
  // the instructions a clock read costs natively) and the CPU time is read once per 64 readings:
  // read every time, `process.cpuUsage()` cost ~400 instructions and an allocation per reading,
  // which overstated every row that reads the clock per item (the metrics-on fiberpool rows)
  const clockAt = args.indexOf("--slow-clock")
  if (clockAt >= 0) {
    const factor = Number(args[clockAt + 1])
    if (!(factor > 0)) throw new Error(`--slow-clock must be a number > 0`)
    const real = performance.now.bind(performance)
    const cpuMs = () => {
      const u = process.cpuUsage()
      return (u.user + u.system) / 1000
    }
    const origin = real()
    const cpu0 = cpuMs()
    let now = origin
    let readings = 0
    performance.now = () => {
      real()
      if ((++readings & 63) === 0) now = origin + (cpuMs() - cpu0) / factor
      return now
    }
  }
  const body = bodies[def.body]
  const mod = await loaders[def.system]()

  if (warmup > 0) {
    resetState()
    const prepared = await mod.prepare({ n: warmup, def, body })
    await prepared.run()
    if (state.count !== warmup) throw new Error(`warm-up ran ${state.count} of ${warmup} tasks`)
  }

  resetState()
  const prepared = await mod.prepare({ n, def, body })
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) gc()

  const rssBefore = process.memoryUsage.rss()
  let sampled = rssBefore
  // `--no-rss-sampler` (instruction counts): no timer whose firings depend on the machine's speed
  const sampler = args.includes("--no-rss-sampler") ? undefined : setInterval(() => {
    const rss = process.memoryUsage.rss()
    if (rss > sampled) sampled = rss
  }, 10)

  const h0 = process.hrtime.bigint()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const report = await prepared.run()
  const t1 = performance.now()
  const cpu = process.cpuUsage(cpu0)
  const h1 = process.hrtime.bigint()

  clearInterval(sampler)
  const rssAfter = process.memoryUsage.rss()
  if (rssAfter > sampled) sampled = rssAfter
  const result: RunResult = {
    id: def.id,
    n,
    warmup,
    wallMs: t1 - t0,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    sampledRssMiB: sampled / MiB,
    rssBeforeMiB: rssBefore / MiB,
    count: state.count,
    sum: state.sum,
    failures: report?.failures ?? state.failures,
    report: report ?? null,
    windowUs: [Number(h0 / 1000n), Number(h1 / 1000n)]
  }
  process.stdout.write(`@@RESULT ${JSON.stringify(result)}\n`)
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
    process.exit(1)
  }
)
