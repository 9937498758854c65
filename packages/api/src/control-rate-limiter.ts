/**
 * Kinesis' per-account rate limits on control-plane operations
 * (CreateStream 5/s, DeleteStream 5/s, DescribeStream 10/s, ...), as token
 * buckets whose burst equals the rate. Over the limit a request gets
 * LimitExceededException. The limit is per api process: with N api
 * processes an account may reach N times the rate (documented; a shared
 * limiter would need a round trip to etcd per control call).
 */
import { TokenBucket } from '@shoal/core';
import { controlRateExceeded } from './kinesis-errors';

/** Requests per second per account, from the Kinesis quotas documentation. */
export const CONTROL_RATES_PER_SEC_DEFAULT: ReadonlyMap<string, number> = new Map([
  ['CreateStream', 5],
  ['DeleteStream', 5],
  ['DescribeStream', 10],
  ['DescribeStreamSummary', 20],
  ['ListStreams', 5],
  ['ListShards', 1000],
  ['RegisterStreamConsumer', 5],
  ['AddTagsToStream', 5],
  ['RemoveTagsFromStream', 5],
  ['ListTagsForStream', 5],
  ['DescribeLimits', 1],
  ['UpdateAccountSettings', 5],
  ['UpdateStreamWarmThroughput', 5],
]);

/** Accounts tracked at once (SigV4 will bring more than one); least recently created dropped first. */
const ACCOUNTS_MAX = 10_000;

export class ControlRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  /** `rates`: operation -> requests per second; operations not listed are not limited. */
  constructor(private readonly rates: ReadonlyMap<string, number>) {}

  /**
   * Takes one request of `operation` for `accountId` at `nowMs`; throws
   * LimitExceededException over the rate, worded as Kinesis words it (clients
   * such as Terraform retry only on "Rate exceeded for stream").
   */
  check(accountId: string, operation: string, nowMs: number, streamName?: string): void {
    const rate = this.rates.get(operation);
    if (rate === undefined || rate <= 0) return;
    const key = `${accountId}/${operation}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= ACCOUNTS_MAX * this.rates.size) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      bucket = new TokenBucket({ ratePerSec: rate, capacity: rate }, nowMs);
      this.buckets.set(key, bucket);
    }
    if (!bucket.tryTake(1, nowMs)) {
      throw controlRateExceeded(streamName, accountId);
    }
  }
}

/** The stream a validated request names (StreamName, else the name in StreamARN), for the rate-limit message. */
export function requestStreamName(input: unknown): string | undefined {
  if (input === null || typeof input !== 'object') return undefined;
  const { StreamName: name, StreamARN: arn } = input as { StreamName?: unknown; StreamARN?: unknown };
  if (typeof name === 'string') return name;
  if (typeof arn === 'string') return arn.slice(arn.indexOf(':stream/') + ':stream/'.length) || undefined;
  return undefined;
}
