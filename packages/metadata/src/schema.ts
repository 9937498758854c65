/**
 * The etcd schema: every key this system writes lives under one prefix
 * (default `/shoal/`), and every value is JSON of one of the types below.
 *
 *   <prefix>nodes/<nodeId>                  NodeRecord, bound to the node's lease
 *   <prefix>applied/<nodeId>                NodeApplied, bound to the node's lease (written by the node)
 *   <prefix>streams/<accountId>/<region>/<streamName>   StreamRecord (names are
 *                                           unique per account and region, as in AWS)
 *   <prefix>shards/<streamId>/<shardId>     ShardRecord
 *   <prefix>controller/election             etcd3 election (controller leader)
 *   <prefix>secrets/iterator-key            base64 HMAC key for shard iterators
 *   <prefix>admin/move-leader/<streamId>/<shardId>  MoveLeaderRequest (operator -> controller)
 *   <prefix>admin/drains/<nodeId>           DrainRecord (operator -> controller)
 *   <prefix>policies/<encodeURIComponent(resourceArn)>  ResourcePolicyRecord (stream or consumer ARN)
 *   <prefix>consumers/<streamId>/<consumerName>       ConsumerRecord (enhanced fan-out)
 *   <prefix>consumer-registry/<streamId>    guard bumped by every registration (consumer-store.ts)
 *   <prefix>subscriptions/<streamId>/<consumerName>/<shardId>  SubscriptionClaim, under a
 *                                           lease of SUBSCRIPTION_TAKEOVER_MS (docs/fan-out.md)
 *   <prefix>accounts/<accountId>/settings   AccountSettingsRecord (api: UpdateAccountSettings;
 *                                           operators may set the account's limits here)
 *
 * Shard records are changed only by etcd transactions that compare the
 * mod revision they read (see metadata-store.ts), and only by the
 * controller, except where a comment below says otherwise.
 */

/** Availability zones of the local cluster. */
export type AzName = string;

export interface NodeRecord {
  readonly nodeId: string;
  readonly az: AzName;
  /** host:port of the node's gRPC server. */
  readonly grpcAddress: string;
  /** http://host:port of the node's /healthz and /metrics. */
  readonly httpAddress: string;
  readonly pid: number;
  readonly startedMs: number;
}

/**
 * How far a storage node has acted on the shard records: every shard record
 * change up to `revision` (an etcd revision) has its replica opened,
 * reconfigured or removed on the node. The controller makes a new stream
 * ACTIVE only once its shards' replicas are open (plans.ts); the api waits
 * for a leader that has not opened a shard yet (retry-policy.ts).
 */
export interface NodeApplied {
  readonly revision: string;
}

export type StreamStatus = 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING';
export type StreamMode = 'PROVISIONED' | 'ON_DEMAND';

/** The account id of every request when authentication is off (as kinesalite and LocalStack use). */
export const DEFAULT_ACCOUNT_ID = '000000000000';

/** Where a stream name is unique: one account in one region, as in AWS. */
export interface StreamScope {
  /** 12-digit AWS account id. */
  readonly accountId: string;
  /** AWS region name, e.g. us-east-1 (from the request's SigV4 credential scope). */
  readonly region: string;
}

/** Names one stream: its scope and its name. */
export interface StreamRef extends StreamScope {
  readonly streamName: string;
}

/** The key of a stream in ClusterView.streams (and the tail of its etcd key): `<accountId>/<region>/<streamName>`. */
export function streamKeyOf(ref: StreamRef): string {
  return `${ref.accountId}/${ref.region}/${ref.streamName}`;
}

