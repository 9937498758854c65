/**
 * A deterministic simulation of one shard: three replicas (ReplicaMachine
 * plus a model of the storage node's driver: persist, then send, then
 * acknowledge), a network that delays, drops, duplicates, reorders and
 * partitions messages, crashes and restarts (in-memory state lost, the
 * persisted log and state kept), pauses (SIGSTOP), node leases, and an
 * etcd + controller model: the controller fails over only to live ISR
 * members with an epoch bump, moves leadership on request by a handover
 * (the leader stops admitting appends once it sees the handover in the
 * record; HANDOVER_DRAIN_MS later the target, if still a live ISR member,
 * leads at epoch + 1), and the leader's ISR changes are applied with a
 * compare-and-swap on the record version. Invariants (invariants.ts) are
 * checked after every step; everything is driven by one seeded Rng.
 */
import { ReplicaMachine, type AppendAck, type AppendMessage, type IsrProposal, type ReplicaConfig } from '../../../src/replication/replica-machine';
import { type Rng } from './rng';

export const SIM_LEASE_TTL_MS = 2_000;
const NET_DELAY_MS_MAX = 40;
/** The controller's wait between starting a handover and the epoch bump (controller HANDOVER_DRAIN_MS). */
const HANDOVER_DRAIN_MS = 100;

/** A persisted batch with its records' values (unique ints per produced record). */
export interface SimBatch {
  readonly epoch: number;
  readonly firstOffset: number;
  readonly values: readonly number[];
}

export interface SimNode {
  readonly id: string;
  up: boolean;
  paused: boolean;
  machine: ReplicaMachine;
  /** The persisted log (survives crashes). */
  log: SimBatch[];
  persisted: ReturnType<ReplicaMachine['persisted']>;
  /** Send time of the last lease renewal that reached etcd. */
  lastRenewMs: number;
  waiters: Array<{ endOffset: number; offsets: number[]; values: number[] }>;
  /** Driver state: the record this leader last saw hands its leadership over (admit nothing). */
  handingOver: boolean;
}

type Packet =
  | { kind: 'append'; from: string; to: string; at: number; msg: AppendMessage; batches: SimBatch[] }
  | { kind: 'ack'; from: string; to: string; at: number; ack: AppendAck }
  | { kind: 'isr'; from: string; to: 'etcd'; at: number; proposal: IsrProposal };

export interface AckEvent { readonly node: string; readonly offset: number; readonly value: number; readonly epoch: number }

export class ClusterSim {
  nowMs = 1_000;
  readonly nodes = new Map<string, SimNode>();
  record: ReplicaConfig;
  /** A planned leader move in progress (part of the shard record in etcd). */
  handover: { readonly to: string; readonly atMs: number } | undefined;
  net: Packet[] = [];
  /** Pairs that cannot talk ('a|b' sorted; 'a|etcd' for a node cut from etcd). */
  readonly cut = new Set<string>();
  readonly trace: string[] = [];
  readonly acks: AckEvent[] = [];
  private nextValue = 1;
  onAck: (e: AckEvent) => void = () => undefined;

  constructor(readonly ids: readonly string[], readonly rng: Rng, readonly traceOn = true) {
    this.record = { epoch: 1, leader: ids[0]!, replicas: ids, isr: ids, version: 1 };
    for (const id of ids) {
      const persisted = { epoch: 0, logStartOffset: 0, logEndOffset: 0, highWatermark: 0, epochCache: [] };
      const node: SimNode = { id, up: true, paused: false, machine: new ReplicaMachine(id, persisted), log: [], persisted, lastRenewMs: this.nowMs, waiters: [], handingOver: false };
      this.nodes.set(id, node);
      node.machine.applyConfig(this.record, this.nowMs);
    }
    for (const id of ids) this.drive(this.node(id));
  }

