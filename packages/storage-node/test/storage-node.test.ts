/**
 * Integration: a real etcd, three storage nodes in three AZs (in-process,
 * talking real gRPC over 127.0.0.1, each with its own LevelDB), shard
 * records written to etcd by the test (as the controller would), appends
 * through gRPC, every replica holding the same bytes, reads and seeks, a
 * follower restart and its catch-up, and the per-shard limits.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { encodeRecordBody } from '@shoal/core';
import { DEFAULT_ACCOUNT_ID, MetadataStore, type ShardRecord, type StreamRecord } from '@shoal/metadata';
import { startEtcd, waitUntil, type EtcdCluster } from '@shoal/testkit';
import {
  createLogger,
  type AppendShardsResponse__Output, type ReadResponse__Output, type ReplicaStatus__Output, type SeekResponse__Output, type ShardAppendResult__Output, type StatusResponse__Output, type StorageNodeClient,
} from '@shoal/wire';
import { startStorageNode, type StorageNodeHandle } from '../src/storage-node';
import { call, storageNodeClient } from './helpers/node-clients';

const BASE_DIR = '/tmp/h-storage';
const PREFIX = '/shoal-it/';
const STREAM_ID = 'it-stream-id';
const NODES = [
  { nodeId: 'a1', az: 'az-a', grpcPort: 24601, httpPort: 24701 },
  { nodeId: 'b1', az: 'az-b', grpcPort: 24602, httpPort: 24702 },
  { nodeId: 'c1', az: 'az-c', grpcPort: 24603, httpPort: 24703 },
] as const;

function shardRecord(shardId: string, shardIndex: number): ShardRecord {
  return {
    streamId: STREAM_ID, streamName: 'it-stream', shardId, shardIndex, hashKeyStart: '0', hashKeyEnd: '1',
    startingSequenceNumber: '0', createdMs: Date.now(), replicas: ['a1', 'b1', 'c1'], leader: 'a1', epoch: 1, isr: ['a1', 'b1', 'c1'],
  };
}

interface Rec { partition_key: string; data: Buffer }

/** The offsets of an OK result's committed records, in request order (compact results). */
function offsetsOf(res: ShardAppendResult__Output): number[] {
  const out: number[] = [];
  let t = 0;
  for (let i = 0, next = res.first_offset; i < res.result_count; i++) {
    if (res.throttled_indexes[t] === i) { t++; continue; }
    out.push(next++);
  }
  return out;
}
describe('storage-node (integration: etcd + 3 nodes over gRPC)', function () {
  this.timeout(30_000);
  let etcd: EtcdCluster;
  let dir: string;
  let store: MetadataStore;
  const nodes = new Map<string, StorageNodeHandle>();
  const clients = new Map<string, StorageNodeClient>();
  const logger = createLogger('it', {}, 'warn');
  const shard0 = { stream_id: STREAM_ID, shard_id: 'shardId-000000000000' };
  const shard1 = { stream_id: STREAM_ID, shard_id: 'shardId-000000000001' };
  /** Added to the nodes' wall clock (retention is tested by moving time, not by waiting). */
  let clockSkewMs = 0;

  const startNode = async (n: (typeof NODES)[number]): Promise<void> => {
    const dataDir = join(dir, n.nodeId);
    mkdirSync(dataDir, { recursive: true });
    nodes.set(n.nodeId, await startStorageNode({
      ...n, host: '127.0.0.1', dataDir, etcd: [etcd.endpoint], prefix: PREFIX, leaseTtlSec: 5, limitsOn: true, clock: () => Date.now() + clockSkewMs,
      logger: logger.child({ nodeId: n.nodeId }), onFatal: (err) => { throw err; },
    }));
  };
  const status = (id: string): Promise<StatusResponse__Output> => call(clients.get(id)!.Status.bind(clients.get(id)!), {});
  const appendShards = (id: string, items: Array<{ shard: typeof shard0; records: Rec[] }>): Promise<AppendShardsResponse__Output> =>
    call(clients.get(id)!.AppendShards.bind(clients.get(id)!), {
      shards: items.map((it) => ({ shard: it.shard, epoch: 0, records_body: encodeRecordBody(it.records.map((r) => ({ partitionKey: r.partition_key, data: r.data }))), record_count: it.records.length })),
    });
  const append = async (id: string, shard: typeof shard0, recs: Rec[]): Promise<ShardAppendResult__Output> => (await appendShards(id, [{ shard, records: recs }])).results[0]!;
  const read = (id: string, shard: typeof shard0, from: number, metered = false): Promise<ReadResponse__Output> =>
    call(clients.get(id)!.Read.bind(clients.get(id)!), { shard, from_offset: from, max_records: 10_000, max_bytes: 0, metered });
  const seek = (kind: 'SEEK_LATEST' | 'SEEK_TRIM_HORIZON' | 'SEEK_AT_TIMESTAMP', ts = 0): Promise<SeekResponse__Output> =>
    call(clients.get('a1')!.Seek.bind(clients.get('a1')!), { shard: shard0, kind, timestamp_ms: ts });
  const replicaStatus = async (id: string, shardId: string): Promise<ReplicaStatus__Output | undefined> =>
    (await status(id)).replicas.find((r) => r.shard?.shard_id === shardId);
  const logEnd = async (id: string, shardId: string): Promise<number> => (await replicaStatus(id, shardId))?.log_end_offset ?? -1;
  /** A follower learns the leader's high watermark with its next records, or alone a little later (HW_ONLY_SEND_DELAY_MS). */
  const highWatermark = async (id: string, shardId: string): Promise<number> => (await replicaStatus(id, shardId))?.high_watermark ?? -1;
  const records = (n: number, tag: string, bytes = 100): Rec[] =>
    Array.from({ length: n }, (_, i) => ({ partition_key: `${tag}-${i}`, data: Buffer.alloc(bytes, `${tag}${i}`) }));

  before(async () => {
    mkdirSync(BASE_DIR, { recursive: true });
    dir = mkdtempSync(join(BASE_DIR, 'it-'));
    etcd = await startEtcd();
    for (const n of NODES) await startNode(n);
    for (const n of NODES) clients.set(n.nodeId, storageNodeClient(n.grpcPort));
    store = new MetadataStore({ endpoints: [etcd.endpoint], prefix: PREFIX });
    await store.start();
    const puts = [shardRecord(shard0.shard_id, 0), shardRecord(shard1.shard_id, 1)].map((r) => ({ key: store.keys.shard(r.streamId, r.shardId), value: r }));
    assert.equal(await store.commit({ compare: [], puts }), true);
    for (const n of NODES) await waitUntil(`replicas open on ${n.nodeId}`, async () => (await status(n.nodeId)).replicas.length === 2);
  });

  after(async () => {
    for (const c of clients.values()) c.close();
    for (const n of nodes.values()) await n.close();
    await store?.close();
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends through the leader, group-committed, with contiguous offsets; one call carries several shards', async () => {
    const responses = await Promise.all([append('a1', shard0, records(200, 'x')), append('a1', shard0, records(100, 'y')), append('a1', shard0, records(1, 'z'))]);
    for (const r of responses) assert.equal(r.error, 'OK', r.error_message);
    assert.deepEqual(responses.map((r) => [r.result_count, r.throttled_indexes]), [[200, []], [100, []], [1, []]]);
    const offsets = responses.flatMap(offsetsOf).sort((a, b) => a - b);
    assert.deepEqual(offsets, Array.from({ length: 301 }, (_, i) => i));
    assert.equal(responses[0]!.epoch, 1);
    const both = await appendShards('a1', [{ shard: shard1, records: records(3, 'p', 10) }, { shard: shard0, records: records(2, 'q', 10) }]);
    assert.deepEqual(both.results.map((r) => [r.error, offsetsOf(r)]), [['OK', [0, 1, 2]], ['OK', [301, 302]]], 'one result per shard, in request order');
  });

  it('every replica holds the same records, and the leader reads them back', async () => {
    for (const id of ['b1', 'c1']) await waitUntil(`${id} to hold 303 records`, async () => (await read(id, shard0, 0)).high_watermark === 303);
    const leader = await read('a1', shard0, 0);
    assert.equal(leader.error, 'OK');
    assert.equal(leader.records.length, 303);
    assert.equal(leader.log_start_offset, 0);
    assert.equal(leader.last_arrival_ms, leader.records[302]!.arrival_ms);
    for (let i = 1; i < leader.records.length; i++) assert.ok(leader.records[i]!.arrival_ms >= leader.records[i - 1]!.arrival_ms, 'arrivals never decrease');
    const x0 = leader.records.find((r) => r.partition_key === 'x-0');
    assert.ok(x0 && x0.data.equals(Buffer.alloc(100, 'x0')));
    for (const id of ['b1', 'c1']) {
      const r = await read(id, shard0, 0);
      assert.deepEqual(r.records.map((x) => [x.offset, x.arrival_ms, x.partition_key, x.data.toString('hex')]),
        leader.records.map((x) => [x.offset, x.arrival_ms, x.partition_key, x.data.toString('hex')]));
    }
    const tail = await read('a1', shard0, 302);
    assert.deepEqual(tail.records.map((r) => r.offset), [302]);
    const none = await read('a1', shard0, 303);
    assert.deepEqual(none.records, []);
    assert.equal(none.high_watermark, 303);
  });

  it('seeks LATEST, TRIM_HORIZON and AT_TIMESTAMP', async () => {
    assert.equal((await seek('SEEK_LATEST')).offset, 303);
    assert.equal((await seek('SEEK_TRIM_HORIZON')).offset, 0);
    const all = await read('a1', shard0, 0);
    const ts = all.records[250]!.arrival_ms;
    const first = all.records.findIndex((r) => r.arrival_ms >= ts);
    assert.equal((await seek('SEEK_AT_TIMESTAMP', ts)).offset, first);
    assert.equal((await seek('SEEK_AT_TIMESTAMP', 0)).offset, 0);
    assert.equal((await seek('SEEK_AT_TIMESTAMP', Date.now() + 60_000)).offset, 303);
  });

  it('refuses appends on a follower and for an unknown shard', async () => {
    assert.equal((await append('b1', shard0, records(1, 'f'))).error, 'NOT_LEADER');
    assert.equal((await append('a1', { stream_id: STREAM_ID, shard_id: 'shardId-000000000099' }, records(1, 'u'))).error, 'SHARD_NOT_FOUND');
    assert.equal((await read('b1', shard0, 0, true)).error, 'NOT_LEADER');
  });

  it('a restarted follower catches up, and writes waiting on it then commit', async () => {
    const c1 = NODES[2];
    await nodes.get('c1')!.close();
    // c1 is still in the ISR, so this append waits for it (min over ISR).
    const pending = append('a1', shard0, records(50, 'r'));
    await new Promise((r) => setTimeout(r, 300));
    await startNode(c1);
    const res = await pending;
    assert.equal(res.error, 'OK', res.error_message);
    assert.deepEqual(offsetsOf(res), Array.from({ length: 50 }, (_, i) => 303 + i));
    await waitUntil('c1 caught up', async () => (await logEnd('c1', shard0.shard_id)) === 353);
    await waitUntil('c1 told the high watermark', async () => (await highWatermark('c1', shard0.shard_id)) === 353);
    const [a, c] = await Promise.all([read('a1', shard0, 0), read('c1', shard0, 0)]);
    assert.deepEqual(c.records.map((x) => x.data.toString('hex')), a.records.map((x) => x.data.toString('hex')));
    const leaderStatus = (await replicaStatus('a1', shard0.shard_id))!;
    assert.deepEqual(leaderStatus.follower_log_end, { b1: 353, c1: 353 });
  });

  it('throttles single records past 1000 records/s and metered reads past 5 calls/s', async () => {
    const res = await append('a1', shard1, records(1200, 't', 10));
    assert.equal(res.error, 'OK', res.error_message);
    const admitted = offsetsOf(res);
    assert.ok(res.throttled_indexes.every((i) => i >= 997), 'the first records of the second pass (less the 3 written before)');
    assert.ok(admitted.length >= 997 && admitted.length < 1100, `admitted ${admitted.length}`);
    assert.deepEqual(admitted, Array.from({ length: admitted.length }, (_, i) => 3 + i));
    const reads = await Promise.all(Array.from({ length: 7 }, () => read('a1', shard1, 0, true)));
    assert.ok(reads.some((r) => r.error === 'THROTTLED'), 'a 6th call in a second is throttled');
    // The leader's per-shard counts reach the controller by the typed ShardCounters call.
    const counters = await call(clients.get('a1')!.ShardCounters.bind(clients.get('a1')!), {});
    assert.equal(counters.node_id, 'a1');
    const counted = counters.shards.find((c) => c.shard?.stream_id === STREAM_ID && c.shard.shard_id === shard1.shard_id);
    assert.ok(counted, 'shard 1 has counts at its leader');
    assert.ok(counted.write_throttled_records >= 1200 - admitted.length, `throttled ${counted.write_throttled_records}`);
    assert.ok(counted.incoming_records >= admitted.length, `incoming ${counted.incoming_records}`);
    assert.ok(counted.incoming_bytes >= admitted.length * 10, `incoming bytes ${counted.incoming_bytes}`);
    assert.ok(counted.read_throttled_requests >= 1, `read throttled ${counted.read_throttled_requests}`);
    // Prometheus gets bounded internals only: no shard label.
    const metrics = await nodes.get('a1')!.metrics.registry.metrics();
    assert.match(metrics, /shoal_leader_shards\{isr_size="3"\} [1-9]/);
    assert.match(metrics, /shoal_storage_write_duration_seconds_count [1-9]/);
    assert.doesNotMatch(metrics, /shard_id=/);
  });

  it('follows a leader change: the new leader continues the log at the new epoch, the old one follows', async () => {
    const current = store.view.shard(STREAM_ID, shard0.shard_id)!;
    const moved: ShardRecord = { ...current.value, leader: 'b1', epoch: 2 };
    assert.equal(await store.commit({ compare: [{ key: store.keys.shard(STREAM_ID, shard0.shard_id), modRevision: current.modRevision }], puts: [{ key: store.keys.shard(STREAM_ID, shard0.shard_id), value: moved }] }), true);
    await waitUntil('b1 to lead epoch 2', async () => (await status('b1')).replicas.some((r) => r.shard?.shard_id === shard0.shard_id && r.role === 'leader' && r.epoch === 2));
    await waitUntil('a1 to follow', async () => (await status('a1')).replicas.some((r) => r.shard?.shard_id === shard0.shard_id && r.role === 'follower' && r.epoch === 2));
    const res = await append('b1', shard0, records(10, 'n'));
    assert.equal(res.error, 'OK', res.error_message);
    assert.equal(res.epoch, 2);
    assert.deepEqual(offsetsOf(res), Array.from({ length: 10 }, (_, i) => 353 + i));
    assert.equal((await append('a1', shard0, records(1, 'o'))).error, 'NOT_LEADER');
    for (const id of ['a1', 'c1']) await waitUntil(`${id} to hold the epoch-2 records`, async () => (await logEnd(id, shard0.shard_id)) === 363);
    await waitUntil('a1 told the high watermark', async () => (await highWatermark('a1', shard0.shard_id)) === 363);
    const [a, b] = await Promise.all([read('a1', shard0, 340), read('b1', shard0, 340)]);
    assert.deepEqual(a.records.map((x) => x.partition_key), b.records.map((x) => x.partition_key));
  });

  it('a leader handing over admits nothing (NOT_LEADER) until the handover ends, then appends again', async () => {
    const k = store.keys.shard(STREAM_ID, shard0.shard_id);
    const current = store.view.shard(STREAM_ID, shard0.shard_id)!;
    assert.equal(current.value.leader, 'b1');
    const handing: ShardRecord = { ...current.value, handoverTo: 'c1', handoverRequestedMs: Date.now() };
    assert.equal(await store.commit({ compare: [{ key: k, modRevision: current.modRevision }], puts: [{ key: k, value: handing }] }), true);
    await waitUntil('b1 to refuse appends', async () => (await append('b1', shard0, records(1, 'h'))).error === 'NOT_LEADER');
    const before = await logEnd('b1', shard0.shard_id);
    assert.equal((await append('b1', shard0, records(3, 'h'))).error, 'NOT_LEADER');
    assert.equal(await logEnd('b1', shard0.shard_id), before, 'nothing appended while handing over');
    const handed = store.view.shard(STREAM_ID, shard0.shard_id)!;
    const { handoverTo: _to, handoverRequestedMs: _at, ...aborted } = handed.value;
    assert.equal(await store.commit({ compare: [{ key: k, modRevision: handed.modRevision }], puts: [{ key: k, value: aborted }] }), true);
    await waitUntil('b1 to append again', async () => (await append('b1', shard0, records(1, 'h'))).error === 'OK');
    for (const id of ['a1', 'c1']) await waitUntil(`${id} to hold it`, async () => (await logEnd(id, shard0.shard_id)) === before + 1);
  });

  it('re-registers after its lease is lost, and leads again', async () => {
    const key = store.keys.node('b1');
    const before = await store.client.get(key).exec();
    const leaseId = before.kvs[0]!.lease;
    await store.client.leaseClient.leaseRevoke({ ID: leaseId });
    await waitUntil('b1 to register under a new lease', async () => {
      const now = await store.client.get(key).exec();
      return now.kvs.length === 1 && now.kvs[0]!.lease !== leaseId;
    });
    await waitUntil('b1 to take appends again', async () => (await append('b1', shard0, records(1, 'l'))).error === 'OK');
  });

  it('retention: records past the stream\'s retention leave every replica; TRIM_HORIZON and reads follow; a replica added later starts at the log start', async () => {
    const stream: StreamRecord = {
      accountId: DEFAULT_ACCOUNT_ID, region: 'us-east-1', streamName: 'it-stream', streamId: STREAM_ID, streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/it-stream',
      status: 'ACTIVE', mode: 'PROVISIONED', initialShardCount: 2, retentionPeriodHours: 24, createdMs: Date.now(), encryptionType: 'NONE', maxRecordSizeKiB: 1024, tags: {}, nextShardIndex: 2,
    };
    assert.equal(await store.commit({ compare: [], puts: [{ key: store.keys.stream(stream), value: stream }] }), true);
    const k = store.keys.shard(STREAM_ID, shard0.shard_id);
    const leader = store.view.shard(STREAM_ID, shard0.shard_id)!.value.leader;
    const end = await logEnd(leader, shard0.shard_id);
    for (const n of nodes.values()) n.driver.checkRetention();
    await new Promise((r) => setTimeout(r, 200));
    for (const id of NODES.map((n) => n.nodeId)) assert.equal((await read(id, shard0, 0)).log_start_offset, 0, `${id}: nothing is older than 24 hours yet`);
    clockSkewMs = 25 * 3_600_000;
    const fresh = await append(leader, shard0, records(2, 'fresh'));
    assert.equal(fresh.error, 'OK', fresh.error_message);
    assert.deepEqual(offsetsOf(fresh), [end, end + 1]);
    for (const id of NODES.map((n) => n.nodeId)) await waitUntil(`${id} holds the fresh records`, async () => (await read(id, shard0, 0)).high_watermark === end + 2);
    for (const n of nodes.values()) n.driver.checkRetention();
    for (const n of NODES) {
      const replica = nodes.get(n.nodeId)!.driver.get({ streamId: STREAM_ID, shardId: shard0.shard_id })!;
      await waitUntil(`${n.nodeId} trims`, async () => replica.reader.logStartOffset() === end);
      assert.deepEqual(await replica.log.batchesFrom(0, end, 1 << 30), [], `${n.nodeId}: no batch below the log start is left in its store`);
      assert.equal((await replica.log.load()).state.logStartOffset, end, `${n.nodeId}: the log start is stored`);
      const r = await read(n.nodeId, shard0, 0);
      assert.equal(r.error, 'OUT_OF_RANGE');
      assert.deepEqual((await read(n.nodeId, shard0, end)).records.map((x) => x.partition_key), ['fresh-0', 'fresh-1']);
    }
    assert.equal((await call(clients.get(leader)!.Seek.bind(clients.get(leader)!), { shard: shard0, kind: 'SEEK_TRIM_HORIZON', timestamp_ms: 0 }) as SeekResponse__Output).offset, end);
    // A follower whose log lies below the leader's log start (here: a new, empty replica) starts at it.
    const follower = NODES.map((n) => n.nodeId).find((id) => id !== leader)!;
    // Read-modify-write, again if the record moved on (or this view had not caught up) in between.
    const updateShard0 = async (change: (r: ShardRecord) => ShardRecord): Promise<void> => {
      await waitUntil('the shard record update commits', async () => {
        const current = store.view.shard(STREAM_ID, shard0.shard_id)!;
        return store.commit({ compare: [{ key: k, modRevision: current.modRevision }], puts: [{ key: k, value: change(current.value) }] });
      });
    };
    await updateShard0((r) => ({ ...r, replicas: r.replicas.filter((id) => id !== follower), isr: r.isr.filter((id) => id !== follower) }));
    await waitUntil(`${follower} drops its replica`, async () => nodes.get(follower)!.driver.get({ streamId: STREAM_ID, shardId: shard0.shard_id }) === undefined);
    await updateShard0((r) => ({ ...r, replicas: [...r.replicas, follower] }));
    await waitUntil(`${follower} rejoins the ISR`, async () => store.view.shard(STREAM_ID, shard0.shard_id)!.value.isr.includes(follower));
    const r = await read(follower, shard0, end);
    assert.deepEqual([r.log_start_offset, r.records.map((x) => x.partition_key)], [end, ['fresh-0', 'fresh-1']]);
  });

  it('reports a shard record applied only once its replica is open, and once it is removed', async () => {
    const ref = { streamId: STREAM_ID, shardId: 'shardId-000000000002' };
    const key = store.keys.shard(ref.streamId, ref.shardId);
    assert.equal(await store.commit({ compare: [], puts: [{ key, value: shardRecord(ref.shardId, 2) }] }), true);
    await store.waitFor((v) => v.shard(ref.streamId, ref.shardId) !== undefined, 5000);
    const created = store.view.shard(ref.streamId, ref.shardId)!.modRevision;
    for (const n of NODES) {
      await store.waitFor((v) => v.hasApplied(n.nodeId, created), 10_000);
      assert.ok(nodes.get(n.nodeId)!.driver.get(ref), `${n.nodeId} reported revision ${created} applied before opening the replica`);
    }
    assert.equal(await store.commit({ compare: [], deletes: [key] }), true);
    await store.waitFor((v) => v.shard(ref.streamId, ref.shardId) === undefined, 5000);
    const deleted = store.view.revision;
    for (const n of NODES) {
      await store.waitFor((v) => v.hasApplied(n.nodeId, deleted), 10_000);
      assert.equal(nodes.get(n.nodeId)!.driver.get(ref), undefined, `${n.nodeId} reported revision ${deleted} applied with the replica still open`);
    }
  });

  it('drops a replica and its data when the shard record disappears', async () => {
    assert.equal(await store.commit({ compare: [], deletes: [store.keys.shard(STREAM_ID, shard1.shard_id)] }), true);
    for (const n of NODES) await waitUntil(`${n.nodeId} to drop shard 1`, async () => (await status(n.nodeId)).replicas.length === 1);
    assert.equal((await read('a1', shard1, 0)).error, 'SHARD_NOT_FOUND');
  });
});
