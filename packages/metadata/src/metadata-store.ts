/**
 * Typed access to the etcd schema (schema.ts): a watch-backed, in-memory
 * view of nodes, streams and shards that every process reads from, and the
 * transactions that change them. Every write that replaces a record
 * compares the mod revision it read, so concurrent writers cannot clobber
 * each other; a lost race returns false and the caller re-reads the view.
 *
 * Processes change their own view only from the watch (never by patching
 * the cache after a write), so every process sees one order of changes.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Etcd3, type IKeyValue, type Lease, type Watcher } from 'etcd3';
import { dialAddress, type CallObserver } from '@shoal/wire';
import { etcdClientOptions } from './etcd-client-options';
import { ConsumerIndex } from './consumer-index';
import { ConsumerStore } from './consumer-store';
import { isOpenShard } from './shard-state';
import {
  Keys, streamKeyOf, type AccountSettingsRecord, type DrainRecord, type MoveLeaderRequest, type NodeApplied, type NodeRecord, type ResourcePolicyRecord, type ShardRecord, type StreamRecord,
  type StreamRef, type StreamScope, type ConsumerRecord, type SubscriptionClaim,
} from './schema';

/** A record with the etcd mod revision it was read at. */
export interface Versioned<T> {
  readonly value: T;
  readonly modRevision: string;
}

export type MetadataChange =
  | { kind: 'node'; nodeId: string; value: NodeRecord | undefined }
  | { kind: 'applied'; nodeId: string; value: NodeApplied | undefined }
  | { kind: 'stream'; streamKey: string; value: Versioned<StreamRecord> | undefined }
  | { kind: 'shard'; streamId: string; shardId: string; value: Versioned<ShardRecord> | undefined }
  | { kind: 'move-leader'; streamId: string; shardId: string; value: Versioned<MoveLeaderRequest> | undefined }
  | { kind: 'drain'; nodeId: string; value: Versioned<DrainRecord> | undefined }
  | { kind: 'policy'; resourceArn: string; value: Versioned<ResourcePolicyRecord> | undefined }
  | { kind: 'consumer'; streamId: string; consumerName: string; value: Versioned<ConsumerRecord> | undefined }
  /** Subscription claims are announced, not kept in the view (they come and go with every SubscribeToShard). */
  | { kind: 'subscription'; streamId: string; consumerName: string; shardId: string; value: SubscriptionClaim | undefined }
  | { kind: 'account-settings'; accountId: string; value: Versioned<AccountSettingsRecord> | undefined };

/** The current view of the cluster; replaced entries, never mutated ones. */
export class ClusterView {
  readonly nodes = new Map<string, NodeRecord>();
  /** What each node reported applying (schema.ts NodeApplied), by node id. */
  readonly applied = new Map<string, NodeApplied>();
  /** Streams by streamKeyOf (`<accountId>/<region>/<streamName>`). */
  readonly streams = new Map<string, Versioned<StreamRecord>>();
  /** The same streams by streamId (unique per creation). */
  private readonly streamsById = new Map<string, Versioned<StreamRecord>>();
  /** streamId -> shardId -> shard. */
  readonly shards = new Map<string, Map<string, Versioned<ShardRecord>>>();
  /** Operator requests to move a shard's leader, by `<streamId>/<shardId>`. */
  readonly moveLeaderRequests = new Map<string, Versioned<MoveLeaderRequest>>();
  /** Drained nodes by node id. */
  readonly drains = new Map<string, Versioned<DrainRecord>>();
  /** Resource-based policies by resource ARN (streams and consumers). */
  readonly policies = new Map<string, Versioned<ResourcePolicyRecord>>();
  /** Registered consumers (enhanced fan-out), by stream and by ARN. */
  readonly consumers = new ConsumerIndex();
  /** Account settings by account id (absent: the defaults). */
  readonly accountSettings = new Map<string, Versioned<AccountSettingsRecord>>();
  /** etcd revision the view reflects. */
  revision = '0';

