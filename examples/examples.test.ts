import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { run, start } from "./testing.js"

const lines = (text: string) => text.split("\n")

/** Fails with the whole output, so a broken example explains itself. */
const expectSuccess = (result: { code: number | null; stdout: string; stderr: string }) =>
  expect(result.code, `exit code ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`).toBe(0)

let tmp = ""
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fiberpool-examples-"))
  // 3 distinct long words: alpha x7, gamma x5, delta x3; short words and punctuation are skipped
  fs.writeFileSync(
    path.join(tmp, "words.txt"),
    [
      "Alpha, the gamma! an alpha.",
      "delta (alpha) gamma",
      "",
      "\"alpha\" to gamma; delta",
      "alpha gamma alpha delta",
      "ALPHA gamma of a"
    ].join("\n")
  )
  fs.mkdirSync(path.join(tmp, "tree", "sub", "deeper"), { recursive: true })
  fs.writeFileSync(path.join(tmp, "tree", "one.txt"), "alpha beta gamma\nthe cat sat\n")
  fs.writeFileSync(path.join(tmp, "tree", "sub", "deeper", "two.txt"), "alpha alpha ox\n")
  fs.writeFileSync(path.join(tmp, "tree", "sub", "skipped.md"), "alpha alpha alpha alpha\n")
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe("examples", () => {
  it("basic: five fruits, three workers", async () => {
    const result = await run("basic")
    expectSuccess(result)
    for (const fruit of ["apple", "banana", "cherry", "date", "elderberry"]) {
      expect(result.stdout).toContain(`processing: ${fruit}`)
    }
    expect(result.stdout).toMatch(/done: processed 5 items in \d+ms/)
    expect(result.stdout).toMatch(/stats: \[processed:5, /)
  })

  it("chunking: each user stays on one worker, in order", async () => {
    const result = await run("chunking")
    expectSuccess(result)
    // FNV-1a-32 of the user name, modulo 3 workers
    expect(result.stdout).toContain("  worker 1: charlie(4)")
    expect(result.stdout).toContain("  worker 2: alice(4) bob(3)")
    const events = lines(result.stdout).flatMap((line) => {
      const m = /^worker (\d): user=(\w+) action=(\w+)$/.exec(line)
      return m === null ? [] : [{ worker: m[1], user: m[2], action: m[3] }]
    })
    expect(events).toHaveLength(11)
    const alice = events.filter((e) => e.user === "alice")
    expect(alice.map((e) => e.action)).toEqual(["login", "view_page", "click_button", "logout"])
    expect(new Set(alice.map((e) => e.worker))).toEqual(new Set(["2"]))
    expect(result.stdout).toMatch(/processed 11 events/)
  })

  it("pool_completion: every worker completes, then the pool, then close returns", async () => {
    const result = await run("pool_completion")
    expectSuccess(result)
    const out = result.stdout
    const pool = out.indexOf("all workers completed, total items processed: 10")
    expect(pool).toBeGreaterThan(0)
    for (const id of [0, 1, 2]) {
      const worker = out.indexOf(`worker ${id} completed`)
      expect(worker).toBeGreaterThanOrEqual(0)
      expect(worker).toBeLessThan(pool)
    }
    expect(out.indexOf("performing final cleanup...")).toBeGreaterThan(pool)
    expect(out.indexOf("final stats: processed=10")).toBeGreaterThan(pool)
  })

  it("tokenizer_stateful: per-worker counts merged in onWorkerComplete", async () => {
    const result = await run("tokenizer_stateful", [
      "--file",
      path.join(tmp, "words.txt"),
      "--workers",
      "3",
      "--batch",
      "2"
    ])
    expectSuccess(result)
    const out = result.stdout
    expect(out).toContain("Processed lines: 6")
    expect(out).toContain("Total words processed: 15")
    expect(out).toContain("Unique words: 3")
    expect(out).toContain("Errors: 0")
    expect(out).toContain("1. \"alpha\": 7 times\n2. \"gamma\": 5 times\n3. \"delta\": 3 times")
    const perWorker = [...out.matchAll(/^Worker (\d) processed (\d+) words$/gm)]
    expect(perWorker.map((m) => m[1])).toEqual(["0", "1", "2"])
    expect(perWorker.reduce((n, m) => n + Number(m[2]), 0)).toBe(15)
  })

  it("tokenizer_stateful: reads the bundled text by default", async () => {
    const result = await run("tokenizer_stateful")
    expectSuccess(result)
    expect(result.stdout).toContain("Total words processed: 257")
    expect(result.stdout).toContain("1. \"down\": 9 times")
  })

  it("tokenizer_stateless: shared counts give the same totals", async () => {
    const result = await run("tokenizer_stateless", [
      "--file",
      path.join(tmp, "words.txt"),
      "--workers",
      "3",
      "--batch",
      "2"
    ])
    expectSuccess(result)
    const out = result.stdout
    expect(out).toContain("Processed lines: 6")
    expect(out).toContain("Total words: 15")
    expect(out).toContain("Unique words: 3")
    expect(out).toContain("Custom metrics: [words:15]")
    expect(out).toContain("1. \"alpha\": 7 times\n2. \"gamma\": 5 times\n3. \"delta\": 3 times")
  })

  it("tokenizer_stateful: a missing file fails with exit code 1", async () => {
    const result = await run("tokenizer_stateful", ["--file", path.join(tmp, "missing.txt")])
    expect(result.code).toBe(1)
    expect(result.stdout + result.stderr).toMatch(/missing\.txt/)
  })

  it("parallel_files: walks the tree, matches the pattern, merges per-worker counts", async () => {
    const result = await run("parallel_files", ["--dir", path.join(tmp, "tree"), "--workers", "2", "--top", "3"])
    expectSuccess(result)
    const out = result.stdout
    expect(out).toContain("Files: 2 matching \"*.txt\"")
    expect(out).toContain(`Total bytes: ${"alpha beta gamma\nthe cat sat\n".length + "alpha alpha ox\n".length}`)
    expect(out).toContain("Short words: 4") // the, cat, sat, ox
    expect(out).toContain("Long words: 5") // alpha x3, beta, gamma
    expect(out).toContain("Unique words: 3")
    expect(out).toContain("1. \"alpha\": 3 times")
  })

  it("middleware: validate, retry, recover, rateLimit, timeout and a custom logger", async () => {
    const result = await run("middleware", ["--rate", "50"])
    expectSuccess(result)
    const logs = lines(result.stdout).filter((l) => l.startsWith("{")).map((l) =>
      JSON.parse(l) as {
        message: string
        logLevel: string
        annotations: Record<string, unknown>
      }
    )
    const outcome = (id: string) =>
      logs.filter((l) => l.annotations["task_id"] === id && l.message !== "processing task").map((l) => l.message)
    for (const id of ["1", "2", ...Array.from({ length: 10 }, (_, i) => `rate-${i}`)]) {
      expect(outcome(id), id).toEqual(["task completed"])
    }
    const error = (id: string) => logs.find((l) => l.annotations["task_id"] === id && l.message === "task failed")
    expect(error("3")?.annotations["error"]).toBe("failed to process task 3 (attempt 3)") // retried 3 times
    expect(String(error("")?.annotations["error"])).toContain("rejected by Middleware.validate")
    expect(outcome("5")).toEqual(["panic recovered", "task failed"])
    expect(String(error("5")?.annotations["error"])).toContain("Middleware.recover")
    expect(String(error("6")?.annotations["error"])).toContain("timed out after 500ms")
    const finished = logs.find((l) => l.message === "pool finished")
    expect(finished?.annotations).toMatchObject({ processed: 12, errors: 4 })
  })

  it("direct_chain: pools chained with send and onPoolComplete", async () => {
    const result = await run("direct_chain", ["--repeat", "5"])
    expectSuccess(result)
    const out = result.stdout
    expect(out).toContain("Total items submitted: 70")
    expect(out).toContain("Items passed filter (>2 'a's): 55")
    expect(out).toContain("Items multiplied: 55")
    expect(out).toContain("Items squared: 55")
    expect(out).toContain("Results collected: 55")
    expect(out).toMatch(/counter: \[processed:70, /)
    expect(out).toMatch(/multiplier: \[processed:55, /)
    expect(out).toMatch(/squares: \[processed:55, /)
    expect(out).toContain(" src: \"abracadabra\", squared a-count: 2500 (x5)")
    expect(out).toContain(" src: \"alabama\", squared a-count: 1600 (x5)")
    expect(out).not.toContain("\"arctic\", squared")
    expect(out).toContain("Total: 55")
  })

  it("collectors_chain: pools chained through Collectors as Stream stages", async () => {
    const result = await run("collectors_chain")
    expectSuccess(result)
    const out = result.stdout
    expect(out.match(/^submitting: /gm)).toHaveLength(14)
    expect(out.match(/^counted 'a' in /gm)).toHaveLength(14)
    expect(out.match(/^multiplied: /gm)).toHaveLength(11)
    expect(out.match(/^squared: /gm)).toHaveLength(11)
    const counter = out.indexOf("counter: [processed:14, ")
    const multiplier = out.indexOf("multiplier: [processed:11, ")
    const squares = out.indexOf("squares: [processed:11, ")
    expect(counter).toBeGreaterThan(0)
    expect(multiplier).toBeGreaterThan(counter)
    expect(squares).toBeGreaterThan(multiplier)
    const finals = [...out.matchAll(/^src: "(\w+)", squared a-count: (\d+)$/gm)].map((m) => `${m[1]}=${m[2]}`).sort()
    expect(finals).toEqual([
      "abracadabra=2500",
      "alabama=1600",
      "alaska=900",
      "antarctica=900",
      "arkansas=900",
      "australia=900",
      "baccarat=900",
      "banana=900",
      "bandanna=900",
      "barbarian=900",
      "canada=900"
    ])
    expect(out).toContain("Total: 11")
  })

  it("collectors_chain --fail: a failure in the middle stage ends the pipeline with that error, its source still open", async () => {
    const result = await run("collectors_chain", ["--fail", "alaska"], { timeoutMs: 30_000 })
    expect(result.code, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(1)
    const output = result.stdout + result.stderr
    expect(output).toContain("Rejected: the multiplier rejected \"alaska\"")
    expect(output).not.toContain("PoolClosedError")
    expect(result.stdout).not.toContain("Final results")
  })
  it("collector_errors: successes and failures gathered together, reproducible by seed", async () => {
    const args = ["--jobs", "20", "--workers", "4", "--seed", "7"]
    const [first, second] = await Promise.all([run("collector_errors", args), run("collector_errors", args)])
    for (const result of [first, second]) {
      expectSuccess(result)
      const out = result.stdout
      expect(out).toContain("Total jobs:        20")
      expect(out).toContain("Results collected: 20")
      const ok = Number(/Successful jobs:\s+(\d+)/.exec(out)![1])
      const failed = Number(/Failed jobs:\s+(\d+)/.exec(out)![1])
      expect(ok + failed).toBe(20)
      expect(out).toContain(`Pool errors:       ${failed}`)
      const occurrences = [...out.matchAll(/\((\d+) occurrences\):/g)].reduce((n, m) => n + Number(m[1]), 0)
      expect(occurrences).toBe(failed)
    }
    // the same seed fails the same jobs with the same errors
    const failures = (out: string) => [...out.matchAll(/^ {2}- (job-\d+)/gm)].map((m) => m[1]).sort()
    expect(failures(first!.stdout)).toEqual(failures(second!.stdout))
  })

  it("cpu_threads: the same items in the program's thread and on worker threads give the same total", async () => {
    const result = await run("cpu_threads", ["--items", "8", "--limit", "20000", "--threads", "2"])
    expectSuccess(result)
    // 8 items: the primes below 20,000, 22,500, …, 37,500, 24,975 in all
    expect(result.stdout).toContain("8 items (primes below 20000 to 37500), 2 workers")
    expect(result.stdout).toMatch(/^in the program's thread: \d+ ms, 24975 primes in all$/m)
    expect(result.stdout).toMatch(/^on 2 worker threads: +\d+ ms, 24975 primes in all \(\d+\.\d\dx\)$/m)
    expect(result.stdout).toMatch(/stats: \[processed:8, /)
  })

  it("cpu_threads --items 0: no items, no range in the header", async () => {
    const result = await run("cpu_threads", ["--items", "0", "--threads", "2"])
    expectSuccess(result)
    expect(result.stdout).toMatch(/^0 items, 2 workers, \d+ cores available$/m)
    expect(result.stdout).toMatch(/^on 2 worker threads: +\d+ ms, 0 primes in all/m)
  })

  it("cpu_threads --crash: a thread that exits fails the run with ThreadFailed, exit code 1", async () => {
    const result = await run("cpu_threads", ["--items", "8", "--limit", "20000", "--threads", "2", "--crash", "3"])
    expect(result.code, result.stderr).toBe(1)
    expect(result.stdout).toMatch(/^in the program's thread: \d+ ms, 24975 primes in all$/m)
    expect(result.stdout).not.toContain("worker threads")
    // runMain's report of the failure, through Effect's logger
    expect(result.stdout + result.stderr).toContain("ThreadFailed: the thread exited with code 1")
  })

  it("metrics_prometheus: the scraped fiberpool_* series agree with pool.stats", async () => {
    const result = await run("metrics_prometheus")
    expectSuccess(result)
    const out = result.stdout
    // Prometheus' text format, as OpenTelemetry's PrometheusExporter writes it
    const types = Object.fromEntries([...out.matchAll(/^# TYPE (\w+) (\w+)$/gm)].map((m) => [m[1], m[2]]))
    expect(types).toEqual({
      fiberpool_items_submitted_total: "counter",
      fiberpool_items_processed_total: "counter",
      fiberpool_items_failed_total: "counter",
      fiberpool_items_dropped_total: "counter",
      fiberpool_queue_depth: "gauge",
      fiberpool_item_duration_seconds: "histogram",
      // not incremental (a negative Metrics.add lowers it): an up-down counter, which Prometheus types gauge
      fiberpool_custom_total: "gauge"
    })
    const samples = [...out.matchAll(/^(fiberpool_\w+)\{([^}]*)\} (\S+)$/gm)].map((m) => ({
      name: m[1]!,
      labels: Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]])),
      value: Number(m[3])
    }))
    expect(samples.length).toBeGreaterThan(20)
    for (const sample of samples) expect(sample.labels["pool"], sample.name).toBe("thumbnails")
    const value = (name: string, labels: Record<string, string> = {}) => {
      const found = samples.filter((s) =>
        s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
      )
      expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1)
      return found[0]!.value
    }

    // the pool's own figures, printed after the scrape
    const [, submitted, processed, errors, dropped] = /^submitted=(\d+) processed=(\d+) errors=(\d+) dropped=(\d+)$/m
      .exec(out)!.map(Number)
    expect([submitted, processed, errors, dropped]).toEqual([300, 288, 12, 0]) // every 25th image fails
    expect(out).toMatch(/^stats: \[processed:288, .*errors:12 \(4\.0%\), /m)
    expect(out).toContain("custom counters: [bytes:503750, thumbnails:288]")

    // the exported counters, scraped once the pool has ended, are exact
    expect(value("fiberpool_items_submitted_total")).toBe(submitted)
    expect(value("fiberpool_items_processed_total")).toBe(processed)
    expect(value("fiberpool_items_failed_total")).toBe(errors)
    expect(value("fiberpool_items_dropped_total")).toBe(dropped)
    expect(value("fiberpool_items_submitted_total")).toBe(
      value("fiberpool_items_processed_total") + value("fiberpool_items_failed_total") +
        value("fiberpool_items_dropped_total")
    )
    expect(value("fiberpool_queue_depth")).toBe(0)
    expect(value("fiberpool_custom_total", { counter: "thumbnails" })).toBe(processed)
    expect(value("fiberpool_custom_total", { counter: "bytes" })).toBe(503750)

    // the histogram: one observation per item that succeeded or failed, Metrics.itemDurationBoundaries
    const count = value("fiberpool_item_duration_seconds_count")
    expect(count).toBe(processed! + errors!)
    const buckets = samples.filter((s) => s.name === "fiberpool_item_duration_seconds_bucket")
    expect(buckets.map((b) => b.labels["le"])).toEqual([
      ...["0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1"],
      ...["0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
    ])
    const cumulative = buckets.map((b) => b.value)
    expect(cumulative).toEqual([...cumulative].sort((a, b) => a - b))
    expect(cumulative.at(-1)).toBe(count)
    expect(value("fiberpool_item_duration_seconds_sum")).toBeGreaterThan(0)
  })
})

describe("flags (examples/flags.ts)", () => {
  const examples = fs.readdirSync(import.meta.dirname, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== "demo" && entry.name !== "data")
    .map((entry) => entry.name)

  it("every example but the demo (which has its own usage) reads its flags through flags(), under its own name", () => {
    expect(examples).toHaveLength(12)
    for (const name of examples) {
      const source = fs.readFileSync(path.join(import.meta.dirname, name, "main.ts"), "utf8")
      expect(source, name).toContain(`import { flags } from "../flags.js"`)
      expect(source, name).toMatch(new RegExp(`flags\\(["\`]${name}( \\[--|["\`])`))
      expect(source, name).not.toContain("parseArgs")
      expect(source, name).not.toContain("process.argv")
    }
  })

  it("--help prints the usage line and exits 0 without running; an unknown flag names itself and exits 2", async () => {
    const [basic, middleware, chain, unknown, unknownWithFlags] = await Promise.all([
      run("basic", ["--help"]),
      run("middleware", ["-h"]),
      run("collectors_chain", ["--help"]),
      run("chunking", ["--no-such-flag"]),
      run("direct_chain", ["--repeat", "2", "--no-such-flag"])
    ])
    for (const result of [basic, middleware, chain]) expectSuccess(result)
    expect(basic.stdout).toBe("Usage: npm run example -- basic\n")
    expect(middleware.stdout).toBe("Usage: npm run example -- middleware [--workers 2] [--retries 3] [--rate 10]\n")
    expect(chain.stdout).toBe("Usage: npm run example -- collectors_chain [--fail NAME]\n")
    for (const [result, name] of [[unknown, "chunking"], [unknownWithFlags, "direct_chain"]] as const) {
      expect(result.code, result.stderr).toBe(2)
      expect(result.stderr).toContain("Unknown option '--no-such-flag'")
      expect(result.stderr).toContain(`Usage: npm run example -- ${name}`)
      expect(result.stdout).toBe("")
    }
  })

  it("a flag whose default is a number takes only a number: exit 2 and the usage line, instead of a run with NaN", async () => {
    const [items, workers, rate, accepted] = await Promise.all([
      run("cpu_threads", ["--items", "x"]),
      run("middleware", ["--workers", "two"]),
      run("collector_errors", ["--error-rate=", "--jobs", "2"]),
      run("cpu_threads", ["--items", "2", "--limit", "1e3", "--threads", "1"])
    ])
    for (
      const [result, message, name] of [
        [items, "Option '--items' takes a number, got 'x'", "cpu_threads"],
        [workers, "Option '--workers' takes a number, got 'two'", "middleware"],
        [rate, "Option '--error-rate' takes a number, got ''", "collector_errors"]
      ] as const
    ) {
      expect(result.code, result.stdout + result.stderr).toBe(2)
      expect(result.stderr).toContain(message)
      expect(result.stderr).toContain(`Usage: npm run example -- ${name} [`)
      expect(result.stdout).toBe("")
    }
    // any number Number() reads
    expectSuccess(accepted)
    expect(accepted.stdout).toContain("2 items (primes below 1000 to 1125), 1 workers")
  })
})

describe("npm run example (examples/run.ts)", () => {
  it("--help lists every example with its summary", async () => {
    const result = await run("run.ts", ["--help"])
    expectSuccess(result)
    for (
      const name of [
        "basic",
        "chunking",
        "collector_errors",
        "collectors_chain",
        "cpu_threads",
        "demo",
        "direct_chain",
        "metrics_prometheus",
        "middleware",
        "parallel_files",
        "pool_completion",
        "tokenizer_stateful",
        "tokenizer_stateless"
      ]
    ) {
      expect(result.stdout).toMatch(new RegExp(`^ {2}${name} +\\S`, "m"))
    }
  })

  it("an unknown example lists the examples and exits 1", async () => {
    const result = await run("run.ts", ["no-such-example"])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("Unknown example \"no-such-example\"")
  })

  it("runs an example, passing its arguments and exit code through", async () => {
    const ok = start("run.ts", ["chunking"])
    const failing = start("run.ts", ["tokenizer_stateless", "--file", path.join(tmp, "missing.txt")])
    const [okResult, failingResult] = await Promise.all([ok.done, failing.done])
    expectSuccess(okResult)
    expect(okResult.stdout).toContain("worker 2: alice(4) bob(3)")
    expect(failingResult.code).toBe(1)
  })
})
