import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"
import { show } from "./show.js"

/**
 * A failure in a few words, for a message: an error's tag (or name) and message, a tagged value's
 * tag, anything else as `show` shows it.
 */
const briefly = (u: unknown): string => {
  const tag = Predicate.hasProperty(u, "_tag") && typeof u._tag === "string"
    ? u._tag
    : u instanceof Error
    ? u.name
    : undefined
  const message = Predicate.hasProperty(u, "message") && typeof u.message === "string" ? u.message : ""
  if (tag !== undefined) return message === "" ? tag : `${tag}: ${message}`
  return message === "" ? show(u) : message
}

/** @internal */
export class PoolClosedError extends Data.TaggedError("PoolClosedError")<{
  readonly pool: string
  readonly reason: "closed" | "failed" | "interrupted"
  readonly accepted?: number | undefined
  readonly cause?: unknown
}> {
  override get message(): string {
    const why = this.reason === "closed"
      ? "its input was ended (end/close); it accepts no more items"
      : this.reason === "failed"
      ? "it stopped after a failure; it accepts no more items (wait/close report the failure" +
        ("cause" in this ? `: ${briefly(this.cause)})` : ")")
      : "it was interrupted (its scope closed); it accepts no more items"
    const accepted = this.accepted === undefined ? "" : ` (${this.accepted} item(s) of this call were accepted)`
    return `Pool "${this.pool}" is closed: ${why}${accepted}`
  }
}
