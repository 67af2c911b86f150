/**
 * Every benchmark case: which system runs which task body, how items are submitted, and what the
 * case is compared with. Plain data (no library imports), shared by the orchestrator, the child
 * process and the smoke test.
 */
import type { BodyId } from "./workloads.js"

export type WorkloadId = "W0" | "W1" | "W2" | "W3" | "W4"

export type SystemId =
  | "sync-loop"
  | "effect-loop"
  | "effect-foreach"
  | "fiberpool"
  | "manual-queue"
  | "stream-mapeffect"
  | "p-limit"
  | "p-queue"
  | "p-map"
  | "effect-pull"
  | "promise-pull"

/**
 * - `floor`: a plain loop, no concurrency at all;
 * - `stream`: back-pressured streaming: a producer hands tasks over one by one and waits while a
 *   bounded queue is full;
 * - `eager`: every task is submitted up front, before any completes;
 * - `pull`: the system pulls tasks from an array or a lazy iterable with at most 8 in flight.
 */
export type Mode = "floor" | "stream" | "eager" | "pull"

/** `hand-rolled`: a few lines of plain code, no library: context rows that no target compares with. */
export type Family = "floor" | "effect" | "fiberpool" | "promise" | "hand-rolled"

export type MiddlewareKind = "rvr" | "rvr-rl" | "timeout"

export interface FiberPoolParams {
  readonly batchSize?: number
  /** `"eager"`: large enough to hold every task (`ceil(n / (workers × batch))`). */
  readonly workerQueueSize?: number | "eager"
  /** `keyBy: (i) => String(i % keyMod)` */
  readonly keyMod?: number
  /** `each`: `submit` per task; `lazy`: `submitAll(lazy iterable)`; `array`: `submitAll(array)` */
  readonly submit: "each" | "lazy" | "array"
  readonly middleware?: MiddlewareKind
  readonly continueOnError?: boolean
  /** `span: true`: every item runs in a tracing span (off by default: this row shows its cost) */
  readonly span?: boolean
  /** `metrics: false`: no Effect metrics, so no clock read and histogram update per item */
  readonly metrics?: boolean
}

export interface CaseDef {
  readonly id: string
  readonly workload: WorkloadId
  readonly body: BodyId
  readonly system: SystemId
  /** Row label: system and configuration. */
  readonly label: string
  readonly mode: Mode
  readonly family: Family
  readonly params: Record<string, unknown>
  /** Measured runs in a full run (default 5). */
  readonly runs?: number
  /**
   * Upper bound on N for this case (unless `--full-n`): for cases that take more than ~10 s per
   * million tasks. Per-task figures stay comparable (the cost is linear in N); peak RSS does not.
   */
  readonly maxN?: number
  /** The `Effect.forEach` case this one's ratio is computed against (default: the workload's). */
  readonly baseline?: string
  /** The same configuration without keys / middleware (W3, W4 overhead). */
  readonly reference?: string
}

export const WORKERS = 8
/** N of the cases too slow for a million tasks (Stream.mapEffect, the timeout middleware). */
export const SLOW_N = 50_000
/** N of W1: its task body alone takes ~9 µs in JS (9 s per million, even in the floor). */
export const W1_N = 200_000
/** Bound of the hand-rolled back-pressure windows of the Promise peers and of the manual queue. */
export const WINDOW = 100

export const workloadTitles: Record<WorkloadId, string> = {
  W0: "W0 trivial: a few integer operations folded into a checksum (pure scheduling overhead)",
  W1: "W1 go-pkgz benchTask(1000): allocate, push 1000 results of a one-iteration loop",
  W2: "W2 async: one Effect.yieldNow() / await per task",
  W3: "W3 keyed: W0 with keyBy i % 8 and i % 1000",
  W4:
    "W4 middleware: W0 with retry + validate + recover (+ a non-binding rateLimit), with timeout, and with 1% failing tasks under continueOnError"
}

