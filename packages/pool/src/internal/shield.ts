import type * as Fiber from "effect/Fiber"
import type * as FiberId from "effect/FiberId"
import * as RuntimeFlags from "effect/RuntimeFlags"

/**
 * Interrupting a fiber at the moment it becomes interruptible, as a stopping pool does with a worker
 * that is inside an uninterruptible region.
 *
 * Effect's own `Fiber.interrupt` of such a fiber is deferred to the end of the region, and there it
 * replaces what the region returned: the result of an item uninterruptible from start to end would
 * be lost. So the pool does not interrupt an uninterruptible worker; it watches the worker's runtime
 * flags, and once they allow interruption while the worker is still on the same item (the acquire of
 * `acquireUseRelease` has ended, its use begins), it interrupts it. An item that ends first is let
 * finish. Meanwhile the worker's children are treated the same way (what Effect's own signal does:
 * it reaches the children of an uninterruptible fiber at once): `Effect.timeout` waits for its
 * racing fiber in an uninterruptible region, and that fiber is interruptible.
 *
 * Effect has no hook for a change of a fiber's flags. Effect 3's fiber keeps them in its field
 * `currentRuntimeFlags`, written at every change; the watch turns that field into an accessor for
 * as long as it lasts, and acts after the fiber's current run (a microtask), not inside Effect's
 * run loop. Nothing here uses time, so a `TestClock` decides nothing. A fiber without that field
 * counts as interruptible and gets Effect's own interruption.
 *
 * @internal
 */

const FLAGS = "currentRuntimeFlags"

interface Internals {
  readonly currentRuntimeFlags?: RuntimeFlags.RuntimeFlags
  readonly getChildren?: () => Iterable<Fiber.RuntimeFiber<unknown, unknown>>
}

/** Whether `fiber` can be interrupted right now (Effect 3's record of its flags). */
export const isInterruptible = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean => {
  const flags = (fiber as unknown as Internals).currentRuntimeFlags
  return flags === undefined || RuntimeFlags.interruption(flags)
}

/** The listeners of each watched fiber, called at every write of flags that allow interruption. */
const watched = new WeakMap<object, Set<() => void>>()

/**
 * Calls `listener` at every write of `fiber`'s flags that allows interruption, until the returned
 * function is called; `undefined` if the field is not there to watch.
 */
const watchFlags = (fiber: object, listener: () => void): (() => void) | undefined => {
  let listeners = watched.get(fiber)
  if (listeners === undefined) {
    const field = Object.getOwnPropertyDescriptor(fiber, FLAGS)
    if (field === undefined || field.writable !== true || field.configurable !== true) return undefined
    let flags = field.value as RuntimeFlags.RuntimeFlags
    const set = new Set<() => void>()
    Object.defineProperty(fiber, FLAGS, {
      configurable: true,
      enumerable: field.enumerable === true,
      get: () => flags,
      set: (value: RuntimeFlags.RuntimeFlags) => {
        flags = value
        if (RuntimeFlags.interruption(value)) { for (const f of set) f() }
      }
    })
    watched.set(fiber, set)
    listeners = set
  }
  const own = listeners
  own.add(listener)
  return () => {
    if (!own.delete(listener) || own.size > 0) return
    // the last watch ended: the field is a plain one again
    const field = Object.getOwnPropertyDescriptor(fiber, FLAGS)!
    Object.defineProperty(fiber, FLAGS, {
      configurable: true,
      enumerable: field.enumerable === true,
      writable: true,
      value: (fiber as Internals).currentRuntimeFlags
    })
    watched.delete(fiber)
  }
}

/**
 * Interrupts `fiber` (as `by`) now if it is interruptible, else as soon as its flags allow it while
 * `current()` holds; its children likewise (with no condition but their own life). Done when the
 * fiber ends, `current()` no longer holds, or the interruption was sent.
 *
 * @internal
 */
export const interruptWhenInterruptible = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  by: FiberId.FiberId,
  current: () => boolean
): void => {
  let unwatch: (() => void) | undefined
  let queued = false
  const seen = new WeakSet<object>()
  const done = (): void => {
    unwatch?.()
    unwatch = undefined
  }
  const attempt = (): void => {
    queued = false
    if (fiber.unsafePoll() !== null || !current()) return done()
    if (isInterruptible(fiber)) {
      done()
      return fiber.unsafeInterruptAsFork(by)
    }
    const children = (fiber as unknown as Internals).getChildren?.()
    if (children !== undefined) {
      for (const child of children) {
        if (seen.has(child)) continue
        seen.add(child)
        interruptWhenInterruptible(child, by, always)
      }
    }
    unwatch ??= watchFlags(fiber, later)
  }
  /** After the fiber's current run: a region that ends with the item must be let return it. */
  const later = (): void => {
    if (queued) return
    queued = true
    queueMicrotask(attempt)
  }
  attempt()
}

const always = (): boolean => true
