import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Inspectable from "effect/Inspectable"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Api from "../Collector.js"
import { printable } from "./printable.js"
import { show } from "./show.js"

/** @internal */
export class CollectorClosedError extends Data.TaggedError("CollectorClosedError")<{ readonly message: string }> {
  constructor() {
    super({
      message: "The collector is closed and no longer accepts values: submit was called after `close` " +
        "(or after the collector's scope closed), or was waiting for space in a full collector when it was closed. " +
        "The value was not collected."
    })
  }
}

/**
 * A submitter suspended on a full collector. Its value is not in the mailbox yet: it is moved in
 * (in FIFO order) when a reader frees space, or the submitter is failed when the collector closes.
 */
interface Waiter<V> {
  readonly value: V
  readonly resume: (effect: Effect.Effect<void, CollectorClosedError>) => void
}

const isValidCapacity = (capacity: unknown): capacity is number =>
  typeof capacity === "number" &&
  (capacity === Number.POSITIVE_INFINITY || (Number.isInteger(capacity) && capacity >= 1))

const failClosed = (): Effect.Effect<never, CollectorClosedError> => Effect.fail(new CollectorClosedError())

/** @internal */
export const make = <V>(capacity: number): Effect.Effect<Api.Collector<V>, never, Scope.Scope> =>
  Effect.suspend(() => {
    if (!isValidCapacity(capacity)) {
      return Effect.die(
        new Cause.IllegalArgumentException(
          `Collector.make: capacity must be an integer >= 1 or Infinity (unbounded), got ${show(capacity)}`
        )
      )
    }
    return Effect.gen(function*() {
      // The mailbox enforces the bound, but we never call its suspending `offer`: `Mailbox.end`
      // leaves suspended offers in place and accepts them later, which would break the cut-off.
      // Suspended submitters wait in `waiters` instead, where `close` can fail them.
      const mailbox = yield* Mailbox.make<V>(capacity)
      const waiters = new Set<Waiter<V>>()
      let closed = false

      // Moves suspended submitters' values into the mailbox while it has room, oldest first.
      // Called by readers (before and after each take) and by submitters that find waiters ahead
      // of them, so a reader interrupted between its take and its refill cannot strand anyone.
      const refill = (): void => {
        for (const waiter of waiters) {
          if (!mailbox.unsafeOffer(waiter.value)) return
          waiters.delete(waiter)
          waiter.resume(Effect.void)
        }
      }

      const tryOffer = (value: V): boolean => {
        if (waiters.size > 0) {
          refill()
          if (waiters.size > 0) return false // keep FIFO: queue behind earlier submitters
        }
        return mailbox.unsafeOffer(value)
      }

      const submit = (value: V): Effect.Effect<void, CollectorClosedError> =>
        Effect.suspend(() => {
          if (closed) return failClosed()
          if (tryOffer(value)) return Effect.void
          return Effect.async<void, CollectorClosedError>((resume) => {
            // re-check: the state may have changed between the fast path and registration
            if (closed) {
              resume(failClosed())
              return
            }
            if (tryOffer(value)) {
              resume(Effect.void)
              return
            }
            const waiter: Waiter<V> = { value, resume }
            waiters.add(waiter)
            return Effect.sync(() => {
              waiters.delete(waiter)
            })
          })
        })

      // Marks the collector closed and fails every suspended submitter; their values are dropped.
      const cutOff = (): boolean => {
        if (closed) return false
        closed = true
        const pending = Array.from(waiters)
        waiters.clear()
        for (const waiter of pending) waiter.resume(failClosed())
        return true
      }

      const close: Effect.Effect<void> = Effect.sync(() => {
        if (cutOff()) mailbox.unsafeDone(Exit.void)
      })

      yield* Effect.addFinalizer(() =>
        Effect.suspend(() => {
          cutOff()
          // discards the buffer and completes readers (their takes see `done`)
          return Effect.asVoid(mailbox.shutdown)
        })
      )

      /** Takes with `takeFrom`, moving suspended submitters' values in before and after. */
      const refilling = <A, E>(takeFrom: Effect.Effect<A, E>): Effect.Effect<A, E> =>
        Effect.suspend(() => {
          refill()
          return takeFrom
        }).pipe(Effect.map((result) => {
          refill()
          return result
        }))

      // `all` keeps every value it takes: it takes the whole buffer at a time
      const takeAll = refilling(mailbox.takeAll)
      const all: Effect.Effect<ReadonlyArray<V>> = Effect.gen(function*() {
        const out: Array<V> = []
        while (true) {
          const [chunk, done] = yield* takeAll
          for (const value of chunk) out.push(value)
          if (done) return out
        }
      })

      // A stream reader takes one value per pull. Taking the whole buffer as one chunk would lose
      // the rest of it when the reader stops early (`Stream.take`, `runHead`, a failure), hand a
      // backlog to one of several readers, and hold values beyond `capacity` out of the buffer.
      // The mailbox fails `take` only when it is done: closed and drained, or shut down.
      const takeOne: Effect.Effect<Option.Option<V>> = refilling(Effect.option(mailbox.take))
      const read: Channel.Channel<Chunk.Chunk<V>, unknown, never, unknown, void, unknown> = Channel.flatMap(
        Channel.fromEffect(takeOne),
        (next) => Option.isNone(next) ? Channel.void : Channel.zipRight(Channel.write(Chunk.of(next.value)), read)
      )
      const stream: Stream.Stream<V> = Stream.fromChannel(read)

      const collector: Api.Collector<V> & Inspectable.Inspectable = {
        submit,
        close,
        stream,
        all,
        // printed as its state, not its members
        toJSON: () => ({
          _id: "Collector",
          // JSON has no Infinity (`String`, `Effect.log` would print null): the word, as passed
          capacity: capacity === Number.POSITIVE_INFINITY ? "Infinity" : capacity,
          size: Option.getOrElse(mailbox.unsafeSize(), () => 0),
          waiting: waiters.size,
          closed
        }),
        ...printable
      }
      return collector
    })
  })
