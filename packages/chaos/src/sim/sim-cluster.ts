/**
 * The simulated cluster: three real storage nodes (sim-node.ts) of one
 * shard, etcd with the controller's real plans (sim-etcd.ts), a network
 * that delays, drops, duplicates, reorders and partitions messages (the
 * replication messages go through the real wire codec), and a producer
 * that sends AppendShards to the leader the record names. The actions are
 * what simulate.ts draws from: deliver, produce, advance time, crash or
 * power-cut a node, restart it, pause it, isolate it, heal, move the leader.
 */
import { encodeRecordBody } from '@shoal/core';
import { decodeReplicateMessage, decodeShardAck, encodeReplicateMessage, inboundItems, type PeerSender } from '@shoal/storage-node';
import type { ErrorCode__Output, ShardAck } from '@shoal/wire';
import { SIM_SHARD_ID, SIM_STREAM_ID, SimEtcd } from './sim-etcd';
import { SimNode } from './sim-node';
import type { SimWorld } from './sim-world';

/** Longest a message takes on the network (ms). */
const NET_DELAY_MS_MAX = 40;
/** A message to a paused node waits in its socket buffer: looked at again after this long. */
const PAUSED_RETRY_MS = 50;

export interface AckedRecord {
  readonly node: string;
  readonly epoch: number;
  readonly offset: number;
  readonly value: number;
}

function valueBytes(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}

export class SimCluster {
  readonly etcd: SimEtcd;
  readonly nodes = new Map<string, SimNode>();
  /** Pairs that cannot talk ('a|b' sorted; parties include 'etcd' and 'api'). */
  readonly cut = new Set<string>();
  private nextValue = 1;
  /** Every acknowledged record, in order. */
  readonly acks: AckedRecord[] = [];
  /** Called when the producer gets an OK: the records are acknowledged. */
  onAck: (a: AckedRecord) => void = () => undefined;

  /** `cacheShareBytes`: what each replica's batch cache may hold (1: nothing stays cached, every send reads the store). */
  constructor(readonly world: SimWorld, readonly ids: readonly string[], readonly sync: boolean, fail: (message: string) => void, cacheShareBytes: number) {
    this.etcd = new SimEtcd(world, ids);
    const deps = { world, etcd: this.etcd, sync, cacheShareBytes, connected: (a: string, b: string) => this.connected(a, b), peers: (n: SimNode) => this.peerSender(n), fail };
    for (const id of ids) this.nodes.set(id, new SimNode(id, deps));
    // The watch: each node hears of a change after a delay (if it can reach etcd then).
    this.etcd.onChange = () => {
      for (const n of this.nodes.values()) if (n.up) world.at(world.rng.int(NET_DELAY_MS_MAX), n.owner, `watch ${n.id}`, () => n.watch());
    };
    for (const n of this.nodes.values()) n.start(false);
  }

  node(id: string): SimNode { return this.nodes.get(id)!; }
  connected(a: string, b: string): boolean { return !this.cut.has([a, b].sort().join('|')); }

  // ---- the network -------------------------------------------------------

  private peerSender(from: SimNode): PeerSender {
    return {
      // A stream is up while the peer's process runs (a dead one resets it); a partition only loses messages.
      reachable: (to) => this.node(to).up,
      send: (to, appends) => {
        const target = this.node(to);
        if (!target.up) return false;
        const bytes = encodeReplicateMessage({ from_node_id: from.id, appends });
        this.transmit(from.id, target, `net ${from.id}->${to} ${appends.length} appends`, () => this.deliverAppends(from.id, target, bytes));
        return true;
      },
    };
  }

  /**
   * A packet to `target`'s current incarnation (dropped if it dies, held while it is paused). A
   * node's packet dies with its sender's incarnation too: it travelled on a stream that broke,
   * and the receiver heard of the break (peerDisconnected) before anything sent after it.
   */
  private transmit(from: string, target: SimNode, what: string, deliver: () => void): void {
    const w = this.world;
    const owner = target.owner;
    const sender = this.nodes.get(from);
    const senderOwner = sender?.owner;
    const attempt = (): void => {
      if (sender && (!sender.up || sender.owner !== senderOwner)) { w.log(`lost with its sender: ${what}`); return; }
      if (target.paused) { w.at(PAUSED_RETRY_MS, owner, what, attempt); return; }
      if (!this.connected(from, target.id)) { w.log(`lost: ${what}`); return; }
      deliver();
    };
    w.at(w.rng.int(NET_DELAY_MS_MAX), owner, what, attempt);
  }

