/**
 * The summary at the top of bench/README.md: every target, on the latest full timed run
 * (`results/latest.json`) and the latest full instruction count (`results/instructions.json`), side
 * by side. Rewritten by either harness after its full run (or `--render`), from both files, so it
 * never cites figures of an older run than the tables below it.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { caseById, WORKERS } from "../registry.js"
import { benchDir } from "./build.js"
import type { Meta } from "./meta.js"
import { replaceSection } from "./report.js"
import type { CaseSummary, TargetResult } from "./results.js"
import { evaluateTargets, peerTarget, ratioTargets } from "./targets.js"

const MARKERS = ["<!-- BEGIN GENERATED: summary -->", "<!-- END GENERATED: summary -->"] as const

interface Stored {
  readonly meta: Meta
  readonly targets?: ReadonlyArray<TargetResult> | undefined
  readonly rows?: ReadonlyArray<{ readonly id: string; readonly ok: boolean; readonly perTask?: number }> | undefined
  /** The timed run's cases, from which the targets are evaluated on CPU time too. */
  readonly cases?: ReadonlyArray<CaseSummary> | undefined
}

/** DESIGN.md's default sizes (`batchSize`, `workerQueueSize`), which the W3 default rows run with. */
const DEFAULT_BATCH = 10
const DEFAULT_QUEUE = 1

/** Items a queue holds at most: its batches, and a batch being filled one item short of full. */
const holds = (batches: number): number => batches * DEFAULT_BATCH + DEFAULT_BATCH - 1

const perThousand = (items: number): string => (1000 / items).toFixed(1)

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US")

const fmtPct = (r: number): string => `${r >= 1 ? "+" : ""}${((r - 1) * 100).toFixed(0)}%`

/**
 * What bounds a target when it is not met, as measured (bench/README.md, "What bounds the targets
 * that are not met", has the figures). Shown only under a target some row misses. The histogram's
 * cost is read from the instruction count, as the same pool with and without metrics; the wait
 * figures follow from the default sizes.
 */
const bounds = (instructions: Stored | undefined): Record<string, string> => {
  const count = (id: string): number | undefined => {
    const row = instructions?.rows?.find((r) => r.id === id)
    return row?.ok === true ? row.perTask : undefined
  }
  const withMetrics = count("w0.fiberpool.q100-b100.submit-all")
  const without = count("w0.fiberpool.q100-b100-nometrics.submit-all")
  const submitWithout = count("w0.fiberpool.q100-b100-nometrics.submit")
  const pMap = count("w0.p-map")
  const histogram = withMetrics === undefined || without === undefined
    ? "(compare the `metrics: false` rows of the instruction table)"
    : `${fmt(withMetrics - without)} instructions per item (batchSize 100 · submitAll with and without metrics` +
      (submitWithout === undefined || pMap === undefined
        ? ")"
        : `; without them batchSize 100 · submit counts ${fmt(submitWithout)} against p-map's ${fmt(pMap)})`)
  return {
    [peerTarget.target]: "the per-item duration histogram DESIGN.md keeps always on: a clock read and a " +
      `histogram update per item, ${histogram}; \`submit\` also costs the producer a run-loop step per item, ` +
      "which `submitAll` saves",
    [ratioTargets[2]!.target]: "the keyed queues of one batch that DESIGN.md fixes: at the default sizes a worker " +
      `runs at most ${holds(DEFAULT_QUEUE)} items per wake, so workers suspend at least ` +
      `${perThousand(holds(DEFAULT_QUEUE))} times per 1,000 items (${perThousand(holds(WORKERS * DEFAULT_QUEUE))} ` +
      "without keys); routing itself costs ~+6% with room for the waits (`workerQueueSize` 100, measured " +
      "apart at 2026-11-28 07:52 UTC)"
  }
}

type Measure = "instructions" | "timed"

/**
 * Which measure judges a target (the other is shown beside it). Ratios to `Effect.forEach` go by
 * time: instructions leave out the memory traffic of its ~250 MiB heap. Overheads over the same
 * configuration (W3, W4) go by instructions: between such close variants a row's time varies more
 * between runs (±10%) than the margin. The peers go by both: different code, instructions are not
 * time. The ns and memory targets are measured on time only.
 */
const judgedBy = (target: string): ReadonlyArray<Measure> =>
  target === peerTarget.target
    ? ["instructions", "timed"]
    : ratioTargets.some((t) => t.target === target && t.versus === "reference")
    ? ["instructions"]
    : ["timed"]

const read = (name: string): Stored | undefined => {
  const file = path.join(benchDir, "results", `${name}.json`)
  if (!fs.existsSync(file)) return undefined
  return JSON.parse(fs.readFileSync(file, "utf8")) as Stored
}

const when = (s: Stored | undefined): string =>
  s === undefined
    ? "none"
    : `${s.meta.date.slice(0, 16).replace("T", " ")} UTC on ${s.meta.git.commit}${s.meta.git.dirty ? " (dirty)" : ""}`

const mark = (t: TargetResult | undefined): string =>
  t === undefined ? "" : t.status === "met" ? "✅" : t.status === "not met" ? "❌" : "n/a"

/**
 * How much CPU time the W0 rows of each kind of system used per unit of wall time (its range), from
 * the timed run's cases: fiberpool's is higher than its peers', so it reads slower on CPU time.
 */
