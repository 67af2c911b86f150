/** Where the numbers come from: machine, Node, library versions, git state, load. */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { rootDir } from "./build.js"

export interface Meta {
  readonly date: string
  readonly machine: {
    readonly cpu: string
    readonly cores: number
    readonly memoryGiB: number
    readonly os: string
    readonly arch: string
    /** 1-minute load average at the start and end of the run: other processes share the cores. */
    readonly loadStart: number
    loadEnd: number
  }
  readonly node: string
  readonly v8: string
  readonly versions: Record<string, string>
  readonly git: { readonly commit: string; readonly dirty: boolean; readonly poolSources: string }
  readonly runner: string
  readonly n: number
  readonly quick: boolean
  readonly filter: string | null
  readonly fullN: boolean
  durationS: number
}

const PACKAGES = [
  "effect",
  "@fiberpool/pool",
  "@fiberpool/pool-metrics",
  "@fiberpool/pool-middleware",
  "p-limit",
  "p-queue",
  "p-map",
  "tsx",
  "esbuild",
  "typescript"
]

const versionOf = (name: string): string => {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(rootDir, "node_modules", name, "package.json"), "utf8"))
    return String(json.version)
  } catch {
    return "n/a"
  }
}

const git = (...args: Array<string>): string => {
  try {
    return execFileSync("git", args, { cwd: rootDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
  } catch {
    return ""
  }
}

/** A short hash of the pool packages' sources, to tell which version of the pool was measured. */
export const poolSourcesHash = (): string => {
  const hash = createHash("sha1")
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith(".ts")) hash.update(entry.name).update(fs.readFileSync(full))
    }
  }
  for (const pkg of ["pool", "pool-metrics", "pool-middleware"]) walk(path.join(rootDir, "packages", pkg, "src"))
  return hash.digest("hex").slice(0, 12)
}

export const collectMeta = (options: {
  readonly runner: string
  readonly n: number
  readonly quick: boolean
  readonly filter: string | undefined
  readonly fullN: boolean
}): Meta => {
  const cpus = os.cpus()
  return {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus[0]?.model.trim() ?? "unknown",
      cores: cpus.length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()}`,
      arch: os.arch(),
      loadStart: os.loadavg()[0]!,
      loadEnd: os.loadavg()[0]!
    },
    node: process.version,
    v8: process.versions.v8,
    versions: Object.fromEntries(PACKAGES.map((name) => [name, versionOf(name)])),
    git: {
      commit: git("rev-parse", "--short", "HEAD") || "n/a",
      dirty: git("status", "--porcelain", "--", "packages").length > 0,
      poolSources: poolSourcesHash()
    },
    runner: options.runner,
    n: options.n,
    quick: options.quick,
    filter: options.filter ?? null,
    fullN: options.fullN,
    durationS: 0
  }
}
