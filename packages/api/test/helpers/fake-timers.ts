/** A scripted clock and scheduler (Timers + now) for the subscription tests: time moves only when the test says. */
import type { Timers } from '../../src/fanout/named-timers';

export class FakeTimers implements Timers {
  private nowMs: number;
  private seq = 0;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  constructor(startMs = 2_000_000) {
    this.nowMs = startMs;
  }

  now = (): number => this.nowMs;

  set(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.due.set(id, { at: this.nowMs + Math.max(0, ms), fn });
    return id;
  }

  clear(handle: unknown): void {
    this.due.delete(handle as number);
  }

  /** Timers pending now. */
  pending(): number {
    return this.due.size;
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextAt = Infinity;
      for (const [id, t] of this.due) if (t.at <= end && t.at < nextAt) { nextAt = t.at; nextId = id; }
      if (nextId === undefined) break;
      const t = this.due.get(nextId)!;
      this.due.delete(nextId);
      this.nowMs = Math.max(this.nowMs, t.at);
      t.fn();
    }
    this.nowMs = end;
  }
}