  private deliverAppends(from: string, target: SimNode, bytes: Buffer): void {
    const driver = target.driver;
    if (!driver) return; // still starting: its server does not listen yet
    const msg = decodeReplicateMessage(bytes);
    const items = inboundItems(msg.appends);
    this.world.log(`${from}->${target.id} ${items.map((i) => (typeof i.decoded === 'string' ? 'bad' : `${i.decoded.msg.startOffset}+${i.decoded.batches.length}b e${i.decoded.msg.epoch}${i.decoded.msg.truncate ? ' trunc' : ''}`)).join(' ')}`);
    driver.receiveMessage(items, (acks) => this.sendAcks(target, from, acks));
  }

  private sendAcks(from: SimNode, to: string, acks: ShardAck[]): void {
    const leader = this.node(to);
    if (!leader.up) return;
    this.transmit(from.id, leader, `net ${from.id}->${to} ${acks.length} acks`, () => {
      for (const a of acks) {
        if (!a.shard) continue;
        const shard = { stream_id: a.shard.stream_id ?? '', shard_id: a.shard.shard_id ?? '' };
        const error = (typeof a.error === 'string' ? a.error : 'INTERNAL') as ErrorCode__Output;
        const ack = decodeShardAck({
          shard, epoch: Number(a.epoch), error, log_end_offset: Number(a.log_end_offset), last_epoch: Number(a.last_epoch), high_watermark: Number(a.high_watermark),
          send_seq: Number(a.send_seq ?? 0),
        });
        this.world.log(`${from.id}->${to} ack ${ack.error} e${ack.epoch} end=${ack.logEndOffset}`);
        leader.driver?.ack(from.id, { streamId: shard.stream_id, shardId: shard.shard_id }, ack);
      }
    });
  }

  // ---- actions -----------------------------------------------------------

  /** A producer sends `count` records to the node the shard record names leader. */
  produce(count: number): void {
    const leader = this.node(this.etcd.record.value.leader);
    if (!leader.up) return;
    const values = Array.from({ length: count }, () => this.nextValue++);
    const body = encodeRecordBody(values.map((v) => ({ partitionKey: 'k', data: valueBytes(v) })));
    this.transmit('api', leader, `api->${leader.id} append [${values.join(',')}]`, () => {
      const driver = leader.driver;
      if (!driver) return;
      const owner = leader.owner;
      void driver.appendShards([{ shard: { stream_id: SIM_STREAM_ID, shard_id: SIM_SHARD_ID }, epoch: 0, records_body: body, record_count: count, record_overhead_bytes: 0 }]).then(([res]) => {
        if (!res || leader.owner !== owner) return;
        this.world.log(`${leader.id} answers [${values.join(',')}]: ${String(res.error)}${res.error === 'OK' ? ` at ${Number(res.first_offset)}` : ''}`);
        if (res.error !== 'OK') return;
        values.forEach((value, i) => {
          const a = { node: leader.id, epoch: Number(res.epoch), offset: Number(res.first_offset) + i, value };
          this.acks.push(a);
          this.onAck(a);
        });
      });
    });
  }

  /** Time passes: leases renew where etcd is reachable, the controller acts, nodes tick, watches catch up. */
  advance(ms: number): void {
    this.world.nowMs += ms;
    for (const n of this.nodes.values()) {
      if (n.up && !n.paused && this.connected(n.id, 'etcd')) this.etcd.renewedMs.set(n.id, this.world.nowMs);
    }
    this.etcd.controllerPass();
    for (const n of this.nodes.values()) {
      if (!n.up || n.paused) continue;
      n.watch();
      n.driver?.tick();
    }
  }

  async crash(id: string, kind: 'process' | 'power'): Promise<void> {
    this.world.log(`${kind === 'power' ? 'power cut' : 'crash'} ${id}`);
    await this.node(id).stop(kind);
    for (const n of this.nodes.values()) if (n.id !== id) n.driver?.peerDisconnected(id);
  }

  restart(id: string): void {
    const n = this.node(id);
    this.world.log(`restart ${id}`);
    n.start(true);
    for (const other of this.nodes.values()) if (other !== n) other.driver?.peerConnected();
  }

  pause(id: string): void { const n = this.node(id); n.paused = true; this.world.paused.add(n.owner); this.world.log(`pause ${id}`); }
  resume(id: string): void { const n = this.node(id); n.paused = false; this.world.paused.delete(n.owner); this.world.log(`resume ${id}`); }

  /** Cuts `id` from every other node, etcd and (unless `keepProducer`) the producer. */
  isolate(id: string, keepProducer = false): void {
    for (const other of [...this.ids, 'etcd', ...(keepProducer ? [] : ['api'])]) if (other !== id) this.cut.add([id, other].sort().join('|'));
    this.world.log(`isolate ${id}${keepProducer ? ' (the producer still reaches it)' : ''}`);
  }

  heal(): void { this.cut.clear(); this.world.log('heal'); }

  moveLeader(to: string): void { this.etcd.moveLeader(to); }
}
