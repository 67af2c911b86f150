/**
 * collectors_chain: a pipeline of pools joined by Collectors. Each stage is a pool whose workers
 * write to the stage's Collector; the next stage reads that Collector as a `Stream`. A stage is
 * an ordinary Stream transformer (`Stream<A> => Stream<B>`), so the pipeline is a `pipe`, each
 * stage scales on its own, and an error anywhere fails the whole stream.
 *
 *   npm run example -- collectors_chain
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Collector, FiberPool } from "@fiberpool/pool"
import { Stats } from "@fiberpool/pool-metrics"
import { Chunk, Console, Effect, Option, Random, Stream } from "effect"

/**
 * A stage: `workers` fibers turn each input into zero or one output, gathered by a Collector and
 * emitted downstream. When the input ends the stage closes its pool, prints its stats and closes
 * its Collector, so the end of input travels down the pipeline.
 */
const stage =
  <A, B>(name: string, workers: number, f: (a: A) => Effect.Effect<Option.Option<B>>) =>
  <E>(input: Stream.Stream<A, E>) =>
    Stream.unwrapScoped(
      Effect.gen(function*() {
        const out = yield* Collector.make<B>(workers) // a small buffer: back-pressure on the workers
        const pool = yield* FiberPool.make({
          name,
          workers,
          batchSize: 3,
          worker: (a: A) => Effect.flatMap(f(a), Option.match({ onNone: () => Effect.void, onSome: out.submit }))
        })
        const feed = input.pipe(
          Stream.runForEachChunk((chunk) => pool.submitAll(chunk)),
          Effect.zipRight(pool.close),
          Effect.zipRight(Effect.flatMap(pool.stats, (stats) => Console.log(`${name}: ${Stats.format(stats)}`))),
          Effect.ensuring(out.close)
        )
        // read the collector while feeding the pool; a failure of either fails the stream
        return Stream.merge(out.stream, Stream.drain(Stream.fromEffect(feed)))
      })
    )

interface Counted {
  readonly src: string
  readonly count: number
}
interface Multiplied {
  readonly src: string
  readonly value: number
}
interface Final {
  readonly src: string
  readonly result: number
}

const jitter = Effect.flatMap(Random.nextIntBetween(0, 5), (ms) => Effect.sleep(ms))

const countA = (src: string) =>
  Effect.gen(function*() {
    yield* jitter
    const count = src.split("a").length - 1
    yield* Console.log(`counted 'a' in "${src}" -> ${count}`)
    // only strings with more than two 'a's go on
    return count > 2 ? Option.some<Counted>({ src, count }) : Option.none()
  })

const multiply = (d: Counted) =>
  Effect.gen(function*() {
    yield* jitter
    const value = d.count * 10
    yield* Console.log(`multiplied: ${d.count} -> ${value} (src: "${d.src}")`)
    return Option.some<Multiplied>({ src: d.src, value })
  })

const square = (d: Multiplied) =>
  Effect.gen(function*() {
    const result = d.value * d.value
    yield* Console.log(`squared: ${d.value} -> ${result} (src: "${d.src}")`)
    yield* jitter
    return Option.some<Final>({ src: d.src, result })
  })

const inputs = [
  "banana",
  "alabama",
  "california",
  "canada",
  "australia",
  "alaska",
  "arkansas",
  "arizona",
  "abracadabra",
  "bandanna",
  "barbarian",
  "antarctica",
  "arctic",
  "baccarat"
]

const program = Effect.gen(function*() {
  const results = yield* Stream.fromIterable(inputs).pipe(
    Stream.tap((src) => Console.log(`submitting: "${src}"`)),
    stage("counter", 2, countA),
    stage("multiplier", 4, multiply),
    stage("squares", 4, square),
    Stream.runCollect
  )
  yield* Console.log("\nFinal results:")
  for (const r of Chunk.toReadonlyArray(results)) yield* Console.log(`src: "${r.src}", squared a-count: ${r.result}`)
  yield* Console.log(`\nTotal: ${Chunk.size(results)}`)
})

NodeRuntime.runMain(program)
