/** Starts one run of one case (`case.ts` in a child process) and reads its `@@RESULT` line. */
import { spawn } from "node:child_process"
import * as path from "node:path"
import type { RunResult } from "../case.js"
import { benchDir } from "./build.js"

const RESULT = "@@RESULT "

export interface ChildRun {
  readonly result: RunResult
  /** Everything the child (or a tool wrapping it, such as valgrind) wrote to stderr. */
  readonly stderr: string
}

/** Runs `command args`, which ends in `case.mjs <case-id> <N> ...`; rejects on failure or timeout. */
export const runChild = (
  command: string,
  args: ReadonlyArray<string>,
  timeoutMs: number
): Promise<ChildRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: path.resolve(benchDir, ".."), stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`timed out after ${timeoutMs / 1000} s`))
    }, timeoutMs)
    child.on("error", (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT))
      if (code !== 0 || line === undefined) {
        const tail = stderr.trim().split("\n").filter((l) => !l.startsWith("==")).slice(0, 6).join(" / ")
        return reject(new Error(`exit ${code ?? signal}${tail.length > 0 ? `: ${tail}` : ""}`))
      }
      resolve({ result: JSON.parse(line.slice(RESULT.length)) as RunResult, stderr })
    })
  })

/** Runs `tasks` with at most `jobs` at a time, in order of submission. */
export const parallel = async <A>(jobs: number, tasks: ReadonlyArray<() => Promise<A>>): Promise<Array<A>> => {
  const results: Array<A> = new Array(tasks.length)
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++
      results[i] = await tasks[i]!()
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker))
  return results
}
