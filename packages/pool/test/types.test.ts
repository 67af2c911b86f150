/**
 * Type-level tests: checked by `tsc -p tsconfig.json` (expectTypeOf, and `@ts-expect-error` lines
 * that fail the type-check if the error they expect disappears). At run time they only build
 * values; nothing is run.
 */
import { describe, expectTypeOf, it } from "@effect/vitest"
import { Metrics, Stats } from "@fiberpool/pool-metrics"
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { FiberPool, Worker } from "../src/index.js"

class ItemError extends Data.TaggedError("ItemError")<{ readonly item: number }> {}
class AuditError extends Data.TaggedError("AuditError")<{}> {}
class LimitError extends Data.TaggedError("LimitError")<{}> {}
class FnError extends Data.TaggedError("FnError")<{}> {}
class WorkerCompleteError extends Data.TaggedError("WorkerCompleteError")<{}> {}
class PoolCompleteError extends Data.TaggedError("PoolCompleteError")<{}> {}
class DbError extends Data.TaggedError("DbError")<{}> {}
class InitError extends Data.TaggedError("InitError")<{}> {}

class Db extends Context.Tag("types/Db")<Db, { readonly query: (q: string) => Effect.Effect<void> }>() {}
class Config extends Context.Tag("types/Config")<Config, { readonly url: string }>() {}
class Http extends Context.Tag("types/Http")<Http, { readonly get: (url: string) => Effect.Effect<number> }>() {}
class Auditor
  extends Context.Tag("types/Auditor")<Auditor, { readonly audit: (u: unknown) => Effect.Effect<void> }>()
{}
class Notifier extends Context.Tag("types/Notifier")<Notifier, { readonly notify: Effect.Effect<void> }>() {}

/** The pool a `make` effect produces. */
type PoolOf<T> = T extends Effect.Effect<infer P, any, any> ? P : never
/** The error of the pool's `close` (the pool's `E`). */
type PoolError<T> = PoolOf<T> extends FiberPool.FiberPool<any, infer E> ? E : never
/** The item type of the pool. */
type PoolItem<T> = PoolOf<T> extends { readonly submit: (item: infer A) => any } ? A : never
type MakeError<T> = T extends Effect.Effect<any, infer E, any> ? E : never
type MakeContext<T> = T extends Effect.Effect<any, any, infer R> ? R : never

/**
 * Exact type equality (distinguishes `any`, `unknown` and `never`). Used for the error and context
 * types of `make`: they are declared `NoInfer<…>`, and expect-type's `toEqualTypeOf` tells
 * `NoInfer<A | B>` from `A | B` although the two are the same type to the checker.
 */
type Equals<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false
/** Compiles only when `Actual` and `Expected` are the same type: `same<Actual, Expected>(true)`. */
const same = <Actual, Expected>(_: Equals<Actual, Expected>): void => {}

const dbLayer: Layer.Layer<Db, DbError, Worker.WorkerId | Config> = Layer.effect(
  Db,
  Effect.gen(function*() {
    const id = yield* Worker.WorkerId
    const config = yield* Config
    if (config.url === "") return yield* Effect.fail(new DbError())
    return { query: (q: string) => Effect.log(`worker ${id}: ${q}`) }
  })
)

// reusable middleware, written by annotation
const audited: Worker.Middleware<unknown, AuditError> = (next) => (item) =>
  Effect.zipRight(item === null ? Effect.fail(new AuditError()) : Effect.void, next(item))
const limited: Worker.Middleware<unknown, LimitError> = (next) => (item) =>
  Effect.zipRight(Effect.fail(new LimitError()).pipe(Effect.when(() => false)), next(item))
const needsAuditor: Worker.Middleware<unknown, never, Auditor> = (next) => (item) =>
  Effect.flatMap(Auditor, (a) => a.audit(item)).pipe(Effect.zipRight(next(item)))
const perWorker: Worker.Middleware<unknown, never, Worker.WorkerId | Metrics.PoolMetrics> = (next) => (item) =>
  Effect.flatMap(Worker.WorkerId, (id) => Metrics.increment(`worker_${id}`)).pipe(Effect.zipRight(next(item)))
const scoped: Worker.Middleware<unknown, never, Scope.Scope> = (next) => (item) =>
  Effect.flatMap(Effect.scope, () => next(item))
// one-off middleware for one concrete worker
const negative: Worker.MiddlewareFn<number, never, never, FnError> = (next) => (n) =>
  n < 0 ? Effect.fail(new FnError()) : next(n)

const infallible = (_: number) => Effect.void

describe("FiberPool.make: the pool's error type", () => {
  it("is never for an infallible worker, and make itself needs only Scope", () => {
    const make = FiberPool.make({ workers: 2, worker: infallible })
    expectTypeOf<PoolError<typeof make>>().toEqualTypeOf<never>()
    expectTypeOf<PoolItem<typeof make>>().toEqualTypeOf<number>()
    same<MakeError<typeof make>, never>(true)
    same<MakeContext<typeof make>, Scope.Scope>(true)
    expectTypeOf<PoolOf<typeof make>>().toEqualTypeOf<FiberPool.FiberPool<number, never>>()
  })

  it("is the worker's E", () => {
    const make = FiberPool.make({
      workers: 2,
      worker: (n: number) => n > 0 ? Effect.void : Effect.fail(new ItemError({ item: n }))
    })
    expectTypeOf<PoolError<typeof make>>().toEqualTypeOf<ItemError>()
    same<MakeError<typeof make>, never>(true)
    expectTypeOf<PoolOf<typeof make>["close"]>().toEqualTypeOf<Effect.Effect<void, ItemError>>()
    expectTypeOf<PoolOf<typeof make>["wait"]>().toEqualTypeOf<Effect.Effect<void, ItemError>>()
    expectTypeOf<PoolOf<typeof make>["submit"]>().toEqualTypeOf<
      (item: number) => Effect.Effect<void, FiberPool.PoolClosedError>
    >()
  })

  it("includes what an annotated Worker.Middleware adds", () => {
    const make = FiberPool.make({ workers: 2, worker: infallible, middleware: [audited] })
    expectTypeOf<PoolError<typeof make>>().toEqualTypeOf<AuditError>()
    same<MakeContext<typeof make>, Scope.Scope>(true)
  })

  it("includes what both of two middleware add, on top of the worker's E", () => {
    const make = FiberPool.make({
      workers: 2,
      worker: (n: number) => Effect.fail(new ItemError({ item: n })),
      middleware: [audited, limited]
    })
    expectTypeOf<PoolError<typeof make>>().toEqualTypeOf<ItemError | AuditError | LimitError>()
    // array order changes behaviour, not types
    const reversed = FiberPool.make({
      workers: 2,
      worker: (n: number) => Effect.fail(new ItemError({ item: n })),
      middleware: [limited, audited]
    })
    expectTypeOf<PoolError<typeof reversed>>().toEqualTypeOf<ItemError | AuditError | LimitError>()
  })

  it("includes what a Worker.catchCause middleware adds; its handler sees the worker's errors", () => {
    const fallback = Worker.catchCause<unknown, AuditError, Auditor>((cause, item) => {
      expectTypeOf(cause).toMatchTypeOf<Cause.Cause<unknown>>()
      return Effect.flatMap(Auditor, (a) => a.audit(item)).pipe(
        Effect.zipRight(Effect.fail(new AuditError())),
        Effect.zipRight(Effect.failCause(cause))
      )
    })
    expectTypeOf(fallback).toEqualTypeOf<Worker.Middleware<unknown, AuditError, Auditor>>()
    const make = FiberPool.make({
      workers: 1,
      worker: (n: number) => Effect.fail(new ItemError({ item: n })),
      middleware: [fallback]
    })
    expectTypeOf<PoolError<typeof make>>().toEqualTypeOf<ItemError | AuditError>()
    same<MakeContext<typeof make>, Scope.Scope | Auditor>(true)
    // @ts-expect-error a handler's effect may not fail with errors it does not declare
    Worker.catchCause<unknown, AuditError>(() => Effect.fail(new LimitError()))
  })

  it("includes the E2 of a MiddlewareFn element", () => {
    const make = FiberPool.make({ workers: 1, worker: infallible, middleware: [negative] })
    expectTypeOf<PoolError<typeof make>>().toEqualTypeOf<FnError>()
    const mixed = FiberPool.make({ workers: 1, worker: infallible, middleware: [audited, negative] })
    expectTypeOf<PoolError<typeof mixed>>().toEqualTypeOf<AuditError | FnError>()
  })

  it("the pipe form types middleware exactly too", () => {
    const worker = Worker.make((n: number) => n > 0 ? Effect.void : Effect.fail(new ItemError({ item: n })))
    const wrapped = limited(audited(worker))
    expectTypeOf(wrapped).toEqualTypeOf<Worker.Worker<number, ItemError | AuditError | LimitError, never>>()
    const make = FiberPool.make({ workers: 1, worker: negative(Worker.make(infallible)) })
    expectTypeOf<PoolError<typeof make>>().toEqualTypeOf<FnError>()
  })

  it("joins the errors of onWorkerComplete and onPoolComplete", () => {
    const make = FiberPool.make({
      workers: 2,
      worker: (n: number) => Effect.fail(new ItemError({ item: n })),
      onWorkerComplete: (_id) => Effect.fail(new WorkerCompleteError()),
      onPoolComplete: Effect.fail(new PoolCompleteError())
    })
    expectTypeOf<PoolError<typeof make>>().toEqualTypeOf<ItemError | WorkerCompleteError | PoolCompleteError>()
    same<MakeError<typeof make>, never>(true)
    same<MakeContext<typeof make>, Scope.Scope>(true)
  })

  it("infallible callbacks add nothing", () => {
    const make = FiberPool.make({
      workers: 2,
      worker: infallible,
      onWorkerComplete: (_id) => Effect.void,
      onPoolComplete: Effect.void
    })
    expectTypeOf<PoolError<typeof make>>().toEqualTypeOf<never>()
    same<MakeContext<typeof make>, Scope.Scope>(true)
  })
})

