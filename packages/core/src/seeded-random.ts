/**
 * A seeded pseudo-random source (mulberry32): the only randomness of the
 * replication simulation and of the chaos workload and fault schedule, so a
 * seed replays the same run. Pure: the state is the 32-bit seed and nothing
 * else.
 */
export class SeededRandom {
  private state: number;

  /** `seed` is used as given (mod 2^32); callers that want seed mixing do it themselves. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** An independent source derived from this one (one per writer, reader, schedule). */
  fork(): SeededRandom {
    return new SeededRandom(this.int(0x100000000));
  }
}
