/**
 * tokenizer_stateful: per-worker state as a `workerLayer`. Each worker fiber gets its own word
 * counts (a service built once per worker), counts the words of the lines it is handed without
 * sharing anything, and merges its counts into the totals in `onWorkerComplete`. The text is read
 * through `@effect/platform`'s FileSystem as a stream of lines.
 *
 *   npm run example -- tokenizer_stateful [--file PATH] [--workers 4] [--batch 10] [--delay 2]
 */
import { FileSystem } from "@effect/platform"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FiberPool } from "@fiberpool/pool"
import { Stats } from "@fiberpool/pool-metrics"
import { Console, Context, Duration, Effect, Layer, Ref, Stream } from "effect"
import { fileURLToPath } from "node:url"
import { flags } from "../flags.js"

/** One worker's tally. It belongs to one worker fiber, so a plain mutable Map is safe. */
interface Tally {
  readonly counts: Map<string, number>
  words: number
}

/** The current worker's tally: `workerLayer` builds a fresh one for every worker fiber. */
class WordCounts extends Context.Tag("tokenizer_stateful/WordCounts")<WordCounts, Tally>() {
  static readonly layer = Layer.sync(WordCounts, (): Tally => ({ counts: new Map(), words: 0 }))
}

const args = flags("tokenizer_stateful [--file PATH] [--workers 4] [--batch 10] [--delay 2]", {
  file: { type: "string", default: fileURLToPath(new URL("../data/alice.txt", import.meta.url)) },
  workers: { type: "string", default: "4" },
  batch: { type: "string", default: "10" },
  delay: { type: "string", default: "2" } // simulated work per line, in milliseconds
})

/** Lower-cased words of a line, trimmed of punctuation, longer than three characters. */
const words = (line: string): Array<string> =>
  line.split(/\s+/)
    .map((w) => w.toLowerCase().replace(/^[.,!?()[\]{}"';:]+|[.,!?()[\]{}"';:]+$/g, ""))
    .filter((w) => w.length > 3)

/** The worker: counts the words of one line into this worker's tally. */
const countLine = (line: string) =>
  Effect.gen(function*() {
    const tally = yield* WordCounts
    for (const word of words(line)) {
      tally.counts.set(word, (tally.counts.get(word) ?? 0) + 1)
      tally.words++
    }
    yield* Effect.sleep(Duration.millis(Number(args.delay))) // simulate slower processing
  })

const program = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const totals = yield* Ref.make(new Map<string, number>())
  const perWorker = yield* Ref.make(new Map<number, number>())

  const lines = fs.stream(args.file).pipe(Stream.decodeText(), Stream.splitLines)

  const stats = yield* FiberPool.run(lines, {
    workers: Number(args.workers),
    batchSize: Number(args.batch),
    continueOnError: true,
    workerLayer: WordCounts.layer,
    worker: countLine,
    // in each worker fiber, after its last line: merge its tally into the totals
    onWorkerComplete: (id) =>
      Effect.gen(function*() {
        const tally = yield* WordCounts
        yield* Ref.update(totals, (all) => {
          const merged = new Map(all)
          for (const [word, n] of tally.counts) merged.set(word, (merged.get(word) ?? 0) + n)
          return merged
        })
        yield* Ref.update(perWorker, (m) => new Map(m).set(id, tally.words))
      })
  })

  const counts = yield* Ref.get(totals)
  const workers = yield* Ref.get(perWorker)
  const totalWords = [...workers.values()].reduce((a, b) => a + b, 0)
  yield* Console.log(`Processing stats:
Processed lines: ${stats.processed}
Total words processed: ${totalWords}
Unique words: ${counts.size}
Errors: ${stats.errors}
Processing time: ${Math.round(Duration.toMillis(stats.processingTime))}ms
Total time: ${Math.round(Duration.toMillis(stats.totalTime))}ms
All stats: ${Stats.format(stats)}`)

  yield* Console.log("\nPer-worker stats:")
  for (const [id, n] of [...workers].sort(([a], [b]) => a - b)) {
    yield* Console.log(`Worker ${id} processed ${n} words`)
  }

  yield* Console.log("\nTop 10 most common words:")
  const top = [...counts].sort(([wa, a], [wb, b]) => b - a || (wa < wb ? -1 : 1)).slice(0, 10)
  for (const [i, [word, n]] of top.entries()) yield* Console.log(`${i + 1}. "${word}": ${n} times`)
})

NodeRuntime.runMain(program.pipe(Effect.provide(NodeFileSystem.layer)))
