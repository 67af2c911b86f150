/** Every task ran: count, checksum, failures, and fiberpool's own accounting. */
import type { RunResult } from "../case.js"
import type { CaseDef } from "../registry.js"
import { expectedFailures, expectedSum } from "../workloads.js"

const expectedCache = new Map<string, number>()
const expectedSumOf = (def: Pick<CaseDef, "body">, n: number): number => {
  const key = `${def.body}:${n}`
  let v = expectedCache.get(key)
  if (v === undefined) {
    v = expectedSum(def.body, n)
    expectedCache.set(key, v)
  }
  return v
}

export const verify = (
  def: Pick<CaseDef, "body">,
  n: number,
  r: Pick<RunResult, "count" | "sum" | "failures" | "report">
): Array<string> => {
  const problems: Array<string> = []
  if (r.count !== n) problems.push(`ran ${r.count} of ${n} tasks`)
  const sum = expectedSumOf(def, n)
  if (r.sum !== sum) problems.push(`checksum ${r.sum}, expected ${sum}`)
  const failures = expectedFailures(def.body, n)
  if (r.failures !== failures) problems.push(`${r.failures} failures reported, expected ${failures}`)
  const stats = r.report?.stats
  if (stats !== undefined) {
    if (stats.submitted !== n) problems.push(`stats.submitted ${stats.submitted}, expected ${n}`)
    if (stats.processed !== n - failures) problems.push(`stats.processed ${stats.processed}, expected ${n - failures}`)
    if (stats.errors !== failures) problems.push(`stats.errors ${stats.errors}, expected ${failures}`)
    if (stats.dropped !== 0) problems.push(`stats.dropped ${stats.dropped}, expected 0`)
  }
  return problems
}
