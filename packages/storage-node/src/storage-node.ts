/**
 * A storage node: one LevelDB under the data dir, the replicas the metadata
 * assigns to this node, the gRPC server, the replication streams, the node
 * registration under an etcd lease, and /healthz + /metrics. Used by main.ts
 * and, in-process, by tests.
 * The node registers in etcd under a lease (node-registration.ts) once
 * its gRPC server listens and its replicas are open.
 */
import * as grpc from '@grpc/grpc-js';
import type { Server as HttpServer } from 'node:http';
import { MetadataStore, type NodeRecord } from '@shoal/metadata';
import { GRPC_CHANNEL_OPTIONS, createLogger, loadProto, startOpsServer, wallClockMs, type Logger } from '@shoal/wire';
import { storageNodeHandlers } from './grpc-service';
import { NodeMetrics } from './node-metrics';
import { timeStorageWrites } from './db-timing';
import { shardCountersHandler } from './shard-counters';
import { ReplicaManager } from './replica-manager';
import { ReplicationLinks } from './replication-links';
import { withReplicateSerde } from './replicate-serde';
import { openNodeDb, rebuildDone } from './node-db';
import { withdrawFromIsr } from './isr-withdrawal';
import { EtcdEpochBumper } from './epoch-bump';
import { EtcdIsrWriter } from './isr-writer';
import { EtcdSealWriter } from './seal-writer';
import { NodeRegistration } from './node-registration';
import { SHUTDOWN_GRACE_MS, TICK_INTERVAL_MS, WAL_SYNC_INTERVAL_MS_DEFAULT } from './storage-limits';
import { WalSyncer } from './wal-sync';

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
  /** fsync each write before acknowledging (default false: replicas give durability). */
  readonly sync?: boolean;
  /** Without `sync`: fsync the log this often if anything was written (wal-sync.ts); 0 = never. Default WAL_SYNC_INTERVAL_MS_DEFAULT. */
  readonly walSyncIntervalMs?: number;
  readonly logger?: Logger;
  /** A broken invariant or disk failure; main.ts exits the process. */
  readonly onFatal?: (err: unknown) => void;
}

export interface StorageNodeHandle {
  readonly nodeId: string;
  readonly grpcAddress: string;
  readonly httpAddress: string;
  readonly manager: ReplicaManager;
  readonly metrics: NodeMetrics;
  close(): Promise<void>;
}

export async function startStorageNode(o: StorageNodeOptions): Promise<StorageNodeHandle> {
  const logger = o.logger ?? createLogger('storage-node', { nodeId: o.nodeId });
  const onFatal = o.onFatal ?? ((err: unknown) => { logger.error('fatal', { err }); process.exit(1); });
  // Checked before any replica reads it; a corrupt one is discarded and rebuilt from the leaders (node-db.ts).
  const { db, rebuilding } = await openNodeDb(o.dataDir, logger);
  let manager: ReplicaManager | undefined;
  const metrics = new NodeMetrics(o.nodeId, () => manager?.gaugeSources() ?? [], o.az);
  timeStorageWrites(db, (seconds, synced) => metrics.observeStorageWrite(seconds, synced));
  const store = new MetadataStore({ endpoints: o.etcd, prefix: o.prefix, onEtcdCall: (method, seconds, outcome) => metrics.observeEtcd(method, seconds, outcome) });
  await store.start();
  if (rebuilding) {
    await withdrawFromIsr(store, o.nodeId, logger);
    rebuildDone(o.dataDir);
    logger.warn('rebuilt node left every ISR and leadership; its replicas catch up from their leaders');
  }
  const walSyncIntervalMs = o.walSyncIntervalMs ?? WAL_SYNC_INTERVAL_MS_DEFAULT;
  const walSync = !o.sync && walSyncIntervalMs > 0 ? WalSyncer.forDb(db, walSyncIntervalMs, logger) : undefined;
  const monoClock = (): number => performance.now();
  let registration: NodeRegistration | undefined;
  manager = new ReplicaManager({
    selfId: o.nodeId, db, view: store.view, limitsOn: o.limitsOn, sync: o.sync ?? false, afterWrite: walSync ? () => walSync.written() : undefined, truncateBelowHw: !o.sync, clock: wallClockMs, monoClock,
    leaseUntilMs: () => registration?.leaseUntilMs() ?? 0, isrWriter: new EtcdIsrWriter(store), sealWriter: new EtcdSealWriter(store), epochBumper: new EtcdEpochBumper(store), logger, metrics, onFatal,
  });
  const mgr = manager;
  const links = new ReplicationLinks(o.nodeId, store.view, { lookup: (ref) => mgr.get(ref), allDrivers: () => mgr.all() }, logger);
  mgr.setPeers(links);

  const server = new grpc.Server(GRPC_CHANNEL_OPTIONS);
  server.addService(withReplicateSerde(loadProto().shoal.v1.StorageNode.service), storageNodeHandlers({
    selfId: o.nodeId, az: o.az, manager: mgr, clock: wallClockMs, logger, onCorruption: onFatal, shardCounters: shardCountersHandler(o.nodeId, metrics.shardCounts),
  }));
  const grpcPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${o.host}:${o.grpcPort}`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
  const grpcAddress = `${o.host}:${grpcPort}`;

  await mgr.collectGarbage();
  await mgr.startup();
  const unsubscribe = store.onChange((change) => {
    if (change.kind === 'shard') void mgr.reconcile({ streamId: change.streamId, shardId: change.shardId });
    else if (change.kind === 'node' && !change.value) links.prune();
  });
  const tickTimer = setInterval(() => mgr.tick(), TICK_INTERVAL_MS);

  let closed = false;
  const httpAddress = `http://${o.host}:${o.httpPort}`;
  const record: NodeRecord = { nodeId: o.nodeId, az: o.az, grpcAddress, httpAddress, pid: process.pid, startedMs: Date.now() };
  registration = new NodeRegistration(store, record, o.leaseTtlSec, (f) => mgr.setFenced(f), logger, monoClock);
  const reg = registration;
  const ops: HttpServer = await startOpsServer({
    host: o.host, port: o.httpPort, registry: metrics.registry,
    health: () => ({ ok: reg.registered && !closed, nodeId: o.nodeId, az: o.az, replicas: [...mgr.all()].length }),
  });
  await reg.register();

  return {
    nodeId: o.nodeId, grpcAddress, httpAddress, manager: mgr, metrics,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearInterval(tickTimer);
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
