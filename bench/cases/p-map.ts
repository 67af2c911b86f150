/** `pMap(lazy iterable, task, { concurrency: 8 })`: pulls the next task when a slot frees. */
import pMap from "p-map"
import { WORKERS } from "../registry.js"
import { range } from "../workloads.js"
import { promiseTask } from "./promise-body.js"
import type { CaseContext, Prepared } from "./types.js"

export const prepare = ({ body, n }: CaseContext): Prepared => {
  const f = promiseTask(body)
  return {
    run: async () => {
      await pMap(range(n), (i) => f(i), { concurrency: WORKERS })
    }
  }
}