  stream(ref: StreamRef): Versioned<StreamRecord> | undefined {
    return this.streams.get(streamKeyOf(ref));
  }

  /** True once `nodeId` reported acting on every shard record change up to `modRevision`. */
  hasApplied(nodeId: string, modRevision: string): boolean {
    const a = this.applied.get(nodeId);
    return a !== undefined && Number(a.revision) >= Number(modRevision);
  }

  /** The stream created with this id, if it still exists. */
  streamById(streamId: string): Versioned<StreamRecord> | undefined {
    return this.streamsById.get(streamId);
  }

  /** Streams of one account in one region, in no particular order. */
  streamsIn(scope: StreamScope): Versioned<StreamRecord>[] {
    const out: Versioned<StreamRecord>[] = [];
    for (const s of this.streams.values()) if (s.value.accountId === scope.accountId && s.value.region === scope.region) out.push(s);
    return out;
  }

  /** Replaces (or with undefined removes) the stream at `streamKey`, keeping the id index in step. */
  setStream(streamKey: string, value: Versioned<StreamRecord> | undefined): void {
    const old = this.streams.get(streamKey);
    if (old) this.streamsById.delete(old.value.streamId);
    if (value) {
      this.streams.set(streamKey, value);
      this.streamsById.set(value.value.streamId, value);
    } else {
      this.streams.delete(streamKey);
    }
  }

  /** Shards of a stream sorted by shard index. */
  shardsOf(streamId: string): Versioned<ShardRecord>[] {
    const m = this.shards.get(streamId);
    if (!m) return [];
    return [...m.values()].sort((a, b) => a.value.shardIndex - b.value.shardIndex);
  }

  /** The open shards of a stream (shard-state.ts), sorted by shard index. */
  openShardsOf(streamId: string): ShardRecord[] {
    return this.shardsOf(streamId).map((v) => v.value).filter(isOpenShard);
  }

  shard(streamId: string, shardId: string): Versioned<ShardRecord> | undefined {
    return this.shards.get(streamId)?.get(shardId);
  }
}

export interface MetadataStoreOptions {
  /** etcd client URLs, e.g. ['http://127.0.0.1:2379']. */
  readonly endpoints: readonly string[];
  readonly prefix?: string;
  /** Deadline of each etcd call. */
  readonly callTimeoutMs?: number;
  /** Told of every finished unary etcd call (the process' shoal_etcd_request_duration_seconds). */
  readonly onEtcdCall?: CallObserver;
}

const CALL_TIMEOUT_MS_DEFAULT = 5000;

export class MetadataStore {
  readonly client: Etcd3;
  readonly keys: Keys;
  readonly view = new ClusterView();
  /** Consumer registrations and subscription claims (enhanced fan-out). */
  readonly consumers: ConsumerStore;
  private readonly events = new EventEmitter();
  private watcher: Watcher | undefined;
  /** Changes applied to the view and not yet announced (see flushChanges); at most one watch response's worth. */
  private readonly pending: MetadataChange[] = [];
  private readonly timeoutMs: number;

  constructor(options: MetadataStoreOptions) {
    this.keys = new Keys(options.prefix);
    this.timeoutMs = options.callTimeoutMs ?? CALL_TIMEOUT_MS_DEFAULT;
    // Deadlines on unary calls only, no circuit breaker, short watch backoff (etcd-client-options.ts).
    this.client = new Etcd3(etcdClientOptions(options.endpoints.map((e) => dialAddress(e)), this.timeoutMs, options.onEtcdCall));
    this.consumers = new ConsumerStore(this.client, this.keys);
    this.events.setMaxListeners(100);
  }

