/**
 * A FIFO with O(1) amortised push/shift and removal of an arbitrary element (for waiters that give
 * up their place when interrupted).
 *
 * @internal
 */
export class Deque<T> {
  private items: Array<T | undefined> = []
  private head = 0

  get length(): number {
    return this.items.length - this.head
  }

  push(value: T): void {
    this.items.push(value)
  }

  peek(): T | undefined {
    return this.items[this.head]
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined
    const value = this.items[this.head]
    this.items[this.head] = undefined
    this.head++
    if (this.head === this.items.length) {
      this.items = []
      this.head = 0
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return value
  }

  /** Removes `value` if it is still queued; returns whether it was. */
  remove(value: T): boolean {
    const index = this.items.indexOf(value, this.head)
    if (index < 0) return false
    this.items.splice(index, 1)
    if (this.head === this.items.length) {
      this.items = []
      this.head = 0
    }
    return true
  }

  /** Removes and returns every queued element, in order. */
  drain(): Array<T> {
    const out = this.items.slice(this.head) as Array<T>
    this.items = []
    this.head = 0
    return out
  }
}