/** Short titles, for the chart. */
export const workloadShortTitles: Record<WorkloadId, string> = {
  W0: "W0 trivial (scheduling overhead)",
  W1: "W1 go-pkgz benchTask(1000)",
  W2: "W2 async (one yield / await per task)",
  W3: "W3 keyed (keyBy i % 8, i % 1000)",
  W4: "W4 middleware, timeout, 1% failing"
}

const bodyOf: Record<WorkloadId, BodyId> = { W0: "w0", W1: "w1", W2: "w2", W3: "w0", W4: "w0" }

const fp = (
  workload: WorkloadId,
  slug: string,
  label: string,
  params: FiberPoolParams,
  extra: Partial<CaseDef> = {}
): CaseDef => ({
  id: `${workload.toLowerCase()}.fiberpool.${slug}`,
  workload,
  body: bodyOf[workload],
  system: "fiberpool",
  label: `fiberpool ${label}`,
  mode: params.workerQueueSize === "eager" ? "eager" : "stream",
  family: "fiberpool",
  params: params as unknown as Record<string, unknown>,
  ...extra
})

/** go-pkgz's four configurations, submitted one by one (its benchmark calls `Submit` per item). */
const goPkgzConfigs = (workload: WorkloadId): Array<CaseDef> => [
  fp(workload, "default.submit", "default · submit", { submit: "each" }),
  fp(workload, "q100.submit", "workerQueueSize 100 · submit", { workerQueueSize: 100, submit: "each" }),
  fp(workload, "q100-b100.submit", "batchSize 100 (+queue 100) · submit", {
    batchSize: 100,
    workerQueueSize: 100,
    submit: "each"
  }),
  fp(workload, "q100-b100-key8.submit", "batchSize 100 (+queue 100) + keyBy i%8 · submit", {
    batchSize: 100,
    workerQueueSize: 100,
    keyMod: 8,
    submit: "each"
  }, { reference: `${workload.toLowerCase()}.fiberpool.q100-b100.submit` })
]

const peers = (
  workload: WorkloadId,
  options: { readonly eager: boolean; readonly slowRuns: number }
): Array<CaseDef> => {
  const w = workload.toLowerCase()
  const body = bodyOf[workload]
  const out: Array<CaseDef> = [
    {
      id: `${w}.manual-queue`,
      workload,
      body,
      system: "manual-queue",
      label: `manual pool: Queue.bounded(${WINDOW}) + ${WORKERS} fibers`,
      mode: "stream",
      family: "effect",
      params: {}
    },
    {
      id: `${w}.stream-mapeffect`,
      workload,
      body,
      system: "stream-mapeffect",
      label: `Stream.mapEffect(concurrency ${WORKERS})`,
      mode: "pull",
      family: "effect",
      params: {},
      runs: options.slowRuns,
      maxN: SLOW_N
    }
  ]
  if (options.eager) {
    out.push({
      id: `${w}.p-limit.eager`,
      workload,
      body,
      system: "p-limit",
      label: "p-limit · eager",
      mode: "eager",
      family: "promise",
      params: { eager: true },
      runs: options.slowRuns
    })
  }
  out.push({
    id: `${w}.p-limit.window`,
    workload,
    body,
    system: "p-limit",
    label: `p-limit · back-pressured (window ${WINDOW})`,
    mode: "stream",
    family: "promise",
    params: { eager: false }
  })
  if (options.eager) {
    out.push({
      id: `${w}.p-queue.eager`,
      workload,
      body,
      system: "p-queue",
      label: "p-queue · eager",
      mode: "eager",
      family: "promise",
      params: { eager: true },
      runs: options.slowRuns
    })
  }
  out.push(
    {
      id: `${w}.p-queue.on-size`,
      workload,
      body,
      system: "p-queue",
      label: `p-queue · onSizeLessThan(${WINDOW})`,
      mode: "stream",
      family: "promise",
      params: { eager: false }
    },
    {
      id: `${w}.p-map`,
      workload,
      body,
      system: "p-map",
      label: "p-map · lazy iterable",
      mode: "pull",
      family: "promise",
      params: {}
    }
  )
  return out
}

