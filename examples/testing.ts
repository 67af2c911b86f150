/**
 * Test helpers: run an example as a child process (`node --import tsx`), as a user would, and
 * capture its output and exit code.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

export const examplesDir = path.dirname(fileURLToPath(import.meta.url))
export const repoRoot = path.dirname(examplesDir)

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href

export interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface Running {
  readonly child: ChildProcess
  /** stdout and stderr so far */
  readonly output: () => { readonly stdout: string; readonly stderr: string }
  /** resolves when the output (stdout + stderr) matches `pattern` */
  readonly waitFor: (pattern: RegExp) => Promise<void>
  /** resolves when the process has exited */
  readonly done: Promise<Result>
}

/** Starts `examples/<name>/main.ts` (or any script path relative to `examples/`) with `args`. */
export const start = (
  name: string,
  args: ReadonlyArray<string> = [],
  options: { readonly timeoutMs?: number } = {}
): Running => {
  const script = name.endsWith(".ts") ? path.join(examplesDir, name) : path.join(examplesDir, name, "main.ts")
  const child = spawn(process.execPath, ["--import", tsxLoader, script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  const watchers = new Set<() => void>()
  const notify = () => {
    for (const w of [...watchers]) w()
  }
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk
    notify()
  })
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk
    notify()
  })
  const timeoutMs = options.timeoutMs ?? 30_000
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
  const done = new Promise<Result>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      notify()
      resolve({ code, signal, stdout, stderr })
    })
  })
  const waitFor = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(stdout + stderr)) {
          watchers.delete(check)
          resolve()
        } else if (child.exitCode !== null || child.signalCode !== null) {
          watchers.delete(check)
          reject(new Error(`exited before printing ${pattern}:\n${stdout}\n${stderr}`))
        }
      }
      watchers.add(check)
      check()
    })
  return { child, output: () => ({ stdout, stderr }), waitFor, done }
}

/** Runs an example to completion. */
export const run = (name: string, args: ReadonlyArray<string> = [], options: { readonly timeoutMs?: number } = {}) =>
  start(name, args, options).done
