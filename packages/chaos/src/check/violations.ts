/**
 * The closed set of violations the checker reports, one per invariant of
 * CHAOS.md, and the sink that collects them with bounded detail.
 */
import { VIOLATION_CONTEXT_LINES_MAX, VIOLATION_DETAILS_PER_TYPE_MAX } from '../chaos-limits';

export const VIOLATION_TYPES = [
  /** An acknowledged put is not in its shard at its sequence number with identical data and key. */
  'lost-ack',
  /** The final read could not read a shard to its end, so losses there cannot be ruled out. */
  'final-read-incomplete',
  /** A put that ended `fail` (definitely not applied) was read back. */
  'failed-put-visible',
  /** One (shard, sequence number) mapped to two different records (reads or acks). */
  'divergent-history',
  /** A record was read that no put ever wrote (unknown value, or other data or key). */
  'phantom-record',
  /** A value appears at more positions than its writer made attempts. */
  'unexplained-duplicate',
  /** A reader got a sequence number not above the one it had already read. */
  'reader-went-backwards',
  /** A reader passed over a record known to be in the shard. */
  'reader-skipped-record',
  /** A put acknowledged before another began on the same shard got the larger sequence number. */
  'ack-order-violated',
  /** Per partition key, a put acknowledged before another began is read after it (parents read first). */
  'key-order-violated',
  /** The open shards of a ListShards snapshot do not tile the hash space. */
  'hash-space-not-tiled',
  /** An acknowledged record's hash key is outside its shard's range, or its shard was closed before the put began. */
  'acked-outside-open-shard',
  /** A child shard's sequence numbers do not exceed its parents' ending numbers. */
  'child-seq-not-after-parent',
  /** A record lies past a closed shard's ending sequence number. */
  'record-in-closed-shard',
  /** Replicas of a shard differ after healing. */
  'replicas-diverge',
  /** The p99 of the write gap per fault exceeds the scenario's bound. */
  'write-gap-exceeded',
  /** A cluster process exited although no fault was aimed at it (exits.jsonl). */
  'process-crashed',
  /** An api process the workload wrote through acknowledged none of the puts sent to it. */
  'api-acknowledged-nothing',
  /** A bad request of the hostile client did not get its Kinesis error (BAD-INPUT.md). */
  'bad-input-wrong-answer',
  /** A slow client (slowloris) held its connection open past the api's bound. */
  'slow-client-not-closed',
  /** A record of a shard has an earlier ApproximateArrivalTimestamp than the record before it. */
  'arrival-time-decreased',
  /** A shard's leader changed more than allowed within a minute with no process fault to explain it (link degradation only). */
  'failover-storm',
  /** A node restarted on files with flipped bits did not report corruption (disk.jsonl). */
  'corruption-undetected',
  /** A corrupted node was named a shard's leader before it was back in that shard's ISR (disk.jsonl). */
  'corrupt-replica-led',
  /** A reshard round accepted by the api was neither done nor rolled back within 15 s, or the stream stayed UPDATING longer (reshards.jsonl, snapshots). */
  'reshard-stuck',
  /** A shard's epoch went down, or its leader changed without a higher epoch (epochs.jsonl). */
  'epoch-not-increasing',
  /** A put began after every lease had lapsed with etcd out of quorum and was acknowledged before etcd came back (check-etcd-outage.ts). */
  'ack-without-lease',
  /** A fan-out subscription delivered a record not after the one before it (a duplicate or a step back) (subscriptions.jsonl). */
  'subscription-out-of-order',
  /** A fan-out subscription passed over a record known to be in the shard, or ended a shard without one of its records. */
  'subscription-skipped-record',
  /** An acknowledged record never reached a subscription that was reading its shard (SUBSCRIPTION_DELIVERY_GRACE_MS before its last event). */
  'subscription-missed-record',
  /** An event's ContinuationSequenceNumber is not the last record's, is missing without ChildShards or present with them, or ChildShards do not name the shard's children and their parents. */
  'subscription-bad-continuation',
] as const;

export type ViolationType = (typeof VIOLATION_TYPES)[number];

export interface Violation {
  readonly type: ViolationType;
  readonly message: string;
  /** The history lines around the violation (ops, reads, snapshots), bounded. */
  readonly context: readonly unknown[];
}

/** Collects violations: every one counted, the first few per type kept whole. */
export class ViolationSink {
  readonly counts = new Map<ViolationType, number>();
  readonly details: Violation[] = [];

  add(type: ViolationType, message: string, context: readonly unknown[] = []): void {
    const n = (this.counts.get(type) ?? 0) + 1;
    this.counts.set(type, n);
    if (n <= VIOLATION_DETAILS_PER_TYPE_MAX) {
      this.details.push({ type, message, context: context.slice(0, VIOLATION_CONTEXT_LINES_MAX) });
    }
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }
}
