import * as Inspectable from "effect/Inspectable"

/**
 * What a pool and a collector add to their own `toJSON` to print as it (`String`, Node's
 * `util.inspect`, so `console.log`), as Effect's data types do. Spread into the object. Not part
 * of their public types: an object a user makes as a fake of one (in a test) needs none of it.
 *
 * @internal
 */
export const printable = {
  toString(this: { toJSON(): unknown }): string {
    return Inspectable.format(this.toJSON())
  },
  [Inspectable.NodeInspectSymbol](this: { toJSON(): unknown }): unknown {
    return this.toJSON()
  }
}
