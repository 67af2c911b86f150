import { describe, it } from "@effect/vitest"
import { assertInclude, assertTrue } from "@effect/vitest/utils"
import { FiberPool } from "@fiberpool/pool"
import { Cause, Effect, Exit, Option } from "effect"
import * as vm from "node:vm"

const illegalArgumentOf = (exit: Exit.Exit<unknown, unknown>): string => {
  const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
  assertTrue(
    Option.isSome(defect) && Cause.isIllegalArgumentException(defect.value),
    `expected IllegalArgumentException, got ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "success"}`
  )
  return (defect as Option.Some<Error>).value.message
}

const makeWith = (options: Record<string, unknown>) =>
  Effect.exit(Effect.scoped(FiberPool.make({ worker: (_: number) => Effect.void, ...options } as any)))

/**
 * What error messages quote of a value they name (the pool's `show`): bounded, never throwing, and
 * binary data named by type and length however it was made. The cases a review of the bounding
 * change found.
 */
describe("error messages: the value they name", () => {
  it.effect("a String object whose valueOf is not a string (from JavaScript): make still dies naming the option", () =>
    Effect.gen(function*() {
      // the boxed string is read through the built-in valueOf: a first bounding of the text called
      // the own one and threw a TypeError out of the message
      const odd = Object.assign(new String("x"), { valueOf: () => 5 })
      assertInclude(illegalArgumentOf(yield* makeWith({ workers: 1, name: odd })), `option "name"`)
      assertInclude(illegalArgumentOf(yield* makeWith({ workers: 1, name: odd })), `got a String object ("x")`)
    }))

  it.scoped("keyBy returning such a String object: submit dies with an IllegalArgumentException naming keyBy", () =>
    Effect.gen(function*() {
      const odd = Object.assign(new String("x"), { valueOf: () => 5 })
      const pool = yield* FiberPool.make({
        workers: 1,
        keyBy: (() => odd) as unknown as (n: number) => string,
        worker: (_: number) => Effect.void
      })
      assertInclude(illegalArgumentOf(yield* Effect.exit(pool.submit(1))), "keyBy must return a string")
    }))

  it.effect("binary data is named by type and length whatever its class, state or realm", () =>
    Effect.gen(function*() {
      const detached = new ArrayBuffer(8)
      const view = new DataView(detached)
      structuredClone(detached, { transfer: [detached] })
      const cases: Array<[unknown, string]> = [
        // an anonymous subclass (no name of its own): by its built-in type
        [new (class extends Uint8Array {})(4), "Uint8Array(4)"],
        // a subclass by its own name
        [Buffer.alloc(5), "Buffer(5)"],
        // a typed array whose own constructor says anything: by its built-in type
        [Object.assign(new Uint16Array(2), { constructor: { name: "x".repeat(1000) } }), "Uint16Array(2)"],
        // a DataView on a detached buffer (its byteLength getter throws)
        [view, "DataView (detached)"],
        [new DataView(new ArrayBuffer(16)), "DataView(16)"],
        // a Proxy of one has no buffer of its own: by its prototype, not read (its keys are every index)
        [new Proxy(new ArrayBuffer(8), {}), "ArrayBuffer (a Proxy)"],
        [new Proxy(new Uint8Array(8), {}), "a typed array (a Proxy)"],
        // a boxed -0 keeps its sign
        [new Number(-0), "a Number object (-0)"],
        [new SharedArrayBuffer(64), "SharedArrayBuffer(64)"],
        // another realm's values (a vm context, a worker thread)
        [vm.runInNewContext("new ArrayBuffer(64)"), "ArrayBuffer(64)"],
        [vm.runInNewContext("new Float64Array(3)"), "Float64Array(3)"]
      ]
      for (const [value, mention] of cases) {
        assertInclude(illegalArgumentOf(yield* makeWith({ workers: 1, batchSize: value })), `got ${mention}`)
      }
    }))
})
