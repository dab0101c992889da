/**
 * A FIFO queue whose entries can also be removed from the middle in O(1) (a doubly linked list).
 * Waiter queues need this: thousands of waiters, any of which may abort at any time, where an
 * array's `indexOf` + `splice` would make each abort cost O(waiting).
 */

/** A handle to one queued value; pass it to `remove`. */
export interface LinkedQueueEntry<T> {
  readonly value: T;
}

/** FIFO queue with O(1) push, shift, peek and remove. */
export interface LinkedQueue<T> {
  readonly size: number;
  /** Appends `value` and returns the handle that removes it. */
  push(value: T): LinkedQueueEntry<T>;
  /** The oldest value, without removing it. */
  peek(): T | undefined;
  /** Removes and returns the oldest value. */
  shift(): T | undefined;
  /** Removes the entry; false when it was already gone (shifted or removed). */
  remove(entry: LinkedQueueEntry<T>): boolean;
}

interface Node<T> extends LinkedQueueEntry<T> {
  previous: Node<T> | undefined;
  next: Node<T> | undefined;
  isQueued: boolean;
}

/** Creates an empty queue. */
export function createLinkedQueue<T>(): LinkedQueue<T> {
  let head: Node<T> | undefined;
  let tail: Node<T> | undefined;
  let size = 0;

  function unlink(node: Node<T>): void {
    if (node.previous) node.previous.next = node.next;
    else head = node.next;
    if (node.next) node.next.previous = node.previous;
    else tail = node.previous;
    node.previous = undefined;
    node.next = undefined;
    node.isQueued = false;
    size--;
  }

  return {
    get size() {
      return size;
    },
    push(value) {
      const node: Node<T> = { value, previous: tail, next: undefined, isQueued: true };
      if (tail) tail.next = node;
      else head = node;
      tail = node;
      size++;
      return node;
    },
    peek() {
      return head?.value;
    },
    shift() {
      const node = head;
      if (!node) return undefined;
      unlink(node);
      return node.value;
    },
    remove(entry) {
      // Entries are only ever made by `push` above, so the handle is one of our nodes.
      const node = entry as Node<T>;
      if (!node.isQueued) return false;
      unlink(node);
      return true;
    },
  };
}
