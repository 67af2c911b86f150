/**
 * Run-loop steps per task: `npx tsx bench/steps.ts [N]`.
 *
 * Effect's fiber runtime executes an effect one primitive at a time (`Sync`, `Success`, `Commit`,
 * `OnSuccessAndFailure`, ...); with the `OpSupervision` runtime flag on, a `Supervisor` sees every
 * one. This script counts them for the W0 task (`Effect.sync`) run by Effect's floor (one fiber,
 * `Effect.whileLoop`), `Effect.forEach` with concurrency 8, and fiberpool's configurations, and
 * prints the steps per task by primitive. A step costs about the same whichever system takes it,
 * so the count says how far each system is from the floor, independently of the machine's noise.
 */
import { FiberPool } from "@fiberpool/pool"
import * as Effect from "effect/Effect"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as RuntimeFlagsPatch from "effect/RuntimeFlagsPatch"
import * as Supervisor from "effect/Supervisor"

const N = Number(process.argv[2] ?? 100_000)
if (!Number.isInteger(N) || N < 1) throw new Error(`N must be an integer >= 1, got ${process.argv[2]}`)

let sum = 0
const task = (i: number) =>
  Effect.sync(() => {
    sum = (sum + Math.imul(i, 0x9e3779b1)) | 0
  })

class CountingSupervisor extends Supervisor.AbstractSupervisor<void> {
  readonly steps = new Map<string, number>()
  get value(): Effect.Effect<void> {
    return Effect.void
  }
  override onEffect(_fiber: unknown, effect: Effect.Effect<unknown, unknown, unknown>): void {
    const op = String((effect as { readonly _op?: unknown })._op ?? "other")
    this.steps.set(op, (this.steps.get(op) ?? 0) + 1)
  }
}

const each = (submit: (i: number) => Effect.Effect<void, unknown>) =>
  Effect.suspend(() => {
    let i = 0
    return Effect.whileLoop({ while: () => i < N, body: () => submit(i++), step: () => {} })
  })

const lazy = function*() {
  for (let i = 0; i < N; i++) yield i
}

const pool = (
  options: {
    readonly batchSize?: number
    readonly workerQueueSize?: number
    readonly keyBy?: (i: number) => string
  },
  all: boolean
) =>
  Effect.scoped(Effect.gen(function*() {
    const p = yield* FiberPool.make({ workers: 8, worker: task, ...options })
    yield* all ? p.submitAll(lazy()) : each(p.submit)
    yield* p.close
  }))

const systems: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown>]> = [
  ["one fiber, Effect.whileLoop (Effect's floor)", each(task)],
  ["Effect.forEach(concurrency 8, discard)", Effect.forEach(lazy(), task, { concurrency: 8, discard: true })],
  ["fiberpool default · submit", pool({}, false)],
  ["fiberpool batchSize 100 (+queue 100) · submit", pool({ batchSize: 100, workerQueueSize: 100 }, false)],
  ["fiberpool default + keyBy i%1000 · submit", pool({ keyBy: (i) => String(i % 1000) }, false)],
  ["fiberpool default · submitAll(lazy)", pool({}, true)],
  ["fiberpool batchSize 100 (+queue 100) · submitAll(lazy)", pool({ batchSize: 100, workerQueueSize: 100 }, true)]
]

const main = async () => {
  process.stdout.write(`run-loop steps per task, N = ${N.toLocaleString("en-US")}\n\n`)
  process.stdout.write("| system | steps/task | by primitive (≥ 0.01 per task) |\n|---|---:|---|\n")
  for (const [label, program] of systems) {
    const supervisor = new CountingSupervisor()
    await Effect.runPromise(
      Effect.supervised(program, supervisor).pipe(
        Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.OpSupervision))
      )
    )
    const total = [...supervisor.steps.values()].reduce((a, b) => a + b, 0)
    const parts = [...supervisor.steps]
      .filter(([, v]) => v / N >= 0.01)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${(v / N).toFixed(2)}`)
      .join(", ")
    process.stdout.write(`| ${label} | ${(total / N).toFixed(2)} | ${parts} |\n`)
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`)
  process.exit(1)
})
