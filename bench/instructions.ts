/**
 * Instruction counts per task, for the ratio targets: `npm run bench:instructions`.
 *
 *   npm run bench:instructions                         the cases the ratio targets compare
 *   npm run bench:instructions -- --filter w3.,w0.fi   only cases whose id or label contains one of the substrings
 *   npm run bench:instructions -- --pool-src ad3157d   also the same cases with the pool's sources
 *                                                      of another commit (an A/B of two versions)
 *     [--pool-src-filter w0.fiberpool]                 ... only for the cases whose id contains one
 *   npm run bench:instructions -- --lo 50000 --hi 250000 --warmup 50000 --jobs 2
 *
 * Wall time on this 2-core VM varies 30–50% between runs of one build, more than the +10%, +30%
 * and 5% margins of some targets. Instructions executed do not depend on what else the machine
 * does: each case runs under `valgrind --tool=callgrind` (which counts them; about 100× slower)
 * at two sizes, and (instructions(hi) − instructions(lo)) / (hi − lo) is its cost per task, the
 * process's start-up, JIT warm-up and exit cancelling out. The optimizing compiler's own work
 * (TurboFan, counted inclusively from its entry point) is left out of that figure and shown apart:
 * it happens once per function version, at moments that depend on the run's length, and a function
 * optimized late in the larger run only would otherwise be spread over the tasks of the difference
 * (it moved one A/B by several percent). Node runs with `--single-threaded
 * --predictable` (compilation and GC on the main thread, on a schedule that does not depend on
 * time) and fixed hash and random seeds; `case.ts` runs without its RSS sampler and with a
 * `performance.now()` that follows the process's CPU time divided by 100 (`--slow-clock`, about
 * callgrind's slowdown), so that the pool yields to the event loop about as often per task as
 * natively, whatever else the machine runs; each reading still calls the real clock, so a clock
 * read counts what it costs natively, and the CPU time is read once per 64 readings.
 *
 * Instructions are not time (cache misses, branch mispredictions and the cost of each instruction
 * differ), so these figures settle ratios between close variants of the same code (keys or
 * middleware on or off, one version of the pool against another) rather than replace the timed
 * suite. Results: `bench/results/instructions.{json,md}`.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { benchDir, buildDir, buildRunner, rootDir, type Runner } from "./lib/build.js"
import { parallel, runChild } from "./lib/child.js"
import { collectMeta, type Meta } from "./lib/meta.js"
import { int, pct, replaceSection } from "./lib/report.js"
import type { TargetResult } from "./lib/results.js"
import { writeSummary } from "./lib/summary.js"
import { peerTarget, ratioTargets } from "./lib/targets.js"
import { verify } from "./lib/verify.js"
import { baselineOf, caseById, type CaseDef, cases as allCases, matchesFilter } from "./registry.js"

const usage =
  `usage: npm run bench:instructions -- [--filter <substring>[,<substring>...]] [--pool-src <git-ref> [--pool-src-filter <substring>[,...]]] [--lo N] [--hi N] [--warmup W] [--jobs J] [--out name] [--render]`

const README_MARKERS = ["<!-- BEGIN GENERATED: instructions -->", "<!-- END GENERATED: instructions -->"] as const

const NODE_FLAGS = ["--single-threaded", "--predictable", "--hash-seed=1", "--random-seed=1"]

/**
 * The W0 Promise-based peers that bound their queue (back-pressured or pulling a lazy iterable):
 * the fastest of them is the one the peer target compares with in every timed run. The eager
 * peers (one promise per task up front, ~1 GiB at 1M tasks) are 4–8× slower and left out.
 */
const isBoundedPeer = (def: CaseDef): boolean =>
  def.workload === "W0" && def.family === "promise" && def.mode !== "eager"

/**
 * The cases the ratio targets name, their baselines and references; Effect's floor; metrics off;
 * the bounded Promise peers.
 */
const targetCases = (): Array<CaseDef> => {
  const ids = new Set<string>([
    "w0.effect-loop",
    "w0.fiberpool.q100-b100-nometrics.submit",
    "w0.fiberpool.q100-b100-nometrics.submit-all",
    ...allCases.filter(isBoundedPeer).map((c) => c.id)
  ])
  for (const t of ratioTargets) {
    for (const id of t.ids) {
      const def = caseById(id)
      if (def === undefined) continue
      ids.add(id)
      ids.add(baselineOf(def))
      if (def.reference !== undefined) ids.add(def.reference)
    }
  }
  return allCases.filter((c) => ids.has(c.id))
}

