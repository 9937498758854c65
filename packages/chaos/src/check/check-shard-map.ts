/**
 * The shard map: open shards tile the hash space in every snapshot
 * (hash-space-not-tiled); each acknowledged record lies in its shard's range
 * and its shard was not closed before the put began (acked-outside-open-shard);
 * children's numbers exceed their parents' (child-seq-not-after-parent);
 * nothing lies past a closed shard's ending number (record-in-closed-shard).
 */
import { checkTiling, partitionKeyToHashKey, type ShardRange } from '@shoal/core';
import { isClosedShard, isOpenShard } from '@shoal/metadata';
import type { SnapshotShard } from '../history/history-format';
import type { HistoryIndex } from './history-index';
import type { ViolationSink } from './violations';

export function checkTilingOfSnapshots(index: HistoryIndex, sink: ViolationSink): void {
  for (const snap of index.history.shards) {
    if (snap.outcome !== 'ok') continue;
    const open: ShardRange[] = snap.shards
      .filter(isOpenShard)
      .map((s) => ({ shardId: s.shardId, start: BigInt(s.hashKeyStart), end: BigInt(s.hashKeyEnd), open: true }));
    const problem = checkTiling(open);
    if (problem !== undefined) sink.add('hash-space-not-tiled', `snapshot at ${snap.endMs}: ${problem}`, [snap]);
  }
}

/** Start time of the first snapshot that shows each shard closed. */
function closedSince(index: HistoryIndex): Map<string, number> {
  const out = new Map<string, number>();
  for (const snap of index.history.shards) {
    if (snap.outcome !== 'ok') continue;
    for (const s of snap.shards) {
      if (isClosedShard(s) && !out.has(s.shardId)) out.set(s.shardId, snap.endMs);
    }
  }
  return out;
}

export function checkAckedInOpenShard(index: HistoryIndex, sink: ViolationSink): void {
  const closed = closedSince(index);
  for (const ack of index.acks) {
    const info = index.shardInfo.get(ack.shardId);
    if (!info) continue; // never sampled; nothing to compare with
    const hashKey = partitionKeyToHashKey(ack.partitionKey);
    if (hashKey < BigInt(info.hashKeyStart) || hashKey > BigInt(info.hashKeyEnd)) {
      sink.add('acked-outside-open-shard', `${ack.value}: key ${ack.partitionKey} hashes outside ${ack.shardId} [${info.hashKeyStart}, ${info.hashKeyEnd}]`, [ack, info]);
      continue;
    }
    const closedMs = closed.get(ack.shardId);
    if (closedMs !== undefined && closedMs < ack.startMs) {
      sink.add('acked-outside-open-shard', `${ack.value}: acknowledged in ${ack.shardId}, seen closed at ${closedMs} before the put began at ${ack.startMs}`, [ack, info]);
    }
  }
}

function seqRange(index: HistoryIndex, shardId: string): { min: bigint; max: bigint } | undefined {
  const seqs = index.knownSeqs.get(shardId);
  if (!seqs || seqs.length === 0) return undefined;
  return { min: seqs[0] as bigint, max: seqs[seqs.length - 1] as bigint };
}

function checkChild(index: HistoryIndex, sink: ViolationSink, child: SnapshotShard, parentId: string): void {
  const parent = index.shardInfo.get(parentId);
  const childRange = seqRange(index, child.shardId);
  const parentRange = seqRange(index, parentId);
  const parentEnd = parent?.endingSequenceNumber !== undefined ? BigInt(parent.endingSequenceNumber) : undefined;
  if (parentEnd !== undefined && BigInt(child.startingSequenceNumber) <= parentEnd) {
    sink.add('child-seq-not-after-parent', `${child.shardId} starts at ${child.startingSequenceNumber}, not after ${parentId}'s end ${parentEnd}`, [child, parent]);
  }
  const parentTop = parentEnd ?? parentRange?.max;
  if (childRange && parentTop !== undefined && childRange.min <= parentTop) {
    sink.add('child-seq-not-after-parent', `${child.shardId} holds ${childRange.min}, not after ${parentId}'s ${parentTop}`, [child, parent]);
  }
}

export function checkLineage(index: HistoryIndex, sink: ViolationSink): void {
  for (const info of index.shardInfo.values()) {
    for (const parentId of [info.parentShardId, info.adjacentParentShardId]) {
      if (parentId !== undefined) checkChild(index, sink, info, parentId);
    }
    if (!isClosedShard(info)) continue;
    const end = BigInt(info.endingSequenceNumber);
    const range = seqRange(index, info.shardId);
    if (range && range.max > end) {
      const at = index.byPosition.get(info.shardId)?.get(range.max.toString());
      sink.add('record-in-closed-shard', `${info.shardId} closed at ${end} holds ${range.max}`, [info, ...[...(at?.values() ?? [])].map((o) => o.source)]);
    }
  }
}
