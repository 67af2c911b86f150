import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

const fixture = fileURLToPath(new URL("./fixtures/graceful-layer.ts", import.meta.url))
const tsx = createRequire(import.meta.url).resolve("tsx")

/** Runs the fixture, sends SIGTERM once it printed "ready", resolves with its output and exit code. */
const runAndTerminate = () =>
  Effect.async<{ readonly out: string; readonly code: number | null }>((resume) => {
    const child = spawn(process.execPath, ["--import", tsx, fixture], { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let sent = false
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      if (!sent && out.includes("ready")) {
        sent = true
        child.kill("SIGTERM")
      }
    })
    child.stderr.on("data", (chunk: Buffer) => void (out += chunk.toString()))
    child.on("exit", (code) => resume(Effect.succeed({ out, code })))
    return Effect.sync(() => void child.kill("SIGKILL"))
  })

describe("gracefulShutdown under NodeRuntime.runMain", () => {
  it.live("SIGTERM lets the queued items of a pool hosted in a Layer complete", () =>
    Effect.gen(function*() {
      const { code, out } = yield* runAndTerminate()
      const done = out.split("\n").filter((l) => l.startsWith("done ")).map((l) => Number(l.slice(5)))
      deepStrictEqual([...done].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i), out)
      assertTrue(out.includes("final processed=20 dropped=0"), out)
      strictEqual(code, 0, out)
    }), 30_000)
})
