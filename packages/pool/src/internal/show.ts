/** How much of a string value a message quotes. */
const STRING_MAX = 100
/** How long any other value's text may grow in a message (its `toString` is the user's). */
const TEXT_MAX = 200

/**
 * At most `n` characters of `text`, a surrogate pair not split, with `…` when some were left out.
 *
 * @internal
 */
export const clip = (text: string, n: number): string => {
  if (text.length <= n) return text
  let end = n - 1
  const code = text.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end--
  return `${text.slice(0, end)}…`
}

/**
 * `f()`, or `undefined` when it throws: reading a user's value for a message runs user code (a
 * getter, a Proxy's trap, a revoked Proxy), and a message must not throw.
 *
 * @internal
 */
export const attempt = <A>(f: () => A): A | undefined => {
  try {
    return f()
  } catch {
    return undefined
  }
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
 * A value as an error message shows it: strings quoted (so `"10"` does not read as the number
 * 10), functions named as such, bigints with their `n`, arrays in brackets, boxed primitives as
 * objects (a `new String("x")` is not the string it prints as), binary data by its type and
 * length, anything else through `String`. Bounded: a message must not echo a megabyte that was
 * passed by mistake (long strings are clipped, a `Buffer` is not decoded). Never throws: a value
 * whose inspection throws (a revoked Proxy, a throwing `toString`) is named by its type.
 *
 * @internal
 */
export const show = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(clip(u, STRING_MAX))
  if (typeof u === "function") return "a function"
  if (typeof u === "bigint") return `${u}n`
  try {
    if (Array.isArray(u)) {
      // one level, and the first few: an error message, not a dump (nor a loop on an array that holds itself)
      const shown = u.slice(0, 5).map((x) => Array.isArray(x) ? "[…]" : show(x))
      return `[${shown.join(", ")}${u.length > 5 ? ", …" : ""}]`
    }
    // the boxed value through the built-in `valueOf` (an own `valueOf` may return anything)
    if (u instanceof String) return `a String object (${show(String.prototype.valueOf.call(u))})`
    if (u instanceof Number) {
      const n = Number.prototype.valueOf.call(u)
      return `a Number object (${Object.is(n, -0) ? "-0" : n})`
    }
    if (u instanceof Boolean) return `a Boolean object (${Boolean.prototype.valueOf.call(u)})`
    return (typeof u === "object" && u !== null ? binary(u) : undefined) ?? clip(String(u), TEXT_MAX)
  } catch {
    return typeof u
  }
}
