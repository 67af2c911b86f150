/**
 * p-limit(8). Eager: `limit(task, i)` for every task up front, then `Promise.all`. Back-pressured:
 * at most 100 tasks outstanding: before submitting task i, await the promise of task i - 100.
 */
import pLimit from "p-limit"
import { WINDOW, WORKERS } from "../registry.js"
import { promiseTask } from "./promise-body.js"
import type { CaseContext, Prepared } from "./types.js"

export const prepare = ({ body, def, n }: CaseContext): Prepared => {
  const f = promiseTask(body)
  if (def.params["eager"] === true) {
    return {
      run: async () => {
        const limit = pLimit(WORKERS)
        const promises = new Array<Promise<void>>(n)
        for (let i = 0; i < n; i++) promises[i] = limit(f, i)
        await Promise.all(promises)
      }
    }
  }
  return {
    run: async () => {
      const limit = pLimit(WORKERS)
      const ring = new Array<Promise<void> | undefined>(WINDOW)
      for (let i = 0; i < n; i++) {
        const slot = i % WINDOW
        if (i >= WINDOW) await ring[slot]
        ring[slot] = limit(f, i)
      }
      await Promise.all(ring)
    }
  }
}