  /** Loads the whole prefix, then follows the watch from that revision. */
  async start(): Promise<void> {
    const res = await this.client.getAll().prefix(this.keys.prefix).exec();
    for (const kv of res.kvs) this.apply('put', kv);
    this.view.revision = res.header.revision;
    this.flushChanges();
    const next = (BigInt(res.header.revision) + 1n).toString();
    this.watcher = await this.client.watch().prefix(this.keys.prefix).startRevision(next).create();
    this.watcher.on('put', (kv) => this.apply('put', kv));
    this.watcher.on('delete', (kv) => this.apply('delete', kv));
    // etcd3 emits the put/delete of every event of a response before this 'data' listener runs (its own,
    // registered first, emits them): the view now holds the whole response, so listeners see it whole.
    this.watcher.on('data', (res) => {
      this.view.revision = res.header.revision;
      this.flushChanges();
      this.events.emit('revision', this.view.revision);
    });
  }

  /**
   * Tells listeners of the changes applied since the last flush. A listener
   * that reads the view (the controller plans from it at once) must never see
   * part of a transaction, e.g. a parent closed by a reshard while the stream
   * record still holds the round: changes are applied for a whole watch
   * response first, then announced.
   */
  private flushChanges(): void {
    const changes = this.pending.splice(0, this.pending.length);
    for (const change of changes) this.events.emit('change', change);
  }