export interface StreamRecord extends StreamRef {
  /** Unique for each creation of a stream (a UUID); names can be reused. */
  readonly streamId: string;
  readonly streamArn: string;
  readonly status: StreamStatus;
  readonly mode: StreamMode;
  /** Shards the stream was created with (the controller creates them). */
  readonly initialShardCount: number;
  readonly retentionPeriodHours: number;
  readonly createdMs: number;
  readonly encryptionType: 'NONE' | 'KMS';
  readonly keyId?: string;
  /** Largest record (data + key) in KiB; 1024 unless changed. */
  readonly maxRecordSizeKiB: number;
  readonly tags: Readonly<Record<string, string>>;
  /** Next shard index to hand out (shard ids only grow). */
  readonly nextShardIndex: number;
  /**
   * The split/merge round in progress (docs/resharding.md), written by the
   * api (SplitShard, MergeShards) or the controller (UpdateShardCount
   * rounds, on-demand scaling, warm throughput); removed by the controller
   * when it commits the children, or when it rolls the round back.
   */
  readonly reshard?: ReshardRecord;
  /** UpdateShardCount (UNIFORM_SCALING) target the controller works toward in rounds; removed once reached. */
  readonly targetShardCount?: number;
  /** Epoch ms of the UpdateShardCount calls of the last 24 hours (rate limit), oldest first. */
  readonly shardCountUpdatesMs?: readonly number[];
  /** UpdateStreamWarmThroughput target in MiB/s (ON_DEMAND streams); absent = none. */
  readonly warmThroughputMiBps?: number;
  /** Epoch ms when the last reshard round completed (on-demand merge cool-down). */
  readonly lastReshardMs?: number;
  /**
   * Records that arrived before this epoch ms stay inaccessible whatever the
   * retention period: IncreaseStreamRetentionPeriod sets it to the old
   * retention horizon, because data already expired does not come back
   * (Kinesis' documented behaviour). Readers hide records older than
   * max(now - retentionPeriodHours, expiredBeforeMs).
   */
  readonly expiredBeforeMs?: number;
  /** Shard-level metrics turned on by EnableEnhancedMonitoring (metric names, never ALL); absent = none. */
  readonly shardLevelMetrics?: readonly string[];
  /** How PutRecord(s) place records (ON_DEMAND streams only; UpdateStreamRecordDistributionStrategy); absent = USER_PARTITION_KEY. */
  readonly recordDistributionStrategy?: 'AUTO' | 'USER_PARTITION_KEY';
  /**
   * The stream's data keys for encryption at rest, wrapped under the
   * cluster master key (docs/encryption.md). Kept after StopStreamEncryption:
   * records sealed earlier stay readable. Only the api reads them.
   */
  readonly dataKeys?: readonly DataKeyRecord[];
  /** Epoch ms of the StartStreamEncryption calls of the last 24 hours that applied a new KeyId (Kinesis allows 25). */
  readonly keyIdChangesMs?: readonly number[];
}

/** One data key of a stream, wrapped (AES-256-GCM) under the master key; useless without it. */
export interface DataKeyRecord {
  /** 1, 2, ...: the version sealed records name. */
  readonly version: number;
  /** base64 of nonce || wrapped key || tag (core record-envelope.ts wrapDataKey). */
  readonly wrappedKey: string;
  /** Fingerprint of the master key that wrapped it (tells a wrong master key from a damaged record). */
  readonly masterKeyId: string;
  readonly createdMs: number;
}

/**
 * The On-demand Advantage (minimum throughput billing) commitment of an
 * account (UpdateAccountSettings): on from startedMs until endedMs (absent:
 * no end yet); a disable asked for before earliestAllowedEndMs sets endedMs
 * to it (account-settings.ts derives the status).
 */
export interface BillingCommitmentRecord {
  readonly startedMs: number;
  /** startedMs + 24 hours: the commitment cannot end before. */
  readonly earliestAllowedEndMs: number;
  /** When it ended, or will end (a disable asked for before the earliest allowed end). */
  readonly endedMs?: number;
}

/** Settings of one account, read by every api process and the controller from the view. */
export interface AccountSettingsRecord {
  readonly accountId: string;
  readonly minimumThroughputBillingCommitment?: BillingCommitmentRecord;
  /** Operator overrides of the api's --shard-limit / --on-demand-stream-limit for this account. */
  readonly shardLimit?: number;
  readonly onDemandStreamCountLimit?: number;
}

/** Who asked for a reshard round. */
export type ReshardCause = 'split' | 'merge' | 'update-shard-count' | 'on-demand' | 'warm-throughput';

/** One split or merge of a round: parent shard ids and the children's inclusive hash key ranges (decimal strings). */
export interface ReshardStepRecord {
  readonly parents: readonly string[];
  readonly children: ReadonlyArray<{ readonly hashKeyStart: string; readonly hashKeyEnd: string }>;
}

