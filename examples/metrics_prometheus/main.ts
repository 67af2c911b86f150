/**
 * metrics_prometheus: a pool's Effect `Metric` series read by a real exporter. The pool is a
 * service (a `Layer`); `@effect/opentelemetry` hands Effect's metric registry to OpenTelemetry's
 * `PrometheusExporter`, which this program serves on a free local port and scrapes once the pool
 * is done. It prints the scraped `fiberpool_*` series, then the pool's own stats to compare.
 *
 *   npm run example -- metrics_prometheus [--items 300] [--workers 8] [--all] [--port 0] [--linger 0]
 *
 * `--all` prints the whole scrape (OpenTelemetry's `target_info` and Effect's own `effect_fiber_*`
 * metrics too). `--port` picks the port of the endpoint (0: any free port) and `--linger N` keeps
 * it up N seconds after the run, for `curl http://127.0.0.1:PORT/metrics` or a Prometheus server.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FiberPool } from "@fiberpool/pool"
import { Metrics, Stats } from "@fiberpool/pool-metrics"
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus"
import { Console, Context, Data, Duration, Effect, Layer, Option } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import { flags } from "../flags.js"

const args = flags("metrics_prometheus [--items 300] [--workers 8] [--all] [--port 0] [--linger 0]", {
  items: { type: "string", default: "300" },
  workers: { type: "string", default: "8" },
  all: { type: "boolean", default: false },
  port: { type: "string", default: "0" },
  linger: { type: "string", default: "0" }
})

interface Image {
  readonly id: number
  readonly bytes: number
  /** simulated work, in milliseconds */
  readonly millis: number
}

class CorruptImage extends Data.TaggedError("CorruptImage")<{ readonly id: number }> {}

// every 25th image is corrupt; the work takes 1, 2, 5 or 20 ms, so the histogram fills a few buckets
const images: ReadonlyArray<Image> = Array.from({ length: Number(args.items) }, (_, i) => ({
  id: i + 1,
  bytes: 1_000 + (i % 7) * 250,
  millis: [1, 2, 5, 20][i % 4]!
}))

/** The pool, as a service: made when its layer is built; it lives until the layer is released. */
class Thumbnails extends Context.Tag("examples/Thumbnails")<Thumbnails, FiberPool.FiberPool<Image, CorruptImage>>() {}

const ThumbnailsLive = FiberPool.layer(Thumbnails, {
  name: "thumbnails", // the `pool` label of every series
  workers: Number(args.workers),
  batchSize: 1,
  continueOnError: true,
  worker: (image: Image) =>
    Effect.gen(function*() {
      yield* Effect.sleep(Duration.millis(image.millis))
      if (image.id % 25 === 0) return yield* new CorruptImage({ id: image.id })
      // custom counters: fiberpool_custom_total{counter="thumbnails"} and {counter="bytes"}
      yield* Metrics.increment("thumbnails")
      yield* Metrics.add("bytes", image.bytes)
    })
})

/** The Prometheus endpoint: where a Prometheus server would scrape this process. */
class Prometheus extends Context.Tag("examples/Prometheus")<Prometheus, { readonly url: string }>() {}

const PrometheusLive = Layer.scoped(
  Prometheus,
  Effect.gen(function*() {
    // an OpenTelemetry MetricReader with an HTTP server of its own, which this program does not
    // start: given `port: 0` it listens on 9464 (0 reads as unset), so a free port takes a server
    // of ours, which hands /metrics to the exporter's request handler
    const exporter = new PrometheusExporter({ preventServerStart: true })
    // @effect/opentelemetry registers a producer with the reader: every scrape reads Effect's
    // metric registry (`Metric.unsafeSnapshot()`) at that moment: what the pool has published so far
    yield* Layer.build(
      NodeSdk.layer(() => ({ resource: { serviceName: "metrics_prometheus" }, metricReader: exporter }))
    )
    const server = yield* Effect.acquireRelease(
      Effect.async<http.Server>((resume) => {
        const server = http.createServer((req, res) => {
          if (req.url === "/metrics") exporter.getMetricsRequestHandler(req, res)
          else res.writeHead(404).end()
        })
        server.once("error", (error) => resume(Effect.die(error)))
        server.listen(Number(args.port), "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections() // the HTTP client's keep-alive connection would hold it open
        })
    )
    return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/metrics` }
  })
)

/** What a Prometheus server would do: GET /metrics, as text. */
const scrape = Effect.gen(function*() {
  const { url } = yield* Prometheus
  const response = yield* HttpClient.get(url).pipe(Effect.flatMap(HttpClientResponse.filterStatusOk))
  return yield* response.text
})

const program = Effect.gen(function*() {
  const pool = yield* Thumbnails

  yield* pool.submitAll(images)
  // continueOnError: every image is tried; `close` waits for all of them and reports the first failure
  const first = yield* pool.close.pipe(Effect.flip, Effect.option)
  const stats = yield* pool.stats
  const counters = yield* pool.metrics

  // the pool has ended and published its last figures: the scrape reads them
  const { url } = yield* Prometheus
  const text = yield* scrape
  // the fiberpool series with their # HELP, # UNIT and # TYPE lines (Prometheus' text format)
  const shown = args.all
    ? text.trimEnd().split("\n")
    : text.split("\n").filter((line) => /^(# (HELP|UNIT|TYPE) )?fiberpool_/.test(line))
  yield* Console.log(`scraped ${url}:\n`)
  for (const line of shown) yield* Console.log(line)

  yield* Console.log(`
first failure: ${Option.match(first, { onNone: () => "none", onSome: (e) => `${e._tag} (image ${e.id})` })}
submitted=${stats.submitted} processed=${stats.processed} errors=${stats.errors} dropped=${stats.dropped}
stats: ${Stats.format(stats)}
custom counters: ${Metrics.format(counters)}`)

  const linger = Number(args.linger)
  if (linger > 0) {
    yield* Console.log(`\nserving ${url} for ${linger}s (Ctrl-C to stop)`)
    yield* Effect.sleep(Duration.seconds(linger))
  }
})

NodeRuntime.runMain(
  program.pipe(
    Effect.provide(Layer.mergeAll(ThumbnailsLive, PrometheusLive, NodeHttpClient.layer))
  )
)