describe("FiberPool.make: requirements and start-up errors", () => {
  it("the workerLayer's error becomes make's error; its output is removed from the requirements", () => {
    const make = FiberPool.make({
      workers: 2,
      workerLayer: dbLayer,
      worker: (n: number) => Effect.flatMap(Db, (db) => db.query(`insert ${n}`))
    })
    same<MakeError<typeof make>, DbError>(true)
    expectTypeOf<PoolError<typeof make>>().toEqualTypeOf<never>()
    // Db is provided by the layer, WorkerId by the pool: Config is what the layer still needs
    same<MakeContext<typeof make>, Scope.Scope | Config>(true)
  })

  it("WorkerId, PoolMetrics and the layer's output are removed; other requirements remain, plus Scope", () => {
    const make = FiberPool.make({
      workers: 2,
      workerLayer: Layer.succeed(Db, { query: () => Effect.void }),
      worker: (url: string) =>
        Effect.gen(function*() {
          const id = yield* Worker.WorkerId
          const http = yield* Http
          const db = yield* Db
          const status = yield* http.get(url)
          yield* Metrics.increment(`status_${status}`)
          yield* db.query(`${id}: ${url}`)
        })
    })
    same<MakeContext<typeof make>, Scope.Scope | Http>(true)
    same<MakeError<typeof make>, never>(true)
  })

  it("middleware requirements remain, minus what the pool provides", () => {
    const make = FiberPool.make({ workers: 2, worker: infallible, middleware: [needsAuditor, perWorker] })
    same<MakeContext<typeof make>, Scope.Scope | Auditor>(true)
  })

  it("onWorkerComplete sees WorkerId, PoolMetrics and the layer; onPoolComplete's requirements pass through", () => {
    const make = FiberPool.make({
      workers: 2,
      workerLayer: Layer.succeed(Db, { query: () => Effect.void }),
      worker: infallible,
      onWorkerComplete: (id) =>
        Effect.gen(function*() {
          const db = yield* Db
          const same = yield* Worker.WorkerId
          yield* Metrics.increment(`done_${id}_${same}`)
          yield* db.query("flush")
        }),
      onPoolComplete: Effect.flatMap(Notifier, (n) => n.notify)
    })
    same<MakeContext<typeof make>, Scope.Scope | Notifier>(true)
  })

  it("a worker that requires Scope is rejected", () => {
    FiberPool.make({
      workers: 1,
      // @ts-expect-error a worker must not require Scope
      worker: (_: number) => Effect.flatMap(Effect.scope, () => Effect.void)
    })
    FiberPool.run([1, 2], {
      workers: 1,
      // @ts-expect-error a worker must not require Scope
      worker: (_: number) => Effect.flatMap(Effect.scope, () => Effect.void)
    })
    // the fix the message suggests: a scope per item
    const fixed = FiberPool.make({
      workers: 1,
      worker: (_: number) => Effect.scoped(Effect.flatMap(Effect.scope, () => Effect.void))
    })
    same<MakeContext<typeof fixed>, Scope.Scope>(true)
  })

  it("a middleware that requires Scope is rejected", () => {
    FiberPool.make({
      workers: 1,
      worker: infallible,
      // @ts-expect-error a middleware must not require Scope
      middleware: [scoped]
    })
  })

  it("the pool must match the declared item type", () => {
    FiberPool.make({
      workers: 1,
      worker: (n: number) => Effect.log(n),
      // @ts-expect-error keyBy takes the pool's item type
      keyBy: (s: string) => s
    })
  })
})

