/**
 * The deterministic world of the replication simulation: one fake clock,
 * one seeded random source, the node drivers' scheduled steps (run until
 * nothing is left, microtasks drained between), and timed events (network
 * packets, disk write completions, etcd operations) that the simulation
 * delivers in an order it picks. Nothing here touches a real clock,
 * socket or file.
 */
import { SeededRandom } from '@shoal/core';

/** The random source with the seed mixed first, so neighbouring seeds start far apart. */
export class Rng extends SeededRandom {
  constructor(seed: number) {
    super((seed * 0x9e3779b1) >>> 0);
  }
}

export interface SimEvent {
  readonly at: number;
  readonly seq: number;
  /** The node incarnation the event belongs to ('' for none): events of a dead incarnation are dropped. */
  readonly owner: string;
  readonly what: string;
  readonly run: () => void;
}

/** Rounds of microtask draining after which the world must be quiet. */
const SETTLE_ROUNDS_MAX = 10_000;

export class SimWorld {
  nowMs = 1_000;
  readonly trace: string[] = [];
  events: SimEvent[] = [];
  private tasks: Array<{ owner: string; fn: () => void }> = [];
  private readonly dead = new Set<string>();
  /** Incarnations whose process is stopped (SIGSTOP): their steps and events wait. */
  readonly paused = new Set<string>();
  private seq = 0;
  /** An error thrown inside a driver step or a check (onFatal): the run fails with it. */
  fatal: string | undefined;

  constructor(readonly rng: Rng, readonly traceOn: boolean) {}

  log(msg: string): void {
    if (this.traceOn) this.trace.push(`t=${this.nowMs} ${msg}`);
  }

  /** A node driver's "run my next step soon". */
  schedule(owner: string, fn: () => void): void {
    this.tasks.push({ owner, fn });
  }

  /** An event `delayMs` from now. */
  at(delayMs: number, owner: string, what: string, run: () => void): void {
    this.events.push({ at: this.nowMs + delayMs, seq: this.seq++, owner, what, run });
  }

  /** The incarnation died: its scheduled steps and events never run. */
  kill(owner: string): void {
    this.dead.add(owner);
    this.tasks = this.tasks.filter((t) => t.owner !== owner);
    this.events = this.events.filter((e) => e.owner !== owner);
  }

  alive(owner: string): boolean {
    return !this.dead.has(owner);
  }

  /** Events due now, oldest first (a paused incarnation's wait). */
  due(): SimEvent[] {
    return this.events.filter((e) => e.at <= this.nowMs && !this.paused.has(e.owner)).sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  /** Runs one event (taken out of the queue). */
  fire(e: SimEvent): void {
    this.events = this.events.filter((x) => x !== e);
    if (this.alive(e.owner)) e.run();
  }

  /** Runs scheduled steps until none is left and every promise chain has run as far as it can. */
  async settle(): Promise<void> {
    for (let round = 0; round < SETTLE_ROUNDS_MAX; round++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const runnable = this.tasks.filter((t) => !this.paused.has(t.owner));
      if (runnable.length === 0) return;
      this.tasks = this.tasks.filter((t) => this.paused.has(t.owner));
      for (const t of runnable) if (this.alive(t.owner)) t.fn();
    }
    throw new Error('the simulated cluster did not settle');
  }
}
