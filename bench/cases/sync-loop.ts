/** The floor: a plain loop over the task body (W2: an `async` loop with one `await` per task). */
import type { CaseContext, Prepared } from "./types.js"

export const prepare = ({ body, n }: CaseContext): Prepared => {
  const f = body.sync
  if (body.failing) throw new Error("the floor does not run the failing body")
  if (body.async) {
    return {
      run: async () => {
        for (let i = 0; i < n; i++) {
          await null
          f(i)
        }
      }
    }
  }
  return {
    run: async () => {
      for (let i = 0; i < n; i++) f(i)
    }
  }
}
