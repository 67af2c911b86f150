/** Markdown tables and the SVG chart of a run's results. */
import { type WorkloadId, workloadShortTitles, workloadTitles } from "../registry.js"
import type { CaseSummary, Results } from "./results.js"

const WORKLOADS: ReadonlyArray<WorkloadId> = ["W0", "W1", "W2", "W3", "W4"]

/** `1,234` */
export const int = (x: number): string => (Math.round(x) || 0).toLocaleString("en-US") // no "-0"
const nFmt = (n: number): string =>
  n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n)
const ns = (x: number): string => x >= 100 ? int(x) : x.toFixed(1)
const tps = (x: number): string =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)} k` : x.toFixed(0)
const ratio = (r: number | null): string => r === null ? "" : r < 0.01 ? `${r.toPrecision(1)}×` : `${r.toFixed(2)}×`
/** A ratio as a change: `+12.5%`, `-3.0%`; `""` for none. */
export const pct = (r: number | null): string => r === null ? "" : `${r >= 1 ? "+" : ""}${((r - 1) * 100).toFixed(1)}%`
const ms = (x: number): string => x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${int(x)} ms`

export const metaLine = (r: Results): string => {
  const m = r.meta
  const v = m.versions
  return [
    `Run ${m.date.replace("T", " ").slice(0, 16)} UTC, ${m.durationS.toFixed(0)} s`,
    `${m.machine.cpu}, ${m.machine.cores} cores, ${m.machine.memoryGiB} GiB, ${m.machine.os} ${m.machine.arch}`,
    `load average ${m.machine.loadStart.toFixed(1)} → ${m.machine.loadEnd.toFixed(1)}`,
    `Node ${m.node} (V8 ${m.v8})`,
    `effect ${v["effect"]}, @fiberpool/pool ${v["@fiberpool/pool"]} (git ${m.git.commit}${
      m.git.dirty ? ", uncommitted changes in packages/" : ""
    }, sources ${m.git.poolSources}), pool-middleware ${v["@fiberpool/pool-middleware"]}`,
    `p-limit ${v["p-limit"]}, p-queue ${v["p-queue"]}, p-map ${v["p-map"]}`,
    `runner: ${m.runner}`
  ].join(" · ")
}

const row = (c: CaseSummary): string => {
  if (!c.ok) {
    return `| ${c.label} | ${c.mode} | ${nFmt(c.n)} | **FAILED** | ${
      c.problems.join("; ").replace(/\|/g, "\\|")
    } | | | | | |`
  }
  return [
    "",
    c.label,
    c.mode,
    nFmt(c.n),
    `**${ns(c.nsPerTask.median)}**`,
    `${ns(c.nsPerTask.min)}–${ns(c.nsPerTask.max)}`,
    tps(c.tasksPerSec),
    `${ms(c.cpuMs)} (${ns(c.cpuNsPerTask)} ns/task)`,
    `${c.peakRssMiB.median.toFixed(0)} MiB`,
    ratio(c.vsForEach),
    pct(c.vsReference),
    ""
  ].join(" | ").trim()
}

