import * as Data from "effect/Data"

/** @internal */
export class PoolClosedError extends Data.TaggedError("PoolClosedError")<{
  readonly pool: string
  readonly reason: "closed" | "failed" | "interrupted"
  readonly accepted?: number | undefined
}> {
  override get message(): string {
    const why = this.reason === "closed"
      ? "its input was ended (end/close); it accepts no more items"
      : this.reason === "failed"
      ? "it stopped after a failure; it accepts no more items (wait/close report the failure)"
      : "it was interrupted (its scope closed); it accepts no more items"
    const accepted = this.accepted === undefined ? "" : ` (${this.accepted} item(s) of this call were accepted)`
    return `Pool "${this.pool}" is closed: ${why}${accepted}`
  }
}