interface Args {
  readonly filter: string | undefined
  readonly poolSrc: string | undefined
  /** Only the cases whose id contains one of these run with `poolSrc` too. */
  readonly poolSrcFilter: ReadonlyArray<string> | undefined
  readonly lo: number
  readonly hi: number
  readonly warmup: number
  readonly jobs: number
  readonly out: string
}

const parseArgs = (argv: ReadonlyArray<string>): Args => {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag)
    if (i < 0) return undefined
    const v = argv[i + 1]
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`)
    return v
  }
  const intFlag = (flag: string, fallback: number): number => {
    const v = value(flag)
    if (v === undefined) return fallback
    const n = Number(v)
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be an integer >= 1, got ${v}`)
    return n
  }
  const args = {
    filter: value("--filter"),
    poolSrc: value("--pool-src"),
    poolSrcFilter: value("--pool-src-filter")?.split(","),
    lo: intFlag("--lo", 50_000),
    hi: intFlag("--hi", 250_000),
    warmup: intFlag("--warmup", 50_000),
    jobs: intFlag("--jobs", Math.max(1, Math.min(2, os.cpus().length))),
    out: value("--out")
  }
  if (args.hi <= args.lo) throw new Error(`--hi (${args.hi}) must be larger than --lo (${args.lo})`)
  // only a run of every target case at the standard sizes replaces the committed results
  const standard = args.filter === undefined && args.lo === 50_000 && args.hi === 250_000 && args.warmup === 50_000
  return { ...args, out: args.out ?? (standard ? "instructions" : "instructions-partial") }
}

/** Extracts `packages/pool/src` of `ref` into a temporary folder; returns its index.ts. */
const poolSourcesAt = (ref: string): { readonly entry: string; readonly commit: string } => {
  const commit = execFileSync("git", ["rev-parse", "--short", `${ref}^{commit}`], { cwd: rootDir, encoding: "utf8" })
    .trim()
  // inside the repository, so that its imports resolve to the same node_modules
  const dir = path.join(buildDir, String(process.pid), `src-${commit}`)
  fs.mkdirSync(dir, { recursive: true })
  const tar = execFileSync("git", ["archive", "--format=tar", commit, "packages/pool/src"], {
    cwd: rootDir,
    maxBuffer: 64 * 1024 * 1024
  })
  execFileSync("tar", ["-x", "-C", dir], { input: tar })
  return { entry: path.join(dir, "packages/pool/src/index.ts"), commit }
}

interface Measured {
  readonly id: string
  readonly label: string
  /** `current`, or the commit whose pool sources were bundled. */
  readonly pool: string
  readonly ok: boolean
  readonly problems: ReadonlyArray<string>
  /** All instructions of the process, at N = lo and N = hi. */
  readonly instructions: { readonly lo: number; readonly hi: number }
  /** Of those, the optimizing compiler's (TurboFan's) own work. */
  readonly compile: { readonly lo: number; readonly hi: number }
  /** Per task, without the optimizing compiler's work: what the table shows. */
  readonly perTask: number
  /** Per task, everything (absent in results stored before compilation was counted apart). */
  readonly perTaskTotal?: number
}

/** About how much slower a program runs under callgrind here. */
const CLOCK_FACTOR = 100

/**
 * The entry of V8's optimizing compiler (TurboFan, also for on-stack replacement): with
 * `--single-threaded` it runs on the main thread, and callgrind counts its work inclusively here.
 */
const COMPILE_ENTRY = "::GetOrCompileOptimized("

/**
 * Total instructions and those of `COMPILE_ENTRY` (inclusive) in a callgrind profile. Optimizing
 * compilation is work done once per function version, at moments that depend on the run's length:
 * a function (re)optimized late falls into the larger run only and would be spread over the tasks
 * of the difference.
 */