  node(id: string): SimNode { return this.nodes.get(id)!; }
  log(msg: string): void { if (this.traceOn) this.trace.push(`t=${this.nowMs} ${msg}`); }
  values(n: SimNode): number[] { return n.log.flatMap((b) => b.values); }
  private connected(a: string, b: string): boolean { return !this.cut.has([a, b].sort().join('|')); }
  private active(n: SimNode): boolean { return n.up && !n.paused; }

  // ---- the driver model ------------------------------------------------------

  /** One driver-loop iteration on `n`: lease, sends, ISR proposals, acknowledgements, persistence. */
  drive(n: SimNode): void {
    if (!this.active(n)) return;
    const m = n.machine;
    m.setLeaseUntil(n.lastRenewMs + SIM_LEASE_TTL_MS);
    for (let round = 0; round < 32; round++) {
      const sends = m.sendsDue(this.nowMs);
      if (sends.length === 0) break;
      for (const s of sends) {
        const batches = n.log.filter((b) => b.firstOffset >= s.fromOffset && b.firstOffset < s.maxEndOffset).slice(0, 4);
        const last = batches[batches.length - 1];
        const end = last ? last.firstOffset + last.values.length : s.fromOffset;
        const msg: AppendMessage = {
          epoch: s.epoch, startOffset: s.fromOffset, prevEpoch: s.prevEpoch, leaderHw: s.leaderHw,
          batches: batches.map((b) => ({ epoch: b.epoch, firstOffset: b.firstOffset, count: b.values.length })),
          ...(s.truncate ? { truncate: s.truncate } : {}),
        };
        this.send({ kind: 'append', from: n.id, to: s.to, at: this.nowMs, msg, batches });
        m.sent(s.to, s.fromOffset, end, this.nowMs);
      }
    }
    const proposal = m.isrChangeDue(this.nowMs);
    if (proposal) {
      this.log(`${n.id} proposes isr [${proposal.isr.join(',')}] on v${proposal.baseVersion}`);
      this.send({ kind: 'isr', from: n.id, to: 'etcd', at: this.nowMs, proposal });
    }
    this.settle(n);
    n.persisted = m.persisted();
  }

  private settle(n: SimNode): void {
    const m = n.machine;
    if (m.appendRefusal(this.nowMs) === 'NOT_LEADER' && n.waiters.length > 0) {
      this.log(`${n.id} fails ${n.waiters.length} waiting appends (not leader)`);
      n.waiters = [];
      return;
    }
    if (!m.mayAcknowledge(this.nowMs)) return;
    while (n.waiters.length > 0 && n.waiters[0]!.endOffset <= m.highWatermark()) {
      const w = n.waiters.shift()!;
      this.log(`${n.id} acks offsets ${w.offsets[0]}..${w.offsets[w.offsets.length - 1]} (hw ${m.highWatermark()})`);
      w.offsets.forEach((offset, i) => {
        const e = { node: n.id, offset, value: w.values[i]!, epoch: m.epoch() };
        this.acks.push(e);
        this.onAck(e);
      });
    }
  }

  private send(p: Packet): void {
    this.net.push({ ...p, at: this.nowMs + this.rng.int(NET_DELAY_MS_MAX) });
  }

  // ---- actions -------------------------------------------------------------

  /** A producer writes `count` records to whichever node believes it leads. */
  produce(count: number): void {
    for (const n of this.nodes.values()) {
      if (!this.active(n) || n.machine.role() !== 'leader') continue;
      if (n.handingOver) { this.log(`${n.id} refuses append: handing over`); continue; }
      n.machine.setLeaseUntil(n.lastRenewMs + SIM_LEASE_TTL_MS);
      const refusal = n.machine.appendRefusal(this.nowMs);
      if (refusal) { this.log(`${n.id} refuses append: ${refusal}`); continue; }
      const firstOffset = n.machine.logEndOffset();
      const values = Array.from({ length: count }, () => this.nextValue++);
      const batch: SimBatch = { epoch: n.machine.epoch(), firstOffset, values };
      n.log.push(batch);
      n.machine.leaderAppended({ epoch: batch.epoch, firstOffset, count }, this.nowMs);
      n.waiters.push({ endOffset: firstOffset + count, offsets: values.map((_, i) => firstOffset + i), values });
      this.log(`${n.id} appends ${firstOffset}+${count} e${batch.epoch} [${values.join(',')}]`);
      this.drive(n);
    }
  }

