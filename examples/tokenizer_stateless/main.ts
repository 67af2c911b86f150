/**
 * tokenizer_stateless: the same word count with one stateless worker shared by every worker fiber.
 * The counts are shared too: a `Ref` holding a persistent `HashMap`, updated atomically once per
 * line, so no lock is needed and no update is lost. Compare `tokenizer_stateful`, where each
 * worker keeps its own counts and nothing is shared until the end.
 *
 *   npm run example -- tokenizer_stateless [--file PATH] [--workers 4] [--batch 10] [--delay 2]
 */
import { FileSystem } from "@effect/platform"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FiberPool } from "@fiberpool/pool"
import { Metrics, Stats } from "@fiberpool/pool-metrics"
import { Console, Duration, Effect, HashMap, Option, Ref, Stream } from "effect"
import { fileURLToPath } from "node:url"
import { flags } from "../flags.js"

/** Lower-cased words of a line, trimmed of punctuation, longer than three characters. */
const words = (line: string): Array<string> =>
  line.split(/\s+/)
    .map((w) => w.toLowerCase().replace(/^[.,!?()[\]{}"';:]+|[.,!?()[\]{}"';:]+$/g, ""))
    .filter((w) => w.length > 3)

const args = flags("tokenizer_stateless [--file PATH] [--workers 4] [--batch 10] [--delay 2]", {
  file: { type: "string", default: fileURLToPath(new URL("../data/alice.txt", import.meta.url)) },
  workers: { type: "string", default: "4" },
  batch: { type: "string", default: "10" },
  delay: { type: "string", default: "2" } // simulated work per line, in milliseconds
})

const program = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const counts = yield* Ref.make(HashMap.empty<string, number>())

  const pool = yield* FiberPool.make({
    workers: Number(args.workers),
    batchSize: Number(args.batch),
    continueOnError: true,
    worker: (line: string) =>
      Effect.gen(function*() {
        const found = words(line)
        // one atomic update per line
        yield* Ref.update(counts, (all) =>
          found.reduce((acc, word) =>
            HashMap.set(
              acc,
              word,
              Option.getOrElse(HashMap.get(acc, word), () => 0) + 1
            ), all))
        yield* Metrics.add("words", found.length)
        yield* Effect.sleep(Duration.millis(Number(args.delay))) // simulate slower processing
      })
  })

  // feed the lines of the file, a chunk at a time
  yield* fs.stream(args.file).pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.runForEachChunk((lines) => pool.submitAll(lines))
  )
  yield* pool.close

  const stats = yield* pool.stats
  const metrics = yield* pool.metrics
  const all = yield* Ref.get(counts)
  yield* Console.log(`Processing stats:
Processed lines: ${stats.processed}
Total words: ${metrics["words"] ?? 0}
Unique words: ${HashMap.size(all)}
Errors: ${stats.errors}
Processing time: ${Math.round(Duration.toMillis(stats.processingTime))}ms
Total time: ${Math.round(Duration.toMillis(stats.totalTime))}ms
Custom metrics: ${Metrics.format(metrics)}
All stats: ${Stats.format(stats)}`)

  yield* Console.log("\nTop 10 most common words:")
  const top = [...all].sort(([wa, a], [wb, b]) => b - a || (wa < wb ? -1 : 1)).slice(0, 10)
  for (const [i, [word, n]] of top.entries()) yield* Console.log(`${i + 1}. "${word}": ${n} times`)
})

NodeRuntime.runMain(Effect.scoped(program).pipe(Effect.provide(NodeFileSystem.layer)))
