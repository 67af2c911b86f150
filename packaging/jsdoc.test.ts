/**
 * The API reference's rules (see packaging/jsdoc.ts): every export documented with `@since`,
 * `@category` and an example, and every example type-checks.
 */
import { describe, expect, it } from "vitest"
import { listExports, typeCheckExamples } from "./jsdoc.js"

const all = listExports()

describe("API reference (JSDoc)", () => {
  it("finds the exports of every package", () => {
    const names = new Set(all.map((e) => `${e.file.split("/")[1]}:${e.name}`))
    for (const name of ["pool:FiberPool", "pool:make", "pool-metrics:Stats", "pool-middleware:retry"]) {
      expect(names).toContain(name)
    }
  })

  it("every export has @since, @category and at least one ```ts example", () => {
    const missing = all.flatMap((e) => [
      ...(e.since === undefined ? [`${e.file}:${e.line} ${e.name}: no @since`] : []),
      ...(e.category === undefined ? [`${e.file}:${e.line} ${e.name}: no @category`] : []),
      ...(e.examples.length === 0 ? [`${e.file}:${e.line} ${e.name}: no @example`] : [])
    ])
    expect(missing).toEqual([])
  })

  it("every example type-checks", () => {
    expect(typeCheckExamples(all)).toEqual([])
  }, 120_000)
})
