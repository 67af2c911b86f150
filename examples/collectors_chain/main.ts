/**
 * collectors_chain: a pipeline of pools joined by Collectors. Each stage is a pool whose workers
 * write to the stage's Collector; the next stage reads that Collector as a `Stream`. A stage is
 * an ordinary Stream transformer (`Stream<A> => Stream<B>`), so the pipeline is a `pipe`, each
 * stage scales on its own, and an error anywhere fails the whole stream.
 *
 *   npm run example -- collectors_chain
 *   npm run example -- collectors_chain --fail alaska   (a failure in the middle of the pipeline,
 *                                                        whose source never ends)
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Collector, FiberPool } from "@fiberpool/pool"
import { Stats } from "@fiberpool/pool-metrics"
import { Chunk, Console, Data, Effect, Option, Random, Stream } from "effect"
import { flags } from "../flags.js"

/**
 * A stage: `workers` fibers turn each input into zero or one output, gathered by a Collector and
 * emitted downstream. `FiberPool.run` feeds the input to a pool of its own and ends it with the
 * input: it fails with the first failure (the worker's own error, not the `PoolClosedError` of a
 * rejected submit) and stops reading an input that has nothing more to give once the pool stopped.
 * The stage then prints its stats and closes its Collector, so the end of input travels down the
 * pipeline.
 */
const stage =
  <A, B, E2>(name: string, workers: number, f: (a: A) => Effect.Effect<Option.Option<B>, E2>) =>
  <E>(input: Stream.Stream<A, E>) =>
    Stream.unwrapScoped(
      Effect.gen(function*() {
        const out = yield* Collector.make<B>(workers) // a small buffer: back-pressure on the workers
        const feed = FiberPool.run(input, {
          name,
          workers,
          batchSize: 3,
          worker: (a: A) => Effect.flatMap(f(a), Option.match({ onNone: () => Effect.void, onSome: out.submit }))
        }).pipe(
          Effect.flatMap((stats) => Console.log(`${name}: ${Stats.format(stats)}`)),
          Effect.ensuring(out.close)
        )
        // read the collector while feeding the pool; a failure of either fails the stream
        return Stream.merge(out.stream, Stream.drain(Stream.fromEffect(feed)))
      })
    )

/** The multiplier's failure for the input named by `--fail`. */
class Rejected extends Data.TaggedError("Rejected")<{ readonly src: string }> {
  override get message() {
    return `the multiplier rejected "${this.src}"`
  }
}

const failOn = flags("collectors_chain [--fail NAME]", { fail: { type: "string" } }).fail

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
    if (d.src === failOn) return yield* new Rejected({ src: d.src })
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
  // with --fail, a live source: its words, then nothing more, never ending
  const source = failOn === undefined
    ? Stream.fromIterable(inputs)
    : Stream.concat(Stream.fromIterable(inputs), Stream.never)
  const results = yield* source.pipe(
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
