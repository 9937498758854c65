/**
 * How the fault injectors record what they did: one fault event in the
 * history plus a log line, and the common "start whatever is down" step.
 */
import type { ShardRecord } from '@shoal/metadata';
import type { FaultEvent } from '../history/history-format';
import { chaosStreamRef } from '../workload/kinesis-clients';
import type { InjectorDeps } from './fault-injector';

export function fault(d: InjectorDeps, e: Omit<FaultEvent, 'type' | 'atMs'>, atMs = d.now()): void {
  d.history.fault({ type: 'fault', atMs, ...e });
  d.log(`${e.action} ${e.target}${e.detail ? `: ${e.detail}` : ''}`);
}

/** Starts every process of the cluster that is not running; records how long it took, and why (`why`) if given. */
export async function restartAll(d: InjectorDeps, why?: string): Promise<void> {
  const atMs = d.now();
  const prefix = why === undefined ? '' : `${why}; `;
  try {
    await d.cluster.up();
    fault(d, { action: 'restart', target: 'all', detail: `${prefix}up took ${d.now() - atMs} ms` }, atMs);
  } catch (err) {
    fault(d, { action: 'restart', target: 'all', detail: `${prefix}up failed: ${(err as Error).message.slice(0, 500)}` }, atMs);
  }
}

/** The open shards of the chaos stream, as the metadata view has them now. */
export function openShards(d: InjectorDeps): ShardRecord[] {
  const stream = d.store.view.stream(chaosStreamRef(d.streamName));
  return stream ? d.store.view.openShardsOf(stream.value.streamId) : [];
}