const annotate = (file: string): { readonly total: number; readonly compile: number } => {
  const text = execFileSync("callgrind_annotate", ["--inclusive=yes", "--threshold=100", file], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  })
  let total = NaN
  let compile = 0
  for (const line of text.split("\n")) {
    const m = /^\s*([\d,]+)\s/.exec(line)
    if (m === null) continue
    const value = Number(m[1]!.replaceAll(",", ""))
    if (line.includes("PROGRAM TOTALS")) total = value
    // a recursive activation (`…'2`) is already inside the outer one's inclusive count
    else if (line.includes(COMPILE_ENTRY) && !/\)'\d+ \[/.test(line)) compile += value
  }
  if (!Number.isFinite(total)) throw new Error(`callgrind_annotate printed no total for ${file}`)
  return { total, compile }
}

const count = async (
  runner: Runner,
  def: CaseDef,
  n: number,
  warmup: number
): Promise<{ instructions: number; compile: number; problems: Array<string> }> => {
  const out = path.join(buildDir, String(process.pid), `callgrind.${process.hrtime.bigint()}.out`)
  fs.mkdirSync(path.dirname(out), { recursive: true })
  const run = await runChild(
    "valgrind",
    [
      "--tool=callgrind",
      `--callgrind-out-file=${out}`,
      runner.command,
      ...runner.args,
      def.id,
      String(n),
      "--warmup",
      String(warmup),
      "--no-rss-sampler",
      "--slow-clock",
      String(CLOCK_FACTOR)
    ],
    3_600_000
  )
  try {
    const { compile, total } = annotate(out)
    const problems = verify(def, n, run.result)
    // TurboFan always runs in these processes: none found means the symbol changed (another Node)
    if (compile === 0) problems.push(`no instructions under ${COMPILE_ENTRY} in the profile (another V8?)`)
    return { instructions: total, compile, problems }
  } finally {
    fs.rmSync(out, { force: true })
  }
}

const measure = (runner: Runner, pool: string, args: Args) => async (def: CaseDef): Promise<Measured> => {
  const problems: Array<string> = []
  let lo = NaN
  let hi = NaN
  let loCompile = NaN
  let hiCompile = NaN
  try {
    const a = await count(runner, def, args.lo, args.warmup)
    const b = await count(runner, def, args.hi, args.warmup)
    lo = a.instructions
    hi = b.instructions
    loCompile = a.compile
    hiCompile = b.compile
    for (const p of a.problems) problems.push(`N=${args.lo}: ${p}`)
    for (const p of b.problems) problems.push(`N=${args.hi}: ${p}`)
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error))
  }
  const perTaskTotal = (hi - lo) / (args.hi - args.lo)
  const perTask = (hi - hiCompile - (lo - loCompile)) / (args.hi - args.lo)
  process.stdout.write(
    `${problems.length === 0 ? "ok  " : "FAIL"} ${def.id.padEnd(44)} ${pool.padEnd(8)} ${
      Number.isFinite(perTask) ? `${int(perTask)} instructions/task (${int(perTaskTotal)} with compilation)` : ""
    }${problems.length > 0 ? `  ${problems.join("; ")}` : ""}\n`
  )
  return {
    id: def.id,
    label: def.label,
    pool,
    ok: problems.length === 0,
    problems,
    instructions: { lo, hi },
    compile: { lo: loCompile, hi: hiCompile },
    perTask,
    perTaskTotal
  }
}

/** The optimizing compiler's instructions per task of the difference (older results: `—`). */
const compilationOf = (r: Measured | undefined): string =>
  r === undefined || r.perTaskTotal === undefined ? "—" : int(r.perTaskTotal - r.perTask)

/** A target evaluated on instruction counts, and what it compares with. */
interface InstructionTarget extends TargetResult {
  readonly kind: "forEach" | "reference" | "peer"
  /** the row compared with, and its count */
  readonly versus: string
}

/**
 * The ratio targets on the current pool's counts: against `Effect.forEach`, over the reference
 * (keys, middleware), and against the bounded Promise peer with the fewest instructions.
 */
