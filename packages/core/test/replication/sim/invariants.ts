/**
 * The safety invariants of replication, checked by the simulation after
 * every step. Each returns a description of the violation, or undefined.
 */
import type { AckEvent, ClusterSim } from './cluster-sim';
import { SIM_LEASE_TTL_MS } from './cluster-sim';
import { MIN_INSYNC_REPLICAS } from '../../../src/limits';

export class InvariantChecker {
  /** offset -> value of every acknowledged record. */
  private readonly acked = new Map<number, number>();
  /** offset -> value of every record some replica saw committed (below its hw). */
  private readonly committed: number[] = [];
  private lastEpoch = 0;
  /** node|epoch -> highest hw seen while that node led that epoch. */
  private readonly leaderHw = new Map<string, number>();

  constructor(private readonly sim: ClusterSim) {
    sim.onAck = (e) => { const v = this.onAck(e); if (v) throw new Error(`invariant violated at ack: ${v}`); };
  }

  /** Called when a leader acknowledges a record: it must be held by at least MIN_INSYNC_REPLICAS persisted logs, under a valid lease. */
  private onAck(e: AckEvent): string | undefined {
    const prev = this.acked.get(e.offset);
    if (prev !== undefined && prev !== e.value) return `offset ${e.offset} acknowledged as ${prev} and then as ${e.value}`;
    this.acked.set(e.offset, e.value);
    let holders = 0;
    for (const n of this.sim.nodes.values()) if (this.sim.values(n)[e.offset] === e.value) holders++;
    if (holders < MIN_INSYNC_REPLICAS) return `offset ${e.offset} acknowledged with ${holders} replica(s) holding it`;
    const leader = this.sim.node(e.node);
    if (this.sim.nowMs >= leader.lastRenewMs + SIM_LEASE_TTL_MS) return `${e.node} acknowledged with an expired lease`;
    return undefined;
  }

  /** Every invariant over the current state. */
  check(): string | undefined {
    const sim = this.sim;
    const r = sim.record;
    if (r.epoch < this.lastEpoch) return `etcd epoch went back from ${this.lastEpoch} to ${r.epoch}`;
    this.lastEpoch = r.epoch;
    const logs = new Map([...sim.nodes.values()].map((n) => [n.id, sim.values(n)]));
    // No acknowledged record lost or changed: every etcd ISR member (any electable replica) holds it.
    for (const id of r.isr) {
      const log = logs.get(id)!;
      for (const [offset, value] of this.acked) {
        if (log[offset] !== value) return `ISR member ${id} lacks acknowledged offset ${offset}=${value} (has ${log[offset]})`;
      }
    }
    for (const n of sim.nodes.values()) {
      if (!n.up) continue;
      const m = n.machine;
      const log = logs.get(n.id)!;
      if (log.length !== m.logEndOffset()) return `${n.id} log has ${log.length} records, machine says ${m.logEndOffset()}`;
      // Committed prefixes agree on every replica.
      for (let o = 0; o < m.highWatermark(); o++) {
        const c = this.committed[o];
        if (c === undefined) this.committed[o] = log[o]!;
        else if (c !== log[o]) return `${n.id} has ${log[o]} at committed offset ${o}, another replica committed ${c}`;
      }
      if (m.role() === 'leader' && m.mayAcknowledge(sim.nowMs)) {
        const key = `${n.id}|${m.epoch()}`;
        const prev = this.leaderHw.get(key) ?? 0;
        if (m.highWatermark() < prev) return `leader ${n.id} hw went back from ${prev} to ${m.highWatermark()} in epoch ${m.epoch()}`;
        this.leaderHw.set(key, m.highWatermark());
      }
    }
    return undefined;
  }

  ackedCount(): number { return this.acked.size; }
}
