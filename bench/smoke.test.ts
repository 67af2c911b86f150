/**
 * CI smoke test of the benchmark suite: `bench/run.ts --smoke` runs every case once with a small N,
 * in a fresh process each, and verifies that every task ran (count, checksum, failures). No timing
 * assertions. And `bench/instructions.ts` counts one case under valgrind (needs valgrind).
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { verify } from "./lib/verify.js"
import { cases } from "./registry.js"
import { expectedSum } from "./workloads.js"

const root = path.resolve(import.meta.dirname, "..")
const tsx = path.join(root, "node_modules", ".bin", "tsx")

/**
 * Runs `tsx <args>` from the repository root without blocking this worker's event loop (a
 * synchronous spawn of a minute starves vitest's RPC with the main process).
 */
const runTsx = (
  args: ReadonlyArray<string>,
  timeout: number
): Promise<{ readonly status: number | null; readonly stdout: string; readonly stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      tsx,
      [...args],
      { cwd: root, encoding: "utf8", timeout, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null
        // a timeout, a signal or too much output: say so instead of a bare null status
        resolve({
          status: code,
          stdout,
          stderr: error !== null && code === null ? `${error.message}\n${stderr}` : stderr
        })
      }
    )
  })

interface InstructionsRow {
  readonly id: string
  readonly ok: boolean
  readonly instructions: { readonly lo: number; readonly hi: number }
  readonly compile: { readonly lo: number; readonly hi: number }
  readonly perTask: number
}

interface SmokeCase {
  readonly id: string
  readonly n: number
  readonly ok: boolean
  readonly count: number | null
  readonly problems: ReadonlyArray<string>
}

describe("bench", () => {
  it("verification catches a lost task, a wrong checksum and fiberpool's dropped items", () => {
    const n = 1000
    const sum = expectedSum("w0", n)
    expect(verify({ body: "w0" }, n, { count: n, sum, failures: 0, report: null })).toEqual([])
    expect(verify({ body: "w0" }, n, { count: n - 1, sum, failures: 0, report: null })).toHaveLength(1)
    expect(verify({ body: "w0" }, n, { count: n, sum: sum + 1, failures: 0, report: null })).toHaveLength(1)
    expect(verify({ body: "w0fail" }, n, { count: n, sum, failures: 0, report: null })).toHaveLength(1)
    const stats = { submitted: n, processed: n - 1, errors: 0, dropped: 1 }
    expect(verify({ body: "w0" }, n, { count: n, sum, failures: 0, report: { stats } })).toHaveLength(2)
  })

  it("--smoke runs every case and every task of every case", async () => {
    const child = await runTsx(["bench/run.ts", "--smoke"], 110_000)
    const line = child.stdout.split("\n").find((l) => l.startsWith("@@SMOKE "))
    expect(line, `no @@SMOKE line; exit ${child.status}\n${child.stdout}\n${child.stderr}`).toBeDefined()
    const report = JSON.parse(line!.slice("@@SMOKE ".length)) as { cases: Array<SmokeCase> }
    const failed = report.cases.filter((c) => !c.ok || c.count !== c.n)
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([])
    expect(report.cases.map((c) => c.id).sort()).toEqual(cases.map((c) => c.id).sort())
    expect(child.status).toBe(0)
  }, 120_000)

  it("bench:instructions counts a case under callgrind, with the optimizing compiler's work apart", async () => {
    const child = await runTsx(
      [
        "bench/instructions.ts",
        "--filter",
        "w0.effect-loop",
        "--lo",
        "2000",
        "--hi",
        "4000",
        "--warmup",
        "1000",
        "--out",
        "smoke-instructions"
      ],
      170_000
    )
    expect(child.status, `exit ${child.status}\n${child.stdout}\n${child.stderr}`).toBe(0)
    const stored = JSON.parse(
      fs.readFileSync(path.join(root, "bench", "results", "smoke-instructions.json"), "utf8")
    ) as { rows: Array<InstructionsRow> }
    expect(stored.rows.map((r) => [r.id, r.ok])).toEqual([["w0.effect-loop", true]])
    const row = stored.rows[0]!
    expect(row.instructions.hi).toBeGreaterThan(row.instructions.lo)
    // TurboFan ran in both processes and its entry point was found in the profile
    expect(row.compile.lo).toBeGreaterThan(0)
    expect(row.compile.hi).toBeGreaterThan(0)
    expect(row.perTask).toBeGreaterThan(0)
    expect(row.perTask).toBeCloseTo(
      (row.instructions.hi - row.compile.hi - (row.instructions.lo - row.compile.lo)) / 2000,
      6
    )
  }, 180_000)
})