const instructionTargets = (rows: ReadonlyArray<Measured>): Array<InstructionTarget> => {
  const get = (id: string) => rows.find((r) => r.id === id && r.pool === "current" && r.ok)
  const out: Array<InstructionTarget> = []
  for (const t of ratioTargets) {
    for (const id of t.ids) {
      const c = get(id)
      const def = caseById(id)
      if (c === undefined || def === undefined) continue
      const otherId = t.versus === "forEach" ? baselineOf(def) : def.reference
      const other = otherId === undefined ? undefined : get(otherId)
      if (other === undefined) continue
      const r = c.perTask / other.perTask
      const measured = t.versus === "forEach"
        ? `${r.toFixed(2)}× (${int(c.perTask)} vs ${int(other.perTask)})`
        : `${pct(r)} (${int(c.perTask)} vs ${int(other.perTask)})`
      out.push({
        target: t.target,
        row: c.label,
        measured,
        status: r <= t.limit ? "met" : "not met",
        kind: t.versus,
        versus: `${other.label}, ${int(other.perTask)}`
      })
    }
  }
  const peerRows = rows.filter((r) => r.pool === "current" && isBoundedPeer(caseById(r.id)!))
  // a peer that failed is not left out of the comparison: there is no comparison
  const peers = peerRows.some((r) => !r.ok) ? [] : peerRows
  const fastest = peers.reduce<Measured | undefined>(
    (best, r) => best === undefined || r.perTask < best.perTask ? r : best,
    undefined
  )
  if (fastest === undefined) return out
  for (const id of peerTarget.ids) {
    const c = get(id)
    if (c === undefined) continue
    const r = c.perTask / fastest.perTask
    out.push({
      target: peerTarget.target,
      row: c.label,
      measured: `${r.toFixed(2)}× (${int(c.perTask)} vs ${fastest.label}: ${int(fastest.perTask)})`,
      status: r < 1 ? "met" : "not met",
      kind: "peer",
      versus: `${fastest.label}, ${int(fastest.perTask)}`
    })
  }
  return out
}

const markdown = (meta: Meta, args: Args, rows: ReadonlyArray<Measured>): string => {
  const lines: Array<string> = []
  lines.push("# Instructions per task (callgrind)", "")
  lines.push(
    `Run ${meta.date.slice(0, 16).replace("T", " ")} UTC, ${Math.round(meta.durationS)} s · Node ${meta.node} ` +
      `(${NODE_FLAGS.join(" ")}) · effect ${meta.versions["effect"]} · git ${meta.git.commit}` +
      `${meta.git.dirty ? " (dirty)" : ""}, pool sources ${meta.git.poolSources} · ` +
      `valgrind --tool=callgrind, (I(N=${args.hi}) − I(N=${args.lo})) / ${args.hi - args.lo}, ` +
      `without the optimizing compiler's own instructions (shown apart)`,
    ""
  )
  const pools = [...new Set(rows.map((r) => r.pool))]
  lines.push(`| case | ${pools.map((p) => `instructions/task (${p})`).join(" | ")} | compilation/task (current) |`)
  lines.push(`|---|${pools.map(() => "---:").join("|")}|---:|`)
  const ids = [...new Set(rows.map((r) => r.id))]
  const get = (id: string, pool: string) => rows.find((r) => r.id === id && r.pool === pool && r.ok)
  for (const id of ids) {
    const label = rows.find((r) => r.id === id)!.label
    lines.push(`| ${label} | ${
      pools.map((p) => {
        const r = get(id, p)
        return r === undefined ? "—" : int(r.perTask)
      }).join(" | ")
    } | ${compilationOf(get(id, "current"))} |`)
  }
  if (pools.length > 1) {
    lines.push("", `Change from pool ${pools[1]} to the current pool:`, "")
    lines.push("| case | change |", "|---|---:|")
    for (const id of ids) {
      const a = get(id, pools[1]!)
      const b = get(id, pools[0]!)
      if (a !== undefined && b !== undefined) lines.push(`| ${b.label} | ${pct(b.perTask / a.perTask)} |`)
    }
  }
  // only the overhead targets and the peers: against Effect.forEach, instructions understate what
  // memory traffic costs it (those ratios are in the summary, beside the timed ones)
  const targets = instructionTargets(rows)
  const table = (rows: ReadonlyArray<InstructionTarget>): void => {
    lines.push("| target | row | measured | status |", "|---|---|---|---|")
    for (const t of rows) {
      lines.push(`| ${t.target} | ${t.row} | ${t.measured} | ${t.status === "met" ? "✅ met" : "❌ not met"} |`)
    }
  }
  lines.push("", "Overhead targets on instruction counts (current pool):", "")
  table(targets.filter((t) => t.kind === "reference"))
  const peerRows = targets.filter((t) => t.kind === "peer")
  if (peerRows.length > 0) {
    lines.push(
      "",
      `Against the bounded Promise-based peers on instruction counts (current pool; fewest of those counted: ` +
        `${peerRows[0]!.versus}). Different code (V8's promise machinery against ` +
        `Effect's run loop): a count, not time, and read with the timed table:`,
      ""
    )
    table(peerRows)
  }
  return `${lines.join("\n")}\n`
}

