import { describe, expect, it } from "vitest"
import { start } from "../testing.js"
import { plan } from "./server.js"

/** The number after `label` in the output, e.g. `count(out, "timeouts:")`. */
const count = (output: string, label: string): number => {
  const match = new RegExp(`${label.replace(/[()[\]]/g, "\\$&")}\\s+(\\d+)`).exec(output)
  if (match === null) throw new Error(`no "${label}" in:\n${output}`)
  return Number(match[1])
}

const accounting = (output: string) => {
  const match = /accounting:\s+submitted (\d+) = processed (\d+) \+ errors (\d+) \+ dropped (\d+)/.exec(output)
  if (match === null) throw new Error(`no accounting line in:\n${output}`)
  const [submitted, processed, errors, dropped] = match.slice(1).map(Number) as [number, number, number, number]
  return { submitted, processed, errors, dropped }
}

describe("npm start (examples/demo)", () => {
  it("--help prints the usage and exits 0", async () => {
    const result = await start("demo", ["--help"]).done
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("Usage: npm start -- [options]")
    for (const flag of ["--pages", "--workers", "--sites", "--rate", "--timeout", "--latency", "--seed"]) {
      expect(result.stdout).toContain(flag)
    }
  })

  it("rejects an invalid flag value with exit code 2", async () => {
    const result = await start("demo", ["--pages", "0"]).done
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--pages must be an integer >= 1")
  })

  it("crawls the local web and reports exactly what the plan predicts", async () => {
    // every kind of page is in this plan: ok, flaky, broken, missing, hang
    const options = { pages: 60, sites: 8, latency: 5, seed: 3 }
    const pages = plan(options)
    const kinds = (kind: string) => pages.filter((p) => p.kind === kind)
    expect(kinds("hang").length).toBeGreaterThan(0)
    expect(kinds("flaky").length).toBeGreaterThan(0)

    const result = await start("demo", [
      "--pages",
      "60",
      "--sites",
      "8",
      "--latency",
      "5",
      "--seed",
      "3",
      "--workers",
      "4",
      "--timeout",
      "1500"
    ]).done
    const out = result.stdout
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)

    expect(out).toMatch(/^fiberpool demo: 60 pages on 8 local sites \(http:\/\/127\.0\.0\.1:\d+ \.\.\.\), 4 workers/m)
    // progress goes to stderr: plain lines when not on a terminal, the last one complete
    expect(result.stderr).toMatch(/^progress: \d+\/\d+ done \(60 pages\)/m)
    expect(result.stderr.trim().split("\n").at(-1)).toMatch(/^progress: 60\/60 done \(60 pages\)/)

    // flaky pages fail once or twice and are rescued by the third try at the latest
    const succeeded = kinds("ok").length + kinds("flaky").length
    const failed = kinds("broken").length + kinds("missing").length + kinds("hang").length
    expect(out).toContain("done: some pages failed; the first:")
    expect(count(out, "successful fetches:")).toBe(succeeded)
    expect(count(out, "status 200:")).toBe(succeeded)
    expect(count(out, "timeouts:")).toBe(kinds("hang").length)
    expect(count(out, "fetch errors:")).toBe(0)
    expect(out).toContain(`status_404:${kinds("missing").length}`)
    const fiveHundreds = kinds("broken").length * 3 + kinds("flaky").reduce((n, p) => n + p.failures, 0)
    expect(out).toContain(`status_500:${fiveHundreds}`)
    const bytes = [...kinds("ok"), ...kinds("flaky")].reduce((n, p) => n + p.size, 0) +
      kinds("missing").length * "HTTP 404\n".length + fiveHundreds * "HTTP 500\n".length
    expect(count(out, "total bytes:")).toBe(bytes)

    expect(accounting(out)).toEqual({ submitted: 60, processed: succeeded, errors: failed, dropped: 0 })
    expect(out).toMatch(/stats:\s+\[processed:\d+, rate:/)
    expect(out.trim().split("\n").at(-1)).toMatch(/^server: closed 8 local sites after \d+ requests$/)
  })

  it("Ctrl-C stops the pool, reports what was dropped, closes the server and exits non-zero", async () => {
    const demo = start("demo", ["--pages", "3000", "--workers", "4", "--latency", "50"])
    await demo.waitFor(/progress: /)
    demo.child.kill("SIGINT")
    const result = await demo.done
    const out = result.stdout
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(130)
    expect(out).toMatch(
      /interrupted: the pool stopped; \d+ pages dropped \(accepted, never finished\), \d+ never submitted/
    )
    const stats = accounting(out)
    expect(stats.submitted).toBeLessThan(3000)
    expect(stats.submitted).toBe(stats.processed + stats.errors + stats.dropped)
    expect(count(out, "dropped:")).toBe(stats.dropped)
    expect(out).toMatch(new RegExp(`interrupted: the pool stopped; ${stats.dropped} pages dropped`))
    const closed = out.indexOf("server: closed 32 local sites")
    expect(closed).toBeGreaterThan(out.indexOf("accounting:"))
  })
})