const floorAndForEach = (workload: WorkloadId, runs?: number): Array<CaseDef> => {
  const w = workload.toLowerCase()
  const body = bodyOf[workload]
  const withRuns = runs === undefined ? {} : { runs }
  return [
    {
      id: `${w}.sync-loop`,
      workload,
      body,
      system: "sync-loop",
      label: body === "w2" ? "plain async loop (floor)" : "plain synchronous loop (floor)",
      mode: "floor",
      family: "floor",
      params: {},
      ...withRuns
    },
    {
      id: `${w}.effect-loop`,
      workload,
      body,
      system: "effect-loop",
      label: "one fiber, Effect.whileLoop (Effect's floor)",
      mode: "floor",
      family: "floor",
      params: {},
      ...withRuns
    },
    {
      id: `${w}.effect-foreach`,
      workload,
      body,
      system: "effect-foreach",
      label: `Effect.forEach(concurrency ${WORKERS}, discard)`,
      mode: "pull",
      family: "effect",
      params: {},
      ...withRuns
    }
  ]
}

const W0: Array<CaseDef> = [
  ...floorAndForEach("W0"),
  ...goPkgzConfigs("W0"),
  fp("W0", "default.submit-all", "default · submitAll(lazy)", { submit: "lazy" }),
  fp("W0", "q100-b100-nometrics.submit", "batchSize 100 (+queue 100), metrics: false · submit", {
    batchSize: 100,
    workerQueueSize: 100,
    submit: "each",
    metrics: false
  }, { reference: "w0.fiberpool.q100-b100.submit" }),
  fp("W0", "q100-b100.submit-all", "batchSize 100 (+queue 100) · submitAll(lazy)", {
    batchSize: 100,
    workerQueueSize: 100,
    submit: "lazy"
  }),
  fp("W0", "q100-b100-nometrics.submit-all", "batchSize 100 (+queue 100), metrics: false · submitAll(lazy)", {
    batchSize: 100,
    workerQueueSize: 100,
    submit: "lazy",
    metrics: false
  }, { reference: "w0.fiberpool.q100-b100.submit-all" }),
  fp("W0", "b100.eager", "batchSize 100 · eager submitAll(array), queue ≥ N", {
    batchSize: 100,
    workerQueueSize: "eager",
    submit: "array"
  }),
  ...peers("W0", { eager: true, slowRuns: 3 }),
  {
    id: "w0.effect-pull",
    workload: "W0",
    body: "w0",
    system: "effect-pull",
    label: `hand-rolled: ${WORKERS} fibers pulling from one counter (Effect.all of whileLoops)`,
    mode: "pull",
    family: "hand-rolled",
    params: {}
  },
  {
    id: "w0.promise-pull",
    workload: "W0",
    body: "w0",
    system: "promise-pull",
    label: `hand-rolled: ${WORKERS} async loops pulling from one counter (Promise.all)`,
    mode: "pull",
    family: "hand-rolled",
    params: {}
  }
]

const W1: Array<CaseDef> = [
  ...floorAndForEach("W1"),
  ...goPkgzConfigs("W1"),
  ...peers("W1", { eager: false, slowRuns: 3 })
].map((c) => ({ ...c, runs: 3, maxN: Math.min(c.maxN ?? W1_N, W1_N) }))

const W2: Array<CaseDef> = [
  ...floorAndForEach("W2", 3),
  ...goPkgzConfigs("W2").filter((c) => !c.id.includes("q100.")).map((c) => ({ ...c, runs: 3 })),
  ...peers("W2", { eager: true, slowRuns: 3 }).map((c) => ({ ...c, runs: 3 }))
]

