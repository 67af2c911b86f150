import { assertTrue } from "@effect/vitest/utils"
import * as Cause from "effect/Cause"

/** The message of the `IllegalArgumentException` that `f` throws (and fails if it throws anything else, or nothing). */
export const illegalArgumentOf = (f: () => unknown): string => {
  try {
    f()
  } catch (error) {
    assertTrue(Cause.isIllegalArgumentException(error), `expected IllegalArgumentException, got ${String(error)}`)
    return error.message
  }
  throw new Error("expected a throw")
}
