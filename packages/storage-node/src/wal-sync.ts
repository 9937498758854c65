/**
 * Bounds what a power cut of every replica at once can take with --fsync
 * off. LevelDB then never fsyncs its write-ahead log, so such a cut would
 * lose everything since the node last flushed its memtable (tens of MB).
 * A write with sync makes LevelDB fsync its log, and with it every record
 * written before: so every `intervalMs`, if anything was written since the
 * last one, one tiny synced write (WAL_SYNC_KEY) makes the acknowledged
 * writes of that interval durable. A whole-cluster power cut then loses at
 * most about one interval plus one fsync of acknowledged writes (chaos
 * power-cut-fast). Off the write path: no write waits for it.
 */
import type { Logger } from '@shoal/wire';
import type { NodeDb } from './shard-log';

/** The node-level key the periodic synced write puts (db-integrity.ts knows it). */
export const WAL_SYNC_KEY = 'w!wal-sync';

export class WalSyncer {
  private dirty = false;
  private inFlight: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly syncWrite: () => Promise<void>, intervalMs: number, private readonly logger: Logger) {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  /** Writes through LevelDB: one synced put of WAL_SYNC_KEY. */
  static forDb(db: NodeDb, intervalMs: number, logger: Logger): WalSyncer {
    return new WalSyncer(() => db.put(WAL_SYNC_KEY, Buffer.alloc(0), { sync: true }), intervalMs, logger);
  }

  /** A log write happened (called after each one). */
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

  /** Stops the timer and waits for a sync in flight (call before closing the database). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }
}