/** go-pkgz's keyed configuration (batchSize 100 + keyBy i%8) is measured in W0 already. */
const W3: Array<CaseDef> = [
  fp("W3", "default-key8.submit", "default + keyBy i%8 · submit", { keyMod: 8, submit: "each" }, {
    reference: "w0.fiberpool.default.submit",
    baseline: "w0.effect-foreach"
  }),
  fp("W3", "default-key1000.submit", "default + keyBy i%1000 · submit", { keyMod: 1000, submit: "each" }, {
    reference: "w0.fiberpool.default.submit",
    baseline: "w0.effect-foreach"
  }),
  fp("W3", "q100-b100-key1000.submit", "batchSize 100 (+queue 100) + keyBy i%1000 · submit", {
    batchSize: 100,
    workerQueueSize: 100,
    keyMod: 1000,
    submit: "each"
  }, {
    reference: "w0.fiberpool.q100-b100.submit",
    baseline: "w0.effect-foreach"
  })
]

const forEachMw = (slug: string, label: string, params: Record<string, unknown>, body: BodyId = "w0"): CaseDef => ({
  id: `w4.effect-foreach.${slug}`,
  workload: "W4",
  body,
  system: "effect-foreach",
  label: `Effect.forEach(concurrency ${WORKERS}) ${label}`,
  mode: "pull",
  family: "effect",
  params
})

const W4: Array<CaseDef> = [
  forEachMw("rvr", "+ retry/validate/recover", { middleware: "rvr" }),
  fp("W4", "default-rvr.submit", "default + retry/validate/recover · submit", {
    submit: "each",
    middleware: "rvr"
  }, { reference: "w0.fiberpool.default.submit", baseline: "w4.effect-foreach.rvr" }),
  fp("W4", "q100-b100-rvr.submit", "batchSize 100 (+queue 100) + retry/validate/recover · submit", {
    batchSize: 100,
    workerQueueSize: 100,
    submit: "each",
    middleware: "rvr"
  }, { reference: "w0.fiberpool.q100-b100.submit", baseline: "w4.effect-foreach.rvr" }),
  { ...forEachMw("rvr-rl", "+ retry/validate/recover + rateLimit", { middleware: "rvr-rl" }), runs: 3 },
  fp("W4", "default-rvr-rl.submit", "default + retry/validate/recover + rateLimit · submit", {
    submit: "each",
    middleware: "rvr-rl"
  }, { reference: "w0.fiberpool.default.submit", baseline: "w4.effect-foreach.rvr-rl", runs: 3 }),
  { ...forEachMw("timeout", "+ timeout", { middleware: "timeout" }), maxN: SLOW_N, runs: 3 },
  fp("W4", "default-timeout.submit", "default + timeout · submit", { submit: "each", middleware: "timeout" }, {
    reference: "w0.fiberpool.default.submit",
    baseline: "w4.effect-foreach.timeout",
    maxN: SLOW_N,
    runs: 3
  }),
  { ...forEachMw("fail1", "· 1% failing, errors caught", { catchFailures: true }, "w0fail"), runs: 3 },
  fp("W4", "default-span.submit", "default + span per item · submit", { submit: "each", span: true }, {
    reference: "w0.fiberpool.default.submit",
    runs: 3
  }),
  {
    ...fp("W4", "default-fail1.submit", "default · 1% failing, continueOnError · submit", {
      submit: "each",
      continueOnError: true
    }, { reference: "w0.fiberpool.default.submit", baseline: "w4.effect-foreach.fail1", runs: 3 }),
    body: "w0fail"
  }
]

export const cases: ReadonlyArray<CaseDef> = [...W0, ...W1, ...W2, ...W3, ...W4]

export const caseById = (id: string): CaseDef | undefined => cases.find((c) => c.id === id)

/**
 * The `--filter` of the bench scripts: a case is selected when its id or label contains one of the
 * comma-separated substrings (every case without a filter).
 */
export const matchesFilter = (filter: string | undefined) => {
  const parts = filter?.split(",")
  return (c: CaseDef): boolean => parts === undefined || parts.some((f) => c.id.includes(f) || c.label.includes(f))
}

/** The case a row's "× forEach" ratio is computed against. */
export const baselineOf = (c: CaseDef): string =>
  c.baseline ?? (c.system === "effect-foreach" ? c.id : `${c.workload.toLowerCase()}.effect-foreach`)
