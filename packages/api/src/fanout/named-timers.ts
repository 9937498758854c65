/**
 * Timers by name for one owner (a subscription, a shard feed): arming a
 * name replaces its timer, a timer forgets its name when it fires, and
 * stop() clears them all and refuses new ones. The scheduler is injected
 * (setTimeout / clearTimeout in the process, a fake one in tests).
 */

/** Injected timers (setTimeout / clearTimeout in the process, a fake scheduler in tests). */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export class NamedTimers<Name extends string> {
  private readonly handles = new Map<Name, unknown>();
  private stopped = false;

  constructor(private readonly timers: Timers) {}

  /** Runs `fn` after `ms`, instead of what `name` was armed with. */
  arm(name: Name, ms: number, fn: () => void): void {
    this.clear(name);
    if (this.stopped) return;
    this.handles.set(name, this.timers.set(() => { this.handles.delete(name); fn(); }, ms));
  }

  clear(name: Name): void {
    const handle = this.handles.get(name);
    if (handle !== undefined) this.timers.clear(handle);
    this.handles.delete(name);
  }

  has(name: Name): boolean {
    return this.handles.has(name);
  }

  /** Clears every timer; arm() does nothing after. */
  stop(): void {
    this.stopped = true;
    for (const handle of this.handles.values()) this.timers.clear(handle);
    this.handles.clear();
  }
}
