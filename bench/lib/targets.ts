/**
 * The performance targets, evaluated on a run's results (never hand-written).
 */
import type { CaseSummary, TargetResult } from "./results.js"

const FULL_N = 1_000_000
const MEMORY_LIMIT_MIB = 150

const fmtNs = (ns: number): string => ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(0)} ns`
const fmtRatio = (r: number): string => `${r.toFixed(2)}×`
const fmtPct = (r: number): string => `${r >= 1 ? "+" : ""}${((r - 1) * 100).toFixed(1)}%`

/**
 * The targets that compare two cases of one run: a ratio to `Effect.forEach` (the case's baseline)
 * or an overhead over the case's reference (the same configuration without keys / middleware).
 * Evaluated on wall time here and on instruction counts by `bench/instructions.ts`.
 */
export interface RatioTarget {
  readonly target: string
  readonly ids: ReadonlyArray<string>
  /** `forEach`: time ÷ the baseline's ≤ limit; `reference`: time ÷ the reference's ≤ limit. */
  readonly versus: "forEach" | "reference"
  readonly limit: number
}

/** The fiberpool rows that must beat the fastest W0 Promise-based peer (wall time; instructions too). */
export const peerTarget: { readonly target: string; readonly ids: ReadonlyArray<string> } = {
  target: "W0 faster than every Promise-based peer",
  ids: [
    "w0.fiberpool.default.submit",
    "w0.fiberpool.default.submit-all",
    "w0.fiberpool.q100-b100.submit",
    "w0.fiberpool.q100-b100.submit-all"
  ]
}

export const ratioTargets: ReadonlyArray<RatioTarget> = [
  {
    target: "W0 fiberpool default ≤ 0.5× Effect.forEach",
    ids: ["w0.fiberpool.default.submit", "w0.fiberpool.default.submit-all"],
    versus: "forEach",
    limit: 0.5
  },
  {
    target: "W0 batchSize 100 ≤ 0.33× Effect.forEach",
    ids: ["w0.fiberpool.q100-b100.submit", "w0.fiberpool.q100-b100.submit-all"],
    versus: "forEach",
    limit: 0.33
  },
  {
    target: "W3 key routing ≤ +10% over the same config without keys",
    ids: [
      "w3.fiberpool.default-key8.submit",
      "w3.fiberpool.default-key1000.submit",
      "w0.fiberpool.q100-b100-key8.submit",
      "w3.fiberpool.q100-b100-key1000.submit"
    ],
    versus: "reference",
    limit: 1.1
  },
  {
    target: "W4 retry + validate + recover ≤ +30% over W0",
    ids: ["w4.fiberpool.default-rvr.submit", "w4.fiberpool.q100-b100-rvr.submit"],
    versus: "reference",
    limit: 1.3
  }
]

/**
 * What a timed target compares: wall time per task (the judging measure), or CPU time per task (user
 * + system of the whole process, so with the threads of V8's garbage collector and compiler), shown
 * beside it in the summary.
 */
export type TimedMeasure = "wall" | "cpu"

export const evaluateTargets = (
  cases: ReadonlyArray<CaseSummary>,
  measure: TimedMeasure = "wall"
): Array<TargetResult> => {
  const byId = new Map(cases.map((c) => [c.id, c]))
  const cost = (c: CaseSummary): number => measure === "wall" ? c.nsPerTask.median : c.cpuNsPerTask
  /** `c`'s cost over `other`'s (its baseline or reference), when both ran. */
  const ratio = (c: CaseSummary, other: string | null): number | null => {
    const o = other === null ? undefined : byId.get(other)
    return o === undefined || !o.ok ? null : cost(c) / cost(o)
  }
  const get = (id: string): CaseSummary | undefined => {
    const c = byId.get(id)
    return c !== undefined && c.ok ? c : undefined
  }
  const out: Array<TargetResult> = []
  const na = (target: string, row: string, why: string): void => {
    out.push({ target, row, measured: why, status: "n/a" })
  }
  const check = (target: string, row: string, measured: string, met: boolean): void => {
    out.push({ target, row, measured, status: met ? "met" : "not met" })
  }

  // -- W0 vs Effect.forEach ----------------------------------------------------------------------
  const forEachRatio = (target: string, id: string, limit: number): void => {
    const c = get(id)
    if (c === undefined) return na(target, id, "not measured")
    const vsForEach = ratio(c, c.baseline)
    if (vsForEach === null) return na(target, c.label, "no Effect.forEach baseline in this run")
    check(
      target,
      c.label,
      `${fmtRatio(vsForEach)} (${fmtNs(cost(c))} vs ${fmtNs(cost(c) / vsForEach)})`,
      vsForEach <= limit
    )
  }
  // -- overheads over the same configuration -------------------------------------------------------
  const overhead = (target: string, id: string, limit: number): void => {
    const c = get(id)
    if (c === undefined) return na(target, id, "not measured")
    const ref = c.reference === null ? undefined : get(c.reference)
    const vsReference = ratio(c, c.reference)
    if (ref === undefined || vsReference === null) return na(target, c.label, "reference not measured")
    check(
      target,
      c.label,
      `${fmtPct(vsReference)} (${fmtNs(cost(c))} vs ${fmtNs(cost(ref))})`,
      vsReference <= 1 + limit
    )
  }
  const ratioTarget = (t: RatioTarget): void => {
    for (const id of t.ids) {
      if (t.versus === "forEach") forEachRatio(t.target, id, t.limit)
      else overhead(t.target, id, t.limit - 1)
    }
  }
  ratioTarget(ratioTargets[0]!)
  ratioTarget(ratioTargets[1]!)

  for (const id of ["w0.fiberpool.q100-b100.submit", "w0.fiberpool.q100-b100.submit-all"]) {
    const c = get(id)
    if (c === undefined) na("W0 batchSize 100 ≤ 400 ns/task", id, "not measured")
    else check("W0 batchSize 100 ≤ 400 ns/task", c.label, fmtNs(cost(c)), cost(c) <= 400)
  }

  // -- W0 vs every Promise-based peer -------------------------------------------------------------
  const promiseRows = cases.filter((c) => c.workload === "W0" && c.family === "promise")
  // a peer that failed is not left out (the next fastest would decide): there is no verdict
  const failedPeer = promiseRows.find((c) => !c.ok)
  const promise = failedPeer === undefined ? promiseRows : []
  const fastest = promise.reduce<CaseSummary | undefined>(
    (best, c) => best === undefined || cost(c) < cost(best) ? c : best,
    undefined
  )
  for (const id of peerTarget.ids) {
    const target = peerTarget.target
    const c = get(id)
    if (c === undefined) na(target, id, "not measured")
    else if (failedPeer !== undefined) na(target, c.label, `the peer ${failedPeer.label} failed`)
    else if (fastest === undefined) na(target, c.label, "no Promise-based peer measured")
    else {
      check(
        target,
        c.label,
        `${fmtNs(cost(c))} vs fastest peer ${fastest.label}: ${fmtNs(cost(fastest))}`,
        cost(c) < cost(fastest)
      )
    }
  }

  ratioTarget(ratioTargets[2]!)
  ratioTarget(ratioTargets[3]!)

  // -- memory ----------------------------------------------------------------------------------
  const memoryTarget = `1M back-pressured tasks: peak RSS ≤ ${MEMORY_LIMIT_MIB} MiB`
  const streamed = cases.filter((c) =>
    c.family === "fiberpool" && c.mode === "stream" && (c.workload === "W0" || c.workload === "W3")
  )
  const failedStream = streamed.find((c) => !c.ok)
  if (streamed.length === 0) na(memoryTarget, "fiberpool (stream rows)", "not measured")
  else if (failedStream !== undefined) na(memoryTarget, failedStream.label, "this row failed")
  else if (streamed.some((c) => c.n < FULL_N)) na(memoryTarget, "fiberpool (stream rows)", `N < ${FULL_N}`)
  else {
    const worst = streamed.reduce((a, b) => b.peakRssMiB.max > a.peakRssMiB.max ? b : a)
    check(
      memoryTarget,
      `fiberpool, all ${streamed.length} W0/W3 stream rows (worst: ${worst.label})`,
      `${worst.peakRssMiB.max.toFixed(0)} MiB (max over runs)`,
      worst.peakRssMiB.max <= MEMORY_LIMIT_MIB
    )
  }
  return out
}
