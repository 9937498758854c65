/**
 * The safety invariants of replication, checked by the simulation after
 * every step against the real nodes' stores and replicas. Each failure is
 * a description; the run stops at the first.
 *
 * - An acknowledged offset is never acknowledged with another value, and
 *   only while the acknowledging leader's lease was valid.
 * - Every member of the ISR in etcd (any replica that could be elected)
 *   holds every acknowledged record in its store; at least
 *   MIN_INSYNC_REPLICAS stores hold each.
 * - Committed prefixes (below each replica's readable high watermark) agree.
 * - etcd's epoch never goes back; a leader's high watermark never goes back
 *   within its epoch.
 */
import { RecordBatch, limits } from '@shoal/core';
import { keyLayout, type Kv } from '@shoal/storage-node';
import type { AckedRecord, SimCluster } from './sim-cluster';
import { SIM_LEASE_TTL_MS, SIM_SHARD_ID, SIM_STREAM_ID } from './sim-etcd';

const REF = keyLayout.refOf({ streamId: SIM_STREAM_ID, shardId: SIM_SHARD_ID });

/**
 * The values a node's store holds, by offset: the batches the index names
 * whose data is written (a write in flight, index before data, ends it).
 */
/** Values of each stored batch (a data value never changes under its key: parse and CRC-check it once). */
const parsedValues = new WeakMap<Buffer, ReadonlyArray<readonly [number, number]>>();

function batchValues(bytes: Buffer, first: number): ReadonlyArray<readonly [number, number]> {
  let values = parsedValues.get(bytes);
  if (!values) {
    const batch = RecordBatch.parse(bytes, true);
    if (typeof batch === 'string') throw new Error(`stored batch at ${first} does not parse: ${batch}`);
    values = [...batch.records()].map((r) => [r.offset, r.data.readUInt32BE(0)] as const);
    parsedValues.set(bytes, values);
  }
  return values;
}

export async function storedValues(index: Kv, data: Kv): Promise<number[]> {
  const out: number[] = [];
  const locs: Array<{ seq: number; first: number }> = [];
  for await (const [key, value] of index.entries(keyLayout.index.batches(REF))) {
    const loc = keyLayout.decodeLocation(value);
    if (loc) locs.push({ seq: loc.seq, first: keyLayout.index.offsetOf(key) });
  }
  const values = await data.getMany(locs.map((l) => keyLayout.data.key(l.seq)));
  for (const [i, bytes] of values.entries()) {
    if (!bytes) break;
    for (const [offset, value] of batchValues(bytes, locs[i]!.first)) out[offset] = value;
  }
  return out;
}

export class SimInvariants {
  private readonly acked = new Map<number, number>();
  private readonly committed: number[] = [];
  private lastEpoch = 0;
  private readonly leaderHw = new Map<string, number>();
  private atAck: string | undefined;

  constructor(private readonly cluster: SimCluster) {
    cluster.onAck = (a) => { this.atAck ??= this.onAck(a); };
  }

  ackedCount(): number { return this.acked.size; }

  private onAck(a: AckedRecord): string | undefined {
    const prev = this.acked.get(a.offset);
    if (prev !== undefined && prev !== a.value) return `offset ${a.offset} acknowledged as ${prev} and then as ${a.value}`;
    this.acked.set(a.offset, a.value);
    const renewed = this.cluster.etcd.renewedMs.get(a.node) ?? 0;
    if (this.cluster.world.nowMs >= renewed + SIM_LEASE_TTL_MS) return `${a.node} acknowledged offset ${a.offset} with an expired lease`;
    return undefined;
  }

  async check(): Promise<string | undefined> {
    if (this.atAck) return this.atAck;
    const c = this.cluster;
    const r = c.etcd.record.value;
    if (r.epoch < this.lastEpoch) return `etcd epoch went back from ${this.lastEpoch} to ${r.epoch}`;
    this.lastEpoch = r.epoch;
    const logs = new Map<string, number[]>();
    for (const n of c.nodes.values()) logs.set(n.id, await storedValues(n.index, n.data));
    for (const id of r.isr) {
      const log = logs.get(id)!;
      for (const [offset, value] of this.acked) {
        if (log[offset] !== value) return `ISR member ${id} lacks acknowledged offset ${offset}=${value} (has ${log[offset]})`;
      }
    }
    for (const [offset, value] of this.acked) {
      const holders = [...logs.values()].filter((log) => log[offset] === value).length;
      if (holders < limits.MIN_INSYNC_REPLICAS) return `acknowledged offset ${offset}=${value} held by ${holders} store(s)`;
    }
    for (const n of c.nodes.values()) {
      const replica = n.up ? n.driver?.get({ streamId: SIM_STREAM_ID, shardId: SIM_SHARD_ID }) : undefined;
      if (!replica) continue;
      const log = logs.get(n.id)!;
      const hw = replica.reader.highWatermark();
      for (let o = replica.reader.logStartOffset(); o < hw; o++) {
        const v = log[o];
        if (v === undefined) return `${n.id} lacks committed offset ${o} (hw ${hw}) in its store`;
        const seen = this.committed[o];
        if (seen === undefined) this.committed[o] = v;
        else if (seen !== v) return `${n.id} has ${v} at committed offset ${o}, another replica committed ${seen}`;
      }
      const m = replica.machine;
      if (m.role() === 'leader' && m.mayAcknowledge(c.world.nowMs)) {
        const key = `${n.id}|${m.epoch()}`;
        const prev = this.leaderHw.get(key) ?? 0;
        if (m.highWatermark() < prev) return `leader ${n.id} hw went back from ${prev} to ${m.highWatermark()} in epoch ${m.epoch()}`;
        this.leaderHw.set(key, m.highWatermark());
      }
    }
    return undefined;
  }
}