  /** Delivers packet `i` of the network (or drops it if its path is cut or its target is down). */
  deliver(i: number): void {
    const [p] = this.net.splice(i, 1);
    if (!p) return;
    if (!this.connected(p.from, p.to)) return;
    if (p.kind === 'isr') { this.applyIsr(p.from, p.proposal); return; }
    const target = this.node(p.to);
    if (!target.up) return;
    if (target.paused) { this.net.push(p); return; } // waits in the socket buffer
    if (p.kind === 'ack') {
      target.machine.onAck(p.from, p.ack, this.nowMs);
      this.log(`${p.from}->${p.to} ack ${p.ack.error} e${p.ack.epoch} end=${p.ack.logEndOffset} last=e${p.ack.lastEpoch}`);
      this.drive(target);
      return;
    }
    const ack = this.follow(target, p.msg, p.batches);
    this.log(`${p.from}->${p.to} append ${p.msg.startOffset}+${p.batches.length}b e${p.msg.epoch}${p.msg.truncate ? ` trunc(e${p.msg.truncate.epoch}@${p.msg.truncate.endOffset})` : ''} -> ${ack.error} end=${ack.logEndOffset}`);
    this.send({ kind: 'ack', from: p.to, to: p.from, at: this.nowMs, ack });
    this.drive(target);
  }

  /** The follower side of the driver: truncate if told, persist accepted batches, then ack. */
  private follow(n: SimNode, msg: AppendMessage, batches: SimBatch[]): AppendAck {
    for (let round = 0; round < 64; round++) {
      const check = n.machine.checkAppend(msg);
      if (check.action === 'reject') return check.ack;
      if (check.action === 'append') {
        n.log.push(...batches);
        return n.machine.followerAppended(msg);
      }
      // Batch granularity: cut at the start of the batch holding toOffset.
      const keep = n.log.filter((b) => b.firstOffset + b.values.length <= check.toOffset);
      const to = keep.length > 0 ? keep[keep.length - 1]!.firstOffset + keep[keep.length - 1]!.values.length : n.machine.logStartOffset();
      this.log(`${n.id} truncates ${n.machine.logEndOffset()} -> ${to} (asked ${check.toOffset})`);
      n.machine.truncated(to);
      n.log = keep;
    }
    throw new Error('truncation did not converge');
  }

  /** etcd: the leader's ISR change, applied only if the record is still at the version it read. */
  private applyIsr(from: string, p: IsrProposal): void {
    const r = this.record;
    if (r.version !== p.baseVersion || r.epoch !== p.epoch || r.leader !== from) { this.log(`etcd rejects isr change of ${from} (v${p.baseVersion} vs v${r.version})`); return; }
    this.setRecord({ ...r, isr: p.isr });
  }

  private setRecord(r: Omit<ReplicaConfig, 'version'>): void {
    this.record = { ...r, version: this.record.version + 1 };
    this.log(`etcd v${this.record.version}: e${r.epoch} leader ${r.leader} isr [${r.isr.join(',')}]`);
  }

  /** Time passes: leases renew where etcd is reachable, the controller acts, machines tick, watches deliver. */
  advance(ms: number): void {
    this.nowMs += ms;
    for (const n of this.nodes.values()) {
      if (this.active(n) && this.connected(n.id, 'etcd')) n.lastRenewMs = this.nowMs;
    }
    this.controller();
    for (const n of this.nodes.values()) {
      if (!this.active(n)) continue;
      n.machine.tick(this.nowMs);
      if (this.connected(n.id, 'etcd')) this.applyRecord(n);
      this.drive(n);
    }
  }