describe("FiberPool.make: each element of the middleware option is checked against the pool's items", () => {
  const onlyNumbers: Worker.Middleware<number> = (next) => (n) => Effect.zipRight(Effect.log(n.toFixed(2)), next(n))

  it("a middleware of another item type is rejected, as in the pipe form", () => {
    FiberPool.make({
      workers: 1,
      worker: (s: string) => Effect.log(s),
      // @ts-expect-error a Worker.Middleware<number> would get strings
      middleware: [onlyNumbers]
    })
    FiberPool.run(["a"], {
      workers: 1,
      worker: (s: string) => Effect.log(s),
      // @ts-expect-error a MiddlewareFn whose next takes numbers would get strings
      middleware: [negative]
    })
    // @ts-expect-error the pipe form rejects it too
    onlyNumbers(Worker.make((s: string) => Effect.log(s)))
    const fits = FiberPool.make({
      workers: 1,
      worker: (n: number) => Effect.log(n),
      middleware: [onlyNumbers, negative]
    })
    expectTypeOf<PoolError<typeof fits>>().toEqualTypeOf<FnError>()
  })

  it("makeBatched: the middleware get the batch, and are checked against it", () => {
    FiberPool.makeBatched({
      workers: 1,
      worker: (rows: ReadonlyArray<number>) => Effect.log(rows.length),
      // @ts-expect-error a middleware of numbers would get arrays of numbers
      middleware: [onlyNumbers]
    })
    const ofBatches: Worker.Middleware<ReadonlyArray<number>> = (next) => (rows) =>
      Effect.zipRight(Effect.log(rows.length), next(rows))
    const make = FiberPool.makeBatched({
      workers: 1,
      worker: (rows: ReadonlyArray<number>) => Effect.log(rows.length),
      middleware: [ofBatches, audited]
    })
    expectTypeOf<PoolError<typeof make>>().toEqualTypeOf<AuditError>()
  })

  it("makeBatched: a worker typed with a mutable array; an unannotated worker's list handlers get keyBy's items", () => {
    interface Row {
      readonly name: string
    }
    // database clients take `Row[]` (the worker gets an array of its own)
    const mutable = FiberPool.makeBatched({ workers: 1, worker: (rows: Array<Row>) => Effect.log(rows.length) })
    same<PoolOf<typeof mutable>, FiberPool.FiberPool<Row, never, void>>(true)
    const rest = FiberPool.makeBatched({ workers: 1, worker: (rows: [Row, ...Array<Row>]) => Effect.log(rows[0].name) })
    same<PoolOf<typeof rest>, FiberPool.FiberPool<Row, never, void>>(true)
    FiberPool.makeBatched({
      workers: 1,
      // @ts-expect-error a tuple of two would get batches of one
      worker: (rows: readonly [Row, Row]) => Effect.log(rows[1].name)
    })
    const keyed = FiberPool.makeBatched({
      workers: 1,
      keyBy: (row: Row) => row.name,
      worker: (rows) => Effect.log(rows[0].name),
      middleware: [
        Worker.catchCause((cause, rows) => Effect.zipRight(Effect.log(rows[0].name), Effect.failCause(cause)))
      ]
    })
    same<PoolOf<typeof keyed>, FiberPool.FiberPool<Row, never, void>>(true)
  })

  it("makeBatched: a one-off middleware's next is checked against the batch type the worker declares", () => {
    const logRows: Worker.MiddlewareFn<ReadonlyArray<number>> = (next) => (rows) =>
      Effect.zipRight(Effect.log(rows.length), next(rows))
    // (rejected since 0.2.0's item checks: its next was checked against NonEmptyReadonlyArray<number>)
    const make = FiberPool.makeBatched({
      workers: 1,
      worker: (rows: ReadonlyArray<number>) => Effect.log(rows.length),
      middleware: [logRows]
    })
    same<PoolOf<typeof make>, FiberPool.FiberPool<number, never, void>>(true)
    FiberPool.makeBatched({
      workers: 1,
      worker: (rows: NonEmptyReadonlyArray<number>) => Effect.log(rows[0]),
      // @ts-expect-error it may call a worker that declares non-empty batches with an empty one
      middleware: [logRows]
    })
    const logStrings: Worker.MiddlewareFn<ReadonlyArray<string>> = (next) => (rows) => next(rows)
    FiberPool.makeBatched({
      workers: 1,
      worker: (rows: ReadonlyArray<number>) => Effect.log(rows.length),
      // @ts-expect-error batches of another item type
      middleware: [logStrings]
    })
    const logFirst: Worker.MiddlewareFn<NonEmptyReadonlyArray<number>> = (next) => (rows) =>
      Effect.zipRight(Effect.log(rows[0]), next(rows))
    FiberPool.makeBatched({
      workers: 1,
      worker: (rows: NonEmptyReadonlyArray<number>) => Effect.log(rows[0]),
      middleware: [logFirst]
    })
    FiberPool.makeBatched({
      workers: 1,
      worker: (rows: ReadonlyArray<number>) => Effect.log(rows.length),
      middleware: [logFirst]
    })
    // an unannotated worker gets non-empty batches, and is checked as declaring them
    FiberPool.makeBatched({
      workers: 1,
      keyBy: (n: number) => String(n),
      worker: (rows) => Effect.log(rows[0].toFixed(2)),
      middleware: [logFirst]
    })
    FiberPool.makeBatched({
      workers: 1,
      keyBy: (n: number) => String(n),
      worker: (rows) => Effect.log(rows[0].toFixed(2)),
      // @ts-expect-error so a one-off of possibly empty batches does not fit it
      middleware: [logRows]
    })
  })

  it("makeBatched reads the batch type from the worker alone: Worker.make and a Worker variable", () => {
    // each was rejected: the item type read through an intersection with the batch type was never
    // (a Worker.make worker) or the handler's item was the middleware's own type parameter
    const made = FiberPool.makeBatched({
      workers: 1,
      worker: Worker.make((rows: ReadonlyArray<string>) => Effect.log(rows.length)),
      middleware: [Worker.catchCause((cause) => Effect.failCause(cause))]
    })
    same<PoolOf<typeof made>, FiberPool.FiberPool<string, never, void>>(true)
    const rowsWorker: Worker.Worker<ReadonlyArray<string>> = (rows) => Effect.log(rows.length)
    const typed = FiberPool.makeBatched({
      workers: 1,
      worker: rowsWorker,
      middleware: [
        Worker.catchCause((cause, rows) => Effect.zipRight(Effect.log(rows.length), Effect.failCause(cause)))
      ]
    })
    same<PoolOf<typeof typed>, FiberPool.FiberPool<string, never, void>>(true)
    // an unannotated worker still gets non-empty batches of keyBy's items
    const keyed = FiberPool.makeBatched({
      workers: 1,
      keyBy: (n: number) => String(n),
      worker: (rows) => Effect.log(rows[0].toFixed(2))
    })
    same<PoolOf<typeof keyed>, FiberPool.FiberPool<number, never, void>>(true)
    FiberPool.makeBatched({
      workers: 1,
      // @ts-expect-error keyBy takes another item type than the batch worker
      keyBy: (n: number) => String(n),
      worker: (rows: ReadonlyArray<string>) => Effect.log(rows.length)
    })
    FiberPool.makeBatched({
      workers: 1,
      // @ts-expect-error a tuple type would get batches of one
      worker: (rows: readonly [string, string]) => Effect.log(rows[1])
    })
  })

  it("a handler written in the list has its item typed from the pool's items, not any", () => {
    FiberPool.make({
      workers: 1,
      worker: (n: number) => Effect.log(n),
      middleware: [
        Worker.catchCause((cause, item) => {
          const n: number = item
          // @ts-expect-error `item` is a number (it was `any`: this compiled)
          return Effect.zipRight(Effect.log(n, item.foo.bar), Effect.failCause(cause))
        })
      ]
    })
  })

  it("Worker.catchCause in the list without type arguments adds nothing, as outside it", () => {
    FiberPool.make({
      workers: 1,
      worker: (n: number) => Effect.log(n),
      middleware: [
        // @ts-expect-error the handler fails with AuditError without naming it (the pool's error was `never`)
        Worker.catchCause((cause) => Effect.zipRight(Effect.fail(new AuditError()), Effect.failCause(cause)))
      ]
    })
    FiberPool.make({
      workers: 1,
      worker: (n: number) => Effect.log(n),
      middleware: [
        Worker.catchCause((cause, item) =>
          // @ts-expect-error the handler requires Auditor without naming it (the pool did not require it)
          Effect.zipRight(Effect.flatMap(Auditor, (a) => a.audit(item)), Effect.failCause(cause))
        )
      ]
    })
    // one that adds nothing needs no type arguments
    const passing = FiberPool.make({
      workers: 1,
      worker: (n: number) => Effect.fail(new ItemError({ item: n })),
      middleware: [Worker.catchCause((cause, item, again) => item > 0 ? again : Effect.failCause(cause))]
    })
    same<PoolError<typeof passing>, ItemError>(true)
    // named as type arguments, what it adds is exact
    const named = FiberPool.make({
      workers: 1,
      worker: (n: number) => Effect.log(n),
      middleware: [
        Worker.catchCause<unknown, AuditError, Auditor>((cause, item) =>
          Effect.flatMap(Auditor, (a) => a.audit(item)).pipe(
            Effect.zipRight(Effect.fail(new AuditError())),
            Effect.zipRight(Effect.failCause(cause))
          )
        )
      ]
    })
    same<PoolError<typeof named>, AuditError>(true)
    same<MakeContext<typeof named>, Scope.Scope | Auditor>(true)
  })

  it("a list typed ReadonlyArray<FiberPool.AnyMiddleware> is rejected (its errors were dropped); as const keeps them", () => {
    const anyList: ReadonlyArray<FiberPool.AnyMiddleware> = [audited]
    FiberPool.make({
      workers: 1,
      worker: (n: number) => Effect.log(n),
      // @ts-expect-error the pool could not read what the list's middleware add
      middleware: anyList
    })
    const list = [audited, limited] as const
    const make = FiberPool.make({ workers: 1, worker: (n: number) => Effect.log(n), middleware: list })
    expectTypeOf<PoolError<typeof make>>().toEqualTypeOf<AuditError | LimitError>()
    // an optional list: its elements count, and leaving it out adds nothing
    const maybe = [audited] as ReadonlyArray<typeof audited> | undefined
    const optional = FiberPool.make({ workers: 1, worker: (n: number) => Effect.log(n), middleware: maybe })
    expectTypeOf<PoolError<typeof optional>>().toEqualTypeOf<AuditError>()
    const none = FiberPool.make({ workers: 1, worker: (n: number) => Effect.log(n), middleware: undefined })
    expectTypeOf<PoolError<typeof none>>().toEqualTypeOf<never>()
  })
})

