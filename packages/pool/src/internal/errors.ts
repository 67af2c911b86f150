import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"
import { show } from "./show.js"

/** How long a failure's description in a message may grow (a Schema error's tree can be long). */
const BRIEF_MAX = 200

/**
 * A failure in a few words, for a message: an error's tag (or name) and message, a tagged value's
 * tag, a plain object as JSON, anything else as `show` shows it. The first line only, at most
 * `BRIEF_MAX` characters; never throws (a getter that throws reads as the value's type).
 */
export const briefly = (u: unknown): string => {
  let text: string
  try {
    const tag = Predicate.hasProperty(u, "_tag") && typeof u._tag === "string"
      ? u._tag
      : u instanceof Error
      ? u.name
      : undefined
    const message = Predicate.hasProperty(u, "message") && typeof u.message === "string" ? u.message : ""
    text = tag !== undefined
      ? (message === "" ? tag : `${tag}: ${message}`)
      : message !== ""
      ? message
      : Predicate.isRecord(u)
      ? JSON.stringify(u, (_, v) => typeof v === "bigint" ? `${v}n` : v) ?? show(u)
      : show(u)
  } catch {
    text = typeof u
  }
  const line = text.split("\n", 1)[0]!
  return line.length > BRIEF_MAX || line.length < text.length
    ? `${line.slice(0, BRIEF_MAX)}…`
    : line
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
