import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { FiberPool, Worker } from "../src/index.js"
import { Boom } from "./helpers.js"

/** The same middleware, counting the calls of the per-item function it builds. */
const counting = (m: Worker.Middleware, calls: { n: number }): Worker.Middleware =>
  // `Object.assign` copies the marker `catchCause` puts on `m`
  Object.assign(<A1, E1, R1>(next: Worker.Worker<A1, E1, R1>) => {
    const wrapped = m(next)
    return (item: A1) => {
      calls.n++
      return wrapped(item)
    }
  }, m)

const passThrough: Worker.Middleware = (next) => next

describe("Worker.catchCause", () => {
  it.effect("as middleware: the handler gets the cause, the item and `again`; its effect decides the outcome", () =>
    Effect.gen(function*() {
      let calls = 0
      const seen: Array<string> = []
      const worker = (n: number) =>
        Effect.suspend(() => ++calls === 1 ? Effect.fail(new Boom({ item: n })) : Effect.succeed(n * 10))
      const onceMore = Worker.catchCause((cause, item, again) => {
        seen.push(`${Cause.isFailType(cause) ? (cause.error as Boom)._tag : "other"}:${String(item)}`)
        return again
      })
      const result = yield* (onceMore(worker) as Worker.Worker<number, Boom, never, unknown>)(7)
      strictEqual(result, 70)
      strictEqual(calls, 2)
      deepStrictEqual(seen, ["Boom:7"])
      // a handler that passes the cause on leaves the failure as it was
      const passOn = Worker.catchCause((cause) => Effect.failCause(cause))
      const exit = yield* Effect.exit(passOn((n: number) => Effect.fail(new Boom({ item: n })))(1))
      deepStrictEqual(exit, Exit.fail(new Boom({ item: 1 })))
    }))

  it.effect("applied by hand: a worker that throws, or returns something else than an Effect, is a defect the handler gets", () =>
    Effect.gen(function*() {
      const seen: Array<unknown> = []
      const recover = Worker.catchCause<unknown, never, never, void>((cause) =>
        Effect.sync(() => void seen.push(Cause.squash(cause)))
      )
      yield* recover(
        ((_: number) => {
          throw new Error("worker threw")
        }) as Worker.Worker<number>
      )(1)
      yield* recover((() => 42) as unknown as Worker.Worker<number>)(2)
      strictEqual(seen.length, 2)
      strictEqual((seen[0] as Error).message, "worker threw")
      assertTrue(Cause.isIllegalArgumentException(seen[1]))
      strictEqual((seen[1] as Error).message, "A worker must return an Effect, got number")
    }))

  it.effect("a handler that throws, or returns something else than an Effect, is a defect of the item", () =>
    Effect.gen(function*() {
      const throwing = Worker.catchCause(() => {
        throw new Error("handler threw")
      })
      const exit1 = yield* Effect.exit(throwing((n: number) => Effect.fail(new Boom({ item: n })))(1))
      assertTrue(Exit.isFailure(exit1) && (Cause.squash(exit1.cause) as Error).message === "handler threw")
      const notAnEffect = Worker.catchCause((() => 42) as unknown as Worker.CauseHandler)
      const exit2 = yield* Effect.exit(notAnEffect((n: number) => Effect.fail(new Boom({ item: n })))(1))
      assertTrue(Exit.isFailure(exit2))
      const defect = Cause.squash(exit2.cause)
      assertTrue(Cause.isIllegalArgumentException(defect))
      strictEqual(
        (defect as Cause.IllegalArgumentException).message,
        "Worker.catchCause: the handler must return an Effect, got number"
      )
      // a handler is no middleware stack: a function it returns gets no hint about middleware factories
      const returnsFunction = Worker.catchCause((() => () => Effect.void) as unknown as Worker.CauseHandler)
      const exit3 = yield* Effect.exit(returnsFunction((n: number) => Effect.fail(new Boom({ item: n })))(1))
      strictEqual(
        (Cause.squash(Exit.isFailure(exit3) ? exit3.cause : Cause.empty) as Error).message,
        "Worker.catchCause: the handler must return an Effect, got function"
      )
    }))

  it.effect("a handler that is not a function (from JavaScript): every item dies naming it, before its worker runs", () =>
    Effect.gen(function*() {
      for (const [handler, shown] of [["x", `got "x"`], [null, "got null"], [undefined, "got undefined"]] as const) {
        const middleware = Worker.catchCause(handler as unknown as Worker.CauseHandler) // does not throw
        let calls = 0
        // an item that would succeed dies too: the error does not wait for a failure
        for (
          const worker of [
            (_: number) => Effect.sync(() => void calls++),
            (n: number) => Effect.fail(new Boom({ item: n }))
          ]
        ) {
          const exit = yield* Effect.exit(middleware(worker)(1))
          const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
          assertTrue(Cause.isIllegalArgumentException(defect), `${String(handler)}: ${String(exit)}`)
          strictEqual(
            (defect as Cause.IllegalArgumentException).message,
            `Worker.catchCause: the handler must be a function (cause, item, again) => Effect, ${shown}`
          )
        }
        strictEqual(calls, 0)
      }
    }))

  it.scoped("a handler that is not a function, leading a pool's middleware: the items die naming it", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(FiberPool.run([1, 2], {
        workers: 1,
        worker: (n: number) => Effect.fail(new Boom({ item: n })),
        middleware: [Worker.catchCause(42 as unknown as Worker.CauseHandler)]
      }))
      const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      assertTrue(Cause.isIllegalArgumentException(defect), String(exit))
      assertTrue((defect as Error).message.startsWith("Worker.catchCause: the handler must be a function"))
    }))

  it.scoped("in a pool, leading catchCause middleware run only for items that fail", () =>
    Effect.gen(function*() {
      const calls = { n: 0 }
      const handled: Array<number> = []
      const recoverOdd = counting(
        Worker.catchCause((cause, item) => {
          handled.push(item as number)
          // recovering with a value of its own is not what a reusable middleware may do (it would
          // replace the worker's result): cast, for this pool of `void` results
          return (item as number) % 2 === 1 ? (Effect.void as Effect.Effect<never>) : Effect.failCause(cause)
        }),
        calls
      )
      const pool = yield* FiberPool.make({
        workers: 2,
        continueOnError: true,
        worker: (n: number) => n % 3 === 0 ? Effect.fail(new Boom({ item: n })) : Effect.void,
        middleware: [recoverOdd]
      })
      yield* pool.submitAll([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      const exit = yield* Effect.exit(pool.close)
      assertTrue(Exit.isFailure(exit))
      // the per-item wrapper was never called: the pool ran the handler from its failure path
      strictEqual(calls.n, 0)
      deepStrictEqual([...handled].sort(), [0, 3, 6, 9])
      const stats = yield* pool.stats
      deepStrictEqual([stats.processed, stats.errors, stats.dropped], [8, 2, 0])
    }))

  it.scoped("in a pool, two leading catchCause middleware nest as written: the outer handler gets the inner one's failure", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const itemOf = (cause: Cause.Cause<unknown>) =>
        Cause.isFailType(cause) ? String((cause.error as Boom).item) : "other"
      // the inner handler fails with another error; the outer one recovers from that
      const inner = Worker.catchCause((cause) => {
        seen.push(`inner:${itemOf(cause)}`)
        return Effect.fail(new Boom({ item: -Number(itemOf(cause)) })) as Effect.Effect<never>
      })
      const outer = Worker.catchCause((cause) => {
        seen.push(`outer:${itemOf(cause)}`)
        return Effect.void as Effect.Effect<never>
      })
      const pool = yield* FiberPool.make({
        workers: 1,
        worker: (n: number) => Effect.fail(new Boom({ item: n })),
        middleware: [outer, inner]
      })
      yield* pool.submitAll([1, 2])
      yield* pool.close
      deepStrictEqual(seen, ["inner:1", "outer:-1", "inner:2", "outer:-2"])
      const stats = yield* pool.stats
      deepStrictEqual([stats.processed, stats.errors, stats.dropped], [2, 0, 0])
    }))

  it.scoped("after an ordinary middleware, or with `span`, they wrap every item as written", () =>
    Effect.gen(function*() {
      for (const options of [{ middlewareFirst: true, span: false }, { middlewareFirst: false, span: true }]) {
        const calls = { n: 0 }
        const m = counting(Worker.catchCause((cause) => Effect.failCause(cause)), calls)
        const pool = yield* FiberPool.make({
          workers: 2,
          worker: (_: number) => Effect.void,
          middleware: options.middlewareFirst ? [passThrough, m] : [m],
          span: options.span
        })
        yield* pool.submitAll([1, 2, 3, 4, 5])
        yield* pool.close
        strictEqual(calls.n, 5, JSON.stringify(options))
      }
    }))

  it.scoped("a handler that throws in a pool fails that item only, as a defect, and is counted", () =>
    Effect.gen(function*() {
      const pool = yield* FiberPool.make({
        workers: 1,
        continueOnError: true,
        worker: (n: number) => n === 2 ? Effect.fail(new Boom({ item: n })) : Effect.succeed(n),
        middleware: [Worker.catchCause(() => {
          throw new Error("handler threw")
        })]
      })
      const exits = yield* Effect.forEach([1, 2], (n) => Effect.exit(pool.execute(n)), { concurrency: "unbounded" })
      strictEqual(exits[0]!._tag, "Success")
      assertTrue(Exit.isFailure(exits[1]!) && Cause.isDie(exits[1].cause))
      yield* Effect.exit(pool.close)
      const stats = yield* pool.stats
      deepStrictEqual([stats.submitted, stats.processed, stats.errors, stats.dropped], [2, 1, 1, 0])
    }))
})
