/**
 * The node driver: ONE loop for every replica this node holds (replica.ts),
 * so the cost of a round follows the bytes, not the shard count. gRPC
 * handlers, the replication links and the metadata watch only queue work
 * on a replica and mark it touched; one step of the loop then, for the
 * touched replicas only:
 *
 *   1. feeds their queued events (acks, shard records, disconnects, ticks)
 *      to their machines,
 *   2. followers: checks the leaders' appends (a truncation first persists
 *      what was accepted so far, then truncates),
 *   3. leaders: one group commit per shard of its queued appends, once
 *      they are due: while the node is busy (it took appends less than two
 *      GROUP_COMMIT_LINGER_MS ago) a shard's appends wait up to that long
 *      for more of its records unless they hold GROUP_COMMIT_LINGER_BYTES,
 *      so at many shards a batch holds more than one PutRecords' few
 *      records for it; one node timer ends every shard's wait. An idle
 *      node takes appends at once; followers never wait,
 *   4. writes every shard's new batches and state in ONE store write (one
 *      fsync with --fsync on), and while it is in flight
 *   5. sends followers what they lack: one message per peer node carrying
 *      every shard's appends (a leader's part of the high watermark is
 *      only what its store holds, so this commits nothing early); once the
 *      write is done, acknowledges the leaders' appends, one reply per
 *      replication message,
 *   6. retention, when its pass asked: drops committed batches older than
 *      the stream's retention period (each replica on its own, below its
 *      high watermark), moving the log start,
 *   7. answers producers whose records are committed (only while the node
 *      lease is valid; those that acks in step 1 committed, and their
 *      readers, hear it at once, before the store write), hands what the machines propose for the shard
 *      records (ISR change, seal, epoch bump) to the proposer, and tells
 *      readers what moved.
 *
 * Idle shards cost nothing: one node timer ticks only the replicas whose
 * machine says time can change something (messages in flight, a follower
 * behind, a proposal or a seal pending, producers waiting); the rest are
 * visited only when something arrives for them. Work that arrives while
 * the loop awaits the store forms the next step (group commit). Every
 * queue is bounded; a full queue answers at once instead of growing.
 */
import { REPLICATION_INFLIGHT_MAX, type AppendAck, type RecordBatch, type ReplicaProposals } from '@shoal/core';
import type { Logger, ShardAck, ShardAppend, ShardAppendResult, ShardRecords__Output } from '@shoal/wire';
import type { NodeMetrics } from './node-metrics';
import { appendRecordsOf } from './leader-appends';
import type { Replica, StepSink } from './replica';
import { encodeShardAck, toShardAppend, type InboundItem } from './replication-codec';
import type { ShardRef } from './shard-reader';
import { ShardMap } from './shard-map';
import type { NodeStore } from './store/node-store';
import {
  GROUP_COMMIT_LINGER_BYTES, GROUP_COMMIT_LINGER_MS, NODE_APPEND_QUEUE_BYTES_MAX, NODE_COMMIT_BYTES_MAX, REPLICATION_MESSAGE_BYTES_MAX,
} from './storage-limits';

/** The replication links: one stream per peer node. */
export interface PeerSender {
  /** Whether a message to the node can leave now (its stream is up). */
  reachable(nodeId: string): boolean;
  /** Sends the appends (of many shards) to the node in one message; false if its stream is down. */
  send(nodeId: string, appends: ShardAppend[]): boolean;
}

/** Writes what a leader proposes to its shard record (guarded; outcomes return through the metadata watch). */
export interface RecordProposer {
  propose(shard: ShardRef, leaderId: string, proposals: ReplicaProposals): void;
}

export interface NodeDriverOptions {
  readonly selfId: string;
  readonly store: NodeStore;
  readonly proposer: RecordProposer;
  /** Monotonic clock (ms) for every protocol decision: timeouts, lease validity. */
  readonly monoClock: () => number;
  /** Monotonic ms until which this node's lease is known valid (0: not registered). */
  readonly leaseUntilMs: () => number;
  readonly logger: Logger;
  readonly metrics: NodeMetrics;
  /** A broken invariant or failed disk write: the process must stop. */
  readonly onFatal: (err: unknown) => void;
  /** Runs the next loop step soon (default setImmediate; a simulation queues it). */
  readonly schedule?: (fn: () => void) => void;
  /** Runs `fn` after `ms` (default setTimeout; a simulation queues it): ends the group commits' wait. */
  readonly setTimer?: (fn: () => void, ms: number) => void;
  /** How long a leader's appends may wait for more of their shard's records (default GROUP_COMMIT_LINGER_MS; 0: never). */
  readonly groupCommitLingerMs?: number;
  /** Wall clock (ms): arrival times are compared with it for retention. */
  readonly clock: () => number;
  /** The retention of a stream's records in ms (undefined: unknown, keep everything). */
  readonly retentionMs: (streamId: string) => number | undefined;
}