describe("FiberPool.MiddlewareFor types the elements of a list kept apart", () => {
  it("FiberPool.MiddlewareFor<A>: the pool's error is unknown, and the elements require nothing", () => {
    const list: ReadonlyArray<FiberPool.MiddlewareFor<string>> = [audited, limited]
    // (it was rejected: "cannot read what a middleware requires")
    const make = FiberPool.make({ workers: 1, worker: (s: string) => Effect.log(s), middleware: list })
    same<PoolOf<typeof make>, FiberPool.FiberPool<string, unknown, void>>(true)
    same<MakeContext<typeof make>, Scope.Scope>(true)
    // @ts-expect-error an element that requires Auditor does not fit a list whose R is never
    const needing: ReadonlyArray<FiberPool.MiddlewareFor<string>> = [needsAuditor]
    const onlyNumbers: Worker.Middleware<number> = (next) => (n) => next(n)
    // @ts-expect-error nor one of another item type
    const numbers: ReadonlyArray<FiberPool.MiddlewareFor<string>> = [onlyNumbers]
    const readsErrors: Worker.MiddlewareFn<string, ItemError, never, never> = (next) => (s) =>
      Effect.catchTag(next(s), "ItemError", () => Effect.void)
    // @ts-expect-error nor a one-off that reads its worker's errors (the list does not know them: use as const)
    const reading: ReadonlyArray<FiberPool.MiddlewareFor<string>> = [readsErrors]
    void needing
    void numbers
    void reading
  })

  it("naming E and R keeps them in the pool's types", () => {
    const list: ReadonlyArray<FiberPool.MiddlewareFor<string, void, AuditError | LimitError, Auditor>> = [
      audited,
      limited,
      needsAuditor
    ]
    const run = FiberPool.run(["a"], { workers: 1, worker: (s: string) => Effect.log(s), middleware: list })
    same<MakeError<typeof run>, AuditError | LimitError>(true)
    same<MakeContext<typeof run>, Auditor>(true)
    // B: the pool's results
    const lengths: ReadonlyArray<FiberPool.MiddlewareFor<string, number, AuditError>> = [audited]
    const make = FiberPool.make({ workers: 1, worker: (s: string) => Effect.succeed(s.length), middleware: lengths })
    same<PoolOf<typeof make>, FiberPool.FiberPool<string, AuditError, number>>(true)
  })

  it("naming Added holds a middleware that adds a result (it could not be held)", () => {
    const skip = Worker.catchCause<unknown, never, never, undefined>(() => Effect.succeed(undefined))
    const list: ReadonlyArray<FiberPool.MiddlewareFor<string, number, AuditError, never, undefined>> = [skip, audited]
    const make = FiberPool.make({ workers: 1, worker: (s: string) => Effect.succeed(s.length), middleware: list })
    same<PoolOf<typeof make>, FiberPool.FiberPool<string, AuditError, number | undefined>>(true)
    // a one-off in it takes the results the list's order may give it
    const orZero: Worker.MiddlewareFn<string, unknown, never, AuditError, never, number | undefined> = (next) => (s) =>
      Effect.map(Effect.mapError(next(s), () => new AuditError()), (n) => n ?? 0)
    const withOneOff: ReadonlyArray<FiberPool.MiddlewareFor<string, number, AuditError, never, undefined>> = [orZero]
    const double: Worker.MiddlewareFn<string, unknown, never, AuditError, never, number> = (next) => (s) =>
      Effect.map(Effect.mapError(next(s), () => new AuditError()), (n) => n * 2)
    // @ts-expect-error its next may get undefined from the skip middleware
    const unsound: ReadonlyArray<FiberPool.MiddlewareFor<string, number, AuditError, never, undefined>> = [double]
    void withOneOff
    void unsound
  })
})

describe("a middleware whose requirements the pool cannot read is rejected", () => {
  // a generic function infers its R as unknown, which counted as nothing: `run` compiled needing
  // nothing and died with "Service not found: types/Db"
  const needsDb = <A, E, R, B>(next: Worker.Worker<A, E, R, B>): Worker.Worker<A, E, R | Db, B> => (item) =>
    Effect.zipRight(Effect.flatMap(Db, (db) => db.query("select 1")), next(item))

  it("a generic function that adds a requirement", () => {
    FiberPool.make({
      workers: 1,
      worker: (s: string) => Effect.log(s),
      // @ts-expect-error cannot read what the middleware requires: annotate it as Worker.Middleware<A, E, R>
      middleware: [needsDb]
    })
    // @ts-expect-error the same in run (no overload matches)
    FiberPool.run(["a"], { workers: 1, worker: (s: string) => Effect.log(s), middleware: [needsDb] })
    const untyped: Worker.Middleware<unknown, never, unknown> = (next) => next
    FiberPool.make({
      workers: 1,
      worker: (s: string) => Effect.log(s),
      // @ts-expect-error a requirement typed unknown cannot be provided either
      middleware: [untyped]
    })
  })

  it("annotated, its requirement is the caller's; a pass-through generic function is accepted", () => {
    const annotated: Worker.Middleware<unknown, never, Db> = needsDb
    const run = FiberPool.run(["a"], { workers: 1, worker: (s: string) => Effect.log(s), middleware: [annotated] })
    same<MakeContext<typeof run>, Db>(true)
    const traced = <A, E, R, B>(next: Worker.Worker<A, E, R, B>): Worker.Worker<A, E, R, B> => (item) =>
      Effect.withSpan(next(item), "item")
    const tracedRun = FiberPool.run(["a"], { workers: 1, worker: (s: string) => Effect.log(s), middleware: [traced] })
    same<MakeContext<typeof tracedRun>, never>(true)
  })
})

describe("a middleware whose requirements are typed any is rejected; errors typed any make the pool's unknown", () => {
  // `any` counted as nothing: `run` was typed Effect<Stats, never, never>, and failed with
  // TimeoutException or "Service not found: types/Auditor"
  it("a list typed ReadonlyArray<Worker.Middleware<any, any, any>>", () => {
    const list: ReadonlyArray<Worker.Middleware<any, any, any>> = [audited, needsAuditor]
    // @ts-expect-error a middleware's requirements are any: type the list's elements
    FiberPool.run(["a"], { workers: 1, worker: (s: string) => Effect.log(s), middleware: list })
    const anyError: Worker.Middleware<unknown, any> = audited
    const anyErrorRun = FiberPool.run(["a"], {
      workers: 1,
      worker: (s: string) => Effect.log(s),
      middleware: [anyError]
    })
    same<MakeError<typeof anyErrorRun>, unknown>(true)
    const anyErrorFn = (next: Worker.Worker<string, any>): Worker.Worker<string, any> => next
    const anyErrorFnRun = FiberPool.run(["a"], {
      workers: 1,
      worker: (s: string) => Effect.log(s),
      middleware: [anyErrorFn]
    })
    same<MakeError<typeof anyErrorFnRun>, unknown>(true)
    const anyContext: Worker.Middleware<unknown, never, any> = needsAuditor
    // @ts-expect-error an element whose requirements are any
    FiberPool.make({ workers: 1, worker: (s: string) => Effect.log(s), middleware: [anyContext] })
    const loose = (next: Worker.Worker<any, any, any>): Worker.Worker<any, any, any> => next
    // @ts-expect-error a one-off function of `any` workers
    FiberPool.make({ workers: 1, worker: (s: string) => Effect.log(s), middleware: [loose] })
  })

  it("a generic helper's own error type is not rejected (an any test of it cannot be decided)", () => {
    // was: not assignable to type 'TypedNotAny<Middleware<unknown, E, never, never>>'
    const helper = <E>(m: Worker.Middleware<unknown, E>) =>
      FiberPool.run(["a"], { workers: 1, worker: (s: string) => Effect.log(s), middleware: [m] })
    same<MakeError<ReturnType<typeof helper<AuditError>>>, AuditError>(true)
    const listHelper = <A, E>(worker: Worker.Worker<A>, middleware: ReadonlyArray<Worker.Middleware<A, E>>) =>
      FiberPool.make({ workers: 1, worker, middleware })
    const make = listHelper((s: string) => Effect.log(s), [limited])
    same<PoolOf<typeof make>, FiberPool.FiberPool<string, LimitError>>(true)
  })

  it("a list built imperatively, with its elements typed, keeps what they add", () => {
    const list: Array<Worker.Middleware<string, AuditError | LimitError, Auditor>> = []
    list.push(audited, needsAuditor)
    if (list.length > 1) list.push(limited)
    const run = FiberPool.run(["a"], { workers: 1, worker: (s: string) => Effect.log(s), middleware: list })
    same<MakeError<typeof run>, AuditError | LimitError>(true)
    same<MakeContext<typeof run>, Auditor>(true)
    // a list of unknown errors: the pool's error is unknown
    const loose: Array<Worker.Middleware<string, unknown>> = [audited, limited]
    const make = FiberPool.make({ workers: 1, worker: (s: string) => Effect.log(s), middleware: loose })
    same<PoolError<typeof make>, unknown>(true)
  })
})

