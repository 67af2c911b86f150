/**
 * Shutdown: a program under `NodeRuntime.runMain` (fixtures/sigint-main.ts) receives SIGINT or
 * SIGTERM while its pool is busy. It must stop promptly, report the dropped items, release every
 * per-worker resource, and exit with a non-zero code. The program runs in a child process; the
 * test reads its JSON event lines and its exit.
 */
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "sigint-main.ts")

type Event = { readonly event: string } & Record<string, unknown>

interface Run {
  readonly events: ReadonlyArray<Event>
  /** the lines of stdout that are not events: Effect's default logger writes there */
  readonly logs: ReadonlyArray<string>
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** milliseconds from sending the signal to the child's exit */
  readonly stopMillis: number
  readonly stderr: string
}

/** Starts the fixture, sends `signal` once it reports "ready", and waits for it to exit. */
const runFixture = (signal: NodeJS.Signals, mode: "sleep" | "spin"): Effect.Effect<Run, Error> =>
  Effect.async<Run, Error>((resume) => {
    const env = { ...process.env }
    delete env.NODE_OPTIONS // vitest's own loader options must not leak into the child
    const child = spawn(process.execPath, ["--import", "tsx", fixture, mode], {
      cwd: path.dirname(fixture),
      env,
      stdio: ["ignore", "pipe", "pipe"]
    })
    const events: Array<Event> = []
    const logs: Array<string> = []
    let stdout = ""
    let stderr = ""
    let signalledAt: number | undefined
    const startup = setTimeout(() => {
      child.kill("SIGKILL")
      resume(Effect.fail(new Error(`the fixture did not report "ready" within 45 s; stderr:\n${stderr}`)))
    }, 45_000)
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      let newline = stdout.indexOf("\n")
      while (newline >= 0) {
        const line = stdout.slice(0, newline)
        stdout = stdout.slice(newline + 1)
        newline = stdout.indexOf("\n")
        if (line.trim() === "") continue
        if (!line.startsWith("{")) {
          logs.push(line)
          continue
        }
        const event = JSON.parse(line) as Event
        events.push(event)
        if (event.event === "ready" && signalledAt === undefined) {
          clearTimeout(startup)
          signalledAt = performance.now()
          child.kill(signal)
          // a program that does not react is killed after 8 s, and the test reports it
          setTimeout(() => child.kill("SIGKILL"), 8_000).unref()
        }
      }
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => void (stderr += chunk))
    child.on("error", (error) => resume(Effect.fail(error)))
    child.on("exit", (code, exitSignal) => {
      clearTimeout(startup)
      if (signalledAt === undefined) {
        resume(Effect.fail(new Error(`the fixture exited before "ready" (code ${code}); stderr:\n${stderr}`)))
        return
      }
      resume(
        Effect.succeed({ events, logs, code, signal: exitSignal, stopMillis: performance.now() - signalledAt, stderr })
      )
    })
    return Effect.sync(() => void child.kill("SIGKILL"))
  })

describe("shutdown under NodeRuntime.runMain", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it.live(
      `${signal} while the pool is busy: stops promptly, reports the dropped items, releases per-worker resources, exits non-zero`,
      () =>
        Effect.gen(function*() {
          const run = yield* runFixture(signal, "sleep")
          const of = (name: string) => run.events.filter((e) => e.event === name)
          const context = `events: ${run.events.map((e) => JSON.stringify(e)).join(" ")}\nstderr: ${run.stderr}`

          // exits on its own, with a non-zero code (130: interrupted), not killed by the signal
          strictEqual(run.signal, null, context)
          strictEqual(run.code, 130, context)
          // promptly: the items in flight sleep for an hour; releasing the workers takes ~50 ms
          assertTrue(run.stopMillis < 5_000, `took ${run.stopMillis.toFixed(0)} ms to stop\n${context}`)

          // every per-worker resource acquired was released exactly once, before the final report
          const acquired = of("acquire").map((e) => e.worker as number).sort()
          const released = of("release").map((e) => e.worker as number).sort()
          deepStrictEqual(acquired, [0, 1, 2, 3], context)
          deepStrictEqual(released, acquired, context)
          const stoppedAt = run.events.findIndex((e) => e.event === "stopped")
          assertTrue(stoppedAt >= 0, `no final report\n${context}`)
          assertTrue(
            run.events.map((e) => e.event).lastIndexOf("release") < stoppedAt,
            `released after the report\n${context}`
          )

          // the items in flight were interrupted, and the report accounts for every accepted item
          strictEqual(of("interrupted").length, 4, context)
          const stats = run.events[stoppedAt]! as unknown as Record<
            "submitted" | "processed" | "errors" | "dropped",
            number
          >
          strictEqual(stats.processed, 0, context)
          strictEqual(stats.errors, 0, context)
          assertTrue(stats.dropped >= 4, context)
          strictEqual(stats.submitted, stats.processed + stats.errors + stats.dropped, context)
          assertTrue(run.stderr.includes(`${stats.dropped} item(s) dropped`), context)
          // Ctrl-C asked for the stop: the pool does not warn about what it dropped (it would without
          // the interruption, for a scope closed with work left)
          deepStrictEqual(run.logs.filter((line) => line.includes(" WARN ")), [], context)
        }),
      60_000
    )
  }

  it.live(
    "SIGINT while the pool is busy on the CPU (an endless stream of trivial items): stops promptly too",
    () =>
      Effect.gen(function*() {
        const run = yield* runFixture("SIGINT", "spin")
        const context = `signal: ${run.signal}, code: ${run.code}, after ${
          run.stopMillis.toFixed(0)
        } ms\nstderr: ${run.stderr}`
        // killed with SIGKILL after 8 s means the SIGINT handler never got to run
        strictEqual(run.signal, null, `the program did not react to SIGINT within 8 s\n${context}`)
        strictEqual(run.code, 130, context)
        assertTrue(run.stopMillis < 5_000, `took ${run.stopMillis.toFixed(0)} ms to stop\n${context}`)
        const released = run.events.filter((e) => e.event === "release").map((e) => e.worker as number).sort()
        deepStrictEqual(released, [0, 1, 2, 3], context)
        const stats = run.events.find((e) => e.event === "stopped") as unknown as
          | Record<"submitted" | "processed" | "errors" | "dropped", number>
          | undefined
        assertTrue(stats !== undefined, `no final report\n${context}`)
        assertTrue(stats!.processed >= 100_000, context)
        strictEqual(stats!.submitted, stats!.processed + stats!.errors + stats!.dropped, context)
      }),
    60_000
  )
})
