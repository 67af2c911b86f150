import type { CaseDef } from "../registry.js"
import type { Body } from "../workloads.js"

export interface CaseContext {
  /** Number of tasks. */
  readonly n: number
  readonly def: CaseDef
  readonly body: Body
}

/** What a system reports about its own run, cross-checked by the orchestrator. */
export interface Report {
  /** Tasks that failed, as counted by the system (W4 failing variant). */
  readonly failures?: number
  /** fiberpool's final `Stats` counters. */
  readonly stats?: {
    readonly submitted: number
    readonly processed: number
    readonly errors: number
    readonly dropped: number
  }
}

/** A case whose input is ready: `run` is the timed part. */
export interface Prepared {
  readonly run: () => Promise<Report | void>
}

export interface CaseModule {
  /** Untimed set-up: build the input (arrays), the task function, the options. */
  readonly prepare: (ctx: CaseContext) => Prepared | Promise<Prepared>
}
