import * as Data from "effect/Data"

/** @internal */
export const describe = (u: unknown): string => {
  if (u instanceof Error) {
    return u.message.length > 0 ? u.message : u.name
  }
  if (typeof u === "string") {
    return u
  }
  if (typeof u === "object" && u !== null) {
    try {
      const json = JSON.stringify(u)
      if (json !== undefined) {
        return truncate(json)
      }
    } catch {
      // fall through: cyclic or otherwise not serialisable
    }
  }
  return truncate(String(u))
}

/** @internal */
export const describeItem = (item: unknown): string => {
  if (typeof item === "string") {
    return truncate(JSON.stringify(item))
  }
  if (typeof item === "bigint") {
    return `${item}n`
  }
  if (typeof item === "object" && item !== null) {
    try {
      const json = JSON.stringify(item)
      if (json !== undefined) {
        return truncate(json)
      }
    } catch {
      // fall through
    }
  }
  return truncate(String(item))
}

const truncate = (s: string): string => (s.length > 200 ? `${s.slice(0, 197)}...` : s)

/** @internal */
export class ValidationError extends Data.TaggedError("ValidationError")<{
  readonly item: unknown
  readonly cause: unknown
}> {
  get message(): string {
    return `item ${describeItem(this.item)} rejected by Middleware.validate and not processed: ${describe(this.cause)}`
  }
}

/** @internal */
export class WorkerDefect extends Data.TaggedError("WorkerDefect")<{
  readonly defect: unknown
  readonly item: unknown
}> {
  get message(): string {
    return `worker died on item ${describeItem(this.item)}: ${
      describe(this.defect)
    } (a defect, turned into a WorkerDefect failure by Middleware.recover)`
  }
}