  /** A node's watch delivers the record: the machine's config, and the driver's handover flag. */
  private applyRecord(n: SimNode): void {
    n.machine.applyConfig(this.record, this.nowMs);
    n.handingOver = this.handover !== undefined && this.record.leader === n.id;
  }

  /** An operator's (or the rebalancer's) leader move to `to`: starts a handover if `to` is another ISR member. */
  moveLeader(to: string): void {
    const r = this.record;
    if (this.handover || to === r.leader || !r.isr.includes(to)) return;
    this.handover = { to, atMs: this.nowMs };
    this.setRecord({ ...r });
    this.log(`handover ${r.leader} -> ${to} requested`);
  }

  /** The controller's side of a handover; true if it wrote the record. */
  private handoverStep(live: ReadonlySet<string>): boolean {
    const h = this.handover;
    if (!h) return false;
    const r = this.record;
    if (!live.has(r.leader) || !live.has(h.to) || !r.isr.includes(h.to)) {
      this.handover = undefined; // failover (dead leader) or abort (target gone)
      this.setRecord({ ...r });
      return true;
    }
    if (this.nowMs - h.atMs < HANDOVER_DRAIN_MS) return false;
    this.handover = undefined;
    this.setRecord({ ...r, leader: h.to, epoch: r.epoch + 1 });
    return true;
  }

  /** The controller: fail over from a leader whose lease expired, shrink dead followers out of the ISR. */
  private controller(): void {
    const live = new Set([...this.nodes.values()].filter((n) => this.nowMs - n.lastRenewMs < SIM_LEASE_TTL_MS).map((n) => n.id));
    if (this.handoverStep(live)) return;
    const r = this.record;
    const liveIsr = r.isr.filter((id) => live.has(id));
    if (live.has(r.leader) && liveIsr.length === r.isr.length) return;
    if (live.has(r.leader)) { this.setRecord({ ...r, isr: liveIsr }); return; }
    if (liveIsr.length === 0) return;
    const leader = this.rng.pick(liveIsr);
    this.setRecord({ ...r, leader, epoch: r.epoch + 1, isr: liveIsr });
  }

  crash(id: string): void {
    const n = this.node(id);
    n.up = false;
    n.paused = false;
    n.waiters = [];
    this.net = this.net.filter((p) => p.to !== id && p.from !== id);
    this.log(`crash ${id}`);
  }

  restart(id: string): void {
    const n = this.node(id);
    n.up = true;
    n.handingOver = false;
    n.machine = new ReplicaMachine(id, n.persisted);
    n.lastRenewMs = this.connected(id, 'etcd') ? this.nowMs : n.lastRenewMs;
    if (this.connected(id, 'etcd')) this.applyRecord(n);
    for (const other of this.nodes.values()) if (other !== n && this.active(other)) other.machine.followerDisconnected(id, this.nowMs);
    this.log(`restart ${id} (log end ${n.machine.logEndOffset()}, hw ${n.machine.highWatermark()}, e${n.machine.epoch()})`);
    this.drive(n);
  }

  pause(id: string): void { this.node(id).paused = true; this.log(`pause ${id}`); }
  resume(id: string): void { const n = this.node(id); n.paused = false; this.log(`resume ${id}`); this.drive(n); }

  /** Cuts `id` from every other node and from etcd. */
  isolate(id: string): void {
    for (const other of [...this.ids, 'etcd']) if (other !== id) this.cut.add([id, other].sort().join('|'));
    this.log(`isolate ${id}`);
  }

  heal(): void { this.cut.clear(); this.log('heal'); }

  /** Delivers everything deliverable, oldest first, up to `max` packets. */
  deliverAll(max = 10_000): void {
    for (let i = 0; i < max; i++) {
      const idx = this.net.findIndex((p) => p.to === 'etcd' || this.active(this.node(p.to)));
      if (idx < 0) return;
      this.deliver(idx);
    }
  }

  leader(): SimNode { return this.node(this.record.leader); }
}
