/**
 * direct_chain: a three-stage pipeline of pools. Workers of one pool `send` straight to the next
 * pool; each pool's `onPoolComplete` ends the input of the next one, so the end of input travels
 * down the chain, and the last pool closes the Collector that gathers the results.
 *
 *   counter (8 workers)  --send-->  multiplier (10)  --send-->  squares (10)  --submit-->  Collector
 *   counts the 'a's,                 count × 10                  value²
 *   passes strings with more than two
 *
 *   npm run example -- direct_chain [--repeat 20] [--verbose]
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Collector, FiberPool } from "@fiberpool/pool"
import { Metrics, Stats } from "@fiberpool/pool-metrics"
import { Array, Console, Effect, Fiber, Random } from "effect"
import { flags } from "../flags.js"

interface Input {
  readonly src: string
}
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

const args = flags("direct_chain [--repeat 20] [--verbose]", {
  repeat: { type: "string", default: "20" },
  verbose: { type: "boolean", default: false }
})

const trace = (line: string) => (args.verbose ? Console.log(line) : Effect.void)
const jitter = (maxMillis: number) => Effect.flatMap(Random.nextIntBetween(0, maxMillis), (ms) => Effect.sleep(ms))

const program = Effect.gen(function*() {
  // the results of the last stage; read them (below) before closing the first pool
  const results = yield* Collector.make<Final>(10)

  // built from the last stage to the first: each worker needs the pool it sends to
  const squares = yield* FiberPool.make({
    name: "squares",
    workers: 10,
    batchSize: 3,
    worker: (d: Multiplied) =>
      Effect.gen(function*() {
        const result = d.value * d.value
        yield* trace(`squared: ${d.value} -> ${result} (src: "${d.src}")`)
        yield* jitter(10)
        yield* results.submit({ src: d.src, result })
      }),
    onPoolComplete: results.close // no more results
  })

  const multiplier = yield* FiberPool.make({
    name: "multiplier",
    workers: 10,
    batchSize: 3,
    worker: (d: Counted) =>
      Effect.gen(function*() {
        const value = d.count * 10
        yield* trace(`multiplied: ${d.count} -> ${value} (src: "${d.src}")`)
        yield* jitter(10)
        yield* squares.send({ src: d.src, value }) // safe from any number of fibers
      }),
    onPoolComplete: squares.end // end the next stage's input; `end` does not wait for it
  })

  const counter = yield* FiberPool.make({
    name: "counter",
    workers: 8,
    batchSize: 3,
    worker: (d: Input) =>
      Effect.gen(function*() {
        const count = d.src.split("a").length - 1
        yield* trace(`counted 'a' in "${d.src}" -> ${count}`)
        if (count > 2) {
          yield* Metrics.increment("passed")
          yield* multiplier.send({ src: d.src, count })
        }
      }),
    onPoolComplete: multiplier.end
  })

  const collected = yield* Effect.fork(results.all) // start reading first: the collector is bounded
  const repeat = Number(args.repeat)
  for (const src of inputs) {
    for (let i = 0; i < repeat; i++) yield* counter.submit({ src })
  }
  yield* counter.close // waits for the counter; its onPoolComplete ends the multiplier's input, ...
  const finals = yield* Fiber.join(collected) // ... and the results end when the squares are done

  const [counterStats, multiplierStats, squaresStats] = [
    yield* counter.stats,
    yield* multiplier.stats,
    yield* squares.stats
  ]
  yield* Console.log(`Processing statistics:
Total items submitted: ${counterStats.submitted}
Items passed filter (>2 'a's): ${(yield* counter.metrics)["passed"] ?? 0}
Items multiplied: ${multiplierStats.processed}
Items squared: ${squaresStats.processed}
Results collected: ${finals.length}

Pool metrics:
counter: ${Stats.format(counterStats)}
multiplier: ${Stats.format(multiplierStats)}
squares: ${Stats.format(squaresStats)}

Final results (by source string):`)
  const bySource = Array.groupBy(finals, (f) => f.src)
  for (const src of inputs.filter((s) => s in bySource)) {
    const group = bySource[src]!
    yield* Console.log(` src: "${src}", squared a-count: ${group[0].result} (x${group.length})`)
  }
  yield* Console.log(`Total: ${finals.length}`)
})

NodeRuntime.runMain(Effect.scoped(program))
