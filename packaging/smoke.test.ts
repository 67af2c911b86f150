/**
 * The published artifacts work: see packaging/smoke.ts. One run of the check (build in a
 * temporary copy, npm pack, publint, attw, install into a fresh project, run as ESM and CommonJS,
 * type-check against the published declarations); each test reads one part of its report.
 */
import { beforeAll, describe, expect, it } from "vitest"
import { packages } from "./build.js"
import { type Report, type Run, smoke } from "./smoke.js"

let report: Report

beforeAll(async () => {
  report = await smoke()
})

const names = packages.map((p) => `@fiberpool/${p}`)

const output = (run: Run): string => `exit ${run.code}\n${run.stdout}\n${run.stderr}`

describe("packaging", () => {
  it("each tarball holds the build (ESM, CJS, declarations, maps), the sources, README, LICENSE and CHANGELOG, and nothing else", () => {
    expect(report.tarballs.map((t) => t.name)).toEqual(names)
    for (const tarball of report.tarballs) {
      for (
        const file of ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "src/index.ts", "dist/cjs/package.json"]
      ) {
        expect(tarball.files, `${tarball.name}: ${file}`).toContain(file)
      }
      for (const format of ["esm", "cjs"]) {
        for (const ext of [".js", ".js.map", ".d.ts", ".d.ts.map"]) {
          expect(tarball.files, `${tarball.name}: dist/${format}/index${ext}`).toContain(`dist/${format}/index${ext}`)
        }
      }
      const unexpected = tarball.files.filter((f) =>
        !["package.json", "README.md", "LICENSE", "CHANGELOG.md"].includes(f) &&
        !/^src\/.+\.ts$/.test(f) &&
        !/^dist\/(esm|cjs)\/.+\.(js|js\.map|d\.ts|d\.ts\.map)$/.test(f) &&
        f !== "dist/cjs/package.json"
      )
      expect(unexpected, tarball.name).toEqual([])
    }
  })

  it("publint finds nothing, not even a suggestion", () => {
    expect(report.publint).toEqual(Object.fromEntries(names.map((n) => [n, []])))
  })

  it("attw finds no problem for node10, node16 (CJS and ESM) and bundlers", () => {
    for (const name of names) expect(report.attw[name]!.code, output(report.attw[name]!)).toBe(0)
  })

  it("the tarballs install beside the workspace's effect, each package exactly once", () => {
    expect(report.installed.versions).toEqual({
      "@fiberpool/pool-metrics": "0.1.0",
      "@fiberpool/pool": "0.1.0",
      "@fiberpool/pool-middleware": "0.1.0",
      effect: report.effectVersion
    })
    expect(report.installed.nested).toEqual([])
  })

  for (const format of ["esm", "cjs"] as const) {
    it(`a program runs through the three packages as ${format === "esm" ? "ES modules" : "CommonJS"}`, () => {
      const run = report[format]
      expect(run.code, output(run)).toBe(0)
      const result = JSON.parse(run.stdout) as Record<string, unknown>
      expect(result).toEqual({
        submitted: 100,
        processed: 100,
        errors: 0,
        dropped: 0,
        sum: 338350,
        retried: 10,
        workerIds: [0, 1, 2, 3],
        counters: "[done:100, squares:338350]",
        stats: true,
        rejected: "ValidationError:2.5",
        closedError: "PoolClosedError",
        subpaths: true,
        resolved: names.map((n) => expect.stringMatching(new RegExp(`/node_modules/${n}/dist/${format}/index\\.js$`)))
      })
    })
  }

  it("TypeScript programs type-check against the published declarations, from ESM (.mts) and CommonJS (.cts), and emit declarations of their own (every type nameable through the exports)", () => {
    expect(report.types.code, output(report.types)).toBe(0)
  })
})
