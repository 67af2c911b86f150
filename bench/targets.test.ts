/**
 * The targets table judges every target on the rows it needs: a row that failed verification makes
 * the targets that compare against it n/a, instead of being left out of the comparison.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import type { Results } from "./lib/results.js"
import { evaluateTargets } from "./lib/targets.js"

const stored = JSON.parse(
  fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "results", "latest.json"), "utf8")
) as Results

const failing = (id: string) => stored.cases.map((c) => c.id === id ? { ...c, ok: false } : c)

describe("targets with a failed row", () => {
  it("the stored results give a verdict on every peer and memory row", () => {
    const targets = evaluateTargets(stored.cases)
    const peer = targets.filter((t) => t.target.startsWith("W0 faster than every Promise-based peer"))
    expect(peer.length).toBe(4)
    expect(peer.every((t) => t.status !== "n/a")).toBe(true)
    expect(targets.find((t) => t.target.includes("peak RSS"))?.status).toBe("met")
  })

  it("a failed Promise peer makes the peer target n/a, not a comparison with the next fastest", () => {
    const peer = evaluateTargets(failing("w0.p-limit.window"))
      .filter((t) => t.target.startsWith("W0 faster than every Promise-based peer"))
    expect(peer.length).toBe(4)
    for (const t of peer) {
      expect(t.status).toBe("n/a")
      expect(t.measured).toContain("failed")
    }
  })

  it("a failed fiberpool stream row makes the memory target n/a", () => {
    const memory = evaluateTargets(failing("w3.fiberpool.default-key8.submit")).find((t) =>
      t.target.includes("peak RSS")
    )
    expect(memory?.status).toBe("n/a")
  })
})
