/** A minimal source-map v3 reader: generated (line, column) → original (source, line, name). */
import * as fs from "node:fs"
import * as path from "node:path"

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]))

/** One segment: generated column, source index, original line, original column (all 0-based). */
type Segment = readonly [number, number, number, number, number | undefined]

export interface Position {
  readonly source: string
  readonly line: number
  readonly column: number
  readonly name: string | undefined
}

const decodeVlq = (text: string): Array<number> => {
  const out: Array<number> = []
  let value = 0
  let shift = 0
  for (const ch of text) {
    const digit = B64_INDEX.get(ch)
    if (digit === undefined) throw new Error(`bad VLQ digit ${ch}`)
    value += (digit & 31) << shift
    if (digit & 32) {
      shift += 5
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1)
      value = 0
      shift = 0
    }
  }
  return out
}

export class SourceMap {
  private readonly lines: Array<Array<Segment>> = []
  private readonly sources: ReadonlyArray<string>
  private readonly names: ReadonlyArray<string>

  constructor(mapFile: string, root: string) {
    const raw = JSON.parse(fs.readFileSync(mapFile, "utf8")) as {
      sources: Array<string>
      names?: Array<string>
      mappings: string
      sourceRoot?: string
    }
    const dir = path.dirname(mapFile)
    this.sources = raw.sources.map((s) => path.relative(root, path.resolve(dir, raw.sourceRoot ?? "", s)))
    this.names = raw.names ?? []
    let src = 0
    let line = 0
    let col = 0
    let name = 0
    for (const lineText of raw.mappings.split(";")) {
      const segments: Array<Segment> = []
      let genCol = 0
      if (lineText.length > 0) {
        for (const segText of lineText.split(",")) {
          const f = decodeVlq(segText)
          genCol += f[0]!
          if (f.length >= 4) {
            src += f[1]!
            line += f[2]!
            col += f[3]!
            let n: number | undefined
            if (f.length >= 5) {
              name += f[4]!
              n = name
            }
            segments.push([genCol, src, line, col, n])
          }
        }
      }
      this.lines.push(segments)
    }
  }

  /** 0-based generated line and column. */
  lookup(line: number, column: number): Position | undefined {
    const segments = this.lines[line]
    if (segments === undefined || segments.length === 0) return undefined
    let best: Segment | undefined
    for (const s of segments) {
      if (s[0] <= column) best = s
      else break
    }
    best ??= segments[0]!
    return {
      source: this.sources[best[1]] ?? "?",
      line: best[2],
      column: best[3],
      name: best[4] === undefined ? undefined : this.names[best[4]]
    }
  }
}
