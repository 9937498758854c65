/**
 * The etcd writes of enhanced fan-out: registering a consumer under the
 * per-stream limits, changing its status, and claiming a subscription of a
 * consumer to a shard.
 *
 * Registration is exact under concurrency: the api reads the stream's
 * consumers straight from etcd at revision R, decides (limits, duplicate
 * name), and commits only if `consumer-registry/<streamId>` was not
 * modified after R (every registration bumps it) and the consumer's key
 * does not exist. Two registrations racing at the limit cannot both pass.
 *
 * A subscription claim is put under a fresh lease of `ttlSec` and only if
 * no claim exists: while the key lives (TTL after the last successful
 * SubscribeToShard), another one is refused; once it expired, the next one
 * creates the key again and the holder of the old subscription sees the new
 * claim in the watch and ends it. No clock is compared between processes.
 */
import type { Etcd3 } from 'etcd3';
import type { ConsumerRecord, Keys, SubscriptionClaim } from './schema';

/** Attempts of a registration that lost a race to another registration. */
const REGISTER_ATTEMPTS_MAX = 5;

export type RegisterOutcome =
  | { readonly ok: true }
  /** `refusal` is what the caller's check returned (a duplicate name, a limit). */
  | { readonly ok: false; readonly refusal: string };

/**
 * Decides whether a consumer may be registered next to the existing ones
 * (every status counts); returns a refusal reason, or undefined to go on.
 */
export type RegisterCheck = (existing: readonly ConsumerRecord[]) => string | undefined;

/** The writes operations make (ConsumerStore, or a stand-in in tests). */
export interface ConsumerWrites {
  registerConsumer(record: ConsumerRecord, check: RegisterCheck): Promise<RegisterOutcome>;
  updateConsumer(record: ConsumerRecord, expectedModRevision: string): Promise<boolean>;
  claimSubscription(streamId: string, consumerName: string, shardId: string, claim: SubscriptionClaim, ttlSec: number): Promise<boolean>;
}

export class ConsumerStore implements ConsumerWrites {
  constructor(private readonly client: Etcd3, private readonly keys: Keys) {}

  /** Writes `record` (CREATING) if `check` passes against the stream's consumers as they are in etcd. */
  async registerConsumer(record: ConsumerRecord, check: RegisterCheck): Promise<RegisterOutcome> {
    const registry = this.keys.consumerRegistry(record.streamId);
    const key = this.keys.consumer(record.streamId, record.consumerName);
    for (let attempt = 1; attempt <= REGISTER_ATTEMPTS_MAX; attempt++) {
      const read = await this.client.getAll().prefix(this.keys.streamConsumers(record.streamId)).exec();
      const existing = read.kvs.map((kv) => JSON.parse(kv.value.toString('utf8')) as ConsumerRecord);
      const refusal = check(existing);
      if (refusal !== undefined) return { ok: false, refusal };
      const readRevision = BigInt(read.header.revision);
      const res = await this.client
        .if(registry, 'Mod', '<', (readRevision + 1n).toString())
        .and(key, 'Create', '==', 0)
        .then(
          this.client.put(key).value(JSON.stringify(record)),
          this.client.put(registry).value(String(readRevision)),
        )
        .commit();
      if (res.succeeded) return { ok: true };
    }
    return { ok: false, refusal: 'busy' };
  }

  /** Replaces a consumer record if it is still at `expectedModRevision`. */
  async updateConsumer(record: ConsumerRecord, expectedModRevision: string): Promise<boolean> {
    const key = this.keys.consumer(record.streamId, record.consumerName);
    const res = await this.client.if(key, 'Mod', '==', expectedModRevision).then(this.client.put(key).value(JSON.stringify(record))).commit();
    return res.succeeded;
  }

  /**
   * Claims the subscription of `consumerName` to `shardId` for `ttlSec`
   * seconds; false when a claim younger than that exists (ResourceInUseException).
   */
  async claimSubscription(streamId: string, consumerName: string, shardId: string, claim: SubscriptionClaim, ttlSec: number): Promise<boolean> {
    const key = this.keys.subscription(streamId, consumerName, shardId);
    const exists = await this.client.get(key).exec();
    if (exists.kvs.length > 0) return false;
    const lease = await this.client.leaseClient.leaseGrant({ TTL: ttlSec });
    const res = await this.client
      .if(key, 'Create', '==', 0)
      .then(this.client.put(key).value(JSON.stringify(claim)).lease(lease.ID))
      .commit();
    if (!res.succeeded) await this.client.leaseClient.leaseRevoke({ ID: lease.ID }).catch(() => undefined);
    return res.succeeded;
  }
}
