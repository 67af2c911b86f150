/**
 * The targets table judges every target on the rows it needs: a row that failed verification makes
 * the targets that compare against it n/a, instead of being left out of the comparison.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import type { Results, TargetResult } from "./lib/results.js"
import { summary } from "./lib/summary.js"
import { evaluateTargets, peerTarget, ratioTargets } from "./lib/targets.js"

const stored = JSON.parse(
  fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "results", "latest.json"), "utf8")
) as Results

const failing = (id: string) => stored.cases.map((c) => c.id === id ? { ...c, ok: false } : c)

describe("targets with a failed row", () => {
  it("the stored results give a verdict on every peer and memory row", () => {
    const targets = evaluateTargets(stored.cases)
    const peer = targets.filter((t) => t.target.startsWith("W0 faster than every Promise-based peer"))
    expect(peer.length).toBe(4)
    expect(peer.every((t) => t.status !== "n/a")).toBe(true)
    expect(targets.find((t) => t.target.includes("peak RSS"))?.status).toBe("met")
  })

  it("a failed Promise peer makes the peer target n/a, not a comparison with the next fastest", () => {
    const peer = evaluateTargets(failing("w0.p-limit.window"))
      .filter((t) => t.target.startsWith("W0 faster than every Promise-based peer"))
    expect(peer.length).toBe(4)
    for (const t of peer) {
      expect(t.status).toBe("n/a")
      expect(t.measured).toContain("failed")
    }
  })

  it("a failed fiberpool stream row makes the memory target n/a", () => {
    const memory = evaluateTargets(failing("w3.fiberpool.default-key8.submit")).find((t) =>
      t.target.includes("peak RSS")
    )
    expect(memory?.status).toBe("n/a")
  })
})

describe("the summary of both runs", () => {
  const meta = stored.meta
  const row = (target: string, status: TargetResult["status"]): TargetResult => ({
    target,
    row: "fiberpool default · submit",
    measured: status,
    status
  })
  const statusOf = (text: string): string =>
    text.split("\n").find((l) => l.includes("fiberpool default · submit"))!
      .split(" | ").at(-1)!.replace(" |", "")

  it("each target is judged by its own measure: forEach ratios by time, overheads by instructions, peers by both", () => {
    const forEach = ratioTargets[0]!.target
    const keys = ratioTargets[2]!.target
    expect(statusOf(summary({ meta, targets: [row(forEach, "met")] }, { meta, targets: [row(forEach, "not met")] })))
      .toBe("✅ met")
    expect(statusOf(summary({ meta, targets: [row(keys, "met")] }, { meta, targets: [row(keys, "not met")] })))
      .toBe("❌ not met (instructions)")
    expect(statusOf(summary({ meta, targets: [row(keys, "not met")] }, { meta, targets: [row(keys, "met")] })))
      .toBe("✅ met")
    expect(
      statusOf(summary({ meta, targets: [row(peerTarget.target, "not met")] }, {
        meta,
        targets: [row(peerTarget.target, "met")]
      }))
    ).toBe("❌ not met (timed)")
  })

  it("a row one run did not measure (named by its case id there) is still one row", () => {
    const keys = ratioTargets[2]!.target
    const text = summary(
      {
        meta,
        targets: [{ target: keys, row: "w3.fiberpool.default-key8.submit", measured: "not measured", status: "n/a" }]
      },
      {
        meta,
        targets: [{ target: keys, row: "fiberpool default + keyBy i%8 · submit", measured: "+9.3%", status: "met" }]
      }
    )
    const rows = text.split("\n").filter((l) => l.startsWith(`| ${keys}`))
    expect(rows).toEqual([
      `| ${keys} | fiberpool default + keyBy i%8 · submit | ✅ +9.3% | n/a not measured |  | ✅ met |`
    ])
  })

  it("a row whose judging measure is missing has no verdict, and what bounds a missed target is said", () => {
    const keys = ratioTargets[2]!.target
    expect(statusOf(summary({ meta, targets: [row(keys, "met")] }, undefined))).toBe("n/a")
    const missed = summary({ meta, targets: [row(keys, "met")] }, { meta, targets: [row(keys, "not met")] })
    expect(missed).toContain("What bounds the rows not met")
    expect(missed).toContain("keyed queues of one batch")
    expect(summary({ meta, targets: [row(keys, "met")] }, { meta, targets: [row(keys, "met")] }))
      .not.toContain("What bounds")
  })

  it("the histogram's cost under a missed peer target is read from the instruction rows", () => {
    const peer = peerTarget.target
    const counted = (id: string, perTask: number) => ({ id, ok: true, perTask })
    const text = summary({ meta, targets: [row(peer, "not met")] }, {
      meta,
      targets: [row(peer, "met")],
      rows: [
        counted("w0.fiberpool.q100-b100.submit-all", 3000),
        counted("w0.fiberpool.q100-b100-nometrics.submit-all", 2400),
        counted("w0.fiberpool.q100-b100-nometrics.submit", 4100),
        counted("w0.p-map", 4500)
      ]
    })
    expect(text).toContain("600 instructions per item")
    expect(text).toContain("batchSize 100 · submit counts 4,100 against p-map's 4,500")
    // without the rows (a partial run), it points at the table instead of citing a figure
    expect(summary({ meta, targets: [row(peer, "not met")] }, { meta, targets: [row(peer, "met")] }))
      .toContain("compare the `metrics: false` rows")
  })
})

describe("targets on CPU time", () => {
  it("compare each row's CPU time per task, not its wall time, and are shown beside the wall time", () => {
    // a copy of the stored cases where only the CPU times of one row and its baseline differ
    const cases = stored.cases.map((c) =>
      c.id === "w0.fiberpool.default.submit"
        ? { ...c, cpuNsPerTask: 600 }
        : c.id === "w0.effect-foreach"
        ? { ...c, cpuNsPerTask: 1000 }
        : c
    )
    const row = (measure: "wall" | "cpu") =>
      evaluateTargets(cases, measure).find((t) =>
        t.target === ratioTargets[0]!.target && t.row === "fiberpool default · submit"
      )!
    expect(row("cpu")).toMatchObject({ measured: "0.60× (600 ns vs 1000 ns)", status: "not met" })
    expect(row("wall").status).toBe(evaluateTargets(stored.cases).find((t) => t.row === row("wall").row)!.status)
    const text = summary({ meta: stored.meta, targets: evaluateTargets(cases), cases }, undefined)
    const line = text.split("\n").find((l) =>
      l.startsWith(`| ${ratioTargets[0]!.target} | fiberpool default · submit |`)
    )!
    // the CPU column is shown, and judges nothing: the status follows the wall time
    expect(line).toContain("❌ 0.60× (600 ns vs 1000 ns)")
    expect(line.endsWith("| ✅ met |")).toBe(true)
  })
})

describe("W4 rows outside the target", () => {
  it("are listed under the table with their overhead and Effect.forEach's time with the same middleware", () => {
    const text = summary({ meta: stored.meta, targets: evaluateTargets(stored.cases), cases: stored.cases }, undefined)
    const line = text.split("\n").find((l) => l.startsWith("W4 rows no target covers"))!
    const timeout = stored.cases.find((c) => c.id === "w4.fiberpool.default-timeout.submit")!
    const forEach = stored.cases.find((c) => c.id === "w4.effect-foreach.timeout")!
    expect(line).toContain(
      `${timeout.label} +${((timeout.vsReference! - 1) * 100).toFixed(0)}% (${
        Math.round(timeout.nsPerTask.median).toLocaleString("en-US")
      } ns; Effect.forEach with it: ${Math.round(forEach.nsPerTask.median).toLocaleString("en-US")} ns)`
    )
    // the target's own rows are in the table, not here
    expect(line).not.toContain("retry/validate/recover · submit +")
  })
})
