/**
 * Checks of the disk faults (disk.jsonl, history/disk-format.ts):
 * - `corruption-undetected`: a node whose files had bits flipped did not
 *   report corruption after its restart (it may be serving or replicating
 *   the damaged data);
 * - `corrupt-replica-led`: a shard record named a corrupted node leader
 *   before a leader had re-added it to that shard's ISR (before it was
 *   repaired).
 * Corrupt data actually served is caught by the record checks
 * (`phantom-record`: a value or key no put wrote, or other data).
 */
import type { History } from '../history/history-format';
import type { ViolationSink } from './violations';

export function checkDisk(history: History, sink: ViolationSink): void {
  for (const e of history.disk ?? []) {
    if (e.type === 'corruption-detection' && !e.detected) {
      sink.add('corruption-undetected', `${e.node} was restarted on corrupted files and reported no corruption`, [e]);
    } else if (e.type === 'led-while-rebuilding') {
      sink.add('corrupt-replica-led', `${e.node} was named leader of ${e.shardId} (epoch ${e.epoch}) before it was back in that shard's ISR`, [e]);
    }
  }
}
