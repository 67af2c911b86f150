import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"

/**
 * What a pool and a collector add to their own `toJSON` to print as it (`String`, Node's
 * `util.inspect`, so `console.log`) and to pipe, as Effect's data types do. Spread into the object.
 *
 * @internal
 */
export const printable = {
  toString(this: Inspectable.Inspectable): string {
    return Inspectable.format(this.toJSON())
  },
  [Inspectable.NodeInspectSymbol](this: Inspectable.Inspectable): unknown {
    return this.toJSON()
  },
  pipe() {
    return pipeArguments(this, arguments)
  }
}