describe("middleware pass the worker's result through, or name the result they add", () => {
  const length = (s: string) => s === "" ? Effect.fail(new ItemError({ item: 0 })) : Effect.succeed(s.length)

  it("a Worker.Middleware or Worker.catchCause that recovers with a value it does not name does not compile", () => {
    // @ts-expect-error replaces the worker's result with void (`execute` was typed number and returned undefined)
    const skip: Worker.Middleware = (next) => (item) => Effect.catchAll(next(item), () => Effect.void)
    // @ts-expect-error the same, made with catchCause
    const skipCause: Worker.Middleware = Worker.catchCause(() => Effect.void)
    FiberPool.make({
      workers: 1,
      worker: length,
      // @ts-expect-error the same, written in the list: Type 'Effect<void, never, never>' is not assignable to type 'Effect<B1, E1, R1>'
      middleware: [Worker.catchCause(() => Effect.void)]
    })
    void skip
    void skipCause
  })

  it("the pipe form keeps the result type, as the option does", () => {
    expectTypeOf(audited(length)).toEqualTypeOf<Worker.Worker<string, ItemError | AuditError, never, number>>()
    const make = FiberPool.make({ workers: 1, worker: length, middleware: [audited, limited] })
    expectTypeOf<PoolOf<typeof make>["execute"]>().toEqualTypeOf<
      (item: string) => Effect.Effect<number, ItemError | AuditError | LimitError | FiberPool.PoolClosedError>
    >()
  })

  it("a one-off or generic function typed against void results widens the pool's result with void", () => {
    const nonEmpty: Worker.MiddlewareFn<string, ItemError, never, ItemError | FnError> = (next) => (s) =>
      s === "" ? Effect.fail(new FnError()) : next(s)
    // typed against void results, it could return something else than a number: `execute` says so
    const widened = FiberPool.make({ workers: 1, worker: length, middleware: [nonEmpty] })
    same<PoolOf<typeof widened>, FiberPool.FiberPool<string, ItemError | FnError, number | void>>(true)
    const typed: Worker.MiddlewareFn<string, ItemError, never, ItemError | FnError, never, number> = (next) => (s) =>
      s === "" ? Effect.fail(new FnError()) : next(s)
    const make = FiberPool.make({ workers: 1, worker: length, middleware: [typed] })
    expectTypeOf<PoolOf<typeof make>>().toEqualTypeOf<FiberPool.FiberPool<string, ItemError | FnError, number>>()
    // a void pool takes the void-typed one, and stays void
    const voidPool = FiberPool.make({ workers: 1, worker: (s: string) => Effect.log(s), middleware: [nonEmpty] })
    same<PoolOf<typeof voidPool>, FiberPool.FiberPool<string, ItemError | FnError, void>>(true)

    const voidTraced = <A, E, R>(next: Worker.Worker<A, E, R>): Worker.Worker<A, E, R> => (item) =>
      Effect.withSpan(next(item), "item")
    const traced = FiberPool.make({ workers: 1, worker: length, middleware: [voidTraced] })
    // it adds no errors (generic in them, it fails only with the worker's; they read as unknown),
    // but typed against void results it may return void: the same type lets it drop the result
    same<PoolOf<typeof traced>, FiberPool.FiberPool<string, ItemError, number | void>>(true)
    const dropping = <A, E, R>(next: Worker.Worker<A, E, R>): Worker.Worker<A, E, R> => (item) =>
      Effect.asVoid(next(item))
    const dropped = FiberPool.make({ workers: 1, worker: length, middleware: [dropping] })
    same<PoolOf<typeof dropped>, FiberPool.FiberPool<string, ItemError, number | void>>(true)
    const tracedRun = FiberPool.run(["a"], {
      workers: 1,
      worker: (s: string) => Effect.log(s),
      middleware: [voidTraced]
    })
    same<MakeError<typeof tracedRun>, never>(true)
    // one generic in the result passes it through
    const passing = <A, E, R, B>(next: Worker.Worker<A, E, R, B>): Worker.Worker<A, E, R, B> => (item) =>
      Effect.withSpan(next(item), "item")
    const exact = FiberPool.make({ workers: 1, worker: length, middleware: [passing] })
    same<PoolOf<typeof exact>, FiberPool.FiberPool<string, ItemError, number>>(true)
  })
})

