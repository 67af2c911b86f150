/**
 * parallel_files: walk a directory, stream every matching file in chunks of lines through a pool
 * of stateful workers. Each worker keeps its own word counts (made by `makeStateful`'s
 * `makeWorker`, in the worker's own scope) and hands them over in a finalizer when it ends;
 * custom metrics count short and long words across the pool.
 *
 *   npm run example -- parallel_files [--dir PATH] [--pattern "*.txt"] [--workers 4] [--top 10]
 */
import { FileSystem, Path } from "@effect/platform"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FiberPool, Worker } from "@fiberpool/pool"
import { Metrics, Stats } from "@fiberpool/pool-metrics"
import { Chunk, Console, Effect, Layer, Ref, Stream } from "effect"
import { fileURLToPath } from "node:url"
import { flags } from "../flags.js"

/** A piece of a file: up to 20 lines. */
interface Piece {
  readonly file: string
  readonly lines: ReadonlyArray<string>
}

const args = flags(`parallel_files [--dir PATH] [--pattern "*.txt"] [--workers 4] [--top 10]`, {
  dir: { type: "string", default: fileURLToPath(new URL("../data", import.meta.url)) },
  pattern: { type: "string", default: "*.txt" },
  workers: { type: "string", default: "4" },
  top: { type: "string", default: "10" }
})

/** `*` and `?` wildcards, matched against a file's base name. */
const glob = (pattern: string): RegExp =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`)

/** The files under `dir` (recursively) whose name matches `pattern`, sorted. */
const walk = (dir: string, pattern: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const match = glob(pattern)
    const entries = yield* fs.readDirectory(dir, { recursive: true })
    const files = yield* Effect.filter(
      entries.map((entry) => path.join(dir, entry)).filter((file) => match.test(path.basename(file))),
      (file) => Effect.map(fs.stat(file), (info) => info.type === "File")
    )
    return files.sort()
  })

/** Lower-cased words trimmed of punctuation. */
const words = (line: string): Array<string> =>
  line.split(/\s+/)
    .map((w) => w.toLowerCase().replace(/^[.,!?()[\]{}"';:-]+|[.,!?()[\]{}"';:-]+$/g, ""))
    .filter((w) => w.length > 0)

const program = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const totals = yield* Ref.make(new Map<string, number>())

  // each worker fiber makes its own worker, with its own counts
  const makeWorker = (_id: number) =>
    Effect.gen(function*() {
      const local = new Map<string, number>()
      // runs when this worker fiber ends: hand the counts over
      yield* Effect.addFinalizer(() =>
        Ref.update(totals, (all) => {
          const merged = new Map(all)
          for (const [word, n] of local) merged.set(word, (merged.get(word) ?? 0) + n)
          return merged
        })
      )
      return Worker.make((piece: Piece) =>
        Effect.gen(function*() {
          let short = 0
          let long = 0
          for (const line of piece.lines) {
            for (const word of words(line)) {
              if (word.length > 3) {
                local.set(word, (local.get(word) ?? 0) + 1)
                long++
              } else {
                short++
              }
            }
          }
          yield* Metrics.add("short words", short)
          yield* Metrics.add("long words", long)
        })
      )
    })

  const pool = yield* FiberPool.makeStateful({ workers: Number(args.workers), makeWorker })

  const files = yield* walk(args.dir, args.pattern)
  let bytes = 0
  for (const file of files) bytes += Number((yield* fs.stat(file)).size)

  // every file as a stream of 20-line pieces, fed to the pool a chunk at a time
  yield* Stream.fromIterable(files).pipe(
    Stream.flatMap((file) =>
      fs.stream(file).pipe(
        Stream.decodeText(),
        Stream.splitLines,
        Stream.grouped(20),
        Stream.map((lines): Piece => ({ file, lines: Chunk.toReadonlyArray(lines) }))
      )
    ),
    Stream.runForEachChunk((pieces) => pool.submitAll(pieces))
  )
  yield* pool.close

  const stats = yield* pool.stats
  const metrics = yield* pool.metrics
  const counts = yield* Ref.get(totals)
  yield* Console.log(`Files: ${files.length} matching "${args.pattern}" under ${args.dir}`)
  yield* Console.log(`\nProcessing statistics: ${Stats.format(stats)}`)
  yield* Console.log(`Pieces processed: ${stats.processed}`)
  yield* Console.log(`Total bytes: ${bytes}`)
  yield* Console.log(`Unique words: ${counts.size}`)
  yield* Console.log(`Short words: ${metrics["short words"] ?? 0}`)
  yield* Console.log(`Long words: ${metrics["long words"] ?? 0}`)

  yield* Console.log(`\nTop ${args.top} words:`)
  const top = [...counts].sort(([wa, a], [wb, b]) => b - a || (wa < wb ? -1 : 1)).slice(0, Number(args.top))
  for (const [i, [word, n]] of top.entries()) yield* Console.log(`${i + 1}. "${word}": ${n} times`)
})

NodeRuntime.runMain(
  Effect.scoped(program).pipe(Effect.provide(Layer.merge(NodeFileSystem.layer, NodePath.layer)))
)
