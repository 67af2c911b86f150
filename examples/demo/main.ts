/**
 * `npm start`: the fiberpool demo. Starts a local web of test pages on 127.0.0.1, crawls it through
 * a fiberpool with `@effect/platform`'s HttpClient (retry, timeout, rate limit, key routing,
 * custom metrics), shows live progress, prints the metrics and stats, and shuts the web down.
 * Ctrl-C stops the pool cleanly: the stats show what was dropped, and the exit code is 130.
 *
 *   npm start -- --pages 1000 --workers 16
 *   npm start -- --help
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Metrics, Stats } from "@fiberpool/pool-metrics"
import { Cause, Console, Duration, Effect, Exit, Fiber, Layer, Option, Ref } from "effect"
import { parseArgs } from "node:util"
import { type Crawler, makeCrawler } from "./crawl.js"
import * as Progress from "./progress.js"
import { layer as localWeb, LocalWeb } from "./server.js"

const usage = `Usage: npm start -- [options]

Crawls a local web of test pages (HTTP servers on 127.0.0.1, ephemeral ports) through a
fiberpool: retries for 5xx, a timeout for pages that hang, a shared rate limit, one worker per
site (keyBy host), custom metrics. Ctrl-C stops it cleanly (exit code 130).

Options:
  --pages N      pages to fetch                           (default 300)
  --workers N    worker fibers                            (default 16)
  --sites N      local sites, one HTTP server each        (default 32)
  --rate N       requests per second, across the pool    (default 200)
  --timeout MS   timeout of one request, in milliseconds  (default 500)
  --latency MS   mean latency of a page, in milliseconds  (default 20)
  --seed N       seed of the web's layout                 (default 1)
  -h, --help     show this help`

interface Options {
  readonly pages: number
  readonly workers: number
  readonly sites: number
  readonly rate: number
  readonly timeout: number
  readonly latency: number
  readonly seed: number
}

const parseOptions = (argv: ReadonlyArray<string>): Options => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      pages: { type: "string", default: "300" },
      workers: { type: "string", default: "16" },
      sites: { type: "string", default: "32" },
      rate: { type: "string", default: "200" },
      timeout: { type: "string", default: "500" },
      latency: { type: "string", default: "20" },
      seed: { type: "string", default: "1" },
      help: { type: "boolean", short: "h", default: false }
    }
  })
  if (values.help) {
    console.log(usage)
    process.exit(0)
  }
  const int = (name: keyof typeof values, min: number): number => {
    const text = String(values[name])
    const n = Number(text)
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${text}"`)
    return n
  }
  return {
    pages: int("pages", 1),
    workers: int("workers", 1),
    sites: int("sites", 1),
    rate: int("rate", 1),
    timeout: int("timeout", 1),
    latency: int("latency", 1),
    seed: int("seed", 0)
  }
}

const report = (pool: Crawler, total: number, exit: Exit.Exit<string, unknown>) =>
  Effect.gen(function*() {
    const stats = yield* pool.stats
    const counters = yield* pool.metrics
    const count = (name: string) => counters[name] ?? 0
    if (Exit.isSuccess(exit)) {
      yield* Console.log(`\ndone: ${exit.value}`)
    } else if (Cause.isInterruptedOnly(exit.cause)) {
      yield* Console.log(
        `\ninterrupted: the pool stopped; ${stats.dropped} pages dropped (accepted, never finished), ` +
          `${total - stats.submitted} never submitted`
      )
    } else {
      yield* Console.log(`\nfailed: ${Cause.pretty(exit.cause)}`)
    }
    yield* Console.log(`\nCustom metrics:
  successful fetches: ${count("successful_fetches")}
  fetch errors:       ${count("fetch_errors")}
  timeouts:           ${count("timeouts")}
  status 200:         ${count("status_200")}
  total bytes:        ${count("bytes_fetched")}
  all metrics:        ${Metrics.format(counters)}`)
    yield* Console.log(`\nPerformance statistics:
  processed:   ${stats.processed} pages
  errors:      ${stats.errors} (${(stats.errorRate * 100).toFixed(1)}%)
  dropped:     ${stats.dropped}
  rate:        ${stats.ratePerSec.toFixed(1)} pages/s
  avg latency: ${Math.round(Duration.toMillis(stats.avgLatency))}ms
  total time:  ${Math.round(Duration.toMillis(stats.totalTime))}ms
  stats:       ${Stats.format(stats)}
  accounting:  submitted ${stats.submitted} = processed ${stats.processed} + errors ${stats.errors} + dropped ${stats.dropped}`)
  })

/**
 * Make the pool in a scope of its own, show progress, submit every URL, close. When the scope has
 * closed (the pool stopped; on Ctrl-C that interrupts the workers and counts what is dropped),
 * report, whatever the outcome.
 */
const crawl = (urls: ReadonlyArray<string>, options: Options) =>
  Effect.gen(function*() {
    const made = yield* Ref.make(Option.none<Crawler>())
    yield* Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* makeCrawler({
          workers: options.workers,
          rate: options.rate,
          timeout: Duration.millis(options.timeout)
        })
        yield* Ref.set(made, Option.some(pool))
        const progress = yield* Effect.forkScoped(Progress.show(pool, urls.length))
        yield* pool.submitAll(urls)
        const outcome = yield* pool.close.pipe(
          Effect.as("every page fetched"),
          // continueOnError: the pool went on past failed pages; `close` reports the first one
          Effect.catchAll((first) => Effect.succeed(`some pages failed; the first: ${first.message}`))
        )
        yield* Fiber.join(progress) // its last line shows the final stats
        return outcome
      })
    ).pipe(
      Effect.onExit((exit) =>
        Effect.flatMap(
          Ref.get(made),
          (pool) => Option.isSome(pool) ? report(pool.value, urls.length, exit) : Effect.void
        )
      )
    )
  })

const main = (options: Options) =>
  Effect.gen(function*() {
    const web = yield* LocalWeb
    yield* Console.log(
      `fiberpool demo: ${web.urls.length} pages on ${web.sites.length} local sites ` +
        `(${web.sites[0]} ...), ${options.workers} workers, at most ${options.rate} requests/s, ` +
        `${options.timeout}ms timeout`
    )
    yield* crawl(web.urls, options)
  }).pipe(
    Effect.provide(Layer.merge(
      localWeb({ pages: options.pages, sites: options.sites, latency: options.latency, seed: options.seed }),
      NodeHttpClient.layer
    ))
  )

let options: Options
try {
  options = parseOptions(process.argv.slice(2))
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`)
  process.exit(2)
}

NodeRuntime.runMain(main(options), {
  // interrupted (Ctrl-C, SIGTERM): 130, like a shell; failed: 1
  teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) ? 0 : Cause.isInterruptedOnly(exit.cause) ? 130 : 1)
})