/**
 * A node that took appends less than this many lingers ago is busy. Under
 * load a step comes about every store write (a few ms), so the window must
 * span more than one step; an idle node's first append goes at once.
 */
const BUSY_WINDOW_LINGERS = 2;

export function refKey(ref: ShardRef): string {
  return `${ref.streamId}/${ref.shardId}`;
}

export class NodeDriver {
  /** (stream id, shard id) -> replica. */
  private readonly replicas = new ShardMap<Replica>();
  private touched = new Set<Replica>();
  /** Replicas the timer must tick (their machines or producers wait on time). */
  private readonly active = new Set<Replica>();
  private peers: PeerSender | undefined;
  private queuedBytes = 0;
  private running = false;
  private again = false;
  private closed = false;
  /** Resolves when the step in progress (if any) has finished. */
  private stepDone: Promise<void> = Promise.resolve();
  /** Leaders whose appends wait for more records, and those whose wait the node timer ended (due in the next step). */
  private readonly lingering = new Set<Replica>();
  private lingerEnded = new Set<Replica>();
  private lingerTimerArmed = false;
  private readonly lingerMs: number;
  /** When (monotonic ms) a step last took leaders' appends: within BUSY_WINDOW_LINGERS lingers of it the node is busy and appends may wait. */
  private appendsTakenAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: NodeDriverOptions) {
    this.lingerMs = o.groupCommitLingerMs ?? GROUP_COMMIT_LINGER_MS;
  }

  setPeers(peers: PeerSender): void { this.peers = peers; }

  get(ref: ShardRef): Replica | undefined { return this.replicas.get(ref.streamId, ref.shardId); }
  all(): Iterable<Replica> { return this.replicas.values(); }
  size(): number { return this.replicas.size; }

  add(replica: Replica): void {
    this.replicas.set(replica.shard.streamId, replica.shard.shardId, replica);
    this.touch(replica);
  }

  /** Takes a replica out of the loop and closes it; resolves once no step uses it any more (its log may then be destroyed). */
  async remove(replica: Replica): Promise<void> {
    if (this.get(replica.shard) === replica) this.replicas.delete(replica.shard.streamId, replica.shard.shardId);
    this.touched.delete(replica);
    this.active.delete(replica);
    this.lingering.delete(replica);
    this.lingerEnded.delete(replica);
    replica.close();
    await this.stepDone;
  }

  touch(replica: Replica): void {
    this.touched.add(replica);
    this.wake();
  }

  // ---- inputs ---------------------------------------------------------------

  /** An AppendShards call: one result per item, in order, once each shard's records are committed or failed. */
  appendShards(items: readonly ShardRecords__Output[]): Promise<ShardAppendResult[]> {
    const nowMs = this.o.monoClock();
    const leaseUntilMs = this.o.leaseUntilMs();
    return Promise.all(items.map((item) => {
      const replica = item.shard ? this.get({ streamId: item.shard.stream_id, shardId: item.shard.shard_id }) : undefined;
      if (!replica) return failed('SHARD_NOT_FOUND', 'this node holds no replica of the shard');
      const recs = appendRecordsOf(item);
      if (typeof recs === 'string') return failed('INTERNAL', recs);
      if (this.queuedBytes + recs.bytes > NODE_APPEND_QUEUE_BYTES_MAX) return failed('INTERNAL', 'append queue of the node is full');
      this.queuedBytes += recs.bytes;
      const answer = replica.append(recs, item.epoch, nowMs, leaseUntilMs);
      this.touch(replica);
      return answer.finally(() => { this.queuedBytes -= recs.bytes; });
    }));
  }

  /** A replication message from a leader node; `reply` gets one ack per item, in order, once all are handled. */
  receiveMessage(items: readonly InboundItem[], reply: (acks: ShardAck[]) => void): void {
    const acks = new Array<ShardAck>(items.length);
    let remaining = items.length;
    if (remaining === 0) return;
    items.forEach((item, i) => {
      const set = (ack: AppendAck): void => {
        acks[i] = encodeShardAck({ stream_id: item.ref.streamId, shard_id: item.ref.shardId }, ack, item.sendSeq);
        if (--remaining === 0) reply(acks);
      };
      const replica = this.get(item.ref);
      if (!replica) { set({ epoch: 0, error: 'SHARD_NOT_FOUND', logEndOffset: 0, lastEpoch: 0, highWatermark: 0 }); return; }
      if (typeof item.decoded === 'string') { set(replica.rejection('INTERNAL')); return; }
      if (replica.receive({ msg: item.decoded.msg, batches: item.decoded.batches, reply: set })) this.touch(replica);
    });
  }

  /** A follower's ack for a shard this node leads. */
  ack(from: string, ref: ShardRef, ack: AppendAck): void {
    const replica = this.get(ref);
    if (replica && replica.enqueue({ kind: 'ack', from, ack })) this.touch(replica);
  }

  /** The stream to a peer broke: everything in flight to it is lost. */
  peerDisconnected(nodeId: string): void {
    for (const r of this.all()) if (r.enqueue({ kind: 'disconnected', nodeId })) this.touched.add(r);
    this.wake();
  }

  /** The stream to a peer is up again: leaders may send to it. */
  peerConnected(): void {
    for (const r of this.all()) if (r.machine.role() === 'leader') this.touched.add(r);
    this.wake();
  }

  /** Lease lost (true) or regained (false): leaders stop / resume acknowledging. */
  setFenced(fenced: boolean): void {
    for (const r of this.all()) if (r.enqueue({ kind: 'fenced', fenced })) this.touched.add(r);
    this.wake();
  }

  /** The node timer: ticks the replicas that wait on time (resends, timeouts, retries). */
  tick(): void {
    if (this.active.size === 0) return;
    for (const r of this.active) if (r.enqueue({ kind: 'tick' })) this.touched.add(r);
    this.wake();
  }

  /** Retention: every replica drops the committed batches its stream no longer retains (in the next step). */
  checkRetention(): void {
    for (const r of this.all()) { r.trimDue = true; this.touched.add(r); }
    this.wake();
  }

  /** Stops the loop after the step in progress. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stepDone;
  }

  // ---- the loop -------------------------------------------------------------

  private wake(): void {
    this.again = true;
    if (this.running || this.closed) return;
    this.running = true;
    (this.o.schedule ?? setImmediate)(() => { void this.run(); });
  }

  private async run(): Promise<void> {
    try {
      while (this.again && !this.closed) {
        this.again = false;
        let done: () => void = () => undefined;
        this.stepDone = new Promise((resolve) => { done = resolve; });
        try {
          await this.step();
        } finally {
          done();
        }
      }
    } catch (err) {
      this.o.logger.error('node driver failed', { err });
      this.o.onFatal(err);
    } finally {
      this.running = false;
    }
  }

  private async step(): Promise<void> {
    const touched = [...this.touched].filter((r) => !r.isClosed());
    this.touched = new Set();
    const lingerEnded = this.lingerEnded;
    this.lingerEnded = new Set();
    if (touched.length === 0) return;
    let nowMs = this.o.monoClock();
    for (const r of touched) {
      r.applyEvents(nowMs, this.o.leaseUntilMs());
      // Records the followers' acks just committed are durable on every ISR member already: their producers
      // and subscribers hear it now, not after this step's store write (other records' group commit).
      r.settle(nowMs, this.o.leaseUntilMs());
      r.readView.changed();
    }
    const write = new StepWrite(this.o.store, this.o.metrics);
    const replies: Array<() => void> = [];
    for (const r of touched) if (r.hasInbound()) await r.takeInbound(write, replies);
    let bytesLeft = NODE_COMMIT_BYTES_MAX;
    const busy = nowMs - this.appendsTakenAtMs < BUSY_WINDOW_LINGERS * this.lingerMs;
    for (const r of touched) {
      if (!r.hasPending() || r.isClosed()) continue;
      if (bytesLeft <= 0) { this.touched.add(r); this.again = true; continue; }
      if (busy && !lingerEnded.has(r) && !r.appendsDue(nowMs, this.lingerMs, GROUP_COMMIT_LINGER_BYTES)) { this.linger(r); continue; }
      this.appendsTakenAtMs = nowMs;
      const batch = r.takeAppends(nowMs, bytesLeft);
      if (batch) { write.batchesOf(r).push(batch); bytesLeft -= batch.bytes.length; }
      if (r.hasPending()) { this.touched.add(r); this.again = true; }
    }
    for (const r of touched) if (r.stateDirty) write.include(r);
    // Leaders send while their own write is in flight: a follower's write then overlaps the leader's instead
    // of following it. The machine counts the leader's part of the high watermark only once stored (persisted()).
    const written = write.flush().then(() => { for (const reply of replies) reply(); });
    await Promise.all([written, this.pumpSends(touched)]);
    for (const r of touched) {
      if (!r.trimDue || r.isClosed()) continue;
      r.trimDue = false;
      const retentionMs = this.o.retentionMs(r.shard.streamId);
      if (retentionMs !== undefined) await r.trimBefore(this.o.clock() - retentionMs);
    }
    nowMs = this.o.monoClock();
    const leaseUntilMs = this.o.leaseUntilMs();
    const reachable = (id: string): boolean => this.peers?.reachable(id) ?? false;
    for (const r of touched) {
      if (r.isClosed()) continue;
      r.settle(nowMs, leaseUntilMs);
      const proposals = r.machine.proposalsDue(nowMs);
      if (proposals.isr || proposals.seal || proposals.epochBump) this.o.proposer.propose(r.shard, this.o.selfId, proposals);
      r.readView.changed();
      if (r.needsTick(nowMs, reachable)) this.active.add(r); else this.active.delete(r);
    }
  }

  /** `r`'s appends wait for more records until the node timer (armed by the first to wait) ends every wait. */
  private linger(r: Replica): void {
    this.lingering.add(r);
    if (this.lingerTimerArmed) return;
    this.lingerTimerArmed = true;
    (this.o.setTimer ?? setTimeout)(() => {
      this.lingerTimerArmed = false;
      for (const x of this.lingering) { this.lingerEnded.add(x); this.touched.add(x); }
      this.lingering.clear();
      this.wake();
    }, this.lingerMs);
  }

  /** Leaders: what each follower lacks, from cache or store; one message per peer for every shard. */
  private async pumpSends(touched: readonly Replica[]): Promise<void> {
    const peers = this.peers;
    if (!peers) return;
    const out = new Map<string, ShardAppend[]>();
    for (const r of touched) {
      if (r.isClosed() || r.machine.role() !== 'leader') continue;
      const blocked = new Set<string>();
      const reachable = (id: string): boolean => !blocked.has(id) && peers.reachable(id);
      for (let round = 0; round < REPLICATION_INFLIGHT_MAX; round++) {
        const nowMs = this.o.monoClock();
        const sends = r.sendsDue(nowMs, reachable);
        if (sends.length === 0) break;
        for (const s of sends) {
          const cached = r.cache.slice(s.fromOffset, s.maxEndOffset, REPLICATION_MESSAGE_BYTES_MAX);
          if (!cached && s.fromOffset < s.maxEndOffset && s.fromOffset >= r.machine.storedEndOffset()) {
            // This step's batch, already out of a small cache share and not in the store until this step's write: next step.
            blocked.add(s.to);
            this.touched.add(r);
            this.again = true;
            continue;
          }
          const batches: RecordBatch[] = cached ?? await r.log.batchesFrom(s.fromOffset, s.maxEndOffset, REPLICATION_MESSAGE_BYTES_MAX);
          if (batches.length > 0 && batches[0]!.firstOffset !== s.fromOffset) {
            r.logger.error('send does not start at a batch boundary', { to: s.to, from: s.fromOffset });
            blocked.add(s.to);
            continue;
          }
          const end = batches.length > 0 ? batches[batches.length - 1]!.endOffset : s.fromOffset;
          let list = out.get(s.to);
          if (!list) out.set(s.to, (list = []));
          list.push(toShardAppend(r.shard, s, batches));
          r.machine.sent(s.to, s.fromOffset, end, nowMs);
        }
      }
    }
    // A stream that went down meanwhile reports it (peerDisconnected): the machines resend then.
    for (const [peer, appends] of out) peers.send(peer, appends);
  }
}

