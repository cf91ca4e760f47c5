/**
 * A FIFO of waiters with O(1) push, shift and removal from the middle (an aborted waiter leaves
 * its place without a scan). Nodes are intrusive so the limiter keeps the handle it needs to remove one.
 * A node may carry a priority: it goes ahead of every node of lower priority, behind every node of equal
 * or higher priority (FIFO among equals). With one priority in use, push stays O(1).
 */
export interface QueueNode {
  prev: QueueNode | undefined;
  next: QueueNode | undefined;
  queued: boolean;
  priority?: number;
}

export class WaitQueue<T extends QueueNode> {
  private head: T | undefined;
  private tail: T | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  peek(): T | undefined {
    return this.head;
  }

  push(node: T): void {
    const priority = node.priority ?? 0;
    let after = this.tail;
    while (after && (after.priority ?? 0) < priority) after = after.prev as T | undefined;
    node.prev = after;
    node.next = after ? after.next : this.head;
    node.queued = true;
    if (node.next) node.next.prev = node;
    else this.tail = node;
    if (after) after.next = node;
    else this.head = node;
    this.count++;
  }

  shift(): T | undefined {
    const node = this.head;
    if (node) this.remove(node);
    return node;
  }

  /** Removes `node` if it is still queued; returns whether it was. */
  remove(node: T): boolean {
    if (!node.queued) return false;
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next as T | undefined;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev as T | undefined;
    node.prev = node.next = undefined;
    node.queued = false;
    this.count--;
    return true;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let n = this.head; n; n = n.next as T | undefined) yield n;
  }
}
