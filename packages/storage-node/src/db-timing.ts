/**
 * Times the node database's writes for shoal_storage_write_duration_seconds
 * and shoal_storage_fsync_duration_seconds, without touching the code that
 * writes: the node's LevelDB instance gets timed `batch` and `put` (every
 * storage write goes through one of the two: log appends, truncations and
 * state in shard-log.ts, the periodic synced write of wal-sync.ts). A write
 * with `sync: true` waits for LevelDB to fsync its write-ahead log, so its
 * duration is the fsync latency the producer sees. The chained form
 * `batch()` (unused by the node) passes through untimed.
 *
 * Installed once by storage-node.ts on the db it opens; a storage layer
 * that writes through something else must time its writes itself
 * (NodeMetrics.observeStorageWrite).
 */
import type { NodeDb } from './shard-log';

type Loose = (...args: unknown[]) => unknown;

function synced(options: unknown): boolean {
  return typeof options === 'object' && options !== null && (options as { sync?: unknown }).sync === true;
}

/** Wraps `db`'s batch and put so each finished write reports its seconds and whether it synced. */
export function timeStorageWrites(db: NodeDb, observe: (seconds: number, synced: boolean) => void): void {
  const target = db as unknown as { batch: Loose; put: Loose };
  const batch = target.batch.bind(db) as Loose;
  const put = target.put.bind(db) as Loose;
  const timed = (write: () => unknown, sync: boolean): Promise<unknown> => {
    const started = process.hrtime.bigint();
    return (write() as Promise<unknown>).then((result) => {
      observe(Number(process.hrtime.bigint() - started) / 1e9, sync);
      return result;
    });
  };
  target.batch = (...args: unknown[]): unknown => (args.length === 0 ? batch() : timed(() => batch(...args), synced(args[1])));
  target.put = (...args: unknown[]): unknown => timed(() => put(...args), synced(args[2]));
}
