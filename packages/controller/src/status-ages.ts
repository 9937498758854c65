/**
 * How long each object (a stream, a consumer) has been in its status, as
 * this controller saw it: the time of the first pass that saw the object in
 * that status. Kinesis shows its transitional statuses (CREATING,
 * UPDATING, DELETING) for seconds and clients read them, so the controller
 * keeps them at least a minimum time (controller-limits.ts) even where the
 * work is done within milliseconds. A new controller term starts counting
 * afresh; objects no longer present are forgotten.
 */
export class StatusAges {
  private readonly seen = new Map<string, { status: string; sinceMs: number }>();

  /** Notes every present object's status at `nowMs`; forgets the others. */
  track(present: Iterable<readonly [key: string, status: string]>, nowMs: number): void {
    const keys = new Set<string>();
    for (const [key, status] of present) {
      keys.add(key);
      if (this.seen.get(key)?.status !== status) this.seen.set(key, { status, sinceMs: nowMs });
    }
    for (const key of this.seen.keys()) if (!keys.has(key)) this.seen.delete(key);
  }

  /** Milliseconds left until the object has been in `status` for `minMs` (`minMs` if it was not tracked in it). */
  leftMs(key: string, status: string, minMs: number, nowMs: number): number {
    const seen = this.seen.get(key);
    return seen?.status === status ? Math.max(0, minMs - (nowMs - seen.sinceMs)) : minMs;
  }

  clear(): void {
    this.seen.clear();
  }
}
