/**
 * p-queue({ concurrency: 8 }). Eager: `add` every task, then `onIdle`. Back-pressured: the pattern
 * of p-queue's README, `await queue.onSizeLessThan(100)` before adding while 100 are waiting.
 */
import PQueue from "p-queue"
import { WINDOW, WORKERS } from "../registry.js"
import { promiseTask } from "./promise-body.js"
import type { CaseContext, Prepared } from "./types.js"

export const prepare = ({ body, def, n }: CaseContext): Prepared => {
  const f = promiseTask(body)
  const eager = def.params["eager"] === true
  return {
    run: async () => {
      const queue = new PQueue({ concurrency: WORKERS })
      for (let i = 0; i < n; i++) {
        if (!eager && queue.size >= WINDOW) await queue.onSizeLessThan(WINDOW)
        void queue.add(() => f(i))
      }
      await queue.onIdle()
    }
  }
}
