/**
 * A storage node: its store under the data dir (store/, two LevelDB
 * instances), the node driver and the replicas the metadata assigns to this
 * node, the gRPC server, the replication streams, the node registration
 * under an etcd lease, and /healthz + /metrics. Used by main.ts and,
 * in-process, by tests. The node registers in etcd under a lease
 * (node-registration.ts) once its gRPC server listens and its replicas are
 * open.
 */
import * as grpc from '@grpc/grpc-js';
import type { Server as HttpServer } from 'node:http';
import { MetadataStore, type NodeRecord } from '@shoal/metadata';
import { GRPC_CHANNEL_OPTIONS, createLogger, loadProto, startOpsServer, wallClockMs, widenServerWindows, type Logger } from '@shoal/wire';
import { storageNodeHandlers } from './grpc-service';
import { NodeMetrics } from './node-metrics';
import { timedFsync, timedKv } from './db-timing';
import { shardCountersHandler } from './shard-counters';
import { CacheBudget } from './batch-cache';
import { NodeDriver } from './node-driver';
import { ReplicaManager } from './replica-manager';
import { ReplicationLinks } from './replication-links';
import { withReplicateSerde } from './replicate-serde';
import { openNodeDb, rebuildDone } from './node-db';
import { indexWriteBufferBytes } from './index-write-buffer';
import { withdrawFromIsr } from './isr-withdrawal';
import { EtcdRecordProposer } from './record-proposer';
import { NodeRegistration } from './node-registration';
import { NodeStore } from './store/node-store';
import {
  BATCH_CACHE_BYTES_MAX, NODE_CACHE_BYTES_MAX, RETENTION_CHECK_INTERVAL_MS, SHUTDOWN_GRACE_MS, TICK_INTERVAL_MS, WAL_SYNC_INTERVAL_MS_DEFAULT,
} from './storage-limits';
import { WalSyncer } from './wal-sync';

const MS_PER_HOUR = 3_600_000;

export interface StorageNodeOptions {
  readonly nodeId: string;
  readonly az: string;
  readonly host: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly dataDir: string;
  readonly etcd: readonly string[];
  readonly prefix: string;
  readonly leaseTtlSec: number;
  readonly limitsOn: boolean;
  /** fsync each store write before acknowledging (default true; false: the page cache, replicas give durability). */
  readonly sync?: boolean;
  /** Without `sync`: fsync the log this often if anything was written (wal-sync.ts); 0 = never. Default WAL_SYNC_INTERVAL_MS_DEFAULT. */
  readonly walSyncIntervalMs?: number;
  /** How long a leader's appends may wait for more of their shard's records (node-driver.ts); default GROUP_COMMIT_LINGER_MS, 0 = never. */
  readonly groupCommitLingerMs?: number;
  readonly logger?: Logger;
  /** Wall clock (arrival times, retention); default the system clock. Tests inject one. */
  readonly clock?: () => number;
  /** A broken invariant or disk failure; main.ts exits the process. */
  readonly onFatal?: (err: unknown) => void;
}

export interface StorageNodeHandle {
  readonly nodeId: string;
  readonly grpcAddress: string;
  readonly httpAddress: string;
  readonly manager: ReplicaManager;
  readonly driver: NodeDriver;
  readonly metrics: NodeMetrics;
  close(): Promise<void>;
}

