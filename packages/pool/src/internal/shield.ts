import type * as Fiber from "effect/Fiber"
import type * as FiberId from "effect/FiberId"
import * as RuntimeFlags from "effect/RuntimeFlags"

/**
 * Interrupting a worker that is inside an uninterruptible region when its pool stops.
 *
 * Effect's own `Fiber.interrupt` of such a fiber is deferred to the end of the region, and there it
 * replaces what the region returned: the result of an item uninterruptible from start to end would
 * be lost. So the pool does not interrupt an uninterruptible worker. It interrupts the worker's
 * interruptible child fibers at once, which is what Effect's own signal does (it reaches the
 * children of an uninterruptible fiber at once): `Effect.timeout` waits for the fiber it races in
 * an uninterruptible region, and that fiber is interruptible. It looks at the worker again every
 * `CHECK_MILLIS` of real time, while the worker is on the same item, and interrupts it once it is
 * interruptible (the acquire of `acquireUseRelease` has ended, its use goes on).
 *
 * Effect has no hook for the end of a region. Watching the fiber's flags field (an accessor over
 * it) was tried: it put the fiber object in V8's dictionary mode, and every Effect program of the
 * process ran ~2× slower afterwards (deopts in the run loop), so the look is a timer. Under a
 * `TestClock`, whether an item's use has begun when the worker is looked at again depends on real
 * time.
 *
 * @internal
 */

/** How often a worker that was uninterruptible when its pool stopped is looked at again (real time). */
const CHECK_MILLIS = 10

interface Internals {
  readonly currentRuntimeFlags?: RuntimeFlags.RuntimeFlags
  readonly getChildren?: () => Iterable<Fiber.RuntimeFiber<unknown, unknown>>
}

/**
 * Whether `fiber` can be interrupted right now. `fiber.status` answers asynchronously (it asks the
 * fiber); the runtime's own record of the flags is read where Effect 3's fiber keeps it, and a fiber
 * without it counts as interruptible.
 */
const isInterruptible = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean => {
  const flags = (fiber as unknown as Internals).currentRuntimeFlags
  return flags === undefined || RuntimeFlags.interruption(flags)
}

/**
 * Interrupts, as `by`, the interruptible fibers among the descendants of `fiber` (an
 * uninterruptible one is passed through to its own children), each once.
 */
const interruptChildren = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  by: FiberId.FiberId,
  told: WeakSet<object>
): void => {
  // Effect 3's fiber keeps its children in a set; `fiber.children` asks the fiber, asynchronously
  const children = (fiber as unknown as Internals).getChildren?.()
  if (children === undefined) return
  for (const child of children) {
    if (told.has(child)) continue
    if (isInterruptible(child)) {
      told.add(child)
      child.unsafeInterruptAsFork(by)
    } else {
      interruptChildren(child, by, told)
    }
  }
}

/**
 * Interrupts `fiber` (as `by`) now if it is interruptible; else its interruptible descendants now,
 * and `fiber` itself once it is found interruptible while `current()` holds, looking again every
 * `CHECK_MILLIS`. Done when the fiber ends, `current()` no longer holds, or the interruption was
 * sent.
 *
 * The timer keeps the process alive: a close may be waiting for that worker, and after an acquire
 * the look can be the only thing left to make progress.
 *
 * @internal
 */
export const interruptWhenInterruptible = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  by: FiberId.FiberId,
  current: () => boolean
): void => {
  const told = new WeakSet<object>()
  const attempt = (): void => {
    if (fiber.unsafePoll() !== null || !current()) return
    if (isInterruptible(fiber)) return fiber.unsafeInterruptAsFork(by)
    interruptChildren(fiber, by, told)
    setTimeout(attempt, CHECK_MILLIS)
  }
  attempt()
}
