/**
 * Task bodies shared by every system. Plain functions without any library import, so the floor
 * (a synchronous loop) loads nothing else. Every body folds a checksum into `state` and counts
 * itself; the orchestrator checks both against values computed independently of the bodies.
 */

/** Global counters of the running process: every task of every system updates them. */
export const state = { count: 0, sum: 0, failures: 0 }

export const resetState = (): void => {
  state.count = 0
  state.sum = 0
  state.failures = 0
}

/** A few integer operations: the per-task "work" of W0. */
export const mix = (i: number): number => ((Math.imul(i, 0x9e3779b1) ^ (i >>> 7)) + 13) | 0

// ---------------------------------------------------------------------------------------------
// W0: trivial
// ---------------------------------------------------------------------------------------------

/** W0: a few integer operations folded into a checksum (addition mod 2^32: order-independent). */
export const w0 = (i: number): void => {
  state.count++
  state.sum = (state.sum + mix(i)) | 0
}

// ---------------------------------------------------------------------------------------------
// W1: go-pkgz benchTask(1000)
// ---------------------------------------------------------------------------------------------

/** go-pkgz `task`: "simulate some CPU work" (called with n = 1: a one-iteration loop). */
const goTask = (n: number): number => {
  let sum = 0
  for (let i = 0; i < n; i++) sum += i
  return sum
}

/**
 * go-pkgz `benchTask(size)`: allocate a slice, append `size` results of `task(1)`. Go allocates the
 * capacity up front (`make([]int, 0, size)`); a JS array has no capacity, so `push` grows it.
 */
export const benchTask = (size: number): Array<number> => {
  const res: Array<number> = []
  for (let k = 0; k < size; k++) res.push(goTask(1))
  return res
}

export const W1_SIZE = 1000

/** W1: go-pkgz's task body, plus the W0 checksum (and the result's length, so it is used). */
export const w1 = (i: number): void => {
  const res = benchTask(W1_SIZE)
  state.count++
  state.sum = (state.sum + mix(i) + res.length + res[res.length - 1]!) | 0
}

// ---------------------------------------------------------------------------------------------
// W2: one await per task (the Effect systems yield once instead: see cases/effect-body.ts)
// ---------------------------------------------------------------------------------------------

export const w2Promise = async (i: number): Promise<void> => {
  await null
  w0(i)
}

// ---------------------------------------------------------------------------------------------
// W4 failing variant: 1% of the tasks fail after doing their work
// ---------------------------------------------------------------------------------------------

export const FAIL_EVERY = 100
export const FAIL_AT = 42
export const fails = (i: number): boolean => i % FAIL_EVERY === FAIL_AT

/** A cheap failure value (no stack trace): `{ _tag: "TaskFailed", i }`. */
export interface TaskFailed {
  readonly _tag: "TaskFailed"
  readonly i: number
}

// ---------------------------------------------------------------------------------------------
// bodies and expected results
// ---------------------------------------------------------------------------------------------

export type BodyId = "w0" | "w1" | "w2" | "w0fail"

export interface Body {
  readonly id: BodyId
  /** The synchronous task (W2: the part after the await). */
  readonly sync: (i: number) => void
  /** One await before the work (W2 only). */
  readonly async: boolean
  /** 1% of the tasks fail (after running `sync`). */
  readonly failing: boolean
}

export const bodies: Record<BodyId, Body> = {
  w0: { id: "w0", sync: w0, async: false, failing: false },
  w1: { id: "w1", sync: w1, async: false, failing: false },
  w2: { id: "w2", sync: w0, async: true, failing: false },
  w0fail: { id: "w0fail", sync: w0, async: false, failing: true }
}

/**
 * The checksum `n` tasks must produce, computed from the formula rather than by calling the body
 * (for W1: `benchTask(1000)` has length 1000 and ends with `task(1) = 0`).
 */
export const expectedSum = (body: BodyId, n: number): number => {
  const extra = body === "w1" ? W1_SIZE + 0 : 0
  let sum = 0
  for (let i = 0; i < n; i++) sum = (sum + ((Math.imul(i, 0x9e3779b1) ^ (i >>> 7)) + 13 | 0) + extra) | 0
  return sum
}

export const expectedFailures = (body: BodyId, n: number): number =>
  body === "w0fail" && n > FAIL_AT ? Math.floor((n - 1 - FAIL_AT) / FAIL_EVERY) + 1 : 0

/** A cheap lazy iterable of `0 .. n-1` (a hand-written iterator, no generator). */
export const range = (n: number): Iterable<number> => ({
  [Symbol.iterator]: () => {
    let i = 0
    return {
      next: (): IteratorResult<number> => i < n ? { done: false, value: i++ } : { done: true, value: undefined }
    }
  }
})

/** `[0, 1, …, n-1]`, built outside the timed region. */
export const array = (n: number): Array<number> => {
  const out = new Array<number>(n)
  for (let i = 0; i < n; i++) out[i] = i
  return out
}
