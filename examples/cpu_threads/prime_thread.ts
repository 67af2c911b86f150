/**
 * The cpu_threads example's thread, as a service: `PrimeThread.layer` starts a `node:worker_threads`
 * thread running `thread.mjs` and terminates it when its scope closes; `countPrimes` is one call.
 * Used as a pool's `workerLayer`, each worker fiber owns one.
 */
import { Context, Data, Effect, Layer } from "effect"
import { Worker as Thread } from "node:worker_threads"

/** The thread erred or exited: the call waiting on it fails with this, and so does every later call. */
export class ThreadFailed extends Data.TaggedError("ThreadFailed")<{ readonly message: string }> {}

/** A worker's own thread, as a service: one per pool worker, built by `workerLayer`. */
export class PrimeThread extends Context.Tag("cpu_threads/PrimeThread")<PrimeThread, {
  readonly countPrimes: (limit: number) => Effect.Effect<number, ThreadFailed>
}>() {
  static readonly layer = Layer.scoped(
    PrimeThread,
    Effect.gen(function*() {
      // one call at a time (the worker's): the one waiting for its answer, and the thread's end
      let pending:
        | { readonly id: number; readonly resume: (answer: Effect.Effect<number, ThreadFailed>) => void }
        | undefined
      let ended: ThreadFailed | undefined
      let next = 0
      // the id of the last call given up on, in memory the thread shares: its loop reads it, so an
      // interrupted call stops its item there too, instead of keeping the core busy and the next
      // item waiting behind it (a thread is deaf to messages while it computes)
      const abandoned = new Int32Array(new SharedArrayBuffer(4)).fill(-1)
      const end = (message: string) => {
        ended ??= new ThreadFailed({ message })
        const call = pending
        pending = undefined
        call?.resume(Effect.fail(ended))
      }
      const thread = yield* Effect.acquireRelease(
        // the thread runs plain JavaScript: without this program's loader flags (tsx), which would
        // load in every thread and cost each ~100 ms to start. Its listeners are attached as it is
        // made, with no step between in which an error or exit could go unheard
        Effect.sync(() =>
          new Thread(new URL("./thread.mjs", import.meta.url), { execArgv: [], workerData: { abandoned } })
            .on("message", (answer: { readonly id: number; readonly primes: number }) => {
              // an answer to a call given up on (interrupted) is not the current call's
              if (pending?.id !== answer.id) return
              const call = pending
              pending = undefined
              call.resume(Effect.succeed(answer.primes))
            })
            .on("error", (error) => end(error.message))
            .on("exit", (code) => end(`the thread exited with code ${code}`))
        ),
        (thread) => Effect.promise(() => thread.terminate())
      )
      const countPrimes = (limit: number) =>
        Effect.async<number, ThreadFailed>((resume) => {
          // a thread that died fails every later call at once, instead of leaving it waiting
          if (ended !== undefined) return resume(Effect.fail(ended))
          const id = next++
          pending = { id, resume }
          thread.postMessage({ id, limit })
          return Effect.sync(() => {
            if (pending?.id === id) pending = undefined
            Atomics.store(abandoned, 0, id)
          })
        })
      // wait for the thread's first answer: its start (~50 ms) is then the pool's init rather than
      // the first item's time, and a thread that cannot start fails the worker's start-up, so the
      // pool fails to start (as a workerLayer should) instead of failing an item
      yield* countPrimes(0)
      return { countPrimes }
    })
  )
}
