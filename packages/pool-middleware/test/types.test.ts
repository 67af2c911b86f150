import { FiberPool, Worker } from "@fiberpool/pool"
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { pipe } from "effect/Function"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { describe, expectTypeOf, it } from "vitest"
import { Middleware } from "../src/index.js"

class Flaky {
  readonly _tag = "Flaky"
}
class Db extends Context.Tag("Db")<Db, { readonly ok: boolean }>() {}
class Blocklist extends Context.Tag("Blocklist")<Blocklist, ReadonlySet<string>>() {}

const worker = Worker.make((_: string): Effect.Effect<void, Flaky> => Effect.void)

const User = Schema.Struct({ name: Schema.String, age: Schema.Number })
type User = typeof User.Type

describe("types", () => {
  it("each middleware has the named Worker.Middleware type", () => {
    expectTypeOf(Middleware.retry()).toEqualTypeOf<Worker.Middleware<unknown, never, never>>()
    expectTypeOf(Middleware.retry({ attempts: 5, while: (e) => e instanceof Flaky }))
      .toEqualTypeOf<Worker.Middleware<unknown, never, never>>()
    expectTypeOf(Middleware.retry(Schedule.recurs(2))).toEqualTypeOf<Worker.Middleware<unknown, never, never>>()
    const dbSchedule = Schedule.recurWhileEffect((_: unknown) => Effect.map(Db, (db) => !db.ok))
    expectTypeOf(Middleware.retry(dbSchedule)).toEqualTypeOf<Worker.Middleware<unknown, never, Db>>()
    expectTypeOf(Middleware.timeout("1 second"))
      .toEqualTypeOf<Worker.Middleware<unknown, Cause.TimeoutException, never>>()
    expectTypeOf(Middleware.recover()).toEqualTypeOf<Worker.Middleware<unknown, Middleware.WorkerDefect, never>>()
    // recover(onDefect?): an explicit undefined, or an optional handler, as under exactOptionalPropertyTypes
    expectTypeOf(Middleware.recover(undefined))
      .toEqualTypeOf<Worker.Middleware<unknown, Middleware.WorkerDefect, never>>()
    const maybe = undefined as ((defect: unknown, item: number) => void) | undefined
    expectTypeOf(Middleware.recover(maybe)).toEqualTypeOf<Worker.Middleware<number, Middleware.WorkerDefect, never>>()
    expectTypeOf(Middleware.recover(() => {})).toEqualTypeOf<
      Worker.Middleware<unknown, Middleware.WorkerDefect, never>
    >()
    expectTypeOf(Middleware.recover((_defect, item: number) => Effect.log(item)))
      .toEqualTypeOf<Worker.Middleware<number, Middleware.WorkerDefect, never>>()
    expectTypeOf(Middleware.recover(() => Effect.asVoid(Db)))
      .toEqualTypeOf<Worker.Middleware<unknown, Middleware.WorkerDefect, Db>>()
    expectTypeOf(Middleware.validate(User)).toEqualTypeOf<Worker.Middleware<User, Middleware.ValidationError, never>>()
    expectTypeOf(Middleware.validate((n: number) => n > 0))
      .toEqualTypeOf<Worker.Middleware<number, Middleware.ValidationError, never>>()
    expectTypeOf(
      Middleware.validate((s: string) => Effect.flatMap(Blocklist, (b) => b.has(s) ? Effect.fail("no") : Effect.void))
    )
      .toEqualTypeOf<Worker.Middleware<string, Middleware.ValidationError, Blocklist>>()
    expectTypeOf(Middleware.rateLimit({ rate: 1 })).toEqualTypeOf<Worker.Middleware<unknown, never, never>>()
  })

  it("a wrapped worker gains the middleware's error and keeps its own", () => {
    expectTypeOf(Middleware.timeout("1 second")(worker))
      .toEqualTypeOf<Worker.Worker<string, Flaky | Cause.TimeoutException, never>>()
    expectTypeOf(Middleware.retry()(worker)).toEqualTypeOf<Worker.Worker<string, Flaky, never>>()
    expectTypeOf(Middleware.recover()(worker))
      .toEqualTypeOf<Worker.Worker<string, Flaky | Middleware.WorkerDefect, never>>()
    expectTypeOf(Middleware.rateLimit({ rate: 1 })(worker)).toEqualTypeOf<Worker.Worker<string, Flaky, never>>()
    expectTypeOf(Middleware.validate((s: string) => Effect.asVoid(Blocklist))(worker))
      .toEqualTypeOf<Worker.Worker<string, Flaky | Middleware.ValidationError, Blocklist>>()
    // a schema's type must accept the worker's items
    const userWorker = Worker.make((_: User & { readonly id: number }) => Effect.void)
    expectTypeOf(Middleware.validate(User)(userWorker))
      .toEqualTypeOf<Worker.Worker<User & { readonly id: number }, Middleware.ValidationError, never>>()
    // @ts-expect-error: a check of numbers cannot wrap a worker of strings
    Middleware.validate((n: number) => n > 0)(worker)
    // @ts-expect-error: nor can a handler of numbers
    Middleware.recover((_defect, _item: number) => {})(worker)
  })

  it("pipe(worker, m2, m1) keeps the worker's result type", () => {
    const length = (s: string) => Effect.succeed(s.length)
    expectTypeOf(pipe(length, Middleware.timeout("1 second"), Middleware.retry(), Middleware.recover()))
      .toEqualTypeOf<Worker.Worker<string, Cause.TimeoutException | Middleware.WorkerDefect, never, number>>()
  })

  it("pipe(worker, m3, m2, m1) accumulates the errors", () => {
    const wrapped = pipe(
      worker,
      Middleware.validate((s: string) => s.length > 0),
      Middleware.timeout("1 second"),
      Middleware.recover(),
      Middleware.retry()
    )
    expectTypeOf(wrapped).toEqualTypeOf<
      Worker.Worker<
        string,
        Flaky | Middleware.ValidationError | Cause.TimeoutException | Middleware.WorkerDefect,
        never
      >
    >()
  })

  it("the pool's error type gains TimeoutException, ValidationError, WorkerDefect", () => {
    const make = FiberPool.make({
      workers: 2,
      worker,
      middleware: [
        Middleware.retry({ attempts: 3 }),
        Middleware.recover(),
        Middleware.timeout("1 second"),
        Middleware.validate((s: string) => s.length > 0),
        Middleware.rateLimit({ rate: 10 })
      ]
    })
    expectTypeOf(make).toEqualTypeOf<
      Effect.Effect<
        FiberPool.FiberPool<
          string,
          Flaky | Cause.TimeoutException | Middleware.ValidationError | Middleware.WorkerDefect
        >,
        never,
        Scope.Scope
      >
    >()
  })

  it("the pool's requirements gain what middleware needs", () => {
    const make = FiberPool.make({
      workers: 1,
      worker,
      middleware: [Middleware.validate((s: string) => Effect.asVoid(Blocklist))]
    })
    expectTypeOf(make).toEqualTypeOf<
      Effect.Effect<FiberPool.FiberPool<string, Flaky | Middleware.ValidationError>, never, Scope.Scope | Blocklist>
    >()
  })

  it("both the middleware option and the pipe form keep the worker's result type", () => {
    const length = (s: string) => Effect.succeed(s.length)
    const words = Stream.make("a", "bc")
    const withOption = FiberPool.mapStream(words, {
      workers: 1,
      worker: length,
      middleware: [Middleware.timeout("1 second")]
    })
    expectTypeOf(withOption).toEqualTypeOf<Stream.Stream<number, Cause.TimeoutException>>()
    const piped = FiberPool.mapStream(words, { workers: 1, worker: pipe(length, Middleware.timeout("1 second")) })
    expectTypeOf(piped).toEqualTypeOf<Stream.Stream<number, Cause.TimeoutException>>()
  })

  it("the middleware option rejects a middleware of another item type, as the pipe form does", () => {
    FiberPool.make({
      workers: 1,
      worker,
      // @ts-expect-error a check of numbers would get strings (`n > 0` on a string)
      middleware: [Middleware.validate((n: number) => n > 0)]
    })
    FiberPool.make({
      workers: 1,
      worker,
      // @ts-expect-error a schema of User: every string would be rejected
      middleware: [Middleware.validate(User)]
    })
    FiberPool.run(["a"], {
      workers: 1,
      worker,
      // @ts-expect-error a defect handler of numbers would get strings
      middleware: [Middleware.recover((_defect, item: number) => Effect.log(item.toFixed(2)))]
    })
    const lengths = Stream.make("a").pipe(FiberPool.mapStream({
      workers: 1,
      worker: (s: string) => Effect.succeed(s.length),
      // @ts-expect-error a check of numbers would get strings
      middleware: [Middleware.validate((n: number) => n > 0)]
    }))
    void lengths
  })

  it("makeBatched: its middleware get the batch, and are checked against it", () => {
    FiberPool.makeBatched({
      workers: 1,
      worker: (rows: ReadonlyArray<number>) => Effect.log(rows.length),
      // @ts-expect-error the check would get the whole batch, `[1, 2] > 0`
      middleware: [Middleware.validate((n: number) => n > 0)]
    })
    const make = FiberPool.makeBatched({
      workers: 1,
      worker: (rows: ReadonlyArray<number>) => Effect.log(rows.length),
      middleware: [Middleware.validate((rows) => rows.every((n) => n > 0)), Middleware.timeout("1 second")]
    })
    expectTypeOf(make).toEqualTypeOf<
      Effect.Effect<
        FiberPool.FiberPool<number, Middleware.ValidationError | Cause.TimeoutException>,
        never,
        Scope.Scope
      >
    >()
  })

  it("makeBatched: a worker made with Worker.make takes inline checks and handlers", () => {
    // were rejected: the item type read through the worker's batch type was never
    const make = FiberPool.makeBatched({
      workers: 1,
      worker: Worker.make((rows: ReadonlyArray<string>) => Effect.log(rows.length)),
      middleware: [
        Middleware.validate((rows) => rows.length > 0),
        Middleware.recover((defect, rows) => Effect.log(rows.length, defect))
      ]
    })
    expectTypeOf(make).toEqualTypeOf<
      Effect.Effect<
        FiberPool.FiberPool<string, Middleware.ValidationError | Middleware.WorkerDefect>,
        never,
        Scope.Scope
      >
    >()
  })

  it("a check or handler written in the list gets the pool's item type, not any", () => {
    FiberPool.make({
      workers: 1,
      worker: (_: number) => Effect.void,
      middleware: [
        // @ts-expect-error `n` is a number (it was `any`: this compiled)
        Middleware.validate((n) => n.definitely.not.a.number > 0),
        // @ts-expect-error `item` is a number
        Middleware.recover((_defect, item) => Effect.log(item.foo.bar))
      ]
    })
    const make = FiberPool.make({
      workers: 1,
      worker,
      middleware: [
        Middleware.validate((s) => s.length > 0),
        Middleware.recover((_defect, s) => Effect.flatMap(Db, (db) => Effect.log(s.toUpperCase(), db.ok)))
      ]
    })
    expectTypeOf(make).toEqualTypeOf<
      Effect.Effect<
        FiberPool.FiberPool<string, Flaky | Middleware.ValidationError | Middleware.WorkerDefect>,
        never,
        Scope.Scope | Db
      >
    >()
  })

  it("retry alone leaves the pool's error type as it is", () => {
    const make = FiberPool.make({ workers: 1, worker, middleware: [Middleware.retry()] })
    expectTypeOf(make).toEqualTypeOf<Effect.Effect<FiberPool.FiberPool<string, Flaky>, never, Scope.Scope>>()
  })
})