/** `results/<out>.{json,md}`, and the README section for a run of every target case. */
const writeOutputs = (meta: Meta, args: Args, rows: ReadonlyArray<Measured>): void => {
  const dir = path.join(benchDir, "results")
  fs.mkdirSync(dir, { recursive: true })
  // the targets too, for the summary beside the timed run's (`lib/summary.ts`)
  const targets: Array<TargetResult> = instructionTargets(rows).map(({ measured, row, status, target }) => ({
    target,
    row,
    measured,
    status
  }))
  fs.writeFileSync(path.join(dir, `${args.out}.json`), `${JSON.stringify({ meta, args, rows, targets }, null, 2)}\n`)
  const text = markdown(meta, args, rows)
  fs.writeFileSync(path.join(dir, `${args.out}.md`), text)
  process.stdout.write(`\nwrote bench/results/${args.out}.json, ${args.out}.md\n`)
  // a run of every target case also fills its section of the README
  if (args.out === "instructions" && args.filter === undefined) {
    const readme = path.join(benchDir, "README.md")
    const body = text.split("\n").slice(2).join("\n")
    fs.writeFileSync(readme, replaceSection(fs.readFileSync(readme, "utf8"), README_MARKERS, body))
    process.stdout.write("updated the generated instructions section of bench/README.md\n")
    writeSummary()
  }
}

const main = async (): Promise<number> => {
  const argv = process.argv.slice(2)
  if (argv.includes("--help")) {
    process.stdout.write(`${usage}\n`)
    return 0
  }
  const args = parseArgs(argv)
  if (argv.includes("--render")) {
    // rewrite the Markdown (and README section) from the stored JSON, without measuring again
    const stored = JSON.parse(fs.readFileSync(path.join(benchDir, "results", `${args.out}.json`), "utf8")) as {
      readonly meta: Meta
      readonly args: Args
      readonly rows: ReadonlyArray<Measured>
    }
    writeOutputs(stored.meta, stored.args, stored.rows)
    return 0
  }
  try {
    execFileSync("valgrind", ["--version"], { stdio: "ignore" })
  } catch {
    throw new Error("valgrind is not installed (Debian: apt-get install valgrind)")
  }
  const selected = targetCases().filter(matchesFilter(args.filter))
  if (selected.length === 0) throw new Error(`no case matches --filter ${args.filter}`)
  const started = performance.now()
  const runners: Array<{ readonly pool: string; readonly runner: Runner }> = [
    { pool: "current", runner: await buildRunner(NODE_FLAGS) }
  ]
  if (args.poolSrc !== undefined) {
    const other = poolSourcesAt(args.poolSrc)
    runners.push({
      pool: other.commit,
      runner: await buildRunner(NODE_FLAGS, { alias: { "@fiberpool/pool": other.entry }, tag: other.commit })
    })
  }
  const meta = collectMeta({
    runner: runners[0]!.runner.description,
    n: args.hi,
    quick: false,
    filter: args.filter,
    fullN: false
  })
  process.stdout.write(
    `instructions: ${selected.length} cases × ${runners.length} pool version(s), N = ${args.lo} and ${args.hi}, ` +
      `${args.jobs} at a time\n`
  )
  // interleaved, so that both versions of a case run close together
  const alsoOther = (def: CaseDef) =>
    args.poolSrcFilter === undefined || args.poolSrcFilter.some((f) => def.id.includes(f))
  const jobs = selected.flatMap((def) =>
    runners
      .filter(({ pool }) => pool === "current" || alsoOther(def))
      .map(({ pool, runner }) => () => measure(runner, pool, args)(def))
  )
  const rows = await parallel(args.jobs, jobs)
  meta.durationS = (performance.now() - started) / 1000
  meta.machine.loadEnd = os.loadavg()[0]!
  writeOutputs(meta, args, rows)
  return rows.every((r) => r.ok) ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(2)
  }
)
