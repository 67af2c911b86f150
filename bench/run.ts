/**
 * The benchmark orchestrator behind `npm run bench`.
 *
 *   npm run bench                       full run: N = 1,000,000, 5 runs (3 for slow cases) per case
 *   npm run bench -- --quick            N = 20,000, 1 run: a sanity check of every case in < 1 min
 *   npm run bench -- --smoke            CI: N = 2,000, 1 run, no warm-up, counts/checksums only
 *   npm run bench -- --filter w0.fiber  only cases whose id or label contains the substring (or one
 *                                       of several, comma-separated)
 *   npm run bench -- --n 200000 --runs 3
 *
 * Every run of every case is a fresh Node process (`bench/case.ts`, bundled by esbuild); the child
 * times the workload only and reports count and checksum, which are verified here. Results:
 * `bench/results/latest.{json,md}` and `chart.svg` for a full run (and the generated sections of
 * `bench/README.md`); `quick.*` / `partial.*` for a quick or filtered run; nothing for `--smoke`.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { RunResult } from "./case.js"
import { benchDir, buildRunner, type Runner } from "./lib/build.js"
import { parallel, runChild } from "./lib/child.js"
import { collectMeta } from "./lib/meta.js"
import { chart, markdown, metaLine, replaceSection, tables, targetsTable } from "./lib/report.js"
import { type CaseRuns, type Results, summarize, withRatios } from "./lib/results.js"
import { median } from "./lib/stats.js"
import { writeSummary } from "./lib/summary.js"
import { evaluateTargets } from "./lib/targets.js"
import { verify } from "./lib/verify.js"
import { type CaseDef, cases as allCases, matchesFilter } from "./registry.js"

// ---------------------------------------------------------------------------------------------
// arguments
// ---------------------------------------------------------------------------------------------

interface Args {
  readonly quick: boolean
  readonly smoke: boolean
  readonly runs: number | undefined
  readonly n: number | undefined
  readonly filter: string | undefined
  readonly fullN: boolean
  readonly out: string | undefined
  readonly jobs: number | undefined
  readonly warmup: number | undefined
}

const usage = `usage: npm run bench -- [--quick | --smoke] [--filter <substring>[,<substring>...]] [--n N] [--runs R]
                       [--warmup W] [--full-n] [--jobs J] [--out <name>] [--list] [--render]`

const parseArgs = (argv: ReadonlyArray<string>): Args => {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag)
    if (i < 0) return undefined
    const v = argv[i + 1]
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value\n${usage}`)
    return v
  }
  const int = (flag: string, minimum: number): number | undefined => {
    const v = value(flag)
    if (v === undefined) return undefined
    const n = Number(v.replace(/_/g, ""))
    if (!Number.isInteger(n) || n < minimum) throw new Error(`${flag} must be an integer >= ${minimum}, got ${v}`)
    return n
  }
  const withValue = new Set(["--runs", "--n", "--filter", "--out", "--jobs", "--warmup"])
  const switches = new Set(["--quick", "--smoke", "--full-n", "--list", "--render", "--help"])
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (withValue.has(a)) i++
    else if (!switches.has(a)) throw new Error(`unknown argument ${a}\n${usage}`)
  }
  return {
    quick: argv.includes("--quick"),
    smoke: argv.includes("--smoke"),
    runs: int("--runs", 1),
    n: int("--n", 1),
    filter: value("--filter"),
    fullN: argv.includes("--full-n"),
    out: value("--out"),
    jobs: int("--jobs", 1),
    warmup: int("--warmup", 0)
  }
}

// ---------------------------------------------------------------------------------------------
// running one process
// ---------------------------------------------------------------------------------------------

const runCase = (runner: Runner, def: CaseDef, n: number, warmup: number, timeoutMs: number): Promise<RunResult> =>
  runChild(runner.command, [...runner.args, def.id, String(n), "--warmup", String(warmup)], timeoutMs).then((r) =>
    r.result
  )

// ---------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------

const FULL_N = 1_000_000
const QUICK_N = 20_000
const SMOKE_N = 2_000

const pad = (s: string, n: number) => s.length >= n ? s : s + " ".repeat(n - s.length)

const README_MARKERS = {
  results: ["<!-- BEGIN GENERATED: results -->", "<!-- END GENERATED: results -->"],
  targets: ["<!-- BEGIN GENERATED: targets -->", "<!-- END GENERATED: targets -->"]
} as const

const writeOutputs = (results: Results, name: string): void => {
  const dir = path.join(benchDir, "results")
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`)
  fs.writeFileSync(path.join(dir, `${name}.md`), `${markdown(results)}\n`)
  const svgName = name === "latest" ? "chart.svg" : `${name}.svg`
  fs.writeFileSync(path.join(dir, svgName), `${chart(results)}\n`)
  process.stdout.write(`\nwrote bench/results/${name}.json, ${name}.md, ${svgName}\n`)
  if (name === "latest") {
    const readme = path.join(benchDir, "README.md")
    if (fs.existsSync(readme)) {
      let text = fs.readFileSync(readme, "utf8")
      text = replaceSection(text, README_MARKERS.results, `${metaLine(results)}\n\n${tables(results)}`)
      text = replaceSection(text, README_MARKERS.targets, targetsTable(results))
      fs.writeFileSync(readme, text)
      process.stdout.write("updated the generated sections of bench/README.md\n")
      writeSummary()
    }
  }
}

/**
 * `--render`: rebuilds the ratios, targets, Markdown, chart and README sections from the stored
 * `results/<name>.json`, without measuring again (after a change to the report or the baselines).
 */