describe("a middleware may add a result, as it adds errors: log and skip failing items", () => {
  const length = (s: string) => s === "" ? Effect.fail(new ItemError({ item: 0 })) : Effect.succeed(s.length)
  // logs a failing item and skips it (`execute` returns undefined for it); interruption passes on
  const skipFailures = Worker.catchCause<unknown, never, never, undefined>((cause, item) =>
    Cause.isInterruptedOnly(cause)
      ? Effect.failCause(cause)
      : Effect.as(Effect.logWarning(`skipped ${String(item)}`, cause), undefined)
  )

  it("Worker.catchCause names the result it adds; the pool's result is the worker's or it", () => {
    same<typeof skipFailures, Worker.Middleware<unknown, never, never, undefined>>(true)
    const make = FiberPool.make({ workers: 1, worker: length, middleware: [skipFailures, limited] })
    same<PoolOf<typeof make>, FiberPool.FiberPool<string, ItemError | LimitError, number | undefined>>(true)
    expectTypeOf<PoolOf<typeof make>["execute"]>().toEqualTypeOf<
      (item: string) => Effect.Effect<number | undefined, ItemError | LimitError | FiberPool.PoolClosedError>
    >()
    // in a void pool too
    const logged = FiberPool.make({ workers: 1, worker: (s: string) => Effect.log(s), middleware: [skipFailures] })
    same<PoolOf<typeof logged>, FiberPool.FiberPool<string, never, void | undefined>>(true)
    // the pipe form types it the same
    expectTypeOf(skipFailures(length)).toEqualTypeOf<Worker.Worker<string, ItemError, never, number | undefined>>()
    // annotated as a Worker.Middleware
    const skip: Worker.Middleware<unknown, never, never, void> = (next) => (item) =>
      Effect.catchAll(next(item), () => Effect.void)
    const annotated = FiberPool.make({ workers: 1, worker: length, middleware: [skip] })
    same<PoolOf<typeof annotated>, FiberPool.FiberPool<string, ItemError, number | void>>(true)
  })

  it("a result typed any widens the pool's result to unknown (it was dropped)", () => {
    const anyResult: Worker.Middleware<unknown, never, never, any> = skipFailures
    const make = FiberPool.make({ workers: 1, worker: length, middleware: [anyResult] })
    same<PoolOf<typeof make>, FiberPool.FiberPool<string, ItemError, unknown>>(true)
    const anyFn = (
      next: Worker.Worker<string, ItemError, never, number>
    ): Worker.Worker<string, ItemError, never, any> => next
    const fnMake = FiberPool.make({ workers: 1, worker: length, middleware: [anyFn] })
    same<PoolOf<typeof fnMake>, FiberPool.FiberPool<string, ItemError, unknown>>(true)
  })

  it("every constructor with a middleware option widens its result", () => {
    const mapped = Stream.make("a", "").pipe(
      FiberPool.mapStream({ workers: 1, worker: length, middleware: [skipFailures] })
    )
    same<typeof mapped, Stream.Stream<number | undefined, ItemError, never>>(true)
    const dataFirst = FiberPool.mapStream(Stream.make("a"), { workers: 1, worker: length, middleware: [skipFailures] })
    same<typeof dataFirst, Stream.Stream<number | undefined, ItemError, never>>(true)
    const stateful = FiberPool.makeStateful({
      workers: 1,
      makeWorker: () => Effect.succeed(length),
      middleware: [skipFailures]
    })
    same<PoolOf<typeof stateful>, FiberPool.FiberPool<string, ItemError, number | undefined>>(true)
    class Lengths
      extends Context.Tag("types/Lengths")<Lengths, FiberPool.FiberPool<string, ItemError, number | undefined>>()
    {}
    FiberPool.layer(Lengths, { workers: 1, worker: length, middleware: [skipFailures] })
    class Exact extends Context.Tag("types/Exact")<Exact, FiberPool.FiberPool<string, ItemError, number>>() {}
    // @ts-expect-error the pool's execute returns number | undefined, not number
    FiberPool.layer(Exact, { workers: 1, worker: length, middleware: [skipFailures] })
    // a batched pool's results stay void
    const batched = FiberPool.makeBatched({
      workers: 1,
      worker: (rows: ReadonlyArray<string>) => Effect.log(rows),
      middleware: [skipFailures]
    })
    same<PoolOf<typeof batched>, FiberPool.FiberPool<string, never, void>>(true)
  })

  it("item checks still apply to a middleware that adds a result", () => {
    const numbersOnly: Worker.Middleware<number, never, never, undefined> = (next) => (n) =>
      Effect.catchAll(next(n), () => Effect.as(Effect.log(n.toFixed(2)), undefined))
    const voidNumbersOnly: Worker.Middleware<number, never, never, void> = (next) => (n) =>
      Effect.catchAll(next(n), () => Effect.log(n.toFixed(2)))
    FiberPool.make({
      workers: 1,
      worker: length,
      // @ts-expect-error a Worker.Middleware<number, …> would get strings
      middleware: [numbersOnly]
    })
    FiberPool.make({
      workers: 1,
      worker: (s: string) => Effect.log(s),
      // @ts-expect-error the same when it adds void to a void pool (TypeScript compares void results structurally)
      middleware: [voidNumbersOnly]
    })
    FiberPool.run(["a"], {
      workers: 1,
      worker: (s: string) => Effect.log(s),
      // @ts-expect-error and in run
      middleware: [voidNumbersOnly]
    })
    FiberPool.make({ workers: 1, worker: (n: number) => Effect.succeed(n), middleware: [numbersOnly, voidNumbersOnly] })
  })

  it("a one-off middleware whose next is typed with the worker's result must come after one that adds a result", () => {
    const double: Worker.MiddlewareFn<string, ItemError, never, ItemError, never, number> = (next) => (s) =>
      Effect.map(next(s), (n) => n * 2)
    FiberPool.make({
      workers: 1,
      worker: length,
      // @ts-expect-error a one-off middleware's next does not take the result that a middleware after it adds
      middleware: [double, skipFailures]
    })
    // inside it, it gets the worker's numbers only
    const inside = FiberPool.make({ workers: 1, worker: length, middleware: [skipFailures, double] })
    same<PoolOf<typeof inside>, FiberPool.FiberPool<string, ItemError, number | undefined>>(true)
    // typed with what it gets, it may come first
    const orZero: Worker.MiddlewareFn<string, ItemError, never, ItemError, never, number | undefined> = (next) => (s) =>
      Effect.map(next(s), (n) => n ?? 0)
    const first = FiberPool.make({ workers: 1, worker: length, middleware: [orZero, skipFailures] })
    same<PoolOf<typeof first>, FiberPool.FiberPool<string, ItemError, number | undefined>>(true)
    // a list that is not a tuple is checked against every result
    const list: ReadonlyArray<typeof skipFailures | typeof double> = [skipFailures, double]
    FiberPool.make({
      workers: 1,
      worker: length,
      // @ts-expect-error the order of a list typed ReadonlyArray<…> is not known
      middleware: list
    })
    // spread one-offs: inside the skip middleware they get the worker's numbers (was rejected)
    const doubles: Array<typeof double> = [double]
    const spreadInside = FiberPool.make({ workers: 1, worker: length, middleware: [skipFailures, ...doubles] })
    same<PoolOf<typeof spreadInside>, FiberPool.FiberPool<string, ItemError, number | undefined>>(true)
    const twice = FiberPool.make({ workers: 1, worker: length, middleware: [skipFailures, double, ...doubles] })
    same<PoolOf<typeof twice>, FiberPool.FiberPool<string, ItemError, number | undefined>>(true)
    FiberPool.make({
      workers: 1,
      worker: length,
      // @ts-expect-error outside it they would get undefined: the message names the property
      middleware: [...doubles, skipFailures]
    })
    FiberPool.make({
      workers: 1,
      worker: length,
      // @ts-expect-error the same with a fixed element first
      middleware: [double, ...doubles, skipFailures]
    })
  })
})

describe("a one-off middleware's next is checked against the errors it gets, as in the pipe form", () => {
  const failing = (s: string) => s === "" ? Effect.fail(new ItemError({ item: 0 })) : Effect.void
  const handleItemError: Worker.MiddlewareFn<string, ItemError, never, never> = (next) => (s) =>
    Effect.catchTag(next(s), "ItemError", (e) => Effect.log(e.item))

  it("the worker's errors", () => {
    FiberPool.make({
      workers: 1,
      worker: (s: string) => s === "" ? Effect.fail(new AuditError()) : Effect.void,
      // @ts-expect-error its next is typed ItemError, the worker fails with AuditError (it compiled)
      middleware: [handleItemError]
    })
    // @ts-expect-error the pipe form rejects it too
    handleItemError((s: string) => s === "" ? Effect.fail(new AuditError()) : Effect.void)
    // (the option form keeps the worker's errors: only the pipe form removes them)
    const make = FiberPool.make({ workers: 1, worker: failing, middleware: [handleItemError] })
    same<PoolError<typeof make>, ItemError>(true)
    FiberPool.makeStateful({
      workers: 1,
      makeWorker: () => Effect.succeed((s: string) => s === "" ? Effect.fail(new AuditError()) : Effect.void),
      // @ts-expect-error the same in makeStateful
      middleware: [handleItemError]
    })
  })

  it("what the middleware after it (inside it) add, not those before it", () => {
    FiberPool.make({
      workers: 1,
      worker: failing,
      // @ts-expect-error audited, inside it, adds AuditError
      middleware: [handleItemError, audited]
    })
    const outside = FiberPool.make({ workers: 1, worker: failing, middleware: [audited, handleItemError] })
    same<PoolError<typeof outside>, ItemError | AuditError>(true)
    const both: Worker.MiddlewareFn<string, ItemError | AuditError, never, AuditError> = (next) => (s) =>
      Effect.catchTag(next(s), "ItemError", (e) => Effect.log(e.item))
    const typed = FiberPool.make({ workers: 1, worker: failing, middleware: [both, audited] })
    same<PoolError<typeof typed>, ItemError | AuditError>(true)
  })

  it("its requirements are not checked, and one that provides a service does not remove it (use the pipe form)", () => {
    const provideAuditor: Worker.MiddlewareFn<string, never, Auditor, never, never> = (next) => (s) =>
      Effect.provideService(next(s), Auditor, { audit: () => Effect.void })
    const worker = (s: string) => Effect.flatMap(Auditor, (a) => a.audit(s))
    const option = FiberPool.make({ workers: 1, worker, middleware: [provideAuditor] })
    same<MakeContext<typeof option>, Scope.Scope | Auditor>(true)
    const piped = FiberPool.make({ workers: 1, worker: provideAuditor(worker) })
    same<MakeContext<typeof piped>, Scope.Scope>(true)
  })
})

