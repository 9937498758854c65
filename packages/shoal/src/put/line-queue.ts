/**
 * The bounded hand-over between the input reader and the PutRecords
 * sender: the reader waits while the queue holds `itemsMax` items or
 * `bytesMax` bytes (an item is always accepted into an empty queue), and
 * the sender takes one item at a time, or learns that none came within a
 * time (so it can send a partial batch), or that the input ended or failed.
 * Timers come from the injected scheduler, so tests need no real time.
 */

/** Runs `fn` after `ms`; the returned function cancels it. */
export type Scheduler = (fn: () => void, ms: number) => () => void;

const realScheduler: Scheduler = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

export type Taken<T> = { readonly kind: 'item'; readonly item: T } | { readonly kind: 'timeout' } | { readonly kind: 'end' };

export class LineQueue<T> {
  private readonly items: T[] = [];
  private head = 0;
  private bytes = 0;
  private ended = false;
  private failure: Error | undefined;
  private wakeTaker: (() => void) | undefined;
  private wakePusher: (() => void) | undefined;

  constructor(private readonly itemsMax: number, private readonly bytesMax: number, private readonly sizeOf: (item: T) => number,
    private readonly schedule: Scheduler = realScheduler) {}

  /** Adds an item, waiting while the queue is full. */
  async push(item: T): Promise<void> {
    if (this.ended) throw new Error('push after end');
    while (this.length > 0 && (this.length >= this.itemsMax || this.bytes >= this.bytesMax)) {
      await new Promise<void>((resolve) => { this.wakePusher = resolve; });
    }
    this.items.push(item);
    this.bytes += this.sizeOf(item);
    this.wake('taker');
  }

  /** No more items: the taker gets 'end' once the queue is empty. */
  end(): void {
    this.ended = true;
    this.wake('taker');
  }

  /** The input failed: the next take throws `err`. */
  fail(err: Error): void {
    this.failure = err;
    this.ended = true;
    this.wake('taker');
  }

  /** The next item; or 'timeout' after `timeoutMs` without one (never when undefined); or 'end'. */
  async take(timeoutMs?: number): Promise<Taken<T>> {
    if (this.length === 0 && !this.ended) {
      let timedOut = false;
      await new Promise<void>((resolve) => {
        const cancel = timeoutMs === undefined ? undefined : this.schedule(() => { timedOut = true; this.wakeTaker = undefined; resolve(); }, timeoutMs);
        this.wakeTaker = () => { cancel?.(); resolve(); };
      });
      if (timedOut) return { kind: 'timeout' };
    }
    if (this.failure) throw this.failure;
    if (this.length === 0) return { kind: 'end' };
    const item = this.items[this.head]!;
    this.head++;
    this.bytes -= this.sizeOf(item);
    if (this.head === this.items.length) { this.items.length = 0; this.head = 0; } else if (this.head >= this.itemsMax) { this.items.splice(0, this.head); this.head = 0; }
    this.wake('pusher');
    return { kind: 'item', item };
  }

  private get length(): number { return this.items.length - this.head; }

  private wake(who: 'taker' | 'pusher'): void {
    const fn = who === 'taker' ? this.wakeTaker : this.wakePusher;
    if (who === 'taker') this.wakeTaker = undefined; else this.wakePusher = undefined;
    fn?.();
  }
}