export async function startStorageNode(o: StorageNodeOptions): Promise<StorageNodeHandle> {
  const logger = o.logger ?? createLogger('storage-node', { nodeId: o.nodeId });
  const onFatal = o.onFatal ?? ((err: unknown) => { logger.error('fatal', { err }); process.exit(1); });
  // Checked before any replica reads it; a corrupt one is discarded and rebuilt from the leaders (node-db.ts).
  const db = await openNodeDb(o.dataDir, logger, indexWriteBufferBytes(o.nodeId));
  let manager: ReplicaManager | undefined;
  const metrics = new NodeMetrics(o.nodeId, () => manager?.gaugeSources() ?? [], o.az);
  const store = new MetadataStore({ endpoints: o.etcd, prefix: o.prefix, onEtcdCall: (method, seconds, outcome) => metrics.observeEtcd(method, seconds, outcome) });
  await store.start();
  if (db.rebuilding) {
    await withdrawFromIsr(store, o.nodeId, logger);
    rebuildDone(o.dataDir);
    logger.warn('rebuilt node left every ISR and leadership; its replicas catch up from their leaders');
  }
  const sync = o.sync ?? true;
  const walSyncIntervalMs = o.walSyncIntervalMs ?? WAL_SYNC_INTERVAL_MS_DEFAULT;
  let walSync: WalSyncer | undefined;
  const observeWrite = (seconds: number, synced: boolean): void => metrics.observeStorageWrite(seconds, synced);
  const nodeStore = await NodeStore.open(timedKv(db.index, observeWrite), timedKv(db.data, observeWrite), sync, () => walSync?.written());
  if (!sync && walSyncIntervalMs > 0) walSync = new WalSyncer(() => timedFsync(() => db.syncLogs(), (seconds) => metrics.observeFsync(seconds)), walSyncIntervalMs, logger);
  const monoClock = (): number => performance.now();
  let registration: NodeRegistration | undefined;
  const clock = o.clock ?? wallClockMs;
  const driver = new NodeDriver({
    selfId: o.nodeId, store: nodeStore, proposer: new EtcdRecordProposer(store, logger), monoClock, clock,
    leaseUntilMs: () => registration?.leaseUntilMs() ?? 0, logger, metrics, onFatal, groupCommitLingerMs: o.groupCommitLingerMs,
    retentionMs: (streamId) => {
      const stream = store.view.streamById(streamId);
      return stream ? stream.value.retentionPeriodHours * MS_PER_HOUR : undefined;
    },
  });
  manager = new ReplicaManager({
    selfId: o.nodeId, store: nodeStore, view: store.view, driver, monoClock, logger, onFatal,
    context: { selfId: o.nodeId, limitsOn: o.limitsOn, clock, metrics, cacheBudget: new CacheBudget(NODE_CACHE_BYTES_MAX, BATCH_CACHE_BYTES_MAX), truncateBelowHw: !sync },
  });
  const mgr = manager;
  const links = new ReplicationLinks(o.nodeId, store.view, driver, logger);
  driver.setPeers(links);

  const server = new grpc.Server(GRPC_CHANNEL_OPTIONS);
  server.addService(withReplicateSerde(loadProto().shoal.v1.StorageNode.service), storageNodeHandlers({
    selfId: o.nodeId, az: o.az, driver, clock, logger, onCorruption: onFatal, shardCounters: shardCountersHandler(o.nodeId, metrics.shardCounts),
  }));
  const grpcPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${o.host}:${o.grpcPort}`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
  widenServerWindows(server);
  const grpcAddress = `${o.host}:${grpcPort}`;
  const httpAddress = `http://${o.host}:${o.httpPort}`;
  const record: NodeRecord = { nodeId: o.nodeId, az: o.az, grpcAddress, httpAddress, pid: process.pid, startedMs: Date.now() };
  // Made now (it registers later, once the replicas are open) so it keeps the applied revision from the start.
  registration = new NodeRegistration(store, record, o.leaseTtlSec, (f) => mgr.setFenced(f), logger, monoClock);
  const reg = registration;

  await mgr.collectGarbage();
  // The applied revision (schema.ts NodeApplied): a watch response's shard changes are all handed to the
  // manager before the next microtask, so once those reconciles settle, the response's revision is applied.
  let appliedPending = false;
  const appliedChanged = (): void => {
    if (appliedPending) return;
    appliedPending = true;
    queueMicrotask(() => {
      appliedPending = false;
      const revision = store.view.revision;
      void mgr.settled().then(() => reg.reportApplied(revision));
    });
  };
  // Subscribed before the startup reconcile, so no change that arrives while it opens replicas is missed.
  const unsubscribe = store.onChange((change) => {
    if (change.kind === 'shard') {
      void mgr.reconcile({ streamId: change.streamId, shardId: change.shardId });
      appliedChanged();
    }
    // A node that registers (again) may be owed sends: leaders look at it; one that left loses its stream.
    else if (change.kind === 'node') { if (change.value) driver.peerConnected(); else links.prune(); }
  });
  const startupRevision = store.view.revision;
  await mgr.startup();
  reg.reportApplied(startupRevision);
  const tickTimer = setInterval(() => driver.tick(), TICK_INTERVAL_MS);
  const retentionTimer = setInterval(() => driver.checkRetention(), RETENTION_CHECK_INTERVAL_MS);

  let closed = false;
  const ops: HttpServer = await startOpsServer({
    host: o.host, port: o.httpPort, registry: metrics.registry,
    health: () => ({ ok: reg.registered && !closed, nodeId: o.nodeId, az: o.az, replicas: driver.size() }),
  });
  await reg.register();

  return {
    nodeId: o.nodeId, grpcAddress, httpAddress, manager: mgr, driver, metrics,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearInterval(tickTimer);
      clearInterval(retentionTimer);
      unsubscribe();
      mgr.setFenced(true);
      await reg.close();
      // Peers' Replicate streams into this server never end by themselves:
      // give in-flight unary calls a moment, then cut the rest.
      links.close();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => { server.forceShutdown(); resolve(); }, SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => { clearTimeout(force); resolve(); });
      });
      await mgr.close();
      await store.close();
      await new Promise<void>((resolve) => ops.close(() => resolve()));
      await walSync?.close();
      await db.close();
    },
  };
}
