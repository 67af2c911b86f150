import * as Data from "effect/Data"
import { show } from "./show.js"

/** How long a failure's description in a message may grow (a Schema error's tree can be long). */
const BRIEF_MAX = 200

/** `f()`, or `undefined` if it throws (a getter of the user's). */
const attempt = <A>(f: () => A): A | undefined => {
  try {
    return f()
  } catch {
    return undefined
  }
}

/** A string property of `u`, if it has one that reads without throwing. */
const stringField = (u: object, key: string): string | undefined => {
  const value = attempt(() => (u as Record<string, unknown>)[key])
  return typeof value === "string" ? value : undefined
}

/** The first line of `text` that has any, with `…` when more text follows. */
const firstLine = (text: string): string => {
  const lines = text.split("\n")
  const at = lines.findIndex((line) => line.trim() !== "")
  if (at < 0) return ""
  const more = lines.slice(at + 1).some((line) => line.trim() !== "")
  return more ? `${lines[at]!.trimEnd()} …` : lines[at]!
}

/** An error's or a tagged value's tag (or name) and message; `undefined` for other values. */
const asError = (u: object): string | undefined => {
  const tag = stringField(u, "_tag") ?? (u instanceof Error ? stringField(u, "name") ?? "Error" : undefined)
  const message = firstLine(stringField(u, "message") ?? "")
  if (tag === undefined) return message === "" ? undefined : message
  return message === "" ? tag : `${tag}: ${message}`
}

/** A value inside a record, in a word or two: the description never walks deeper than one level. */
const shortly = (u: unknown): string => {
  if (typeof u === "string") {
    return u.length > 40
      ? `${JSON.stringify(u.slice(0, 40)).slice(0, -1)}…"`
      : JSON.stringify(u)
  }
  if (typeof u === "symbol") return u.toString()
  if (u === null || typeof u !== "object") return show(u)
  if (Array.isArray(u)) return `[${u.length} items]`
  if (u instanceof Map) return `Map(${u.size})`
  if (u instanceof Set) return `Set(${u.size})`
  return asError(u) ?? "{…}"
}

/**
 * A failure in a few words, for a message: an error's tag (or name) and message, a tagged value's
 * tag, a plain object's first fields (one level deep), anything else as `show` shows it. Its first
 * line with text, at most `BRIEF_MAX` characters. Its cost does not grow with the failure's size,
 * and it never throws: a getter that throws is left out.
 */
export const briefly = (u: unknown): string => {
  let text: string
  if (typeof u === "symbol") text = u.toString()
  else if (u === null || typeof u !== "object") text = show(u)
  else if (Array.isArray(u)) text = show(u)
  else if (u instanceof Map || u instanceof Set) text = shortly(u)
  else {
    const described = asError(u)
    if (described !== undefined) text = described
    else {
      const keys = attempt(() => Object.keys(u)) ?? []
      const fields = keys.slice(0, 5).map((key) =>
        `${key}: ${shortly(attempt(() => (u as Record<string, unknown>)[key]))}`
      )
      text = fields.length === 0 ? "{}" : `{ ${fields.join(", ")}${keys.length > 5 ? ", …" : ""} }`
    }
  }
  const line = firstLine(text)
  if (line.length <= BRIEF_MAX) return line
  // one character for the ellipsis; a surrogate pair is not split
  let end = BRIEF_MAX - 1
  const code = line.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end--
  return `${line.slice(0, end)}…`
}

/** @internal */
export class PoolClosedError extends Data.TaggedError("PoolClosedError")<{
  readonly pool: string
  readonly reason: "closed" | "failed" | "interrupted"
  readonly accepted?: number | undefined
  readonly failure?: string | undefined
}> {
  override get message(): string {
    const why = this.reason === "closed"
      ? "its input was ended (end/close); it accepts no more items"
      : this.reason === "failed"
      ? "it stopped after a failure; it accepts no more items (wait/close report the failure" +
        (this.failure === undefined ? ")" : `: ${this.failure})`)
      : "it was interrupted (its scope closed); it accepts no more items"
    const accepted = this.accepted === undefined ? "" : ` (${this.accepted} item(s) of this call were accepted)`
    return `Pool "${this.pool}" is closed: ${why}${accepted}`
  }
}
