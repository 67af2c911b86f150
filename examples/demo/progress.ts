/**
 * Live progress of a pool, on stderr: a line redrawn in place on a terminal, plain periodic lines
 * otherwise (a pipe, a CI log).
 */
import { FiberPool } from "@fiberpool/pool"
import type { Stats } from "@fiberpool/pool-metrics"
import { Duration, Effect, Schedule, Stream } from "effect"

/** One progress line: `done/submitted` (done = processed + errors + dropped), rate, errors. */
export const line = (stats: Stats.Stats, total: number): string => {
  const done = stats.processed + stats.errors + stats.dropped
  const seconds = Duration.toMillis(stats.totalTime) / 1000
  const rate = seconds > 0 ? done / seconds : 0
  return `progress: ${done}/${stats.submitted} done (${total} pages) | ${rate.toFixed(1)} pages/s | ` +
    `${stats.errors} errors | ${seconds.toFixed(1)}s`
}

const write = (text: string) => Effect.sync(() => void process.stderr.write(text))

/**
 * Shows the progress of `pool` until it has ended (the last line shows its final stats), or until
 * interrupted. Fork it next to the pool.
 */
export const show = <A, E>(pool: FiberPool.FiberPool<A, E>, total: number): Effect.Effect<void> => {
  const tty = process.stderr.isTTY === true
  return FiberPool.progress(pool, Schedule.spaced(tty ? "100 millis" : "500 millis")).pipe(
    Stream.runForEach((stats) => write(tty ? `\r\x1b[2K${line(stats, total)}` : `${line(stats, total)}\n`)),
    Effect.ensuring(tty ? write("\n") : Effect.void)
  )
}
