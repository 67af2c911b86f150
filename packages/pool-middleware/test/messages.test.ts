import { describe, it } from "@effect/vitest"
import { assertFalse, assertInclude, assertTrue } from "@effect/vitest/utils"
import * as Effect from "effect/Effect"
import * as vm from "node:vm"
import { Middleware } from "../src/index.js"
import { assertIllegalArgument } from "./helpers.js"

const message = (defect: unknown, item: unknown = 1) => new Middleware.WorkerDefect({ defect, item }).message
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** What the middleware's messages quote of the values they name: bounded, and binary data named. */
describe("WorkerDefect / ValidationError messages", () => {
  it("a cut never splits a surrogate pair", () => {
    const emoji = "😀".repeat(150)
    for (
      const text of [
        message(emoji),
        message(new Error(emoji)),
        message(null, emoji),
        new Middleware.ValidationError({ item: 1, cause: emoji }).message
      ]
    ) {
      assertFalse(loneSurrogate.test(text), JSON.stringify(text))
    }
  })

  it("binary data, Maps and Sets are named by type and size, not written as JSON", () => {
    // a Uint8Array(10_000_000) took ~2.4 s per message read as JSON: JSON.stringify lists every
    // index key before a replacer runs; a Buffer's toJSON builds an array of every byte first
    assertInclude(message(new Uint8Array(2000)), "Uint8Array(2000)")
    assertInclude(message(null, Buffer.alloc(2000)), "Buffer(2000)")
    assertInclude(message(new Uint8Array(3)), "Uint8Array(3)") // not {"0":0,"1":0,"2":0}
    assertInclude(message(new Map([[1, 2]]), new Set([1, 2, 3])), "item Set(3): Map(1) (")
    // a long string field is cut inside the JSON too
    assertInclude(message({ s: "x".repeat(10_000) }), `{"s":"${"x".repeat(191)}...`)
    // a bigint item of many digits
    assertInclude(message(null, 10n ** 1000n), `item 1${"0".repeat(196)}...: null`)
  })

  it("an object of more than 1,000 values is named, not written; the count is of values JSON writes", () => {
    const thousand: Record<string, number> = {}
    for (let i = 0; i < 1000; i++) thousand[`k${i}`] = i
    // the object itself is not counted: 1,000 values are written
    assertInclude(message(thousand), `{"k0":0,"k1":1`)
    // properties JSON leaves out are not counted
    const methods = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`f${i}`, () => i]))
    assertInclude(message(methods), "item 1: {}")
    // a large array inside: the outer one is named (in the singular)
    assertInclude(message(null, [Array(1001).fill(0)]), "item [an array of 1 item, too large to show]: null")
    assertInclude(message(Array(1001).fill(0)), ": [an array of 1001 items, too large to show] (")
  })
})

describe("option messages (showValue)", () => {
  it.effect("a symbol's text is clipped like any other value's", () =>
    Effect.gen(function*() {
      const wrapped = Middleware.timeout(Symbol("s".repeat(100_000)) as any)((_: string) => Effect.void)
      const exit = yield* Effect.exit(wrapped("a"))
      assertIllegalArgument(exit, "duration", "got Symbol(sss")
      const text = String(exit._tag === "Failure" ? exit.cause : "")
      assertTrue(text.length < 2000, `${text.length} characters`)
    }))
})

describe("WorkerDefect / ValidationError messages: the 1,000-value budget and values that resist reading", () => {
  it("values JSON writes as null in an array (holes, undefined, functions, symbols) count toward the 1,000", () => {
    // `new Array(10_000_000)` took ~1.4 s per message read: the budget skipped every one of them
    assertInclude(message(null, new Array(100_000)), "item [an array of 100000 items, too large to show]: null")
    assertInclude(message(null, Array(1001).fill(undefined)), "item [an array of 1001 items, too large to show]")
    assertInclude(message(null, Array(1001).fill(() => 0)), "item [an array of 1001 items, too large to show]")
  })

  it("a property whose key is the empty string counts toward the 1,000", () => {
    const many: Record<string, number> = { "": 0 }
    for (let i = 0; i < 1000; i++) many[`k${i}`] = i
    // 1,001 values written
    assertInclude(message(many), ": {an object too large to show} (")
  })

  it("an Error whose message is not a string: the getter does not throw, and the text stays bounded", () => {
    const noPrimitive = Object.assign(Object.create(null), { length: 1 })
    const text = message(Object.assign(new Error("x"), { message: noPrimitive }))
    assertInclude(text, "worker died on item 1: ")
    const long = message(Object.assign(new Error("x"), { message: ["y".repeat(10_000)] }))
    assertTrue(long.length < 400, `${long.length} characters`)
  })

  it("a Proxy of a typed array is named, not written as JSON of its indices", () => {
    // a Proxy of a Uint8Array(10_000_000) took ~25 s per message read (ownKeys of every index)
    assertInclude(message(new Proxy(new Uint8Array(3), {})), "item 1: a typed array (a Proxy) (")
  })

  it("a Map or Set from another realm or behind a Proxy is named as one", () => {
    assertInclude(message(vm.runInNewContext("new Map([[1, 2]])")), ": Map(1) (")
    assertInclude(message(vm.runInNewContext("new Set([1, 2, 3])")), ": Set(3) (")
    // a Proxy of one has no size to read: written as JSON, as before the bounding
    assertInclude(message(new Proxy(new Map([[1, 2]]), {})), "item 1: {} (")
  })
})
