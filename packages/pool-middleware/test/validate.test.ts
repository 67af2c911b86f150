import { describe, it } from "@effect/vitest"
import { assertInclude, assertInstanceOf, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { Middleware } from "../src/index.js"
import { assertIllegalArgument, defectOf, failureOf, revoked, throwingProxy } from "./helpers.js"

const User = Schema.Struct({
  name: Schema.NonEmptyString,
  age: Schema.Int.pipe(Schema.positive())
})
type User = typeof User.Type

const recording = <A>() => {
  const seen: Array<A> = []
  const worker = (item: A) => Effect.sync(() => void seen.push(item))
  return { seen, worker }
}

describe("Middleware.validate", () => {
  it.effect("with a Schema (schemas are functions: it is detected first)", () =>
    Effect.gen(function*() {
      assertTrue(typeof User === "function")
      const { seen, worker } = recording<User>()
      const validated = Middleware.validate(User)(worker)
      const ok = { name: "ann", age: 30 }
      assertTrue(Exit.isSuccess(yield* Effect.exit(validated(ok))))
      const bad = { name: "bob", age: -3 }
      const error = failureOf(yield* Effect.exit(validated(bad)))
      assertInstanceOf(error, Middleware.ValidationError)
      strictEqual(error._tag, "ValidationError")
      strictEqual(error.item, bad)
      assertTrue(ParseResult.isParseError(error.cause))
      assertInclude(error.message, "age")
      assertInclude(error.message, "positive")
      assertInclude(error.message, `"bob"`)
      deepStrictEqual(seen, [ok])
    }))

  it.effect("a Schema reports every issue", () =>
    Effect.gen(function*() {
      const { seen, worker } = recording<User>()
      const error = failureOf(yield* Effect.exit(Middleware.validate(User)(worker)({ name: "", age: 1.5 })))
      assertInclude(error.message, "name")
      assertInclude(error.message, "age")
      // two issues, not only the first (the message names both fields in the schema's type either way)
      const issues = ParseResult.ArrayFormatter.formatErrorSync(error.cause as ParseResult.ParseError)
      deepStrictEqual(issues.map((issue) => issue.path), [["name"], ["age"]])
      deepStrictEqual(seen, [])
    }))

  it.effect("a Schema checks the item against its type, without decoding: the worker gets the item as submitted", () =>
    Effect.gen(function*() {
      const { seen, worker } = recording<number>()
      // NumberFromString's type is number, its encoded form a string
      const validated = Middleware.validate(Schema.NumberFromString)(worker)
      assertTrue(Exit.isSuccess(yield* Effect.exit(validated(5))))
      const error = failureOf(yield* Effect.exit(validated("5" as unknown as number)))
      assertInstanceOf(error, Middleware.ValidationError)
      strictEqual(error.item, "5")
      assertInstanceOf(error.cause, ParseResult.ParseError)
      deepStrictEqual(seen, [5])
    }))

  it.effect("with a predicate", () =>
    Effect.gen(function*() {
      const { seen, worker } = recording<number>()
      const isEven = (n: number) => n % 2 === 0
      const validated = Middleware.validate(isEven)(worker)
      assertTrue(Exit.isSuccess(yield* Effect.exit(validated(2))))
      const error = failureOf(yield* Effect.exit(validated(3)))
      strictEqual(error.item, 3)
      assertInclude(String(error.cause), "isEven")
      assertInclude(error.message, "3")
      assertInclude(error.message, "isEven returned false")
      deepStrictEqual(seen, [2])
    }))

  it.effect("with an anonymous predicate", () =>
    Effect.gen(function*() {
      const { seen, worker } = recording<string>()
      const error = failureOf(
        yield* Effect.exit(Middleware.validate((s: string) => s.length > 0)(worker)(""))
      )
      assertInclude(error.message, "predicate returned false")
      deepStrictEqual(seen, [])
    }))

  it.effect("with an effectful check: its failure is the cause", () =>
    Effect.gen(function*() {
      const { seen, worker } = recording<string>()
      const httpsOnly = (url: string) => url.startsWith("https://") ? Effect.void : Effect.fail(`not https: ${url}`)
      const validated = Middleware.validate(httpsOnly)(worker)
      assertTrue(Exit.isSuccess(yield* Effect.exit(validated("https://a"))))
      const error = failureOf(yield* Effect.exit(validated("http://b")))
      strictEqual(error.cause, "not https: http://b")
      assertInclude(error.message, "not https: http://b")
      deepStrictEqual(seen, ["https://a"])
    }))

  it.effect("an effectful predicate: succeeding with false rejects, with true or any other value passes", () =>
    Effect.gen(function*() {
      const { seen, worker } = recording<number>()
      const isKnownId = (id: number) => Effect.succeed(id > 0)
      const validated = Middleware.validate(isKnownId)(worker)
      assertTrue(Exit.isSuccess(yield* Effect.exit(validated(7))))
      const error = failureOf(yield* Effect.exit(validated(-5)))
      strictEqual(error.item, -5)
      assertInclude(error.message, "isKnownId succeeded with false")
      assertTrue(Exit.isSuccess(yield* Effect.exit(Middleware.validate((_: number) => Effect.succeed(0))(worker)(8))))
      // a check whose value may be a legitimate false ends with Effect.asVoid
      const paidIsBoolean = (_: number) => Effect.asVoid(Effect.succeed(false))
      assertTrue(Exit.isSuccess(yield* Effect.exit(Middleware.validate(paidIsBoolean)(worker)(9))))
      deepStrictEqual(seen, [7, 8, 9])
    }))

  it.effect("an effectful check may use services", () =>
    Effect.gen(function*() {
      class Blocklist extends Context.Tag("Blocklist")<Blocklist, ReadonlySet<string>>() {}
      const { seen, worker } = recording<string>()
      const validated = Middleware.validate((s: string) =>
        Effect.flatMap(Blocklist, (blocked) => (blocked.has(s) ? Effect.fail("blocked") : Effect.void))
      )(worker)
      const run = (s: string) => Effect.exit(Effect.provideService(validated(s), Blocklist, new Set(["evil"])))
      assertTrue(Exit.isSuccess(yield* run("good")))
      strictEqual(failureOf(yield* run("evil")).cause, "blocked")
      deepStrictEqual(seen, ["good"])
    }))

  it.effect("defects of the check are not rejections", () =>
    Effect.gen(function*() {
      const { seen, worker } = recording<string>()
      const validated = Middleware.validate((_: string): boolean => {
        throw new Error("check bug")
      })(worker)
      const defect = defectOf(yield* Effect.exit(validated("a")))
      assertInstanceOf(defect, Error)
      deepStrictEqual(seen, [])
    }))

  it.effect("a predicate that returns neither a boolean nor an Effect (from JavaScript) dies saying so", () =>
    Effect.gen(function*() {
      const { seen, worker } = recording<string>()
      // a Go-style validator: an error for a bad item, nothing for a good one (read as a truthy /
      // falsy value, it would pass the bad item and reject the good one)
      const goStyle = ((s: string) => s === "" ? new Error("empty") : undefined) as unknown as (s: string) => boolean
      for (const item of ["", "ok"]) {
        const defect = defectOf(yield* Effect.exit(Middleware.validate(goStyle)(worker)(item)))
        assertTrue(Cause.isIllegalArgumentException(defect), String(defect))
        assertInclude((defect as Error).message, "a predicate must return a boolean or an Effect")
        assertInclude((defect as Error).message, "Effect.fail(error)")
      }
      const counted = Middleware.validate(((s: string) => s.length) as unknown as (s: string) => boolean)(worker)
      // the value with its type
      assertInclude(String(defectOf(yield* Effect.exit(counted("abc")))), "got the number 3")
      const yes = Middleware.validate(((_: string) => "true") as unknown as (s: string) => boolean)(worker)
      assertInclude(String(defectOf(yield* Effect.exit(yes("a")))), `got the string "true"`)
      // bounded: a long string is clipped, binary data named by type and length (not decoded)
      const long = Middleware.validate(((_: string) => "no".repeat(500_000)) as unknown as (s: string) => boolean)(
        worker
      )
      const longMessage = String(defectOf(yield* Effect.exit(long("a"))))
      assertInclude(longMessage, `got the string "${"no".repeat(49)}n…"`)
      assertTrue(longMessage.length < 500, `${longMessage.length} characters`)
      const bytes = Middleware.validate(
        ((_: string) => new Uint8Array(1_000_000)) as unknown as (s: string) => boolean
      )(
        worker
      )
      assertInclude(String(defectOf(yield* Effect.exit(bytes("a")))), "got Uint8Array(1000000)")
      const boxed = Middleware.validate(((_: string) => new Boolean(true)) as unknown as (s: string) => boolean)(worker)
      assertInclude(String(defectOf(yield* Effect.exit(boxed("a")))), "got a Boolean object (true)")
      const nullish = Middleware.validate(((_: string) => null) as unknown as (s: string) => boolean)(worker)
      assertInclude(String(defectOf(yield* Effect.exit(nullish("a")))), "Effect.fail(error)")
      // an async predicate that rejects: a defect that says so, and no unhandled rejection
      let unhandled = 0
      const onUnhandled = () => void unhandled++
      process.on("unhandledRejection", onUnhandled)
      const async = Middleware.validate(
        ((_: string) => Promise.reject(new Error("negative"))) as unknown as (s: string) => boolean
      )(worker)
      assertInclude(
        String(defectOf(yield* Effect.exit(async("a")))),
        "got a Promise (an async predicate? wrap it with Effect.tryPromise)"
      )
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
      process.off("unhandledRejection", onUnhandled)
      strictEqual(unhandled, 0)
      deepStrictEqual(seen, [])
    }))

  it.effect("the worker's own failures pass through", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Middleware.validate((_: string) => true)((_: string) => Effect.fail("worker"))("a")
      )
      strictEqual(failureOf(exit), "worker")
    }))

  it.effect("a check whose inspection throws (a Proxy, a `name` getter) throws nothing when built: every item dies with the throw", () =>
    Effect.gen(function*() {
      const boom = new Error("boom")
      const namedBoom = Object.defineProperty((_: string) => true, "name", {
        get: () => {
          throw boom
        }
      })
      const cases: ReadonlyArray<unknown> = [
        // `in` (is it a Schema?) throws first
        throwingProxy(boom),
        throwingProxy(boom, (_: string) => true),
        namedBoom
      ]
      for (const check of cases) {
        const { seen, worker } = recording<string>()
        const validated = Middleware.validate(check as (s: string) => boolean)(worker) // does not throw
        strictEqual(defectOf(yield* Effect.exit(validated("a"))), boom)
        deepStrictEqual(seen, [])
      }
      const { worker } = recording<string>()
      const defect = defectOf(yield* Effect.exit(Middleware.validate(revoked() as (s: string) => boolean)(worker)("a")))
      assertTrue(defect instanceof TypeError, String(defect))
    }))

  it.effect("a check that is neither a Schema nor a function dies with IllegalArgumentException", () =>
    Effect.gen(function*() {
      const { seen, worker } = recording<string>()
      for (const [check, shown] of [[42, "42"], [null, "null"], [undefined, "undefined"]] as const) {
        const validated = Middleware.validate(check as unknown as (s: string) => boolean)(worker)
        assertIllegalArgument(yield* Effect.exit(validated("a")), "check", shown)
      }
      deepStrictEqual(seen, [])
    }))
})
