/**
 * The demo's core, and the README's Quick Start: fetch URLs through a fiberpool with
 * `@effect/platform`'s HttpClient, counting what happens in custom metrics.
 */
import { HttpClient } from "@effect/platform"
import type { Worker } from "@fiberpool/pool"
import { FiberPool } from "@fiberpool/pool"
import { Metrics } from "@fiberpool/pool-metrics"
import { Middleware } from "@fiberpool/pool-middleware"
import type { Duration } from "effect"
import { Cause, Data, Effect } from "effect"

/** A page answered with a status other than 200. */
export class BadStatus extends Data.TaggedError("BadStatus")<{ readonly url: string; readonly status: number }> {
  override get message() {
    return `GET ${this.url}: HTTP ${this.status}`
  }
}

/** The worker: one GET; the answer is counted in the pool's custom metrics; non-200 is a failure. */
export const fetchPage = (url: string) =>
  Effect.gen(function*() {
    const response = yield* HttpClient.get(url).pipe(Effect.tapError(() => Metrics.increment("fetch_errors")))
    yield* Metrics.increment(`status_${response.status}`)
    const body = yield* response.arrayBuffer
    yield* Metrics.add("bytes_fetched", body.byteLength)
    if (response.status !== 200) return yield* new BadStatus({ url, status: response.status })
    yield* Metrics.increment("successful_fetches")
  })

/** Retry only what may succeed next time: 5xx answers. */
const isServerError = (error: unknown): boolean => error instanceof BadStatus && error.status >= 500

/** A custom middleware: counts the pages that finally timed out. */
const countTimeouts: Worker.Middleware<unknown, never, Metrics.PoolMetrics> = (next) => (url) =>
  next(url).pipe(
    Effect.tapError((error) => Cause.isTimeoutException(error) ? Metrics.increment("timeouts") : Effect.void)
  )

export interface CrawlerOptions {
  readonly workers: number
  /** requests per second, across the pool */
  readonly rate: number
  /** per request */
  readonly timeout: Duration.DurationInput
}

/**
 * The pool: one worker per site at a time (`keyBy` host: a site's pages go to one worker, in
 * order, so requests to a site never overlap), a shared rate limit, a timeout per request, three
 * tries for 5xx answers, and it goes on past failed pages.
 */
export const makeCrawler = (options: CrawlerOptions) =>
  FiberPool.make({
    name: "crawler",
    workers: options.workers,
    worker: fetchPage,
    keyBy: (url) => new URL(url).host,
    batchSize: 1, // slow items: hand them over one at a time
    workerQueueSize: 32, // pages buffered per worker: a slow site holds up the producer less
    continueOnError: true,
    middleware: [
      countTimeouts,
      Middleware.retry({ attempts: 3, baseDelay: "50 millis", while: isServerError }),
      Middleware.rateLimit({ rate: options.rate, burst: 10 }),
      Middleware.timeout(options.timeout)
    ]
  })

/** The crawler pool. */
export type Crawler = Effect.Effect.Success<ReturnType<typeof makeCrawler>>
