/**
 * A token bucket for per-shard throughput limits (bytes or records or calls
 * per second). Time comes in as an argument (milliseconds), so the bucket is
 * pure and tests drive it with a fake clock.
 *
 * Tokens refill continuously at `ratePerSec` up to `capacity`. `tryTake`
 * takes only what is there; `takeWithDebt` always takes and may leave the
 * bucket negative (a large read is served once, then later calls wait until
 * the debt is repaid), as Kinesis does for GetRecords bytes.
 */
export interface TokenBucketOptions {
  /** Tokens added per second; > 0. */
  readonly ratePerSec: number;
  /** Most tokens the bucket holds; > 0. Also its initial level. */
  readonly capacity: number;
}

export class TokenBucket {
  private tokens: number;
  private lastMs: number;
  private readonly ratePerMs: number;

  constructor(private readonly options: TokenBucketOptions, nowMs: number) {
    if (!(options.ratePerSec > 0) || !(options.capacity > 0)) throw new Error('token bucket rate and capacity must be > 0');
    this.tokens = options.capacity;
    this.lastMs = nowMs;
    this.ratePerMs = options.ratePerSec / 1000;
  }

  private refill(nowMs: number): void {
    // A clock that goes backwards adds nothing (never a negative refill).
    if (nowMs > this.lastMs) {
      this.tokens = Math.min(this.options.capacity, this.tokens + (nowMs - this.lastMs) * this.ratePerMs);
      this.lastMs = nowMs;
    }
  }

  /** Tokens available now (negative while in debt). */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  /** Takes `amount` if that many tokens are available; otherwise takes nothing. */
  tryTake(amount: number, nowMs: number): boolean {
    this.refill(nowMs);
    if (amount > this.tokens) return false;
    this.tokens -= amount;
    return true;
  }

  /** Takes `amount` even if that leaves the bucket negative. */
  takeWithDebt(amount: number, nowMs: number): void {
    this.refill(nowMs);
    this.tokens -= amount;
  }
}