describe("FiberPool.makeStateful", () => {
  it("makeWorker using Effect.acquireRelease leaves no Scope beyond make's own", () => {
    const make = FiberPool.makeStateful({
      workers: 2,
      makeWorker: (id) =>
        Effect.gen(function*() {
          const conn = yield* Effect.acquireRelease(
            Effect.succeed({ id, rows: [] as Array<string> }),
            (c) => Effect.sync(() => c.rows.splice(0))
          )
          return Worker.make((row: string) => Effect.sync(() => conn.rows.push(row)))
        })
    })
    same<MakeContext<typeof make>, Scope.Scope>(true)
    same<MakeError<typeof make>, never>(true)
    // the worker returns what push returns: execute hands it back
    expectTypeOf<PoolOf<typeof make>>().toEqualTypeOf<FiberPool.FiberPool<string, never, number>>()
  })

  it("makeWorker's error joins make's error; its WorkerId / layer requirements are removed", () => {
    const make = FiberPool.makeStateful({
      workers: 2,
      workerLayer: dbLayer,
      makeWorker: (_id) =>
        Effect.gen(function*() {
          const id = yield* Worker.WorkerId
          const db = yield* Db
          const config = yield* Config
          if (config.url === "") return yield* Effect.fail(new InitError())
          return Worker.make((n: number) => n < 0 ? Effect.fail(new ItemError({ item: n })) : db.query(`${id}: ${n}`))
        }),
      middleware: [audited]
    })
    same<MakeError<typeof make>, DbError | InitError>(true)
    expectTypeOf<PoolError<typeof make>>().toEqualTypeOf<ItemError | AuditError>()
    same<MakeContext<typeof make>, Scope.Scope | Config>(true)
  })

  it("a stateful worker that requires Scope is rejected, at makeWorker (it was \"Property 'worker' is missing\")", () => {
    FiberPool.makeStateful({
      workers: 1,
      // @ts-expect-error the worker makeWorker returns must not require Scope
      makeWorker: (_id) => Effect.succeed((_: number) => Effect.flatMap(Effect.scope, () => Effect.void))
    })
    // makeWorker itself may: it runs in its worker fiber's scope
    FiberPool.makeStateful({
      workers: 1,
      makeWorker: () => Effect.as(Effect.addFinalizer(() => Effect.void), (n: number) => Effect.log(n))
    })
  })

  it("NoScope's message names what requires Scope", () => {
    expectTypeOf<FiberPool.NoScope<Scope.Scope, "middleware">["middleware"]>().toEqualTypeOf<
      "a middleware must not require Scope: use Effect.scoped per item, or workerLayer per worker"
    >()
    expectTypeOf<keyof FiberPool.NoScope<Scope.Scope, "makeWorker">>().toEqualTypeOf<"makeWorker">()
    expectTypeOf<FiberPool.NoScope<Scope.Scope>["worker"]>().toEqualTypeOf<
      "a worker must not require Scope: use Effect.scoped per item, or workerLayer / makeWorker per worker"
    >()
    expectTypeOf<FiberPool.NoScope<Db>>().toEqualTypeOf<unknown>()
  })
})

describe("FiberPool.run and FiberPool.layer", () => {
  it("run needs no Scope and joins the stream's error", () => {
    const run = FiberPool.run(Stream.make(1, 2).pipe(Stream.concat(Stream.fail(new DbError()))), {
      workers: 1,
      worker: (n: number) => Effect.flatMap(Http, (h) => h.get(String(n))),
      middleware: [audited]
    })
    same<MakeError<typeof run>, DbError | AuditError>(true)
    same<MakeContext<typeof run>, Http>(true)
  })

  it("an unknown error (Effect.tryPromise with catch: (e) => e) stays unknown, not never", () => {
    const connect = Layer.effect(
      Db,
      Effect.tryPromise({ try: () => Promise.resolve({ query: () => Effect.void }), catch: (e) => e })
    )
    const make = FiberPool.make({
      workers: 1,
      workerLayer: connect,
      worker: (q: string) => Effect.flatMap(Db, (db) => db.query(q))
    })
    same<MakeError<typeof make>, unknown>(true)
    const completing = FiberPool.make({
      workers: 1,
      worker: (_: number) => Effect.void,
      onPoolComplete: Effect.tryPromise({ try: () => Promise.resolve(), catch: (e) => e })
    })
    same<PoolError<typeof completing>, unknown>(true)
    const input: Stream.Stream<number, unknown> = Stream.make(1)
    const run = FiberPool.run(input, { workers: 1, worker: (_: number) => Effect.void })
    same<MakeError<typeof run>, unknown>(true)
    // a middleware's unknown error too: dropping it typed a `close` that fails with it as `never`
    const untypedAudit: Worker.Middleware<unknown, unknown> = (next) => (item) =>
      Effect.zipRight(Effect.tryPromise({ try: () => Promise.resolve(), catch: (e) => e }), next(item))
    const untypedPool = FiberPool.make({ workers: 1, worker: (_: number) => Effect.void, middleware: [untypedAudit] })
    same<PoolError<typeof untypedPool>, unknown>(true)
    same<FiberPool.MiddlewareError<typeof untypedAudit>, unknown>(true)
    // a bare generic function erases to unknown (DESIGN.md's typing notes), and stays so
    const bare = <A, E, R>(next: Worker.Worker<A, E, R>): Worker.Worker<A, E | AuditError, R> => (item) =>
      Effect.zipRight(Effect.fail(new AuditError()), next(item))
    const bared = FiberPool.make({ workers: 1, worker: (_: number) => Effect.void, middleware: [bare] })
    same<PoolError<typeof bared>, unknown>(true)
    // but one that passes the worker's errors through as they are adds none: the pool's stay exact
    // (generic in the result too: the worker's result type here is `never`)
    const traced = <A, E, R, B>(next: Worker.Worker<A, E, R, B>): Worker.Worker<A, E, R, B> => (item) =>
      Effect.withSpan(next(item), "item")
    const tracedPool = FiberPool.make({
      workers: 1,
      worker: (_: number) => Effect.fail(new LimitError()),
      middleware: [traced, audited]
    })
    same<PoolError<typeof tracedPool>, LimitError | AuditError>(true)
  })

  it("an onWorkerComplete that needs Scope gets the worker fiber's: run and layer need none", () => {
    const options = {
      workers: 1,
      worker: (_: number) => Effect.void,
      onWorkerComplete: () => Effect.addFinalizer(() => Effect.void)
    }
    const run = FiberPool.run([1], options)
    same<MakeContext<typeof run>, never>(true)
    class Jobs extends Context.Tag("types/Jobs")<Jobs, FiberPool.FiberPool<number>>() {}
    const layer = FiberPool.layer(Jobs, options)
    same<Layer.Layer.Context<typeof layer>, never>(true)
  })

  it("run of a stateful pool with acquireRelease needs no Scope", () => {
    const run = FiberPool.run([1, 2, 3], {
      workers: 1,
      makeWorker: () =>
        Effect.acquireRelease(Effect.succeed(0), () => Effect.void).pipe(
          Effect.as(Worker.make((_: number) => Effect.void))
        )
    })
    same<MakeContext<typeof run>, never>(true)
    same<MakeError<typeof run>, never>(true)
  })

  it("layer: Layer<Tag, LE, remaining requirements>", () => {
    class Pages extends Context.Tag("types/Pages")<Pages, FiberPool.FiberPool<string, AuditError>>() {}
    const layer = FiberPool.layer(Pages, {
      workers: 2,
      workerLayer: dbLayer,
      worker: (url: string) => Effect.flatMap(Db, (db) => db.query(url)),
      middleware: [audited]
    })
    expectTypeOf<Layer.Layer.Success<typeof layer>>().toEqualTypeOf<Pages>()
    same<Layer.Layer.Error<typeof layer>, DbError>(true)
    same<Layer.Layer.Context<typeof layer>, Config>(true)
  })

  it("layer: the tag's pool type must match the options", () => {
    class Strict extends Context.Tag("types/Strict")<Strict, FiberPool.FiberPool<string>>() {}
    // @ts-expect-error the worker fails with ItemError, the tag's pool cannot fail
    FiberPool.layer(
      Strict,
      { workers: 1, worker: (_: string) => Effect.fail(new ItemError({ item: 0 })) }
    )
    // the result a middleware adds is in the tag's pool type too (as the README and JSDoc say)
    const skip = Worker.catchCause<unknown, never, never, undefined>(() => Effect.succeed(undefined))
    const length = (s: string) => Effect.succeed(s.length)
    class Sizes extends Context.Tag("types/Sizes")<Sizes, FiberPool.FiberPool<string, never, number | undefined>>() {}
    FiberPool.layer(Sizes, { workers: 1, worker: length, middleware: [skip] })
    class Exact extends Context.Tag("types/Exact")<Exact, FiberPool.FiberPool<string, never, number>>() {}
    // @ts-expect-error the skip middleware adds undefined to the results
    FiberPool.layer(Exact, { workers: 1, worker: length, middleware: [skip] })
  })

  it("Layer.scoped(Tag, FiberPool.make(...)) has no any", () => {
    class Pages extends Context.Tag("types/Pages2")<Pages, FiberPool.FiberPool<string, ItemError>>() {}
    const layer = Layer.scoped(
      Pages,
      FiberPool.make({
        workers: 2,
        workerLayer: dbLayer,
        worker: (url: string) => url === "" ? Effect.fail(new ItemError({ item: 0 })) : Effect.void
      })
    )
    expectTypeOf<Layer.Layer.Success<typeof layer>>().toEqualTypeOf<Pages>()
    same<Layer.Layer.Error<typeof layer>, DbError>(true)
    same<Layer.Layer.Context<typeof layer>, Config>(true)
  })

  it("Effect.Service with scoped: FiberPool.make(...) has no any in its layer", () => {
    class Mailer extends Effect.Service<Mailer>()("types/Mailer", {
      scoped: FiberPool.make({
        workers: 2,
        worker: (to: string) => to === "" ? Effect.fail(new ItemError({ item: 0 })) : Effect.void,
        onPoolComplete: Effect.void
      })
    }) {}
    same<Layer.Layer.Error<typeof Mailer.Default>, never>(true)
    same<Layer.Layer.Context<typeof Mailer.Default>, never>(true)
    expectTypeOf<Mailer["close"]>().toEqualTypeOf<Effect.Effect<void, ItemError>>()

    class Fetcher extends Effect.Service<Fetcher>()("types/Fetcher", {
      scoped: FiberPool.make({
        workers: 2,
        workerLayer: dbLayer,
        worker: (url: string) => Effect.flatMap(Http, (h) => h.get(url)),
        onWorkerComplete: () => Effect.fail(new WorkerCompleteError())
      })
    }) {}
    same<Layer.Layer.Error<typeof Fetcher.Default>, DbError>(true)
    same<Layer.Layer.Context<typeof Fetcher.Default>, Config | Http>(true)
    expectTypeOf<Fetcher["close"]>().toEqualTypeOf<Effect.Effect<void, WorkerCompleteError>>()
  })

  it("Effect.Service with scoped: FiberPool.makeStateful(...) infers the item type from makeWorker", () => {
    // `(id) => …` is context-sensitive: without NoInfer on makeStateful's result, the item type was
    // inferred from the service's expected type (unknown) first, and the worker did not compile
    class Counter extends Effect.Service<Counter>()("types/Counter", {
      scoped: FiberPool.makeStateful({
        workers: 2,
        makeWorker: (id) => Effect.succeed(Worker.make((n: number) => Effect.log(id, n)))
      })
    }) {}
    same<Layer.Layer.Error<typeof Counter.Default>, never>(true)
    same<Layer.Layer.Context<typeof Counter.Default>, never>(true)
    expectTypeOf<Parameters<Counter["submit"]>[0]>().toEqualTypeOf<number>()

    class Sessions extends Effect.Service<Sessions>()("types/Sessions", {
      scoped: FiberPool.makeStateful({
        workers: 2,
        workerLayer: dbLayer,
        makeWorker: () => Effect.map(Db, (db) => (q: string) => db.query(q))
      })
    }) {}
    same<Layer.Layer.Error<typeof Sessions.Default>, DbError>(true)
    same<Layer.Layer.Context<typeof Sessions.Default>, Config>(true)
    expectTypeOf<Parameters<Sessions["submit"]>[0]>().toEqualTypeOf<string>()
  })
})

