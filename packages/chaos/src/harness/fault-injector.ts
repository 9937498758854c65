/**
 * Runs a fault schedule against the cluster: each step at its offset, every
 * action logged to faults.jsonl. Shard leaders are looked up in etcd (the
 * MetadataStore's watched view) at the moment of the fault.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { MetadataStore } from '@shoal/metadata';
import type { HistoryWriter } from '../history/history-writer';
import type { ClusterControl } from './cluster-control';
import type { FaultStep } from './fault-schedule';

export interface InjectorDeps {
  readonly cluster: ClusterControl;
  readonly store: MetadataStore;
  readonly history: HistoryWriter;
  readonly streamName: string;
  readonly now: () => number;
  readonly log: (msg: string) => void;
}

async function killShardLeader(d: InjectorDeps, pick: number): Promise<void> {
  const stream = d.store.view.stream(d.streamName);
  const shards = stream ? d.store.view.shardsOf(stream.value.streamId).map((s) => s.value).filter((s) => s.endingSequenceNumber === undefined) : [];
  const shard = shards[Math.floor(pick * shards.length)];
  if (!shard) { d.log('no shard to fault'); return; }
  const led = shards.filter((s) => s.leader === shard.leader).map((s) => s.shardId);
  const pid = d.cluster.signal(shard.leader, 'SIGKILL');
  d.history.fault({ type: 'fault', atMs: d.now(), action: 'kill', target: shard.leader, ...(pid ? { pid } : {}), shardIds: led, detail: `leader of ${shard.shardId} (epoch ${shard.epoch})${pid ? '' : ': not running'}` });
  d.log(`SIGKILL ${shard.leader} (pid ${pid ?? '-'}), leader of ${led.join(' ')}`);
}

async function restart(d: InjectorDeps): Promise<void> {
  const atMs = d.now();
  try {
    await d.cluster.up();
    d.history.fault({ type: 'fault', atMs, action: 'restart', target: 'all', detail: `cluster up took ${d.now() - atMs} ms` });
  } catch (err) {
    d.history.fault({ type: 'fault', atMs, action: 'restart', target: 'all', detail: `cluster up failed: ${(err as Error).message.slice(0, 500)}` });
  }
  d.log(`restarted (${d.now() - atMs} ms)`);
}

/** Runs `steps` from now until done or `stopped()`; the steps run one after another. */
export async function runSchedule(d: InjectorDeps, steps: readonly FaultStep[], stopped: () => boolean): Promise<void> {
  const t0 = d.now();
  for (const step of steps) {
    const wait = t0 + step.atMs - d.now();
    if (wait > 0) await sleep(wait);
    if (stopped()) return;
    if (step.action === 'kill-shard-leader') await killShardLeader(d, step.pick);
    else await restart(d);
  }
}

/** Heal: SIGCONT every process (a stopped one would ignore TERM), then `cluster up` restarts whatever is down. */
export async function heal(d: InjectorDeps): Promise<void> {
  for (const p of d.cluster.processes()) d.cluster.signal(p.name, 'SIGCONT');
  const atMs = d.now();
  await d.cluster.up();
  d.history.fault({ type: 'fault', atMs, action: 'heal', target: 'all', detail: `SIGCONT all, cluster up (${d.now() - atMs} ms)` });
}
