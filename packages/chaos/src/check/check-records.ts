/**
 * Every record seen against every other and against what was written: one
 * history per shard (divergent-history) and nothing read that was never
 * written (phantom-record).
 */
import type { HistoryIndex } from './history-index';
import type { ViolationSink } from './violations';

export function checkRecords(index: HistoryIndex, sink: ViolationSink): void {
  for (const [shardId, bySeq] of index.byPosition) {
    for (const [seq, byContent] of bySeq) {
      if (byContent.size > 1) {
        const seen = [...byContent.values()];
        const what = seen.map((o) => `${o.value ?? 'foreign data'} (${'type' in o.source && o.source.type === 'put' ? 'ack' : 'read'})`).join(' vs ');
        sink.add('divergent-history', `${shardId}/${seq} maps to ${byContent.size} records: ${what}`, seen.map((o) => o.source));
      }
    }
  }
  for (const read of index.readCalls) {
    for (const r of read.records) {
      const attempts = r.value === null ? undefined : index.attemptsByValue.get(r.value);
      const written = attempts?.[0];
      if (!written) {
        sink.add('phantom-record', `${read.shardId}/${r.seq}: ${r.value ?? 'foreign data'} was never written`, [read]);
      } else if (written.md5 !== r.md5 || written.partitionKey !== r.partitionKey) {
        sink.add('phantom-record', `${read.shardId}/${r.seq}: ${r.value} read with other data or key than written`, [written, read]);
      }
    }
  }
}
