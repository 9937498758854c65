/**
 * Faults on a cluster of several etcd members (etcd-schedule.ts): kill the
 * raft leader (found from the members' own status at the moment of the
 * fault), or stop a majority (target `etcd-majority`, which the checker's
 * ack-without-lease reads as a quorum loss). Each is one line in faults.jsonl.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { etcdLeader } from './etcd-members';
import type { InjectorDeps } from './fault-injector';
import type { EtcdStep } from './etcd-schedule';

/** How long to wait for a member to answer as leader (an election may be in progress), and how often to ask. */
const LEADER_WAIT_MS = 5_000;
const LEADER_POLL_MS = 100;

function members(d: InjectorDeps): { name: string; address: string }[] {
  return d.cluster.specs.filter((p) => p.role === 'etcd').map((p) => ({ name: p.name, address: p.address }));
}

async function findLeader(d: InjectorDeps): Promise<string | undefined> {
  const deadline = d.now() + LEADER_WAIT_MS;
  for (;;) {
    const leader = await etcdLeader(members(d));
    if (leader !== undefined || d.now() > deadline) return leader;
    await sleep(LEADER_POLL_MS);
  }
}

export async function etcdFault(d: InjectorDeps, step: EtcdStep): Promise<void> {
  const all = members(d);
  if (all.length < 3) throw new Error(`${step.action} needs at least 3 etcd members (cluster option etcdMembers), not ${all.length}`);
  const leader = await findLeader(d);
  if (step.action === 'kill-etcd-leader') {
    if (leader === undefined) { d.log('kill-etcd-leader: no member answers as leader'); return; }
    const pid = d.cluster.signal(leader, 'SIGKILL');
    d.history.fault({ type: 'fault', atMs: d.now(), action: 'kill', target: leader, ...(pid ? { pid } : {}), detail: `etcd raft leader${pid ? '' : ': not running'}` });
    d.log(`kill ${leader}: etcd raft leader`);
    return;
  }
  const spared = all[Math.floor(step.pick * all.length)]!.name;
  const stopped = all.filter((m) => m.name !== spared && d.cluster.signal(m.name, 'SIGSTOP') !== undefined).map((m) => m.name);
  // Stamped after the signals: the checker counts the quorum loss (ack-without-lease) from here, never before it happened.
  const atMs = d.now();
  const target = 2 * stopped.length > all.length ? 'etcd-majority' : 'etcd-members';
  const detail = `SIGSTOP ${stopped.join(' ')} (leader was ${leader ?? 'unknown'}; ${spared} left running${target === 'etcd-majority' ? ' without quorum' : ''})`;
  d.history.fault({ type: 'fault', atMs, action: 'stop', target, detail });
  d.log(`stop ${target}: ${detail}`);
}
