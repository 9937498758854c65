/**
 * Operator commands that the controller executes: the CLI writes a
 * request to etcd (schema.ts: admin/move-leader/..., admin/drains/...),
 * then waits, bounded, until the controller's commits show it done.
 *
 *   move-leader --stream S --shard SHARD --to NODE   leader -> NODE if NODE is in the ISR
 *   drain --node NODE      leaderships and (where its AZ has another node) replicas leave NODE
 *   undrain --node NODE    NODE may take new replicas and leaderships again
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { shardIdFromIndex } from '@shoal/core';
import { DEFAULT_ACCOUNT_ID, MetadataStore, type ClusterView, type DrainRecord, type MoveLeaderRequest } from '@shoal/metadata';
import type { Flags } from '@shoal/wire';
import { ADMIN_WAIT_SEC_DEFAULT, PROBE_INTERVAL_MS, PROBE_TIMEOUT_MS } from '../cli-limits';
import { defaultConfig, etcdUrl } from '../cluster-config';
import { readState } from '../cluster-state';
import type { Out } from './up';

function required(flags: Flags, name: string): string {
  const v = flags.optionalString(name);
  if (!v || v === 'true') throw new Error(`--${name} is required`);
  return v;
}

/** Opens the cluster's metadata (etcd of DIR/cluster.json, or --etcd). */
async function openStore(flags: Flags): Promise<MetadataStore> {
  const dataDir = defaultConfig(flags.string('data', './data')).dataDir;
  const state = readState(dataDir);
  const endpoint = flags.optionalString('etcd') ?? (state ? etcdUrl(state.config) : undefined);
  if (!endpoint) throw new Error(`no cluster in ${dataDir} (give --data DIR or --etcd URL)`);
  const store = new MetadataStore({ endpoints: [endpoint], callTimeoutMs: PROBE_TIMEOUT_MS * 5 });
  await store.start();
  return store;
}

async function withStore<T>(flags: Flags, body: (store: MetadataStore) => Promise<T>): Promise<T> {
  const store = await openStore(flags);
  try { return await body(store); } finally { await store.close().catch(() => undefined); }
}

/** Polls the watch-backed view until `done` answers, or the --wait-sec deadline. */
async function waitView<T>(store: MetadataStore, flags: Flags, done: (view: ClusterView) => T | undefined): Promise<T | undefined> {
  const deadline = Date.now() + flags.int('wait-sec', ADMIN_WAIT_SEC_DEFAULT) * 1000;
  for (;;) {
    const result = done(store.view);
    if (result !== undefined || Date.now() > deadline) return result;
    await sleep(PROBE_INTERVAL_MS);
  }
}

export async function moveLeader(flags: Flags, out: Out): Promise<void> {
  const streamName = required(flags, 'stream');
  const shardArg = required(flags, 'shard');
  const to = required(flags, 'to');
  const shardId = /^\d+$/.test(shardArg) ? shardIdFromIndex(Number(shardArg)) : shardArg;
  await withStore(flags, async (store) => {
    const stream = store.view.stream({ accountId: flags.string('account-id', DEFAULT_ACCOUNT_ID), region: flags.string('region', 'us-east-1'), streamName });
    if (!stream) throw new Error(`no stream ${streamName}`);
    const streamId = stream.value.streamId;
    if (!store.view.shard(streamId, shardId)) throw new Error(`no shard ${shardId} in ${streamName}`);
    let outcome: { refused: string | undefined; modRevision: string } | undefined;
    const key = store.keys.moveLeaderRequest(streamId, shardId);
    const request: MoveLeaderRequest = { streamId, shardId, to, requestedMs: Date.now() };
    // The watch may deliver our put and the controller's delete between two polls: remember seeing it.
    let seen = false;
    const unsubscribe = store.onChange((c) => { if (c.kind === 'move-leader' && c.streamId === streamId && c.shardId === shardId && c.value) seen = true; });
    try {
      if (!(await store.commit({ compare: [{ key, modRevision: '0' }], puts: [{ key, value: request }] }))) {
        throw new Error(`a move-leader request for ${streamName}/${shardId} is already pending (see status)`);
      }
      out(`requested: leader of ${streamName}/${shardId} -> ${to}; waiting for the controller`);
      outcome = await waitView(store, flags, (view) => {
        const pending = view.moveLeaderRequests.get(`${streamId}/${shardId}`);
        if (pending?.value.refused !== undefined) return { refused: pending.value.refused, modRevision: pending.modRevision };
        return seen && !pending ? { refused: undefined, modRevision: '' } : undefined;
      });
    } finally {
      unsubscribe();
    }
    if (!outcome) throw new Error('the controller did not act in time (is it running?); the request stays pending');
    if (outcome.refused !== undefined) {
      await store.commit({ compare: [{ key, modRevision: outcome.modRevision }], deletes: [key] });
      throw new Error(`refused: ${outcome.refused}`);
    }
    // The request is deleted when the handover starts; the new leader takes over a moment later.
    await waitView(store, flags, (view) => (view.shard(streamId, shardId)?.value.handoverTo === undefined ? true : undefined));
    const shard = store.view.shard(streamId, shardId)?.value;
    out(`leader of ${streamName}/${shardId} is ${shard?.leader ?? '?'} (epoch ${shard?.epoch ?? '?'}, isr ${shard?.isr.join(',') ?? '?'})`);
  });
}

/** What still keeps `nodeId` busy: shards it leads, and shards it holds that could move within its AZ. */
function drainRemaining(view: ClusterView, nodeId: string): { leads: number; holds: number; stuck: number } {
  const az = view.nodes.get(nodeId)?.az;
  const spare = [...view.nodes.values()].some((n) => n.nodeId !== nodeId && n.az === az && !view.drains.has(n.nodeId));
  let leads = 0;
  let holds = 0;
  let stuck = 0;
  for (const byShard of view.shards.values()) {
    for (const { value: s } of byShard.values()) {
      if (!s.replicas.includes(nodeId)) continue;
      if (s.leader === nodeId) leads++;
      if (spare) holds++; else stuck++;
    }
  }
  return { leads, holds, stuck };
}

export async function drain(flags: Flags, out: Out): Promise<void> {
  const nodeId = required(flags, 'node');
  await withStore(flags, async (store) => {
    if (!store.view.nodes.has(nodeId)) throw new Error(`node ${nodeId} is not registered`);
    const record: DrainRecord = { nodeId, requestedMs: Date.now() };
    await store.client.put(store.keys.drain(nodeId)).value(JSON.stringify(record)).exec();
    out(`draining ${nodeId}; waiting for the controller to move its leaderships and replicas`);
    const left = await waitView(store, flags, (view) => {
      const r = drainRemaining(view, nodeId);
      return r.leads === 0 && r.holds === 0 ? r : undefined;
    });
    const now = drainRemaining(store.view, nodeId);
    if (!left) throw new Error(`${nodeId} still leads ${now.leads} and holds ${now.holds} movable replicas (drain stays in effect)`);
    out(`${nodeId} is drained: it leads no shard${now.stuck > 0 ? `; ${now.stuck} replicas stay (no other node in its AZ)` : ' and holds no replica'}`);
  });
}

export async function undrain(flags: Flags, out: Out): Promise<void> {
  const nodeId = required(flags, 'node');
  await withStore(flags, async (store) => {
    await store.client.delete().key(store.keys.drain(nodeId)).exec();
    out(`${nodeId} is no longer drained (new shards may use it; the controller's rebalancing, unless off, moves replicas and leaders back onto it)`);
  });
}