export const tables = (r: Results): string => {
  const out: Array<string> = []
  for (const w of WORKLOADS) {
    const rows = r.cases.filter((c) => c.workload === w)
    if (rows.length === 0) continue
    const runs = [...new Set(rows.map((c) => c.runs))].sort((a, b) => b - a).join("/")
    out.push(`#### ${workloadTitles[w]}`, "")
    out.push(`Median of ${runs} runs, each in a fresh process.`, "")
    out.push(
      "| case | mode | N | ns/task | min–max | tasks/s | CPU time | peak RSS | × forEach | vs ref |",
      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    for (const c of rows) out.push(row(c))
    out.push("")
  }
  return out.join("\n")
}

export const targetsTable = (r: Results): string => {
  const lines = ["| target | row | measured | status |", "|---|---|---|---|"]
  for (const t of r.targets) {
    const status = t.status === "met" ? "✅ met" : t.status === "not met" ? "❌ not met" : "n/a"
    lines.push(`| ${t.target} | ${t.row} | ${t.measured} | ${status} |`)
  }
  return lines.join("\n")
}

export const markdown = (r: Results): string =>
  [
    "# fiberpool benchmark results",
    "",
    metaLine(r),
    "",
    "## Targets",
    "",
    targetsTable(r),
    "",
    "## Tables",
    "",
    tables(r)
  ].join("\n")

// ---------------------------------------------------------------------------------------------
// chart
// ---------------------------------------------------------------------------------------------

const COLORS: Record<CaseSummary["family"], string> = {
  floor: "#9e9e9e",
  effect: "#7e57c2",
  fiberpool: "#1e88e5",
  promise: "#fb8c00",
  "hand-rolled": "#43a047"
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/**
 * Horizontal bars of the median ns/task per case (log scale, min–max whiskers), one panel per
 * workload; W0 first.
 */
export const chart = (r: Results, workloads: ReadonlyArray<WorkloadId> = WORKLOADS): string => {
  const labelW = 480
  const plotW = 520
  const valueW = 90
  const barH = 16
  const gap = 5
  const width = labelW + plotW + valueW + 20
  const ok = r.cases.filter((c) => c.ok)
  const values = ok.flatMap((c) => [c.nsPerTask.min, c.nsPerTask.max])
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(1, Math.min(...values, 100)))))
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 1000))))
  const x = (v: number) =>
    labelW + (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * plotW
  const parts: Array<string> = []
  let y = 44
  for (const w of workloads) {
    const rows = ok.filter((c) => c.workload === w)
    if (rows.length === 0) continue
    parts.push(`<text x="10" y="${y + 12}" class="h">${esc(workloadShortTitles[w])}</text>`)
    y += 22
    const top = y
    for (const c of rows) {
      const x0 = x(lo)
      const x1 = x(c.nsPerTask.median)
      parts.push(
        `<text x="${labelW - 8}" y="${y + barH - 4}" class="l">${esc(c.label)}${
          c.n < r.meta.n ? ` (N ${c.n / 1000}k)` : ""
        }</text>`,
        `<rect x="${x0.toFixed(1)}" y="${y}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${barH}" fill="${
          COLORS[c.family]
        }"><title>${esc(c.label)}: ${c.nsPerTask.median.toFixed(0)} ns/task</title></rect>`,
        `<line x1="${x(c.nsPerTask.min).toFixed(1)}" x2="${x(c.nsPerTask.max).toFixed(1)}" y1="${y + barH / 2}" y2="${
          y + barH / 2
        }" class="w"/>`,
        `<text x="${labelW + plotW + 8}" y="${y + barH - 4}" class="v">${
          c.nsPerTask.median >= 100
            ? Math.round(c.nsPerTask.median).toLocaleString("en-US")
            : c.nsPerTask.median.toFixed(1)
        } ns</text>`
      )
      y += barH + gap
    }
    for (let v = lo; v <= hi; v *= 10) {
      parts.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${top - 4}" y2="${y}" class="g"/>`)
      parts.push(
        `<text x="${x(v).toFixed(1)}" y="${y + 12}" class="t">${
          v >= 1e6 ? `${v / 1e6} ms` : v >= 1e3 ? `${v / 1e3} µs` : `${v} ns`
        }</text>`
      )
    }
    y += 30
  }
  const legend = (Object.keys(COLORS) as Array<CaseSummary["family"]>).map((f, i) =>
    `<rect x="${10 + i * 120}" y="${y}" width="12" height="12" fill="${COLORS[f]}"/><text x="${28 + i * 120}" y="${
      y + 11
    }" class="t0">${f === "effect" ? "other Effect" : f === "promise" ? "Promise-based" : f}</text>`
  ).join("")
  const height = y + 24
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<style>.h{font-size:13px;font-weight:bold}.l{font-size:11px;text-anchor:end}.v{font-size:11px}.t{font-size:10px;text-anchor:middle;fill:#555}.t0{font-size:11px}.g{stroke:#ddd}.w{stroke:#000;stroke-width:1}</style>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-size="15" font-weight="bold">fiberpool benchmark: ns per task (median, log scale; whiskers: min–max)</text>`,
    `<text x="10" y="34" font-size="11" fill="#555">${
      esc(r.meta.machine.cpu)
    }, ${r.meta.machine.cores} cores · Node ${r.meta.node} · effect ${esc(r.meta.versions["effect"] ?? "")} · N ${
      r.meta.n.toLocaleString("en-US")
    } · ${r.meta.date.slice(0, 10)}</text>`,
    ...parts,
    legend,
    `</svg>`
  ].join("\n")
}

/** Replaces what lies between the `begin` and `end` markers of `text` (unchanged without them). */
export const replaceSection = (text: string, [begin, end]: readonly [string, string], content: string): string => {
  const a = text.indexOf(begin)
  const b = text.indexOf(end)
  if (a < 0 || b < a) return text
  return `${text.slice(0, a + begin.length)}\n${content.trim()}\n${text.slice(b)}`
}