  /** Calls `listener` for every change seen through the watch. Returns an unsubscribe. */
  onChange(listener: (change: MetadataChange) => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  /** Resolves once `predicate(view)` holds (checked on every change), or rejects after timeoutMs. */
  waitFor(predicate: (view: ClusterView) => boolean, timeoutMs: number): Promise<void> {
    if (predicate(this.view)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate(this.view)) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => { cleanup(); reject(new Error(`metadata wait timed out after ${timeoutMs} ms`)); }, timeoutMs);
      const cleanup = (): void => { clearTimeout(timer); this.events.off('change', check); };
      this.events.on('change', check);
    });
  }

  private apply(type: 'put' | 'delete', kv: IKeyValue): void {
    const key = kv.key.toString('utf8');
    const rest = key.slice(this.keys.prefix.length);
    const parts = rest.split('/');
    const modRevision = kv.mod_revision;
    const parse = <T>(): T => JSON.parse(kv.value.toString('utf8')) as T;
    let change: MetadataChange | undefined;
    if (parts[0] === 'nodes' && parts.length === 2) {
      const nodeId = parts[1]!;
      const value = type === 'put' ? parse<NodeRecord>() : undefined;
      if (value) this.view.nodes.set(nodeId, value); else this.view.nodes.delete(nodeId);
      change = { kind: 'node', nodeId, value };
    } else if (parts[0] === 'applied' && parts.length === 2) {
      const nodeId = parts[1]!;
      const value = type === 'put' ? parse<NodeApplied>() : undefined;
      if (value) this.view.applied.set(nodeId, value); else this.view.applied.delete(nodeId);
      change = { kind: 'applied', nodeId, value };
    } else if (parts[0] === 'streams' && parts.length === 4) {
      // Keys of the layout before accounts (streams/<name>, length 2) are not read: such a data directory starts empty of streams.
      const streamKey = parts.slice(1).join('/');
      const value = type === 'put' ? { value: parse<StreamRecord>(), modRevision } : undefined;
      this.view.setStream(streamKey, value);
      change = { kind: 'stream', streamKey, value };
    } else if (parts[0] === 'shards' && parts.length === 3) {
      const streamId = parts[1]!;
      const shardId = parts[2]!;
      const value = type === 'put' ? { value: parse<ShardRecord>(), modRevision } : undefined;
      let m = this.view.shards.get(streamId);
      if (value) {
        if (!m) this.view.shards.set(streamId, (m = new Map()));
        m.set(shardId, value);
      } else if (m) {
        m.delete(shardId);
        if (m.size === 0) this.view.shards.delete(streamId);
      }
      change = { kind: 'shard', streamId, shardId, value };
    } else if (parts[0] === 'admin') {
      change = this.applyAdmin(type, parts, kv);
    } else if (parts[0] === 'policies' && parts.length === 2) {
      const resourceArn = decodeURIComponent(parts[1]!);
      const value = type === 'put' ? { value: parse<ResourcePolicyRecord>(), modRevision } : undefined;
      if (value) this.view.policies.set(resourceArn, value); else this.view.policies.delete(resourceArn);
      change = { kind: 'policy', resourceArn, value };
    } else if (parts[0] === 'consumers' || parts[0] === 'subscriptions') {
      change = this.applyFanOut(type, parts, kv);
    } else if (parts[0] === 'accounts' && parts.length === 3 && parts[2] === 'settings') {
      const accountId = parts[1]!;
      const value = type === 'put' ? { value: parse<AccountSettingsRecord>(), modRevision } : undefined;
      if (value) this.view.accountSettings.set(accountId, value); else this.view.accountSettings.delete(accountId);
      change = { kind: 'account-settings', accountId, value };
    }
    if (change) this.pending.push(change);
  }

  /** admin/move-leader/<streamId>/<shardId> and admin/drains/<nodeId>. */
  private applyAdmin(type: 'put' | 'delete', parts: readonly string[], kv: IKeyValue): MetadataChange | undefined {
    const modRevision = kv.mod_revision;
    if (parts[1] === 'move-leader' && parts.length === 4) {
      const streamId = parts[2]!;
      const shardId = parts[3]!;
      const value = type === 'put' ? { value: JSON.parse(kv.value.toString('utf8')) as MoveLeaderRequest, modRevision } : undefined;
      if (value) this.view.moveLeaderRequests.set(`${streamId}/${shardId}`, value); else this.view.moveLeaderRequests.delete(`${streamId}/${shardId}`);
      return { kind: 'move-leader', streamId, shardId, value };
    }
    if (parts[1] === 'drains' && parts.length === 3) {
      const nodeId = parts[2]!;
      const value = type === 'put' ? { value: JSON.parse(kv.value.toString('utf8')) as DrainRecord, modRevision } : undefined;
      if (value) this.view.drains.set(nodeId, value); else this.view.drains.delete(nodeId);
      return { kind: 'drain', nodeId, value };
    }
    return undefined;
  }

  /** consumers/<streamId>/<consumerName> and subscriptions/<streamId>/<consumerName>/<shardId>. */
  private applyFanOut(type: 'put' | 'delete', parts: readonly string[], kv: IKeyValue): MetadataChange | undefined {
    if (parts[0] === 'consumers' && parts.length === 3) {
      const streamId = parts[1]!;
      const consumerName = parts[2]!;
      const value = type === 'put' ? { value: JSON.parse(kv.value.toString('utf8')) as ConsumerRecord, modRevision: kv.mod_revision } : undefined;
      this.view.consumers.set(streamId, consumerName, value);
      return { kind: 'consumer', streamId, consumerName, value };
    }
    if (parts[0] === 'subscriptions' && parts.length === 4) {
      const value = type === 'put' ? JSON.parse(kv.value.toString('utf8')) as SubscriptionClaim : undefined;
      return { kind: 'subscription', streamId: parts[1]!, consumerName: parts[2]!, shardId: parts[3]!, value };
    }
    return undefined;
  }

  // ---- nodes -------------------------------------------------------------

  /**
   * Grants a lease of `ttlSec` and puts the node record under it. The caller
   * must stop serving as a replica leader when the lease emits 'lost'.
   */
  async registerNode(record: NodeRecord, ttlSec: number): Promise<Lease> {
    const lease = this.client.lease(ttlSec, { autoKeepAlive: true });
    await lease.grant();
    await lease.put(this.keys.node(record.nodeId)).value(JSON.stringify(record)).exec();
    return lease;
  }

  /** The node's report of how far it acted on shard records (schema.ts NodeApplied), under its registration lease. */
  async reportApplied(lease: Lease, nodeId: string, applied: NodeApplied): Promise<void> {
    await lease.put(this.keys.applied(nodeId)).value(JSON.stringify(applied)).exec();
  }

  // ---- streams -----------------------------------------------------------

  /** Creates the stream record if no stream of its account and region has that name. False if one exists. */
  async createStream(record: StreamRecord): Promise<boolean> {
    const key = this.keys.stream(record);
    const res = await this.client
      .if(key, 'Create', '==', 0)
      .then(this.client.put(key).value(JSON.stringify(record)))
      .commit();
    return res.succeeded;
  }

  /** Replaces a stream record if it is still at `expectedModRevision`. */
  async updateStream(record: StreamRecord, expectedModRevision: string): Promise<boolean> {
    const key = this.keys.stream(record);
    const res = await this.client
      .if(key, 'Mod', '==', expectedModRevision)
      .then(this.client.put(key).value(JSON.stringify(record)))
      .commit();
    return res.succeeded;
  }

  /** Replaces an account's settings if they are still at `expectedModRevision` ('0': none yet). */
  async putAccountSettings(record: AccountSettingsRecord, expectedModRevision: string): Promise<boolean> {
    const key = this.keys.accountSettings(record.accountId);
    const guard = expectedModRevision === '0' ? this.client.if(key, 'Create', '==', 0) : this.client.if(key, 'Mod', '==', expectedModRevision);
    const res = await guard.then(this.client.put(key).value(JSON.stringify(record))).commit();
    return res.succeeded;
  }

  /**
   * One transaction guarded by the mod revisions read: `compare` lists keys
   * with the revision each must still have ('0' = must not exist); `puts`
   * and `deletes` are applied only if all hold.
   */
  async commit(change: {
    compare: ReadonlyArray<{ key: string; modRevision: string }>;
    puts?: ReadonlyArray<{ key: string; value: unknown }>;
    deletes?: readonly string[];
  }): Promise<boolean> {
    // 'Version > -1' holds for any key, so the chain can start unconditionally.
    let txn = this.client.if(this.keys.prefix, 'Version', '>', -1);
    for (const c of change.compare) {
      txn = c.modRevision === '0'
        ? txn.and(c.key, 'Create', '==', 0)
        : txn.and(c.key, 'Mod', '==', c.modRevision);
    }
    const ops = [
      ...(change.puts ?? []).map((p) => this.client.put(p.key).value(JSON.stringify(p.value))),
      ...(change.deletes ?? []).map((k) => this.client.delete().key(k)),
    ];
    const res = await txn.then(...ops).commit();
    return res.succeeded;
  }

  // ---- resource policies -------------------------------------------------

  /** Puts (creates or replaces) the policy of `record.resourceArn`. */
  async putResourcePolicy(record: ResourcePolicyRecord): Promise<void> {
    await this.client.put(this.keys.policy(record.resourceArn)).value(JSON.stringify(record)).exec();
  }

  /** Deletes the policy of `resourceArn`; false when it had none. */
  async deleteResourcePolicy(resourceArn: string): Promise<boolean> {
    const res = await this.client.delete().key(this.keys.policy(resourceArn)).exec();
    return Number(res.deleted) > 0;
  }

  // ---- secrets -----------------------------------------------------------

  /** The cluster-wide shard iterator HMAC key, created on first use. */
  async iteratorKey(): Promise<Buffer> {
    const key = this.keys.iteratorKey();
    const fresh = randomBytes(32).toString('base64');
    await this.client.if(key, 'Create', '==', 0).then(this.client.put(key).value(fresh)).commit();
    const stored = await this.client.get(key).string();
    if (!stored) throw new Error('iterator key missing after create');
    return Buffer.from(stored, 'base64');
  }

  async close(): Promise<void> {
    await this.watcher?.cancel();
    this.client.close();
  }
}