/**
 * A reshard round: its steps run together. The controller marks every
 * parent `closing`, waits until every parent's leader wrote
 * `sealedLogEnd`, then in one commit closes the parents (ending sequence
 * numbers), writes the children and removes this record. A round not
 * sealed within the controller's timeout is rolled back (parents reopened).
 */
export interface ReshardRecord {
  readonly cause: ReshardCause;
  readonly steps: readonly ReshardStepRecord[];
  /** Epoch ms the round was requested (rollback timeout). */
  readonly requestedMs: number;
}

export interface ShardRecord {
  readonly streamId: string;
  readonly streamName: string;
  readonly shardId: string;
  readonly shardIndex: number;
  /** Inclusive hash key range as decimal strings. */
  readonly hashKeyStart: string;
  readonly hashKeyEnd: string;
  readonly parentShardId?: string;
  readonly adjacentParentShardId?: string;
  readonly startingSequenceNumber: string;
  /** Set when the shard is closed by a split or merge. */
  readonly endingSequenceNumber?: string;
  /**
   * Epoch ms the controller committed endingSequenceNumber (ListShards'
   * timestamp filters need when a shard closed). Absent on open shards and
   * on shards closed before this field existed.
   */
  readonly closedMs?: number;
  readonly createdMs: number;
  /** Node ids of the replicas, one per AZ. */
  readonly replicas: readonly string[];
  /** Node id of the leader; a member of isr. */
  readonly leader: string;
  /** Leader epoch, bumped on every leader change. Starts at 1. */
  readonly epoch: number;
  /** In-sync replica set (node ids), the leader included. */
  readonly isr: readonly string[];
  /**
   * Set by the controller when a reshard round closes this shard: from when
   * its leader sees it, the leader appends nothing more (Append answers
   * SHARD_CLOSED) and seals the log.
   */
  readonly closing?: boolean;
  /**
   * Written by the shard's leader (guarded commit) once `closing` is set and
   * everything it appended is committed: the log end (exclusive offset);
   * nothing at or past it is ever acknowledged. The last record's offset
   * is sealedLogEnd - 1.
   */
  readonly sealedLogEnd?: number;
  /**
   * A planned leadership change in progress (move-leader, drain,
   * rebalance; docs/controller.md): set by the controller, leader and
   * epoch unchanged. From when the leader sees it, the leader admits no
   * new appends (Append answers NOT_LEADER: nothing appended, the api
   * retries) while what it already appended commits; the controller then
   * makes `handoverTo` leader (epoch bumped, these fields removed) if it is
   * still a live ISR member, else just removes them. Every leader change
   * removes them.
   */
  readonly handoverTo?: string;
  /** Epoch ms the controller set handoverTo (when to complete it). */
  readonly handoverRequestedMs?: number;
  /**
   * Rebalancing (controller): the replica being moved away. The controller
   * added its replacement (same AZ) to `replicas`; once the replacement is
   * in the ISR this replica leaves `replicas` and the ISR and the field is
   * removed, as for a drained node.
   */
  readonly rebalanceFrom?: string;
}

/**
 * An operator's request (scripts/cluster move-leader) that the controller
 * move a shard's leadership to `to`. The controller executes it only if
 * `to` is a live ISR member: it bumps the epoch, sets the leader and
 * deletes the request in one commit. Otherwise it writes the request back
 * with `refused` set, and the CLI reports and deletes it.
 */
export interface MoveLeaderRequest {
  readonly streamId: string;
  readonly shardId: string;
  /** Node id of the new leader. */
  readonly to: string;
  readonly requestedMs: number;
  /** Why the controller refused (set only by the controller). */
  readonly refused?: string;
}

/**
 * A drained node (scripts/cluster drain): while the record exists the
 * controller moves the node's leaderships to other ISR members, moves its
 * replicas to other nodes of its AZ (re-replication) and places nothing
 * new on it. Deleting the record (undrain) ends that; rebalancing may move load back.
 */
export interface DrainRecord {
  readonly nodeId: string;
  readonly requestedMs: number;
}

