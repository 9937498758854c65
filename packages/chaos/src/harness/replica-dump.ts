/**
 * After healing: waits (bounded) until every replica of every shard reports
 * the same log end and high watermark over the nodes' Status gRPC (via the
 * CLI's status collector), then writes one replicas.jsonl line per replica.
 * The product has no way yet to dump a follower's records, so the lines
 * carry offsets only (see docs/chaos.md, product hooks).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { collectStatus, type StatusReport } from '@shoal/cli';
import type { HistoryWriter } from '../history/history-writer';

const CONVERGE_WAIT_MS = 30_000;
const CONVERGE_POLL_MS = 500;

function converged(report: StatusReport, streamName: string): boolean {
  const stream = report.streams.find((s) => s.streamName === streamName);
  if (!stream) return false;
  return stream.shards.every((sh) => {
    const ends = new Set(sh.replicas.map((r) => `${r.logEndOffset ?? '?'}/${r.highWatermark ?? '?'}`));
    return ends.size === 1 && sh.replicas.every((r) => r.logEndOffset !== undefined && r.logEndOffset === r.highWatermark);
  });
}

export async function dumpReplicas(dataDir: string, streamName: string, history: HistoryWriter, now: () => number): Promise<boolean> {
  const deadline = now() + CONVERGE_WAIT_MS;
  let report = await collectStatus(dataDir);
  while (!converged(report, streamName) && now() < deadline) {
    await sleep(CONVERGE_POLL_MS);
    report = await collectStatus(dataDir);
  }
  for (const sh of report.streams.find((s) => s.streamName === streamName)?.shards ?? []) {
    for (const r of sh.replicas) {
      history.replica({
        type: 'replica', nodeId: r.nodeId, shardId: sh.shardId,
        ...(r.logEndOffset !== undefined ? { logEndOffset: r.logEndOffset } : {}),
        ...(r.highWatermark !== undefined ? { highWatermark: r.highWatermark } : {}),
      });
    }
  }
  return converged(report, streamName);
}