const render = (name: string): number => {
  const file = path.join(benchDir, "results", `${name}.json`)
  const stored = JSON.parse(fs.readFileSync(file, "utf8")) as Results
  const cases = withRatios(stored.cases)
  writeOutputs({ meta: stored.meta, cases, targets: evaluateTargets(cases) }, name)
  return 0
}

const main = async (): Promise<number> => {
  const argv = process.argv.slice(2)
  if (argv.includes("--help")) {
    process.stdout.write(`${usage}\n`)
    return 0
  }
  const args = parseArgs(argv)
  if (argv.includes("--render")) return render(args.out ?? "latest")
  if (args.quick && args.smoke) throw new Error("--quick and --smoke exclude each other")
  const selected = allCases.filter(matchesFilter(args.filter))
  if (argv.includes("--list")) {
    for (const c of selected) process.stdout.write(`${pad(c.id, 44)} ${c.label}\n`)
    return 0
  }
  if (selected.length === 0) throw new Error(`no case matches --filter ${args.filter}`)

  const baseN = args.n ?? (args.smoke ? SMOKE_N : args.quick ? QUICK_N : FULL_N)
  const nOf = (c: CaseDef) => args.fullN || c.maxN === undefined ? baseN : Math.min(baseN, c.maxN)
  const runsOf = (c: CaseDef) => args.runs ?? (args.smoke || args.quick ? 1 : c.runs ?? 5)
  // an in-process warm-up pass before the timed one (JIT); longer, relatively, for a quick run
  const warmupOf = (n: number) =>
    args.warmup ?? (args.smoke ? 0 : args.quick ? Math.floor(n / 4) : Math.min(50_000, Math.floor(n / 20)))
  const jobs = args.jobs ?? (args.smoke ? Math.max(1, Math.min(2, os.cpus().length)) : 1)
  const timeoutMs = args.smoke ? 60_000 : 600_000

  const started = performance.now()
  const runner = await buildRunner()
  const meta = collectMeta({
    runner: runner.description,
    n: baseN,
    quick: args.quick,
    filter: args.filter,
    fullN: args.fullN
  })
  const totalRuns = selected.reduce((s, c) => s + runsOf(c), 0)
  process.stdout.write(
    `${
      args.smoke ? "smoke" : args.quick ? "quick" : "bench"
    }: ${selected.length} cases, ${totalRuns} runs, N = ${baseN}` +
      `${jobs > 1 ? `, ${jobs} at a time` : ""} · ${runner.description}\n`
  )

  // rounds: run r of every case before run r + 1 of any, so that a slow spell of the machine (this
  // VM has them, minutes long) spreads over every case's runs instead of hitting one case's block
  const state = selected.map((def) => ({
    def,
    n: nOf(def),
    results: [] as Array<RunResult>,
    problems: [] as Array<string>
  }))
  const rounds = Math.max(...selected.map(runsOf))
  for (let r = 0; r < rounds; r++) {
    const due = state.filter((c) => r < runsOf(c.def) && c.problems.length === 0)
    await parallel(
      jobs,
      due.map((c) => async () => {
        try {
          const result = await runCase(runner, c.def, c.n, warmupOf(c.n), timeoutMs)
          const p = verify(c.def, c.n, result)
          if (p.length > 0) c.problems.push(`run ${r + 1}: ${p.join(", ")}`)
          c.results.push(result)
        } catch (error) {
          c.problems.push(`run ${r + 1}: ${error instanceof Error ? error.message : String(error)}`)
        }
        if (r + 1 < runsOf(c.def) && c.problems.length === 0) return
        const walls = c.results.map((x) => (x.wallMs * 1e6) / c.n)
        // the median the results record (the mean of the two middle runs for an even count)
        const med = walls.length === 0 ? NaN : median(walls)
        const rss = Math.max(...c.results.map((x) => x.maxRssMiB))
        process.stdout.write(
          `${c.problems.length === 0 ? "ok  " : "FAIL"} ${pad(c.def.id, 44)} N=${pad(String(c.n), 8)} ` +
            (args.smoke
              ? `count ${c.results[0]?.count ?? "-"}`
              : `${pad(`${med >= 100 ? med.toFixed(0) : med.toFixed(1)} ns/task`, 16)} peak ${rss.toFixed(0)} MiB`) +
            `${c.problems.length > 0 ? `  ${c.problems.join("; ")}` : ""}\n`
        )
      })
    )
  }
  const caseRuns: Array<CaseRuns> = state

  const failed = caseRuns.filter((c) => c.problems.length > 0)
  meta.machine.loadEnd = os.loadavg()[0]!
  meta.durationS = (performance.now() - started) / 1000

  if (args.smoke) {
    const report = caseRuns.map((c) => ({
      id: c.def.id,
      n: c.n,
      ok: c.problems.length === 0,
      count: c.results[0]?.count ?? null,
      problems: c.problems
    }))
    process.stdout.write(`@@SMOKE ${JSON.stringify({ cases: report })}\n`)
    process.stdout.write(
      `smoke: ${caseRuns.length - failed.length}/${caseRuns.length} cases verified in ${meta.durationS.toFixed(1)} s\n`
    )
    return failed.length === 0 ? 0 : 1
  }

  const summaries = summarize(caseRuns)
  const results: Results = { meta, cases: summaries, targets: evaluateTargets(summaries) }
  // only a run with every default (cases, N, runs, warm-up, one process at a time) replaces latest.*
  const full = !args.quick && args.filter === undefined && args.n === undefined && !args.fullN &&
    args.runs === undefined && args.warmup === undefined && (args.jobs === undefined || args.jobs === 1)
  const name = args.out ?? (full ? "latest" : args.quick ? "quick" : "partial")
  writeOutputs(results, name)
  process.stdout.write(`\n${targetsTable(results)}\n`)
  if (failed.length > 0) {
    process.stdout.write(`\n${failed.length} case(s) FAILED verification: ${failed.map((c) => c.def.id).join(", ")}\n`)
    return 1
  }
  return 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(2)
  }
)
