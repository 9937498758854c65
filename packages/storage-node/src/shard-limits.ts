/**
 * Per-shard throughput limits, enforced at the shard leader with token
 * buckets (core): writes 1 MiB/s and 1000 records/s, checked per record (a
 * refused record is throttled alone); reads 5 calls/s and 2 MiB/s (a read
 * may overdraw the byte bucket once; later reads wait until it refills, as
 * Kinesis does). Record size = data + partition key bytes, as Kinesis counts.
 */
import { TokenBucket, limits } from '@shoal/core';

export class ShardLimits {
  private readonly writeBytes: TokenBucket;
  private readonly writeRecords: TokenBucket;
  private readonly readCalls: TokenBucket;
  private readonly readBytes: TokenBucket;

  constructor(nowMs: number) {
    this.writeBytes = new TokenBucket({ ratePerSec: limits.SHARD_WRITE_BYTES_PER_SEC, capacity: limits.SHARD_WRITE_BYTES_PER_SEC }, nowMs);
    this.writeRecords = new TokenBucket({ ratePerSec: limits.SHARD_WRITE_RECORDS_PER_SEC, capacity: limits.SHARD_WRITE_RECORDS_PER_SEC }, nowMs);
    this.readCalls = new TokenBucket({ ratePerSec: limits.SHARD_READ_CALLS_PER_SEC, capacity: limits.SHARD_READ_CALLS_PER_SEC }, nowMs);
    this.readBytes = new TokenBucket({ ratePerSec: limits.SHARD_READ_BYTES_PER_SEC, capacity: limits.SHARD_READ_BYTES_PER_SEC }, nowMs);
  }

  /**
   * Takes one record of `bytes` if both write buckets allow it; false = throttled.
   * A record larger than the byte bucket (up to 10 MiB, UpdateMaxRecordSize) is
   * taken when the bucket is full and leaves it in debt: later writes are
   * throttled until it refills, as in Kinesis' token-bucket design.
   */
  tryWrite(bytes: number, nowMs: number): boolean {
    if (this.writeRecords.available(nowMs) < 1) return false;
    const available = this.writeBytes.available(nowMs);
    if (bytes > limits.SHARD_WRITE_BYTES_PER_SEC && available >= limits.SHARD_WRITE_BYTES_PER_SEC) {
      this.writeRecords.tryTake(1, nowMs);
      this.writeBytes.takeWithDebt(bytes, nowMs);
      return true;
    }
    if (available < bytes) return false;
    this.writeRecords.tryTake(1, nowMs);
    this.writeBytes.tryTake(bytes, nowMs);
    return true;
  }

  /** Takes one read call if allowed and the byte bucket is not in debt. */
  tryReadCall(nowMs: number): boolean {
    if (this.readBytes.available(nowMs) <= 0) return false;
    return this.readCalls.tryTake(1, nowMs);
  }

  /** Charges the bytes a read returned (may go into debt). */
  chargeRead(bytes: number, nowMs: number): void {
    this.readBytes.takeWithDebt(bytes, nowMs);
  }
}