const cpuShare = (cases: ReadonlyArray<CaseSummary> | undefined): string => {
  const range = (pick: (c: CaseSummary) => boolean): string | undefined => {
    const shares = (cases ?? []).filter((c) => c.ok && c.workload === "W0" && pick(c))
      .map((c) => (c.cpuNsPerTask / c.nsPerTask.median).toFixed(2))
      .sort()
    if (shares.length === 0) return undefined
    return shares[0] === shares[shares.length - 1] ? `${shares[0]}×` : `${shares[0]}–${shares[shares.length - 1]}×`
  }
  const pool = range((c) => c.family === "fiberpool")
  const peers = range((c) => c.family === "promise")
  const forEach = range((c) => c.id === "w0.effect-foreach")
  if (pool === undefined || peers === undefined || forEach === undefined) return ""
  return `: the W0 fiberpool rows used ${pool} their wall time in CPU, the Promise-based peers ${peers}, ` +
    `\`Effect.forEach\` ${forEach}`
}

/** The summary section: one line per target and row, instructions beside time. */
export const summary = (timed: Stored | undefined, instructions: Stored | undefined): string => {
  // a row not measured is named by its case id (`evaluateTargets`): by its label, it is the same row
  const rowOf = (t: TargetResult): TargetResult => {
    const def = caseById(t.row)
    return def === undefined ? t : { ...t, row: def.label }
  }
  const cpu = timed?.cases === undefined ? [] : evaluateTargets(timed.cases, "cpu").map(rowOf)
  timed = timed === undefined ? undefined : { ...timed, targets: timed.targets?.map(rowOf) }
  instructions = instructions === undefined ? undefined : { ...instructions, targets: instructions.targets?.map(rowOf) }
  const key = (t: TargetResult) => `${t.target}\u0000${t.row}`
  const timedBy = new Map((timed?.targets ?? []).map((t) => [key(t), t]))
  const instrBy = new Map((instructions?.targets ?? []).map((t) => [key(t), t]))
  const cpuBy = new Map(cpu.map((t) => [key(t), t]))
  // the timed run evaluates every target; rows only counted (none today) go after their target
  const order: Array<TargetResult> = [...(timed?.targets ?? [])]
  for (const t of instructions?.targets ?? []) {
    if (timedBy.has(key(t))) continue
    const last = order.map((o) => o.target).lastIndexOf(t.target)
    order.splice(last < 0 ? order.length : last + 1, 0, t)
  }
  const lines = [
    `Latest full runs: timed ${when(timed)}; instructions ${when(instructions)}. Which measure judges a ` +
    "row (the status): ratios to `Effect.forEach` go by time (instruction counts leave out the memory " +
    "traffic of its ~250 MiB heap); overheads over the same configuration (W3, W4) by instructions (a " +
    "row's time varies between runs by ±10%, more than the margin); the peers by both; the ns and " +
    "memory targets are timed only. The other measure is shown beside it, marked as it would judge. So is " +
    "the CPU time of the same timed run (user + system of the whole process, the threads of V8's garbage " +
    `collector and compiler included), which judges no row${cpuShare(timed?.cases)}.`,
    "",
    "| target | row | instructions | timed (wall) | timed (CPU) | status |",
    "|---|---|---|---|---|---|"
  ]
  const missed = new Set<string>()
  for (const t of order) {
    const i = instrBy.get(key(t))
    const w = timedBy.get(key(t))
    const c = cpuBy.get(key(t))
    const judges = judgedBy(t.target)
    const deciding = { instructions: i, timed: w }
    const verdicts = judges.map((m) => deciding[m]?.status ?? "n/a")
    const notMet = judges.filter((m) => deciding[m]?.status === "not met")
    // a measure that judges the row but is missing (a failed or filtered run) leaves no verdict
    const status = verdicts.includes("n/a")
      ? "n/a"
      : notMet.length === 0
      ? "✅ met"
      : `❌ not met (${notMet.join(", ")})`
    if (notMet.length > 0) missed.add(t.target)
    lines.push(
      `| ${t.target} | ${t.row} | ${i === undefined ? "" : `${mark(i)} ${i.measured}`} | ${
        w === undefined ? "" : `${mark(w)} ${w.measured}`
      } | ${c === undefined || t.target.includes("peak RSS") ? "" : `${mark(c)} ${c.measured}`} | ${status} |`
    )
  }
  const outside = (timed?.cases ?? []).filter((c) =>
    c.ok && c.family === "fiberpool" && c.workload === "W4" && c.vsReference !== null &&
    !ratioTargets[3]!.ids.includes(c.id)
  )
  if (outside.length > 0) {
    lines.push(
      "",
      "W4 rows no target covers (the issue's W4 target names retry + validate + recover), timed over the same " +
        "configuration without them: " +
        outside.map((c) => {
          // the same middleware around Effect.forEach, where the suite has it
          const suffix = c.id.replace(/^w4\.fiberpool\.default-/, "").replace(/\.submit$/, "")
          const forEach = timed?.cases?.find((f) => f.id === `w4.effect-foreach.${suffix}` && f.ok)
          return `${c.label} ${fmtPct(c.vsReference!)} (${fmt(c.nsPerTask.median)} ns` +
            (forEach === undefined ? ")" : `; Effect.forEach with it: ${fmt(forEach.nsPerTask.median)} ns)`)
        }).join("; ") + "."
    )
  }
  const bound = bounds(instructions)
  const explained = [...missed].filter((target) => bound[target] !== undefined)
  if (explained.length > 0) {
    lines.push("", "What bounds the rows not met (measured below, under the same heading):", "")
    for (const target of explained) lines.push(`- ${target}: ${bound[target]}.`)
  }
  return lines.join("\n")
}

/** Rewrites the summary section of bench/README.md from the stored full runs. */
export const writeSummary = (): void => {
  const readme = path.join(benchDir, "README.md")
  if (!fs.existsSync(readme)) return
  const text = fs.readFileSync(readme, "utf8")
  fs.writeFileSync(readme, replaceSection(text, MARKERS, summary(read("latest"), read("instructions"))))
  process.stdout.write("updated the generated summary of bench/README.md\n")
}
