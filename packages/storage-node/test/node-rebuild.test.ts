/**
 * Integration (real etcd, three in-process storage nodes over gRPC, real
 * LevelDB): a follower whose database is corrupt at start discards it,
 * leaves the ISR before it registers, never leads, catches up from the
 * leader, is re-added to the ISR by the leader, and serves the leader's
 * exact records; the corrupt bytes are never read back.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { encodeRecordBody } from '@shoal/core';
import { MetadataStore, type ShardRecord } from '@shoal/metadata';
import { startEtcd, waitUntil, type EtcdCluster } from '@shoal/testkit';
import {
  createLogger, type ReadResponse__Output, type ReplicaStatus__Output, type StatusResponse__Output, type StorageNodeClient,
} from '@shoal/wire';
import { startStorageNode, type StorageNodeHandle } from '../src/storage-node';
import { rebuildMarker } from '../src/node-db';
import { call, storageNodeClient } from './helpers/node-clients';

const BASE_DIR = '/tmp/h-storage';
const PREFIX = '/shoal-rebuild/';
const STREAM_ID = 'rebuild-stream-id';
const SHARD_ID = 'shardId-000000000000';
const NODES = [
  { nodeId: 'a1', az: 'az-a', grpcPort: 29392, httpPort: 29395 },
  { nodeId: 'b1', az: 'az-b', grpcPort: 29393, httpPort: 29396 },
  { nodeId: 'c1', az: 'az-c', grpcPort: 29394, httpPort: 29397 },
] as const;
/** How long the nodes get to open, catch up or rejoin. */
const SETTLE_MS = 20_000;

describe('storage-node rebuild after corruption (integration: etcd + 3 nodes)', function () {
  this.timeout(60_000);
  let etcd: EtcdCluster;
  let dir: string;
  let store: MetadataStore;
  const nodes = new Map<string, StorageNodeHandle>();
  const clients = new Map<string, StorageNodeClient>();
  const logger = createLogger('it', {}, 'warn');
  const shard = { stream_id: STREAM_ID, shard_id: SHARD_ID };

  const startNode = async (n: (typeof NODES)[number]): Promise<void> => {
    const dataDir = join(dir, n.nodeId);
    mkdirSync(dataDir, { recursive: true });
    nodes.set(n.nodeId, await startStorageNode({
      ...n, host: '127.0.0.1', dataDir, etcd: [etcd.endpoint], prefix: PREFIX, leaseTtlSec: 5, limitsOn: false,
      logger: logger.child({ nodeId: n.nodeId }), onFatal: (err) => { throw err; },
    }));
  };
  const client = (id: string): StorageNodeClient => clients.get(id)!;
  const status = (id: string): Promise<StatusResponse__Output> => call(client(id).Status.bind(client(id)), {});
  const replicaStatus = async (id: string): Promise<ReplicaStatus__Output | undefined> => (await status(id)).replicas.find((r) => r.shard?.shard_id === SHARD_ID);
  const logEnd = async (id: string): Promise<number> => (await replicaStatus(id))?.log_end_offset ?? -1;
  const highWatermark = async (id: string): Promise<number> => (await replicaStatus(id))?.high_watermark ?? -1;
  const read = (id: string): Promise<ReadResponse__Output> =>
    call(client(id).Read.bind(client(id)), { shard, from_offset: 0, max_records: 10_000, max_bytes: 0, metered: false });
  const body = (n: number, tag: string): Buffer =>
    encodeRecordBody(Array.from({ length: n }, (_, k) => ({ partitionKey: `${tag}-${k}`, data: Buffer.alloc(300, `${tag}${k}`) })));
  const record = (): ShardRecord => store.view.shard(STREAM_ID, SHARD_ID)!.value;

  before(async () => {
    mkdirSync(BASE_DIR, { recursive: true });
    dir = mkdtempSync(join(BASE_DIR, 'rebuild-'));
    etcd = await startEtcd();
    for (const n of NODES) await startNode(n);
    for (const n of NODES) clients.set(n.nodeId, storageNodeClient(n.grpcPort));
    store = new MetadataStore({ endpoints: [etcd.endpoint], prefix: PREFIX });
    await store.start();
    const value: ShardRecord = {
      streamId: STREAM_ID, streamName: 'rebuild-stream', shardId: SHARD_ID, shardIndex: 0, hashKeyStart: '0', hashKeyEnd: '1',
      startingSequenceNumber: '0', createdMs: Date.now(), replicas: ['a1', 'b1', 'c1'], leader: 'a1', epoch: 1, isr: ['a1', 'b1', 'c1'],
    };
    assert.equal(await store.commit({ compare: [], puts: [{ key: store.keys.shard(STREAM_ID, SHARD_ID), value }] }), true);
    for (const n of NODES) await waitUntil(`replica open on ${n.nodeId}`, async () => (await status(n.nodeId)).replicas.length === 1, SETTLE_MS);
  });

  after(async () => {
    for (const c of clients.values()) c.close();
    for (const n of nodes.values()) await n.close();
    await store?.close();
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a follower restarted on a corrupt database leaves the ISR, never leads, catches up and rejoins', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await call(client('a1').AppendShards.bind(client('a1')), { shards: [{ shard, records_body: body(20, `r${i}`), record_count: 20, epoch: 0 }] });
      assert.equal(res.results[0]!.error, 'OK');
    }
    await waitUntil('c1 holds all 100 records', async () => (await logEnd('c1')) === 100, SETTLE_MS);
    await nodes.get('c1')!.close();
    nodes.delete('c1');
    // Flip one bit inside a stored batch of c1 (its CRC no longer matches).
    const db = new Level<string, Buffer>(join(dir, 'c1', 'leveldb', 'data'), { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    await db.open();
    for await (const [key, value] of db.iterator({ gte: '0', lt: '1', limit: 1 })) {
      const bad = Buffer.from(value);
      bad[bad.length - 5] ^= 0x10;
      await db.put(key, bad);
    }
    await db.close();

    const seen: ShardRecord[] = [];
    const unsubscribe = store.onChange((c) => { if (c.kind === 'shard' && c.value) seen.push(c.value.value); });
    try {
      await startNode(NODES[2]);
      assert.ok(!record().isr.includes('c1') || (await logEnd('c1')) === 100, 'registered only out of the ISR (or already caught up)');
      assert.ok(existsSync(join(dir, 'c1', 'leveldb.corrupt')), 'the corrupt database was set aside');
      assert.ok(!existsSync(rebuildMarker(join(dir, 'c1'))), 'the withdrawal finished');
      await waitUntil('c1 back in the ISR', () => record().isr.includes('c1'), SETTLE_MS);
      assert.equal(await logEnd('c1'), 100, 'the leader re-added c1 only once it held everything');
    } finally {
      unsubscribe();
    }
    assert.ok(seen.some((r) => !r.isr.includes('c1')), 'c1 left the ISR');
    assert.ok(seen.every((r) => r.leader === 'a1'), 'c1 never led');
    // A follower reads up to its own high watermark, which the leader tells it a little later (HW_ONLY_SEND_DELAY_MS).
    await waitUntil('c1 told the high watermark', async () => (await highWatermark('c1')) === 100, SETTLE_MS);
    const [fromLeader, fromRebuilt] = [await read('a1'), await read('c1')];
    assert.equal(fromRebuilt.records.length, 100);
    assert.deepEqual(fromRebuilt.records.map((r) => Buffer.from(r.data).toString('hex')), fromLeader.records.map((r) => Buffer.from(r.data).toString('hex')));
  });
});
