/**
 * The node's record in etcd (`nodes/<nodeId>`), bound to a lease of
 * --lease-ttl-sec. If the lease is lost (etcd unreachable for longer than
 * the TTL), the node is fenced at once (every leader on it stops
 * acknowledging) and registers again under a new lease, with backoff;
 * registered again, it is unfenced. Revoking on close removes the record
 * at once instead of after the TTL.
 *
 * Lease validity by our own monotonic clock: etcd keeps the lease at least
 * TTL after it received the last keepalive, which was after we SENT it, so
 * the lease is surely valid until (send time of the last keepalive that
 * succeeded) + TTL - margin. Leaders acknowledge nothing past that point
 * (leaseUntilMs): a process paused (SIGSTOP) past its TTL sees on wake-up,
 * before answering anything, that the time has passed, even if a keepalive
 * reply is still queued (its send time is the old one).
 *
 * Under the same lease the node reports how far it has acted on the shard
 * records (`applied/<nodeId>`, schema.ts NodeApplied): one write at a time,
 * the latest revision after it, and again after registering anew.
 */
import type { MetadataStore, NodeRecord } from '@shoal/metadata';
import type { Logger } from '@shoal/wire';
import { LEASE_VALIDITY_MARGIN_MS, REREGISTER_BACKOFF_MS_MAX, REREGISTER_BACKOFF_MS_MIN } from './storage-limits';

type Lease = Awaited<ReturnType<MetadataStore['registerNode']>>;

export class NodeRegistration {
  private lease: Lease | undefined;
  private closed = false;
  /** Monotonic ms until which the current lease is surely valid (0: none). */
  private validUntilMs = 0;
  /** Send time of the oldest keepalive not yet answered. */
  private firedMs: number | undefined;
  registered = false;
  /** The latest applied revision to report, and whether a report is being written. */
  private applied: string | undefined;
  private reporting = false;
  private reportAgain = false;

  constructor(
    private readonly store: MetadataStore,
    private readonly record: NodeRecord,
    private readonly ttlSec: number,
    private readonly setFenced: (fenced: boolean) => void,
    private readonly logger: Logger,
    private readonly monoClock: () => number,
  ) {}

  /** Monotonic ms until which this node may act as a leader (0 if unregistered). */
  leaseUntilMs(): number {
    return this.registered ? this.validUntilMs : 0;
  }

  private track(lease: Lease, grantSentMs: number): void {
    const ttlMs = this.ttlSec * 1000 - LEASE_VALIDITY_MARGIN_MS;
    this.validUntilMs = grantSentMs + ttlMs;
    lease.on('keepaliveFired', () => { if (this.lease === lease) this.firedMs ??= this.monoClock(); });
    lease.on('keepaliveSucceeded', () => {
      if (this.lease !== lease || this.firedMs === undefined) return;
      this.validUntilMs = Math.max(this.validUntilMs, this.firedMs + ttlMs);
      this.firedMs = undefined;
    });
  }

  /** Registers, retrying with backoff until it succeeds or the node closes. */
  async register(): Promise<void> {
    for (let backoffMs = REREGISTER_BACKOFF_MS_MIN; !this.closed; backoffMs = Math.min(backoffMs * 2, REREGISTER_BACKOFF_MS_MAX)) {
      try {
        const grantSentMs = this.monoClock();
        const lease = await this.store.registerNode(this.record, this.ttlSec);
        this.lease = lease;
        this.firedMs = undefined;
        this.track(lease, grantSentMs);
        lease.on('lost', (err: Error) => this.lost(lease, err));
        this.registered = true;
        this.setFenced(false);
        this.logger.info('node registered', { grpcAddress: this.record.grpcAddress, httpAddress: this.record.httpAddress, az: this.record.az });
        void this.writeApplied();
        return;
      } catch (err) {
        this.logger.warn('node registration failed; retrying', { err, retryMs: backoffMs });
        await new Promise((r) => setTimeout(r, backoffMs));
      }
    }
  }

  /** Every shard record change up to `revision` is acted on (replicas opened, reconfigured, removed). */
  reportApplied(revision: string): void {
    if (this.applied !== undefined && Number(revision) <= Number(this.applied)) return;
    this.applied = revision;
    void this.writeApplied();
  }

  private async writeApplied(): Promise<void> {
    if (this.reporting) { this.reportAgain = true; return; }
    this.reporting = true;
    try {
      do {
        this.reportAgain = false;
        const lease = this.lease;
        if (!lease || this.applied === undefined || this.closed) return;
        await this.store.reportApplied(lease, this.record.nodeId, { revision: this.applied });
      } while (this.reportAgain);
    } catch (err) {
      // Until a report lands, the controller and the api wait for this node: try again later.
      this.logger.warn('reporting the applied revision failed; retrying', { err, retryMs: REREGISTER_BACKOFF_MS_MAX });
      setTimeout(() => { void this.writeApplied(); }, REREGISTER_BACKOFF_MS_MAX).unref();
    } finally {
      this.reporting = false;
    }
  }

  private lost(lease: Lease, err: Error): void {
    if (this.closed || this.lease !== lease) return;
    // etcd3 may emit 'lost' more than once for one lease: forget it now, so only one re-registration runs.
    this.lease = undefined;
    this.registered = false;
    this.validUntilMs = 0;
    this.logger.warn('node lease lost: fencing leaders and registering again', { err: err.message });
    this.setFenced(true);
    void this.register();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.registered = false;
    await this.lease?.revoke().catch((err: unknown) => this.logger.warn('lease revoke failed', { err }));
  }
}
