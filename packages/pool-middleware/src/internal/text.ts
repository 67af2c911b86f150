/**
 * Bounded text for error messages: clipping, and the naming of binary data and collections. The
 * pool's `show.ts` holds the same helpers (`clip` is `cut` with `…`): the packages share no internal
 * module.
 */

/**
 * At most `n` characters of `text`, a surrogate pair not split, with `ellipsis` (counted) when some
 * were left out.
 *
 * @internal
 */
export const cut = (text: string, n: number, ellipsis = "…"): string => {
  if (text.length <= n) return text
  let end = n - ellipsis.length
  const code = text.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end--
  return `${text.slice(0, end)}${ellipsis}`
}

/** A built-in getter, called on values of any realm through their internal slots (no user code). */
const getter = (proto: object | undefined, key: PropertyKey): ((this: unknown) => unknown) | undefined =>
  proto === undefined ? undefined : Object.getOwnPropertyDescriptor(proto, key)?.get

const typedArrayProto: object = Object.getPrototypeOf(Uint8Array.prototype)
const typedArrayTag = getter(typedArrayProto, Symbol.toStringTag)!
const typedArrayLength = getter(typedArrayProto, "length")!
const byteLengths: ReadonlyArray<readonly [string, ((this: unknown) => unknown) | undefined]> = [
  ["ArrayBuffer", getter(ArrayBuffer.prototype, "byteLength")],
  ["SharedArrayBuffer", getter(globalThis.SharedArrayBuffer?.prototype, "byteLength")],
  ["DataView", getter(DataView.prototype, "byteLength")]
]
const binaryProtos: ReadonlyArray<readonly [string, object | undefined]> = [
  ["a typed array", typedArrayProto],
  ["ArrayBuffer", ArrayBuffer.prototype],
  ["SharedArrayBuffer", globalThis.SharedArrayBuffer?.prototype],
  ["DataView", DataView.prototype]
]

/** A class name worth printing: a plain identifier of a few characters (not whatever a user set). */
const isName = (name: unknown): name is string => typeof name === "string" && /^[A-Za-z_$][\w$]{0,39}$/.test(name)

/**
 * Binary data by its type and size (`Uint8Array(3)`, `Buffer(1024)`, `ArrayBuffer(64)`), read
 * through the built-in getters, so that it also holds for another realm's values and is not
 * decoded; a Proxy of one by its kind only (`ArrayBuffer (a Proxy)`); `undefined` for anything else.
 * May throw (a `constructor` getter, a Proxy's trap): callers guard it.
 *
 * @internal
 */
export const binary = (u: object): string | undefined => {
  const tag = typedArrayTag.call(u)
  if (typeof tag === "string") {
    // a subclass by its own name (`Buffer`), unless it has none worth printing
    const name = (u as { constructor?: { name?: unknown } }).constructor?.name
    return `${isName(name) ? name : tag}(${typedArrayLength.call(u)})`
  }
  for (const [name, byteLength] of byteLengths) {
    if (byteLength === undefined) continue
    try {
      return `${name}(${byteLength.call(u)})`
    } catch {
      // not this kind (or a detached DataView: named below)
    }
  }
  if (ArrayBuffer.isView(u)) return "DataView (detached)"
  // a Proxy of one has no internal slots: by its prototype, without reading it (its keys are every
  // index); this realm's only
  for (const [name, proto] of binaryProtos) {
    if (proto !== undefined && Object.prototype.isPrototypeOf.call(proto, u)) return `${name} (a Proxy)`
  }
  return undefined
}

const mapSize = getter(Map.prototype, "size")!
const setSize = getter(Set.prototype, "size")!

/**
 * A Map or a Set by its size (`Map(2)`), read through the built-in getters (another realm's too);
 * `undefined` for anything else, a Proxy of one included.
 *
 * @internal
 */
export const collection = (u: object): string | undefined => {
  for (const [name, size] of [["Map", mapSize], ["Set", setSize]] as const) {
    try {
      return `${name}(${size.call(u)})`
    } catch {
      // not this kind
    }
  }
  return undefined
}

/**
 * `f(value)`, or `fallback` when reading `value` runs user code that throws (a getter, a Proxy's
 * trap, a `toString`): a message must not throw.
 *
 * @internal
 */
export const guarded = (value: unknown, f: (value: unknown) => string, fallback: string): string => {
  try {
    return f(value)
  } catch {
    return fallback
  }
}
