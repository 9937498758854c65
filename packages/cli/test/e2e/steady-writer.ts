/**
 * A steady writer for the failure tests: one open loop per shard that sends
 * a small PutRecords (ExplicitHashKey inside the shard's range) every
 * TICK_MS while fewer than IN_FLIGHT_MAX requests of that shard are
 * outstanding, so a request stuck on a dead leader does not stop the
 * shard's later requests. Every record carries a unique id in its data and
 * is remembered as acknowledged (shard, sequence number) or failed (an
 * error was returned: the record may or may not have been appended).
 */
import { randomBytes } from 'node:crypto';
import { PutRecordsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';

const TICK_MS = 100;
/** Requests stuck on a dead leader wait up to the api's 10 s deadline; enough slots that new ones still go out. */
const IN_FLIGHT_MAX = 40;
const RECORDS_PER_PUT = 5;
const PAD_BYTES = 48;

export interface Acked { readonly id: string; readonly shardId: string; readonly sequenceNumber: string; readonly data: Buffer; readonly atMs: number }
export interface Failed { readonly id: string; readonly shardId: string; readonly data: Buffer; readonly error: string }

/** The id a record's data starts with: `<shardId>#<n>|`. */
export function idOf(data: Buffer): string {
  const text = data.subarray(0, 64).toString('latin1');
  const end = text.indexOf('|');
  return end < 0 ? '' : text.slice(0, end);
}

export class SteadyWriter {
  readonly acked: Acked[] = [];
  readonly failed: Failed[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Map<string, number>();
  private readonly outstanding = new Set<Promise<void>>();
  private next = 0;

  constructor(private readonly client: KinesisClient, private readonly streamName: string, private readonly shards: readonly Shard[]) {}

  start(): void {
    for (const shard of this.shards) this.timers.push(setInterval(() => this.tick(shard), TICK_MS));
  }

  /** Stops sending and waits for every outstanding request. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    await Promise.all([...this.outstanding]);
  }

  /** Acknowledgement times (ms) of a shard's records. */
  ackTimes(shardId: string): number[] {
    return this.acked.filter((a) => a.shardId === shardId).map((a) => a.atMs).sort((a, b) => a - b);
  }

  /** The longest time in [fromMs, toMs] during which no record of the shard was acknowledged. */
  longestPauseMs(shardId: string, fromMs: number, toMs: number): number {
    let last = fromMs;
    let longest = 0;
    for (const t of this.ackTimes(shardId)) {
      if (t < fromMs) continue;
      if (t > toMs) break;
      longest = Math.max(longest, t - last);
      last = t;
    }
    return Math.max(longest, toMs - last);
  }

  private tick(shard: Shard): void {
    const shardId = shard.ShardId!;
    const n = this.inFlight.get(shardId) ?? 0;
    if (n >= IN_FLIGHT_MAX) return;
    this.inFlight.set(shardId, n + 1);
    const start = BigInt(shard.HashKeyRange!.StartingHashKey!);
    const entries = Array.from({ length: RECORDS_PER_PUT }, (_, i) => {
      const id = `${shardId}#${this.next++}`;
      const data = Buffer.concat([Buffer.from(`${id}|`, 'latin1'), randomBytes(PAD_BYTES)]);
      return { id, data, explicit: (start + BigInt(i)).toString() };
    });
    const p = this.put(shardId, entries).finally(() => {
      this.inFlight.set(shardId, (this.inFlight.get(shardId) ?? 1) - 1);
      this.outstanding.delete(p);
    });
    this.outstanding.add(p);
  }

  private async put(shardId: string, entries: ReadonlyArray<{ id: string; data: Buffer; explicit: string }>): Promise<void> {
    try {
      const res = await this.client.send(new PutRecordsCommand({
        StreamName: this.streamName,
        Records: entries.map((e) => ({ PartitionKey: 'steady', ExplicitHashKey: e.explicit, Data: e.data })),
      }));
      const atMs = Date.now();
      res.Records!.forEach((r, i) => {
        const e = entries[i]!;
        if (r.SequenceNumber) this.acked.push({ id: e.id, shardId: r.ShardId!, sequenceNumber: r.SequenceNumber, data: e.data, atMs });
        else this.failed.push({ id: e.id, shardId, data: e.data, error: r.ErrorCode ?? 'unknown' });
      });
    } catch (err) {
      for (const e of entries) this.failed.push({ id: e.id, shardId, data: e.data, error: (err as Error).name });
    }
  }
}