describe("result types work with Effect's own combinators", () => {
  it("Effect.scoped(FiberPool.make(...)) removes Scope and keeps the other requirements", () => {
    const program = Effect.scoped(
      Effect.flatMap(
        FiberPool.make({ workers: 2, worker: (url: string) => Effect.flatMap(Http, (h) => h.get(url)) }),
        (pool) => pool.close
      )
    )
    same<MakeContext<typeof program>, Http>(true)
    const plain = Effect.scoped(
      Effect.flatMap(FiberPool.make({ workers: 2, worker: infallible }), (pool) => pool.close)
    )
    same<MakeContext<typeof plain>, never>(true)
  })

  it("catchTag removes a start-up error from make's error", () => {
    const make = FiberPool.makeStateful({
      workers: 2,
      workerLayer: Layer.fail(new DbError()),
      makeWorker: () => Effect.fail(new InitError()).pipe(Effect.as(Worker.make(infallible)))
    })
    same<MakeError<typeof make>, DbError | InitError>(true)
    const caught = make.pipe(Effect.catchTag("DbError", () => Effect.die("no db")))
    same<MakeError<typeof caught>, InitError>(true)
  })

  it("catchTag removes an item error from run's error", () => {
    const run = FiberPool.run(Stream.fail(new DbError()) as Stream.Stream<number, DbError>, {
      workers: 1,
      worker: (n: number) => Effect.fail(new ItemError({ item: n }))
    })
    same<MakeError<typeof run>, ItemError | DbError>(true)
    const caught = run.pipe(Effect.catchTag("ItemError", () => Effect.succeed(null)))
    same<MakeError<typeof caught>, DbError>(true)
    const all = run.pipe(Effect.catchTags({ ItemError: () => Effect.void, DbError: () => Effect.void }))
    same<MakeError<typeof all>, never>(true)
  })
})

describe("Worker and FiberPool models", () => {
  it("Worker.make infers A, E and R", () => {
    const worker = Worker.make((url: string) =>
      Effect.flatMap(Http, (h) => h.get(url)).pipe(
        Effect.flatMap((status) => status === 200 ? Effect.void : Effect.fail(new ItemError({ item: status })))
      )
    )
    expectTypeOf(worker).toEqualTypeOf<Worker.Worker<string, ItemError, Http>>()
    expectTypeOf(Worker.make((_: number) => Effect.void)).toEqualTypeOf<Worker.Worker<number, never, never>>()
  })

  it("a custom middleware keeps the worker's item type", () => {
    const wrapped = audited(Worker.make((n: number) => Effect.log(n)))
    expectTypeOf(wrapped).toEqualTypeOf<Worker.Worker<number, AuditError, never>>()
    // @ts-expect-error a number worker does not take strings
    wrapped("x")
  })

  it("FiberPool<A, E> is covariant in E and contravariant in A", () => {
    expectTypeOf<FiberPool.FiberPool<string, never>>().toExtend<FiberPool.FiberPool<string, ItemError>>()
    expectTypeOf<FiberPool.FiberPool<string | number>>().toExtend<FiberPool.FiberPool<string>>()
    expectTypeOf<FiberPool.FiberPool<string, ItemError>>().not.toExtend<FiberPool.FiberPool<string, never>>()
    expectTypeOf<FiberPool.FiberPool<string>>().not.toExtend<FiberPool.FiberPool<string | number>>()

    const strict = null as unknown as FiberPool.FiberPool<string, ItemError>
    // @ts-expect-error a pool that can fail is not a pool that cannot
    const _cannotFail: FiberPool.FiberPool<string, never> = strict
    const _mayFail: FiberPool.FiberPool<string, ItemError | AuditError> = strict
    void _cannotFail
    void _mayFail
  })

  it("a fake pool for a test is an object literal of the members the type lists (printing is not among them)", () => {
    const fake: FiberPool.FiberPool<string> = {
      name: "fake",
      submit: () => Effect.void,
      send: () => Effect.void,
      submitAll: () => Effect.void,
      trySubmit: () => Effect.succeed(true),
      execute: () => Effect.void,
      end: Effect.void,
      pause: Effect.void,
      resume: Effect.void,
      wait: Effect.void,
      close: Effect.void,
      stats: Effect.succeed(Stats.empty),
      metrics: Effect.succeed({})
    }
    expectTypeOf(fake.name).toEqualTypeOf<string>()
  })
})
