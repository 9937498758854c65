/**
 * Runs a fault schedule against the cluster: each step at its offset, every
 * action logged to faults.jsonl. Shard leaders are looked up in etcd (the
 * harness's own MetadataStore view, which never goes through the link
 * proxies) at the moment of the fault.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { MetadataStore, ShardRecord } from '@shoal/metadata';
import type { HistoryWriter } from '../history/history-writer';
import type { ClusterControl } from './cluster-control';
import type { FaultStep, LeaderAction } from './fault-schedule';
import { degradeAz, healNet, isolateProcess, partitionAz, resetAz } from './net-faults';
import { replaceNode, skewController, skewShardLeader } from './process-faults';
import { killReshardParentLeader, reshardCrash } from './reshard-faults';
import { corruptFollower, powerCut } from './disk-faults';
import { etcdFault } from './etcd-faults';
import { fault, openShards, restartAll } from './fault-log';

export interface InjectorDeps {
  readonly cluster: ClusterControl;
  readonly store: MetadataStore;
  readonly history: HistoryWriter;
  readonly streamName: string;
  readonly now: () => number;
  readonly log: (msg: string) => void;
}

/** How long a double failover waits for the controller to name a new leader before its second kill. */
const NEW_LEADER_WAIT_MS = 10_000;
const NEW_LEADER_POLL_MS = 50;

/** The shard at fraction `pick` of the open shards, and every open shard its leader leads. */
function target(d: InjectorDeps, pick: number): { shard: ShardRecord; led: string[] } | undefined {
  const shards = openShards(d);
  const shard = shards[Math.floor(pick * shards.length)];
  return shard ? { shard, led: shards.filter((s) => s.leader === shard.leader).map((s) => s.shardId) } : undefined;
}

function signalLeader(d: InjectorDeps, t: { shard: ShardRecord; led: string[] }, sig: 'SIGKILL' | 'SIGSTOP'): void {
  const pid = d.cluster.signal(t.shard.leader, sig);
  fault(d, {
    action: sig === 'SIGKILL' ? 'kill' : 'stop', target: t.shard.leader, ...(pid ? { pid } : {}), shardIds: t.led,
    detail: `leader of ${t.shard.shardId} (epoch ${t.shard.epoch})${pid ? '' : ': not running'}`,
  });
}

async function doubleKill(d: InjectorDeps, t: { shard: ShardRecord; led: string[] }): Promise<void> {
  signalLeader(d, t, 'SIGKILL');
  const deadline = d.now() + NEW_LEADER_WAIT_MS;
  let next = openShards(d).find((s) => s.shardId === t.shard.shardId);
  while (d.now() < deadline && (!next || next.leader === t.shard.leader)) {
    await sleep(NEW_LEADER_POLL_MS);
    next = openShards(d).find((s) => s.shardId === t.shard.shardId);
  }
  if (!next || next.leader === t.shard.leader) { d.log(`no new leader for ${t.shard.shardId}`); return; }
  signalLeader(d, { shard: next, led: openShards(d).filter((s) => s.leader === next!.leader).map((s) => s.shardId) }, 'SIGKILL');
}

async function leaderFault(d: InjectorDeps, action: LeaderAction, pick: number): Promise<void> {
  const t = target(d, pick);
  if (!t) { d.log('no shard to fault'); return; }
  if (action === 'kill-shard-leader') signalLeader(d, t, 'SIGKILL');
  else if (action === 'pause-shard-leader') signalLeader(d, t, 'SIGSTOP');
  else if (action === 'double-kill-shard-leader') await doubleKill(d, t);
  else {
    // Zombie: cut off from the other storage nodes and etcd; the api processes still reach it.
    const peers = d.cluster.specs.filter((p) => p.role === 'etcd' || p.role === 'storage-node').map((p) => p.name);
    const cut = await isolateProcess(d.cluster, t.shard.leader, peers);
    fault(d, { action: 'partition', target: t.shard.leader, shardIds: t.led, detail: `leader of ${t.shard.shardId} (epoch ${t.shard.epoch}) ${cut}` });
  }
}

async function runStep(d: InjectorDeps, step: FaultStep): Promise<void> {
  const c = d.cluster;
  switch (step.action) {
    case 'restart': return restartAll(d);
    case 'resume':
      for (const p of c.processes()) c.signal(p.name, 'SIGCONT');
      return fault(d, { action: 'cont', target: 'all' });
    case 'heal-links': {
      const atMs = d.now();
      return fault(d, { action: 'heal', target: 'links', detail: await healNet(c) }, atMs);
    }
    case 'partition-az':
      return fault(d, { action: 'partition', target: step.az, detail: await partitionAz(c, step.az) });
    case 'kill-az': {
      const killed = c.processes().filter((p) => p.az === step.az).filter((p) => c.signal(p.name, 'SIGKILL') !== undefined).map((p) => p.name);
      return fault(d, { action: 'kill', target: step.az, detail: `SIGKILL ${killed.join(' ')}` });
    }
    case 'degrade-az': {
      const links = degradeAz(c, step.az, { kind: 'delay', delayMs: step.delayMs });
      return fault(d, { action: 'link', target: step.az, detail: `delay ${step.delayMs} ms on ${links.length} links` });
    }
    case 'reset-az': {
      const links = resetAz(c, step.az);
      return fault(d, { action: 'link', target: step.az, detail: `reset connections of ${links.length} links` });
    }
    case 'signal': {
      const pid = c.signal(step.target, step.signal);
      const action = ({ SIGKILL: 'kill', SIGSTOP: 'stop', SIGTERM: 'term', SIGCONT: 'cont' } as const)[step.signal];
      return fault(d, { action, target: step.target, ...(pid ? { pid } : { detail: 'not running' }) });
    }
    case 'skew-shard-leader': return skewShardLeader(d, step.pick, step.offsetMs);
    case 'skew-controller': return skewController(d, step.offsetMs);
    case 'replace-node': return replaceNode(d, step.target, step.replacement);
    case 'reshard-crash': return reshardCrash(d, step);
    case 'kill-reshard-parent-leader': return killReshardParentLeader(d, step.pick);
    case 'power-cut': return powerCut(d);
    case 'corrupt-follower': return corruptFollower(d, step);
    case 'kill-etcd-leader': case 'stop-etcd-majority': return etcdFault(d, step);
    default: return leaderFault(d, step.action, step.pick);
  }
}

/** Runs `steps` from now until done or `stopped()`; the steps run one after another. */
export async function runSchedule(d: InjectorDeps, steps: readonly FaultStep[], stopped: () => boolean): Promise<void> {
  const t0 = d.now();
  for (const step of steps) {
    const wait = t0 + step.atMs - d.now();
    if (wait > 0) await sleep(wait);
    if (stopped()) return;
    await runStep(d, step);
  }
}

/** Heal: every link back to pass, SIGCONT every process (a stopped one would ignore TERM), then start whatever is down. */
export async function heal(d: InjectorDeps): Promise<void> {
  const net = await healNet(d.cluster);
  for (const p of d.cluster.processes()) d.cluster.signal(p.name, 'SIGCONT');
  const atMs = d.now();
  await d.cluster.up();
  fault(d, { action: 'heal', target: 'all', detail: `${net} healed, SIGCONT all, up (${d.now() - atMs} ms)` }, atMs);
}
