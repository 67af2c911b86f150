import { describe, it } from "@effect/vitest"
import { deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

const fixture = fileURLToPath(new URL("./fixtures/shielded-close.ts", import.meta.url))
const tsx = createRequire(import.meta.url).resolve("tsx")

/** Runs the fixture to its exit; resolves with its output lines and exit code. */
const run = Effect.async<{ readonly lines: ReadonlyArray<string>; readonly code: number | null }>((resume) => {
  const child = spawn(process.execPath, ["--import", tsx, fixture], { stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  child.stdout.on("data", (chunk: Buffer) => void (out += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => void (out += chunk.toString()))
  // a process that neither exits nor progresses is killed; its output then lacks "done"
  const watchdog = setTimeout(() => child.kill("SIGKILL"), 20_000)
  child.on("exit", (code) => {
    clearTimeout(watchdog)
    resume(Effect.succeed({ lines: out.split("\n").filter((line) => line !== ""), code }))
  })
  return Effect.sync(() => void child.kill("SIGKILL"))
})

describe("a scope closed during an item's uninterruptible acquire, under Effect.runPromise", () => {
  it.live(
    "the process lives until the item's use is interrupted and released, and the program ends",
    () =>
      Effect.gen(function*() {
        const { code, lines } = yield* run
        // after the acquire, only the pool's interruption of the use makes progress: the process must
        // not exit in the middle of the scope's close
        deepStrictEqual(lines.filter((line) => !line.startsWith("timestamp=")), [
          "released",
          "closed processed=0 dropped=1",
          "done"
        ])
        // the scope closed with the item in flight: the pool logs it (Effect's default logger)
        deepStrictEqual(
          lines.filter((line) => line.startsWith("timestamp=")).map((line) => line.split("message=")[1]),
          [
            "\"fiberpool: the pool's scope closed before the pool finished: 1 accepted item was dropped (interrupted, or never " +
            "run). Close the pool (or wait for it) before its scope ends, or set gracefulShutdown\" fiberpool.pool=fiberpool"
          ]
        )
        strictEqual(code, 0)
      }),
    30_000
  )
})