function failed(error: ShardAppendResult['error'], message: string): Promise<ShardAppendResult> {
  return Promise.resolve({ error, error_message: message, epoch: 0, first_offset: 0, throttled_indexes: [], result_count: 0 });
}

/** The store write of one step: each touched replica's new batches and state, written together. */
class StepWrite implements StepSink {
  private parts = new Map<Replica, RecordBatch[]>();

  constructor(private readonly store: NodeStore, private readonly metrics: NodeMetrics) {}

  /** The live list of batches this step appends for `r` (push to it). */
  batchesOf(r: Replica): RecordBatch[] {
    let list = this.parts.get(r);
    if (!list) this.parts.set(r, (list = []));
    return list;
  }

  /** Writes `r`'s state even without batches. */
  include(r: Replica): void { this.batchesOf(r); }

  /** Writes what was gathered (one store write), then hands each replica its persisted batches. */
  async flush(): Promise<void> {
    const parts = [...this.parts].filter(([r]) => !r.isClosed());
    this.parts = new Map();
    if (parts.length === 0) return;
    await this.store.write(parts.map(([r, batches]) => ({ log: r.log, batches, state: r.persistedState() })));
    for (const [r, batches] of parts) {
      r.stateDirty = false;
      r.persisted(batches);
    }
    this.metrics.groupCommits.inc();
  }
}
