/**
 * CPU profile of benchmark cases, summarised by self time per original source function.
 *
 *   npx tsx bench/profile.ts [case-id ...] [--n N] [--top K]
 *
 * Default cases: fiberpool W0 default and batchSize 100 (submit per task). Each runs once in a fresh
 * process under `node --cpu-prof` (100 µs sampling) after the usual warm-up; only the samples taken
 * inside the timed workload count (the child reports the window on the profiler's clock). Positions
 * in the esbuild bundle are mapped back to the sources through its source maps. Writes
 * `bench/results/<case>.cpuprofile` (open it in Chrome DevTools; gitignored) and
 * `bench/results/profile.md`.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { RunResult } from "./case.js"
import { benchDir, buildRunner, rootDir } from "./lib/build.js"
import { poolSourcesHash } from "./lib/meta.js"
import { SourceMap } from "./lib/sourcemap.js"
import { verify } from "./lib/verify.js"
import { caseById } from "./registry.js"

interface ProfileNode {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
    readonly columnNumber: number
  }
  readonly children?: ReadonlyArray<number>
}

interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly startTime: number
  readonly endTime: number
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

interface Entry {
  readonly key: string
  readonly file: string
  readonly fn: string
  micros: number
}

const argv = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}
const n = Number(flag("--n") ?? 1_000_000)
const top = Number(flag("--top") ?? 25)
const ids = argv.filter((a, i) => !a.startsWith("--") && (i === 0 || !argv[i - 1]!.startsWith("--")))
const selected = ids.length > 0 ? ids : ["w0.fiberpool.default.submit", "w0.fiberpool.q100-b100.submit"]

const maps = new Map<string, SourceMap | null>()
const mapFor = (url: string): SourceMap | null => {
  let m = maps.get(url)
  if (m === undefined) {
    try {
      const file = fileURLToPath(url)
      m = fs.existsSync(`${file}.map`) ? new SourceMap(`${file}.map`, rootDir) : null
    } catch {
      m = null
    }
    maps.set(url, m)
  }
  return m
}

const locate = (node: ProfileNode): { file: string; line: number; fn: string } => {
  const cf = node.callFrame
  const fn = cf.functionName.length > 0 ? cf.functionName : "(anonymous)"
  if (cf.url.length === 0) return { file: "", line: 0, fn }
  const map = cf.url.startsWith("file:") ? mapFor(cf.url) : null
  const pos = map?.lookup(cf.lineNumber, cf.columnNumber)
  if (pos !== undefined) return { file: pos.source, line: pos.line + 1, fn }
  const file = cf.url.startsWith("file:") ? path.relative(rootDir, fileURLToPath(cf.url)) : cf.url
  return { file, line: cf.lineNumber + 1, fn }
}

const summarise = (profile: Profile, window: readonly [number, number] | undefined) => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfMicros = new Map<number, number>()
  let t = profile.startTime
  let total = 0
  let inWindow = 0
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!
    const dt = profile.timeDeltas[i + 1] ?? 0
    const inside = window === undefined || (t >= window[0] && t <= window[1])
    if (!inside) continue
    inWindow++
    total += dt
    const id = profile.samples[i]!
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + dt)
  }
  const entries = new Map<string, Entry>()
  const files = new Map<string, number>()
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id)!
    const { file, fn, line } = locate(node)
    const key = file.length > 0 ? `${file}:${line} ${fn}` : fn
    const e = entries.get(key) ?? { key, file, fn, micros: 0 }
    e.micros += micros
    entries.set(key, e)
    const group = file.length > 0 ? file : fn
    files.set(group, (files.get(group) ?? 0) + micros)
  }
  return {
    total,
    samples: inWindow,
    functions: [...entries.values()].sort((a, b) => b.micros - a.micros),
    files: [...files.entries()].sort((a, b) => b[1] - a[1])
  }
}

const main = async () => {
  const dir = path.join(benchDir, "results")
  fs.mkdirSync(dir, { recursive: true })
  const runner = await buildRunner()
  const out: Array<string> = [
    "# CPU profiles",
    "",
    `${new Date().toISOString().slice(0, 16)} UTC · Node ${process.version} · pool sources ${poolSourcesHash()} · ` +
    `N = ${n.toLocaleString("en-US")} · ` +
    "`node --cpu-prof --cpu-prof-interval 100`, samples inside the timed workload only, self time by source function",
    ""
  ]
  for (const id of selected) {
    const def = caseById(id)
    if (def === undefined) throw new Error(`unknown case ${id}`)
    const name = `${id}.cpuprofile`
    const child = spawnSync(
      runner.command,
      [
        "--expose-gc",
        "--cpu-prof",
        "--cpu-prof-interval",
        "100",
        "--cpu-prof-dir",
        dir,
        "--cpu-prof-name",
        name,
        ...runner.script,
        id,
        String(n),
        "--warmup",
        String(Math.min(50_000, Math.floor(n / 20)))
      ],
      { cwd: rootDir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }
    )
    const line = child.stdout.split("\n").find((l) => l.startsWith("@@RESULT "))
    if (child.status !== 0 || line === undefined) throw new Error(`${id}: exit ${child.status}\n${child.stderr}`)
    const result = JSON.parse(line.slice("@@RESULT ".length)) as RunResult
    const problems = verify(def, n, result)
    if (problems.length > 0) throw new Error(`${id}: ${problems.join(", ")}`)
    const profile = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) as Profile
    let s = summarise(profile, result.windowUs)
    let note = "timed workload only"
    if (s.samples < 10) {
      s = summarise(profile, undefined)
      note = "whole process (the workload window did not match the profile's clock)"
    }
    const pct = (micros: number) => `${((100 * micros) / s.total).toFixed(1)}%`
    out.push(
      `## ${def.label} (\`${id}\`)`,
      "",
      `${(result.wallMs * 1e6 / n).toFixed(0)} ns/task in this run (profiler on) · ${s.samples} samples, ${
        (s.total / 1000).toFixed(0)
      } ms · ${note}`,
      "",
      "| self | function (source:line name) |",
      "|---:|---|"
    )
    for (const e of s.functions.slice(0, top)) out.push(`| ${pct(e.micros)} | \`${e.key}\` |`)
    out.push("", "By file:", "", "| self | file |", "|---:|---|")
    for (const [f, micros] of s.files.slice(0, 12)) out.push(`| ${pct(micros)} | \`${f}\` |`)
    out.push("")
    process.stdout.write(`profiled ${id}: ${s.samples} samples → bench/results/${name}\n`)
  }
  const text = out.join("\n")
  fs.writeFileSync(path.join(dir, "profile.md"), `${text}\n`)
  process.stdout.write(`\n${text}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
  process.exit(1)
})
