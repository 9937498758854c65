/**
 * Acknowledged puts against the final read (lost-ack, final-read-incomplete)
 * and each value's positions against its attempts (failed-put-visible,
 * unexplained-duplicate), with the run's counts.
 */
import type { HistoryIndex } from './history-index';
import type { ViolationSink } from './violations';

export interface Counts {
  /** Values with an acknowledged attempt. */
  acknowledged: number;
  /** Acknowledged values not found at their position with their data and key. */
  lost: number;
  /** Acknowledged values whose shard's final read was incomplete (neither found nor lost). */
  unverified: number;
  /** Extra positions of values seen at more than one position (retries). */
  duplicates: number;
  /** Values never acknowledged (every attempt fail or info) and never read. */
  unseen: number;
  /** Values never acknowledged but read (an info attempt that was applied). */
  infoApplied: number;
  attempts: number;
  reads: number;
}

export function checkAcks(index: HistoryIndex, sink: ViolationSink, counts: Counts): void {
  for (const shardId of index.lineageOrder()) {
    const status = index.finalStatus.get(shardId);
    if (!status?.complete) {
      sink.add('final-read-incomplete', `${shardId}: the final read ${status ? 'did not reach the end' : 'never ran'}`, status ? [status] : []);
    }
  }
  const finalBySeq = new Map<string, Map<string, { value: string | null; md5: string; partitionKey: string }>>();
  for (const [shardId, records] of index.finalRecords) {
    finalBySeq.set(shardId, new Map(records.map((r) => [r.seq, r])));
  }
  const ackedValues = new Set<string>();
  for (const ack of index.acks) {
    if (ackedValues.has(ack.value)) continue;
    ackedValues.add(ack.value);
    if (!index.finalStatus.get(ack.shardId)?.complete) { counts.unverified++; continue; }
    const found = finalBySeq.get(ack.shardId)?.get(ack.seq);
    if (found && found.value === ack.value && found.md5 === ack.md5 && found.partitionKey === ack.partitionKey) continue;
    counts.lost++;
    const what = found ? `holds ${found.value ?? 'foreign data'} (key ${found.partitionKey})` : 'is missing';
    sink.add('lost-ack', `${ack.value} acknowledged at ${ack.shardId}/${ack.seq}, which ${what} in the final read`, [ack, ...(found ? [found] : [])]);
  }
  counts.acknowledged = ackedValues.size;
  checkPositions(index, sink, counts, ackedValues);
}

function checkPositions(index: HistoryIndex, sink: ViolationSink, counts: Counts, ackedValues: ReadonlySet<string>): void {
  for (const [value, attempts] of index.attemptsByValue) {
    counts.attempts += attempts.length;
    const positions = index.positionsByValue.get(value);
    const seen = positions?.size ?? 0;
    if (!ackedValues.has(value)) {
      if (seen === 0) counts.unseen++; else counts.infoApplied++;
    }
    if (seen > 1) counts.duplicates += seen - 1;
    const applicable = attempts.filter((a) => a.outcome !== 'fail').length;
    if (seen > 0 && applicable === 0) {
      sink.add('failed-put-visible', `${value}: every attempt ended fail, yet it is at ${[...positions!].join(', ')}`, attempts);
    } else if (seen > applicable) {
      sink.add('unexplained-duplicate', `${value}: at ${seen} positions (${[...positions!].join(', ')}) after ${applicable} applicable attempt(s)`, attempts);
    }
  }
}
