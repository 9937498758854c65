/**
 * Times the node store's writes for shoal_storage_write_duration_seconds
 * and shoal_storage_fsync_duration_seconds, without touching the code that
 * writes: every storage write (node-wide group commits, removals, the
 * periodic synced write of wal-sync.ts) is a `batch` on one of the store's
 * Kv instances (store/kv.ts), so wrapping the port times them all. A batch
 * with `sync` waits for LevelDB to fsync its write-ahead log, so its
 * duration is the fsync latency the producer sees.
 */
import type { Kv } from './store/kv';

/** `kv` with each finished batch reporting its seconds and whether it synced. */
export function timedKv(kv: Kv, observe: (seconds: number, synced: boolean) => void): Kv {
  return {
    batch(ops, sync) {
      const started = process.hrtime.bigint();
      return kv.batch(ops, sync).then(() => observe(Number(process.hrtime.bigint() - started) / 1e9, sync));
    },
    getMany: (keys) => kv.getMany(keys),
    entries: (range) => kv.entries(range),
    keys: (range) => kv.keys(range),
  };
}

/** Runs `fsync` and reports its seconds once it finished. */
export async function timedFsync(fsync: () => Promise<void>, observe: (seconds: number) => void): Promise<void> {
  const started = process.hrtime.bigint();
  await fsync();
  observe(Number(process.hrtime.bigint() - started) / 1e9);
}
