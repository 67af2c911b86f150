import * as Data from "effect/Data"
import { attempt, binary, clip, collection, show } from "./show.js"

/** How long a failure's description in a message may grow (a Schema error's tree can be long). */
const BRIEF_MAX = 200
/** How much of a string the description reads: its cost must not grow with the failure's size. */
const READ_MAX = 1000
/** How many fields of an object it shows. */
const FIELDS_MAX = 5

/** The first line of `text` that has any (read from its first `READ_MAX` characters), `…` if more follows. */
const firstLine = (text: string): string => {
  const lines = text.slice(0, READ_MAX).split("\n")
  const at = lines.findIndex((line) => line.trim() !== "")
  if (at < 0) return ""
  const more = text.length > READ_MAX || lines.slice(at + 1).some((line) => line.trim() !== "")
  return more ? `${lines[at]!.trimEnd()} …` : lines[at]!
}

/** A string property of `u`, if it has one that reads without throwing. */
const stringField = (u: object, key: string): string | undefined => {
  const value = attempt(() => (u as Record<string, unknown>)[key])
  return typeof value === "string" ? value : undefined
}

/** An error's or a tagged value's tag (or name) and message; `undefined` for other values. */
const asError = (u: object): string | undefined => {
  const tag = stringField(u, "_tag") ?? (u instanceof Error ? stringField(u, "name") ?? "Error" : undefined)
  const message = firstLine(stringField(u, "message") ?? "")
  if (tag === undefined) return message === "" ? undefined : message
  return message === "" ? tag : `${tag}: ${message}`
}

/**
 * A collection, binary data or a date named as such (without walking it; binary data and
 * collections as `show` names them); `undefined` for other objects.
 */
const named = (u: object): string | undefined => {
  if (Array.isArray(u)) return `[${u.length} items]`
  if (u instanceof Date) return attempt(() => u.toISOString()) ?? "Invalid Date"
  return binary(u) ?? collection(u)
}

/** A value inside a record, in a word or two: the description never walks deeper than one level. */
const shortly = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(clip(u, 41))
  if (u === null || typeof u !== "object") return show(u)
  return named(u) ?? asError(u) ?? "{…}"
}

/** The first fields of an object (`for…in`, stopping early: an object may have millions). */
const fields = (u: object): string => {
  const shown: Array<string> = []
  let more = false
  for (const key in u) {
    if (!Object.prototype.hasOwnProperty.call(u, key)) continue
    if (shown.length === FIELDS_MAX) {
      more = true
      break
    }
    shown.push(`${key}: ${attempt(() => shortly((u as Record<string, unknown>)[key])) ?? "?"}`)
  }
  return shown.length === 0 ? "{}" : `{ ${shown.join(", ")}${more ? ", …" : ""} }`
}

const describe = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(firstLine(u))
  if (u === null || typeof u !== "object") return show(u)
  return named(u) ?? asError(u) ?? fields(u)
}

/**
 * A failure in a few words, for a message: an error's tag (or name) and the first line of its
 * message, a tagged value's tag, a collection's size, an object's first fields (one level deep),
 * anything else as `show` shows it; at most `BRIEF_MAX` characters. It reads a bounded part of
 * strings and collections (an object's keys are enumerated by the engine as a whole), and never
 * throws: a field that throws (a getter, a Proxy's trap) reads `?`, and a failure that cannot be
 * read at all is named by its type.
 *
 * @internal
 */
export const briefly = (u: unknown): string => clip(firstLine(attempt(() => describe(u)) ?? typeof u), BRIEF_MAX)

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
      : "it was interrupted (its scope closed, or one of its fibers was interrupted from outside); it accepts no more items"
    const accepted = this.accepted === undefined ? "" : ` (${this.accepted} item(s) of this call were accepted)`
    return `Pool "${this.pool}" is closed: ${why}${accepted}`
  }
}
