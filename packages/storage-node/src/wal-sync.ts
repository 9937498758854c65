/**
 * Bounds what a power cut of every replica at once can take with --fsync
 * off. LevelDB then never fsyncs its write-ahead logs, so such a cut would
 * lose everything since each instance last flushed its memtable. So every
 * `intervalMs`, if anything was written since the last one, the node
 * fdatasyncs both instances' logs through descriptors of its own
 * (node-db.ts syncLogs): everything written before is then on disk. A
 * whole-cluster power cut loses at most about one interval plus one fsync
 * of acknowledged writes (chaos power-cut-fast). Off the write path: no
 * write waits for it (a synced LevelDB write would hold every write queued
 * behind it for the whole fsync, seconds on a busy disk).
 */
import type { Logger } from '@shoal/wire';

export class WalSyncer {
  private dirty = false;
  private inFlight: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly syncWrite: () => Promise<void>, intervalMs: number, private readonly logger: Logger) {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  /** A store write happened (called after each one). */
  written(): void {
    this.dirty = true;
  }

  /** Syncs now if anything was written since the last sync and none is in flight. */
  tick(): void {
    if (!this.dirty || this.inFlight) return;
    this.dirty = false;
    this.inFlight = this.syncWrite().then(
      () => { this.inFlight = undefined; },
      (err: unknown) => { this.inFlight = undefined; this.dirty = true; this.logger.error('periodic log fsync failed', { err }); },
    );
  }

  /** Stops the timer and waits for a sync in flight (call before closing the store). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }
}
