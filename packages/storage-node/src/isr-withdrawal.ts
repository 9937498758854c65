/**
 * A node whose database was discarded (node-db.ts) holds none of the
 * records its replicas acknowledged, so it must leave every ISR before it
 * becomes live again: the controller elects leaders only from live ISR
 * members, and a leader re-adds a follower only once it caught up
 * (isr-policy.ts; a leader forgets what a follower had acknowledged when
 * the follower leaves the ISR, replica-machine.ts). Before registering,
 * the node
 *
 *   1. removes itself from the ISR of every shard record that lists it
 *      (one compare-and-swap per record, retried on a lost race), and
 *   2. waits until no record names it leader (the controller fails those
 *      shards over to another ISR member once its previous process's
 *      lease has expired).
 *
 * Bounded by REBUILD_WITHDRAW_WAIT_MS: when no other ISR member of a shard
 * it led is live, nothing can take over and the node gives up (exits); the
 * marker makes it try again at its next start.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { MetadataStore, ShardRecord, Versioned } from '@shoal/metadata';
import type { Logger } from '@shoal/wire';
import { REBUILD_WITHDRAW_POLL_MS, REBUILD_WITHDRAW_WAIT_MS } from './storage-limits';

function records(store: MetadataStore): Versioned<ShardRecord>[] {
  const out: Versioned<ShardRecord>[] = [];
  for (const shards of store.view.shards.values()) for (const s of shards.values()) out.push(s);
  return out;
}

/** Removes `nodeId` from one record's ISR; false if the record changed meanwhile (retry). */
async function leaveIsr(store: MetadataStore, v: Versioned<ShardRecord>, nodeId: string): Promise<boolean> {
  const key = store.keys.shard(v.value.streamId, v.value.shardId);
  const value: ShardRecord = { ...v.value, isr: v.value.isr.filter((id) => id !== nodeId) };
  return store.commit({ compare: [{ key, modRevision: v.modRevision }], puts: [{ key, value }] });
}

export async function withdrawFromIsr(store: MetadataStore, nodeId: string, logger: Logger, waitMs = REBUILD_WITHDRAW_WAIT_MS): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const inIsr = records(store).filter((v) => v.value.isr.includes(nodeId));
    for (const v of inIsr) {
      const ok = await leaveIsr(store, v, nodeId);
      logger.warn(ok ? 'left the ISR of a shard (database rebuilt)' : 'leaving the ISR lost a race; retrying', { streamId: v.value.streamId, shardId: v.value.shardId });
    }
    const led = records(store).filter((v) => v.value.leader === nodeId);
    if (inIsr.length === 0 && led.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`rebuilt node still ${led.length > 0 ? `leads ${led.map((v) => v.value.shardId).join(',')}` : 'in an ISR'} after ${waitMs} ms`);
    }
    await sleep(REBUILD_WITHDRAW_POLL_MS);
  }
}
