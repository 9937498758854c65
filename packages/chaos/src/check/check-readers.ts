/**
 * Readers never go backwards and never skip: within a reading session of a
 * shard, each record has a larger sequence number than the one before, and
 * no record known to be in the shard (from any read or acknowledgement) lies
 * between two consecutive records, before the first one of a session from
 * the start, or after the last one of a closed shard read to its end.
 */
import type { ReadCall } from '../history/history-format';
import type { HistoryIndex } from './history-index';
import type { ViolationSink } from './violations';

export function checkReaders(index: HistoryIndex, sink: ViolationSink): void {
  /** session -> last sequence number read (null: from the start) and the call that read it. */
  const last = new Map<string, { seq: bigint | null; read: ReadCall | undefined }>();
  for (const read of index.readCalls) {
    if (read.outcome !== 'ok') continue;
    const key = `${read.reader}/${read.session}`;
    const state = last.get(key) ?? { seq: read.after === null ? null : BigInt(read.after), read: undefined };
    const context = state.read ? [state.read, read] : [read];
    for (const r of read.records) {
      const seq = BigInt(r.seq);
      if (state.seq !== null && seq <= state.seq) {
        sink.add('reader-went-backwards', `${read.reader} read ${read.shardId}/${r.seq} after ${state.seq}`, context);
      } else {
        const skipped = index.knownBetween(read.shardId, state.seq, seq);
        if (skipped !== undefined) {
          sink.add('reader-skipped-record', `${read.reader} read ${read.shardId}/${r.seq} after ${state.seq ?? 'the start'}, passing over ${skipped}`, context);
        }
      }
      if (state.seq === null || seq > state.seq) state.seq = seq;
      state.read = read;
    }
    if (!read.hasNext) {
      const skipped = index.knownBetween(read.shardId, state.seq, null);
      if (skipped !== undefined) {
        sink.add('reader-skipped-record', `${read.reader} reached the end of ${read.shardId} after ${state.seq ?? 'the start'}, but ${skipped} is in it`, context);
      }
    }
    last.set(key, state);
  }
}
