/**
 * Entry point of a storage node process. Flags (also SHOAL_<NAME> env vars)
 * as in docs/contracts.md. SIGTERM / SIGINT close gracefully: leaders stop
 * acknowledging, the lease is revoked, streams and LevelDB are closed.
 *
 * Durability settings (besides the contracts.md flags):
 *   --fsync on (default): every store write is fsynced before anything it
 *     carries is acknowledged (leader and followers); one fsync per LevelDB
 *     instance per step of the node driver, for all the node's shards. Also
 *     survives every replica's machine losing power at once. Measured with
 *     scripts/bench (fsync at 128 shards): no throughput cost on this
 *     machine, the larger steps balance the fsync.
 *   --fsync off: a write is acknowledged once every ISR member has it in
 *     LevelDB (the OS page cache). Survives a crash of any process, and the
 *     loss of one or two machines/AZs while min-ISR holds. Every
 *     --fsync-interval-ms (default 1000; 0 = never) the node fsyncs
 *     LevelDB's logs in the background if anything was written
 *     (wal-sync.ts), so every replica's machine losing power at once loses
 *     at most about that interval of acknowledged writes (chaos
 *     power-cut-fast, docs/replication.md).
 */
import { DEFAULT_PREFIX } from '@shoal/metadata';
import { Flags, createLogger, limitsEnabled, startCpuProfileFromEnv, tuneHeapForBufferChurn } from '@shoal/wire';
import { startStorageNode } from './storage-node';
import { levelDbBuild } from './store/leveldb-build';
import { GROUP_COMMIT_LINGER_MS, WAL_SYNC_INTERVAL_MS_DEFAULT } from './storage-limits';
import { UNSAFE_ACK_ON_LEADER_APPEND } from './unsafe-switches';

/** A close that takes longer than this exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  tuneHeapForBufferChurn();
  const writeProfile = startCpuProfileFromEnv('storage-node');
  const flags = new Flags(process.argv.slice(2));
  const nodeId = flags.optionalString('node-id');
  const az = flags.optionalString('az');
  const dataDir = flags.optionalString('data-dir');
  if (!nodeId || !az || !dataDir) throw new Error('--node-id, --az and --data-dir are required');
  const logger = createLogger('storage-node', { nodeId });
  const node = await startStorageNode({
    nodeId, az, dataDir,
    host: flags.string('host', '127.0.0.1'),
    grpcPort: flags.int('grpc-port', 4600),
    httpPort: flags.int('http-port', 4700),
    etcd: flags.list('etcd', ['http://127.0.0.1:2379']),
    prefix: flags.string('prefix', DEFAULT_PREFIX),
    leaseTtlSec: flags.int('lease-ttl-sec', 5),
    limitsOn: limitsEnabled(flags),
    sync: flags.bool('fsync', true),
    walSyncIntervalMs: flags.int('fsync-interval-ms', WAL_SYNC_INTERVAL_MS_DEFAULT),
    groupCommitLingerMs: flags.int('group-commit-linger-ms', GROUP_COMMIT_LINGER_MS),
    logger,
  });
  logger.info('storage node started', { grpcAddress: node.grpcAddress, httpAddress: node.httpAddress, leveldb: levelDbBuild() });
  if (UNSAFE_ACK_ON_LEADER_APPEND) {
    logger.error('TEST-ONLY SHOAL_UNSAFE_ACK_ON_LEADER_APPEND=1: acknowledging before the in-sync replicas hold the records; acknowledged records CAN BE LOST');
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
    node.close().then(writeProfile).then(() => process.exit(0), (err: unknown) => { logger.error('shutdown failed', { err }); process.exit(1); });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  createLogger('storage-node').error('failed to start', { err });
  process.exit(1);
});
