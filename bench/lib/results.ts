/** The shape of `bench/results/latest.json`, and the aggregation of runs into it. */
import type { RunResult } from "../case.js"
import { baselineOf, caseById, type CaseDef, type Family, type Mode, type WorkloadId } from "../registry.js"
import type { Meta } from "./meta.js"
import { max, median, min } from "./stats.js"

export interface Range {
  readonly median: number
  readonly min: number
  readonly max: number
}

export interface CaseSummary {
  readonly id: string
  readonly workload: WorkloadId
  readonly label: string
  readonly mode: Mode
  readonly family: Family
  readonly system: string
  readonly n: number
  /** Runs measured (and verified). */
  readonly runs: number
  /** Every run ran every task: count, checksum, failures (and fiberpool's own stats) verified. */
  readonly ok: boolean
  readonly problems: ReadonlyArray<string>
  readonly nsPerTask: Range
  readonly wallMs: Range
  /** From the median wall time. */
  readonly tasksPerSec: number
  /** CPU time (user + system) of the workload, median. */
  readonly cpuMs: number
  readonly cpuNsPerTask: number
  /** Peak RSS of the process (`maxRSS`), median and maximum over the runs. */
  readonly peakRssMiB: { readonly median: number; readonly max: number }
  /** RSS just before the workload (the process with its modules and input loaded), median. */
  readonly rssBeforeMiB: number
  readonly baseline: string
  /** ns/task ÷ the baseline `Effect.forEach` case's ns/task (same harness run). */
  readonly vsForEach: number | null
  readonly reference: string | null
  /** ns/task ÷ the reference case's (the same configuration without keys / middleware). */
  readonly vsReference: number | null
  readonly samples: {
    readonly wallMs: ReadonlyArray<number>
    readonly cpuMs: ReadonlyArray<number>
    readonly maxRssMiB: ReadonlyArray<number>
  }
}

export interface TargetResult {
  readonly target: string
  readonly row: string
  readonly measured: string
  readonly status: "met" | "not met" | "n/a"
}

export interface Results {
  readonly meta: Meta
  readonly cases: ReadonlyArray<CaseSummary>
  readonly targets: ReadonlyArray<TargetResult>
}

export interface CaseRuns {
  readonly def: CaseDef
  readonly n: number
  readonly results: ReadonlyArray<RunResult>
  readonly problems: ReadonlyArray<string>
}

const range = (xs: ReadonlyArray<number>): Range => ({ median: median(xs), min: min(xs), max: max(xs) })

export const summarize = (all: ReadonlyArray<CaseRuns>): Array<CaseSummary> => {
  const partial = all.map((c): CaseSummary => {
    const walls = c.results.map((r) => r.wallMs)
    const cpus = c.results.map((r) => r.cpuUserMs + r.cpuSystemMs)
    const rss = c.results.map((r) => r.maxRssMiB)
    const wall = range(walls)
    const perTask = (ms: number) => (ms * 1e6) / c.n
    return {
      id: c.def.id,
      workload: c.def.workload,
      label: c.def.label,
      mode: c.def.mode,
      family: c.def.family,
      system: c.def.system,
      n: c.n,
      runs: c.results.length,
      ok: c.problems.length === 0 && c.results.length > 0,
      problems: c.problems,
      nsPerTask: { median: perTask(wall.median), min: perTask(wall.min), max: perTask(wall.max) },
      wallMs: wall,
      tasksPerSec: c.n / (wall.median / 1000),
      cpuMs: median(cpus),
      cpuNsPerTask: perTask(median(cpus)),
      peakRssMiB: { median: median(rss), max: max(rss) },
      rssBeforeMiB: median(c.results.map((r) => r.rssBeforeMiB)),
      baseline: baselineOf(c.def),
      vsForEach: null,
      reference: c.def.reference ?? null,
      vsReference: null,
      samples: { wallMs: walls, cpuMs: cpus, maxRssMiB: rss }
    }
  })
  return withRatios(partial)
}

/** (Re)computes `baseline`, `reference` and the ratios from the registry. */
export const withRatios = (summaries: ReadonlyArray<CaseSummary>): Array<CaseSummary> => {
  const byId = new Map(summaries.map((s) => [s.id, s]))
  const ratio = (s: CaseSummary, other: string | null): number | null => {
    const o = other === null ? undefined : byId.get(other)
    if (o === undefined || !o.ok || !s.ok) return null
    return s.nsPerTask.median / o.nsPerTask.median
  }
  return summaries.map((s) => {
    const def = caseById(s.id)
    const baseline = def === undefined ? s.baseline : baselineOf(def)
    const reference = def === undefined ? s.reference : def.reference ?? null
    return { ...s, baseline, reference, vsForEach: ratio(s, baseline), vsReference: ratio(s, reference) }
  })
}
