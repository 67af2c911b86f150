/**
 * The `span` option through a real OpenTelemetry pipeline (`@effect/opentelemetry`'s `NodeSdk`
 * with an in-memory exporter), as users run it: what the exporter receives, not what Effect's own
 * tracer holds (service.test.ts checks that). A dev dependency of the repository only: the pool
 * depends on `effect` alone.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { describe, it } from "@effect/vitest"
import { deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { FiberPool } from "@fiberpool/pool"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Context, Effect, Layer } from "effect"
import { batchOfThreeSpans, Boom } from "./helpers.js"

/** A tracing layer whose spans land in `exporter` as each one ends. */
const tracing = (exporter: InMemorySpanExporter) =>
  NodeSdk.layer(() => ({
    resource: { serviceName: "fiberpool-test" },
    spanProcessor: new SimpleSpanProcessor(exporter)
  }))

const byName = (spans: ReadonlyArray<ReadableSpan>, name: string): Array<ReadableSpan> =>
  spans.filter((span) => span.name === name)

const parentId = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId

describe("span, exported through OpenTelemetry", () => {
  it.effect("item spans are children of each submitter's span, with the pool's attributes, all exported by close", () => {
    const exporter = new InMemorySpanExporter()
    return Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        workers: 3, // "alice" routes to worker 2, "bob" to worker 2, "charlie" to worker 1
        name: "traced",
        span: true,
        keyBy: (s: string) => s,
        worker: (_: string) => Effect.void
      })
      yield* pool.submit("alice").pipe(Effect.withSpan("request A"))
      yield* pool.execute("charlie").pipe(Effect.withSpan("request B"))
      yield* pool.submit("bob")
      yield* pool.close
      const spans = exporter.getFinishedSpans()
      const [requestA] = byName(spans, "request A")
      const [requestB] = byName(spans, "request B")
      const items = byName(spans, "fiberpool traced")
      strictEqual(items.length, 3)
      const item = (key: string) => items.find((span) => span.attributes["fiberpool.key"] === key)!
      // each under its own request, in that request's trace
      strictEqual(parentId(item("alice")), requestA!.spanContext().spanId)
      strictEqual(item("alice").spanContext().traceId, requestA!.spanContext().traceId)
      strictEqual(parentId(item("charlie")), requestB!.spanContext().spanId)
      strictEqual(item("charlie").spanContext().traceId, requestB!.spanContext().traceId)
      // no submitter span: a root of its own trace
      strictEqual(parentId(item("bob")), undefined)
      deepStrictEqual(item("alice").attributes, {
        "fiberpool.pool": "traced",
        "fiberpool.worker": 2,
        "fiberpool.key": "alice"
      })
      strictEqual(item("charlie").attributes["fiberpool.worker"], 1)
    }).pipe(Effect.scoped, Effect.provide(tracing(exporter)))
  })

  it.effect("a failing item's span is exported with status error and the failure as an exception event", () => {
    const exporter = new InMemorySpanExporter()
    return Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        workers: 1,
        span: "job",
        continueOnError: true,
        worker: (n: number) => n === 2 ? Effect.fail(new Boom({ item: n })) : Effect.void
      })
      yield* pool.submitAll([1, 2, 3])
      yield* Effect.flip(pool.close)
      const jobs = byName(exporter.getFinishedSpans(), "job")
      deepStrictEqual(jobs.map((span) => span.status.code), [1, 2, 1]) // OK, ERROR, OK
      deepStrictEqual(jobs[1]!.events.map((event) => event.name), ["exception"])
    }).pipe(Effect.scoped, Effect.provide(tracing(exporter)))
  })

  it.effect("a batched call exports one root span linked to its items' submitters' spans", () => {
    const exporter = new InMemorySpanExporter()
    return Effect.gen(function*() {
      const pool = yield* FiberPool.makeBatched({
        workers: 1,
        batchSize: 3,
        span: "batch",
        worker: (_: ReadonlyArray<number>) => Effect.void
      })
      yield* batchOfThreeSpans(pool)
      const spans = exporter.getFinishedSpans()
      const [batch, ...others] = byName(spans, "batch")
      strictEqual(others.length, 0)
      strictEqual(parentId(batch!), undefined)
      deepStrictEqual(
        batch!.links.map((link) => link.context.spanId),
        [byName(spans, "first")[0]!.spanContext().spanId, byName(spans, "second")[0]!.spanContext().spanId]
      )
      strictEqual(batch!.attributes["fiberpool.items"], 3)
    }).pipe(Effect.scoped, Effect.provide(tracing(exporter)))
  })

  it.effect("span off: a span an item opens is a child of the span current where the pool was made", () => {
    const exporter = new InMemorySpanExporter()
    return Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        workers: 1,
        worker: (_: number) => Effect.withSpan(Effect.void, "work")
      }).pipe(Effect.withSpan("startup"))
      yield* pool.submit(1).pipe(Effect.withSpan("request"))
      yield* pool.close
      const spans = exporter.getFinishedSpans()
      strictEqual(parentId(byName(spans, "work")[0]!), byName(spans, "startup")[0]!.spanContext().spanId)
    }).pipe(Effect.scoped, Effect.provide(tracing(exporter)))
  })

  it.effect("a tracing layer provided around make alone exports no item span (the README's pitfall)", () => {
    const exporter = new InMemorySpanExporter()
    return Effect.gen(function*() {
      const pool = yield* FiberPool.make({ workers: 1, span: "job", worker: (_: number) => Effect.void }).pipe(
        Effect.provide(tracing(exporter))
      )
      yield* pool.submitAll([1, 2, 3])
      yield* pool.close
      strictEqual(byName(exporter.getFinishedSpans(), "job").length, 0)
    }).pipe(Effect.scoped)
  })

  it.effect("the same pool with the layer provided around its whole scope exports every item span", () => {
    const exporter = new InMemorySpanExporter()
    return Effect.gen(function*() {
      const pool = yield* FiberPool.make({ workers: 1, span: "job", worker: (_: number) => Effect.void })
      yield* pool.submitAll([1, 2, 3])
      yield* pool.close
      strictEqual(byName(exporter.getFinishedSpans(), "job").length, 3)
    }).pipe(Effect.scoped, Effect.provide(tracing(exporter)))
  })

  it.effect("a FiberPool.layer given the tracing layer (Layer.provideMerge) exports its items' spans under the requests'", () => {
    const exporter = new InMemorySpanExporter()
    class Pool extends Context.Tag("test/Pool")<Pool, FiberPool.FiberPool<number>>() {}
    return Effect.gen(function*() {
      const pool = yield* Pool
      yield* pool.submit(1).pipe(Effect.withSpan("request"))
      yield* pool.close
      // read before the layer's release: the SDK's shutdown clears an in-memory exporter
      const spans = exporter.getFinishedSpans()
      strictEqual(parentId(byName(spans, "job")[0]!), byName(spans, "request")[0]!.spanContext().spanId)
    }).pipe(
      Effect.provide(
        FiberPool.layer(Pool, { workers: 1, span: "job", worker: (_: number) => Effect.void }).pipe(
          Layer.provideMerge(tracing(exporter))
        )
      )
    )
  })
})
