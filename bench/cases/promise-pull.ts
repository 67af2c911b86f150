/**
 * Hand-rolled, no pool: 8 `async` loops (`Promise.all`) each take the next index of one shared
 * counter and await the task. At most 8 in flight, each item once, as p-map over the same items.
 * A context row, not a peer of the targets (those are the npm pools): what a few lines of plain
 * JavaScript cost when the work is a known list.
 */
import { WORKERS } from "../registry.js"
import { promiseTask } from "./promise-body.js"
import type { CaseContext, Prepared } from "./types.js"

export const prepare = ({ body, n }: CaseContext): Prepared => {
  const f = promiseTask(body)
  return {
    run: async () => {
      let next = 0
      const worker = async () => {
        while (next < n) await f(next++)
      }
      await Promise.all(Array.from({ length: WORKERS }, worker))
    }
  }
}
