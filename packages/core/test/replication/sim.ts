/**
 * A deterministic in-memory harness for ReplicaMachine scenarios: each
 * replica has a log of batch positions; the network is a FIFO queue per
 * direction that a scenario delivers, drops or reorders; time is a number.
 */
import { ReplicaMachine, type AppendAck, type AppendMessage, type BatchPosition, type ReplicaConfig } from '../../src/replication/replica-machine';

export type Packet =
  | { kind: 'append'; from: string; to: string; msg: AppendMessage; sendSeq: number }
  | { kind: 'ack'; from: string; to: string; ack: AppendAck };

export class Sim {
  nowMs = 1_000;
  readonly machines = new Map<string, ReplicaMachine>();
  readonly logs = new Map<string, BatchPosition[]>();
  net: Packet[] = [];
  readonly trace: string[] = [];
  /** Whether acks carry the sendSeq of the append they answer (as the storage nodes' transport does). */
  echoSendSeq = true;

  constructor(readonly ids: readonly string[], public config: ReplicaConfig) {
    for (const id of ids) {
      this.logs.set(id, []);
      const m = new ReplicaMachine(id, { epoch: 0, logStartOffset: 0, logEndOffset: 0, highWatermark: 0, epochCache: [] });
      m.setLeaseUntil(Infinity); // leases are the cluster simulation's business (sim/)
      this.machines.set(id, m);
    }
    this.applyConfig(config);
  }

  m(id: string): ReplicaMachine { return this.machines.get(id)!; }
  log(id: string): BatchPosition[] { return this.logs.get(id)!; }

  applyConfig(config: ReplicaConfig): void {
    this.config = config;
    for (const m of this.machines.values()) m.applyConfig(config, this.nowMs);
  }

  /** The leader appends a batch of `count`; returns the refusal if any. */
  append(count: number): string | undefined {
    const leader = this.m(this.config.leader);
    const refusal = leader.appendRefusal(this.nowMs);
    if (refusal) return refusal;
    const batch = { epoch: leader.epoch(), firstOffset: leader.logEndOffset(), count };
    this.log(this.config.leader).push(batch);
    leader.leaderAppended(batch, this.nowMs);
    leader.stored(leader.logEndOffset());
    this.trace.push(`${this.config.leader} append ${batch.firstOffset}+${count}`);
    this.pump();
    return undefined;
  }

  /** Lets every leader emit the sends it wants (all of the log it has). */
  pump(): void {
    for (const [id, m] of this.machines) {
      for (let guard = 0; guard < 100; guard++) {
        const sends = m.sendsDue(this.nowMs);
        if (sends.length === 0) break;
        for (const s of sends) {
          const batches = this.log(id).filter((b) => b.firstOffset >= s.fromOffset && b.firstOffset < s.maxEndOffset);
          const end = batches.length ? batches[batches.length - 1]!.firstOffset + batches[batches.length - 1]!.count : s.fromOffset;
          this.net.push({ kind: 'append', from: id, to: s.to, msg: { epoch: s.epoch, startOffset: s.fromOffset, prevEpoch: s.prevEpoch, batches, leaderHw: s.leaderHw, leaderLogStart: s.leaderLogStart }, sendSeq: s.sendSeq });
          m.sent(s.to, s.fromOffset, end, this.nowMs);
        }
      }
    }
  }

  /** Delivers queued packets (matching `filter`) until the network is quiet. */
  deliverAll(filter: (p: Packet) => boolean = () => true, maxSteps = 1000): void {
    for (let i = 0; i < maxSteps; i++) {
      const idx = this.net.findIndex(filter);
      if (idx < 0) return;
      const [p] = this.net.splice(idx, 1);
      this.deliver(p!);
      this.pump();
    }
    throw new Error('network did not go quiet');
  }

  drop(filter: (p: Packet) => boolean): number {
    const before = this.net.length;
    this.net = this.net.filter((p) => !filter(p));
    return before - this.net.length;
  }

  private deliver(p: Packet): void {
    if (p.kind === 'ack') {
      this.m(p.to).onAck(p.from, p.ack, this.nowMs);
      this.trace.push(`${p.from}->${p.to} ack ${p.ack.error} end=${p.ack.logEndOffset}`);
      return;
    }
    const m = this.m(p.to);
    const check = m.checkAppend(p.msg);
    let ack: AppendAck;
    if (check.action === 'truncate' || check.action === 'reset') throw new Error(`${check.action}: see sim/cluster-sim.ts`);
    if (check.action === 'append') {
      this.log(p.to).push(...p.msg.batches);
      ack = m.followerAppended(p.msg);
    } else {
      ack = check.ack;
    }
    this.trace.push(`${p.from}->${p.to} append ${p.msg.startOffset}+${p.msg.batches.length}b e${p.msg.epoch} -> ${ack.error}`);
    this.net.push({ kind: 'ack', from: p.to, to: p.from, ack: this.echoSendSeq ? { ...ack, sendSeq: p.sendSeq } : ack });
  }

  advance(ms: number): void {
    this.nowMs += ms;
    for (const m of this.machines.values()) m.tick(this.nowMs);
    this.pump();
  }

  /** Restarts `id` from what it persisted (its log and machine state survive). */
  restart(id: string): void {
    const persisted = this.m(id).persisted();
    const m = new ReplicaMachine(id, persisted);
    m.setLeaseUntil(Infinity);
    m.applyConfig(this.config, this.nowMs);
    this.machines.set(id, m);
    this.net = this.net.filter((p) => p.to !== id && p.from !== id);
    for (const other of this.machines.values()) if (other !== m) other.followerDisconnected(id, this.nowMs);
    this.trace.push(`restart ${id}`);
  }
}