/**
 * A resource-based policy (PutResourcePolicy) on a stream or consumer,
 * keyed by the resource's ARN. `resourceId` is the id of the resource it
 * was put on (a stream's streamId, a consumer's creation id): a stream
 * deleted and created again under the same ARN does not inherit it.
 */
export interface ResourcePolicyRecord {
  readonly resourceArn: string;
  readonly resourceId: string;
  /** Account that owns the resource (and may change the policy). */
  readonly accountId: string;
  /** The policy document as the client sent it (GetResourcePolicy returns it unchanged). */
  readonly policy: string;
  readonly updatedMs: number;
}

export type ConsumerStatus = 'CREATING' | 'ACTIVE' | 'DELETING';

/**
 * A consumer registered with a stream (RegisterStreamConsumer). Written by
 * the api as CREATING; the controller makes it ACTIVE. DeregisterStreamConsumer
 * (api) sets DELETING; the controller deletes it. Consumers go with their
 * stream (keyed by streamId): the controller deletes them with it.
 */
export interface ConsumerRecord {
  readonly streamId: string;
  readonly streamArn: string;
  readonly consumerName: string;
  /** arn:aws:kinesis:REGION:ACCOUNT:stream/NAME/consumer/CNAME:CREATION_EPOCH_SECONDS. */
  readonly consumerArn: string;
  readonly status: ConsumerStatus;
  /** Epoch ms of the registration (ConsumerCreationTimestamp; the ARN holds it in seconds). */
  readonly createdMs: number;
  /** Tags on the consumer ARN (RegisterStreamConsumer Tags, TagResource). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Who holds a subscription of one consumer to one shard (SubscribeToShard).
 * Put under its own lease of SUBSCRIPTION_TAKEOVER_MS, so the key exists
 * exactly while a new subscription would be refused; a later one puts a new
 * claim, and the api process holding the old one ends it when it sees that.
 */
export interface SubscriptionClaim {
  /** Unique per SubscribeToShard call. */
  readonly subscriptionId: string;
  /** The api process serving it (for logs and operators). */
  readonly apiId: string;
  readonly startedMs: number;
}

export const DEFAULT_PREFIX = '/shoal/';

/** Key builders; one place for the layout. */
export class Keys {
  constructor(readonly prefix: string = DEFAULT_PREFIX) {}
  nodes(): string { return `${this.prefix}nodes/`; }
  node(nodeId: string): string { return `${this.prefix}nodes/${nodeId}`; }
  applied(nodeId: string): string { return `${this.prefix}applied/${nodeId}`; }
  streams(): string { return `${this.prefix}streams/`; }
  stream(ref: StreamRef): string { return `${this.prefix}streams/${streamKeyOf(ref)}`; }
  shards(): string { return `${this.prefix}shards/`; }
  shard(streamId: string, shardId: string): string { return `${this.prefix}shards/${streamId}/${shardId}`; }
  election(): string { return `${this.prefix}controller/election`; }
  iteratorKey(): string { return `${this.prefix}secrets/iterator-key`; }
  moveLeaderRequests(): string { return `${this.prefix}admin/move-leader/`; }
  moveLeaderRequest(streamId: string, shardId: string): string { return `${this.prefix}admin/move-leader/${streamId}/${shardId}`; }
  drains(): string { return `${this.prefix}admin/drains/`; }
  drain(nodeId: string): string { return `${this.prefix}admin/drains/${nodeId}`; }
  policies(): string { return `${this.prefix}policies/`; }
  policy(resourceArn: string): string { return `${this.prefix}policies/${encodeURIComponent(resourceArn)}`; }
  consumers(): string { return `${this.prefix}consumers/`; }
  streamConsumers(streamId: string): string { return `${this.prefix}consumers/${streamId}/`; }
  consumer(streamId: string, consumerName: string): string { return `${this.prefix}consumers/${streamId}/${consumerName}`; }
  consumerRegistry(streamId: string): string { return `${this.prefix}consumer-registry/${streamId}`; }
  subscription(streamId: string, consumerName: string, shardId: string): string { return `${this.prefix}subscriptions/${streamId}/${consumerName}/${shardId}`; }
  accountSettings(accountId: string): string { return `${this.prefix}accounts/${accountId}/settings`; }
}
