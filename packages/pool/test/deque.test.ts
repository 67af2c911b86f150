/**
 * The pool's internal FIFO (`Deque`), against an array as the model: its compaction (after 1,024
 * shifts, when the shifted part is at least half) is otherwise reached only by the million-item
 * test, and a bug there showed only as that test's timeout.
 */
import { describe, it } from "@effect/vitest"
import { deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as fc from "effect/FastCheck"
import { Deque } from "../src/internal/deque.js"

type Op =
  | { readonly op: "push"; readonly count: number }
  | { readonly op: "shift"; readonly count: number }
  | { readonly op: "remove"; readonly at: number }
  | { readonly op: "drain" }

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("push" as const), count: fc.integer({ min: 1, max: 700 }) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant("shift" as const), count: fc.integer({ min: 1, max: 700 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("remove" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("drain" as const) }) }
)

describe("Deque (internal)", () => {
  it("behaves as an array used as a FIFO, across compactions, removals and drains", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const deque = new Deque<number>()
        const model: Array<number> = []
        let next = 0
        for (const o of ops) {
          switch (o.op) {
            case "push":
              for (let i = 0; i < o.count; i++) {
                deque.push(next)
                model.push(next++)
              }
              break
            case "shift":
              for (let i = 0; i < o.count; i++) strictEqual(deque.shift(), model.shift())
              break
            case "remove": {
              // an element still queued (if any), or one that is not
              const value = model.length > 0 && o.at % 4 !== 0 ? model[o.at % model.length]! : -1 - o.at
              const index = model.indexOf(value)
              strictEqual(deque.remove(value), index >= 0)
              if (index >= 0) model.splice(index, 1)
              break
            }
            case "drain":
              deepStrictEqual(deque.drain(), model.splice(0))
              break
          }
          strictEqual(deque.length, model.length)
          strictEqual(deque.peek(), model[0])
        }
        deepStrictEqual(deque.drain(), model)
      }),
      { numRuns: 200 }
    )
  })

  it("keeps its order past the compaction point (2,048 pushes, 1,500 shifts, then the rest)", () => {
    const deque = new Deque<number>()
    for (let i = 0; i < 2048; i++) deque.push(i)
    for (let i = 0; i < 1500; i++) strictEqual(deque.shift(), i)
    for (let i = 2048; i < 2100; i++) deque.push(i)
    const rest: Array<number> = []
    for (let v = deque.shift(); v !== undefined; v = deque.shift()) rest.push(v)
    deepStrictEqual(rest, Array.from({ length: 600 }, (_, k) => 1500 + k))
    strictEqual(deque.length, 0)
  })
})
