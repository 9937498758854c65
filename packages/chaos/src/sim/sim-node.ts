/**
 * One storage node of the replication simulation, built from the REAL
 * storage node parts: its store (NodeStore over two MemoryKv instances,
 * checked by checkStore at every start, as node-db.ts does), the node
 * driver, the replica manager, the record proposer. Only the edges are
 * simulated: the disk completes writes when the simulation says (FIFO per
 * instance, a crash loses what is in flight, a power cut also what was
 * not synced), the clock is the world's, the peers and etcd are reached
 * through the simulated network.
 */
import { ClusterView } from '@shoal/metadata';
import {
  CacheBudget, EtcdRecordProposer, FOLLOWING_BELOW_HW, MemoryKv, NodeDriver, NodeMetrics, NodeStore, ReplicaManager, checkStore, type PeerSender,
} from '@shoal/storage-node';
import type { Logger } from '@shoal/wire';
import { SIM_LEASE_TTL_MS, SIM_SHARD_ID, SIM_STREAM_ID, type Change, type SimEtcd } from './sim-etcd';
import type { SimWorld } from './sim-world';

/** Longest a simulated disk write takes (ms). */
const DISK_DELAY_MS_MAX = 3;
/** Longest an etcd round trip takes (ms). */
const ETCD_DELAY_MS_MAX = 20;
/** The storage node's lease margin (storage-limits LEASE_VALIDITY_MARGIN_MS). */
const LEASE_MARGIN_MS = 250;
const CACHE_BYTES = 1 << 20;

type Instance = 'index' | 'data';

export interface SimNodeDeps {
  readonly world: SimWorld;
  readonly etcd: SimEtcd;
  readonly sync: boolean;
  /** Bytes each replica's batch cache may hold. */
  readonly cacheShareBytes: number;
  /** Whether two parties can talk now ('etcd' and 'api' are parties too). */
  readonly connected: (a: string, b: string) => boolean;
  /** The node's outbound replication links. */
  readonly peers: (node: SimNode) => PeerSender;
  /** A check or step of this node failed: the run fails. */
  readonly fail: (message: string) => void;
}

/**
 * The one error a node may log in a correct run: a follower told to follow a
 * leader below its high watermark after a whole-cluster loss of unsynced
 * writes (fsync off, docs/replication.md). Any other error fails the run.
 */
const EXPECTED_ERRORS = new Set([FOLLOWING_BELOW_HW]);

function simLogger(world: SimWorld, id: string, fail: (message: string) => void): Logger {
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (msg) => world.log(`${id} warn: ${msg}`),
    error: (msg, fields) => {
      const line = `${id} ERROR: ${msg} ${JSON.stringify(fields ?? {})}`;
      world.log(line);
      if (!EXPECTED_ERRORS.has(msg)) fail(line);
    },
    child: () => logger,
  };
  return logger;
}

export class SimNode {
  readonly index: MemoryKv;
  readonly data: MemoryKv;
  up = false;
  paused = false;
  owner = '';
  driver: NodeDriver | undefined;
  view = new ClusterView();
  private manager: ReplicaManager | undefined;
  private incarnation = 0;
  private readonly disk: Record<Instance, Array<() => void>> = { index: [], data: [] };

  constructor(readonly id: string, private readonly d: SimNodeDeps) {
    this.index = new MemoryKv(this.diskHook('index'));
    this.data = new MemoryKv(this.diskHook('data'));
  }

  /** Starts a new incarnation over the node's store (not awaited: it makes progress as the simulation runs). */
  start(reopened: boolean): void {
    this.incarnation++;
    this.owner = `${this.id}#${this.incarnation}`;
    this.up = true;
    this.paused = false;
    this.index.setComplete(this.diskHook('index'));
    this.data.setComplete(this.diskHook('data'));
    const owner = this.owner;
    this.boot(owner, reopened).catch((err: unknown) => { if (this.owner === owner) this.d.fail(`${this.id} failed to start: ${String(err)}`); });
  }

  /** The process dies (`power`: the machine loses power too, so writes not synced are lost). */
  async stop(kind: 'process' | 'power'): Promise<void> {
    this.up = false;
    this.paused = false;
    this.d.world.kill(this.owner);
    this.driver = undefined;
    this.disk.index = [];
    this.disk.data = [];
    const w = this.d.world;
    if (kind === 'power') {
      this.index.powerCut(w.rng.int(this.index.unsyncedBatches() + 1));
      this.data.powerCut(w.rng.int(this.data.unsyncedBatches() + 1));
    } else {
      this.index.processCrash();
      this.data.processCrash();
    }
    // What the next start finds (its check repairs a cut between the two instances' writes); done now so
    // the invariants read the store as it will be.
    const now = (done: () => void): void => { done(); };
    this.index.setComplete(now);
    this.data.setComplete(now);
    const checked = await checkStore(this.index, this.data);
    if (checked.problem) this.d.fail(`${this.id}: store corrupt after a ${kind} stop: ${checked.problem}`);
    if (checked.lostTailBatches + checked.orphanData > 0) w.log(`${this.id} store repaired: ${checked.lostTailBatches} lost-tail batches, ${checked.orphanData} orphan data`);
  }

  /** Monotonic ms until which this node's lease is known valid. */
  leaseUntilMs(): number {
    return (this.d.etcd.renewedMs.get(this.id) ?? 0) + SIM_LEASE_TTL_MS - LEASE_MARGIN_MS;
  }

  /** The watch: brings the node's view of the shard record up to etcd's, if it can reach etcd. */
  watch(): void {
    if (!this.up || this.paused || !this.d.connected(this.id, 'etcd')) return;
    // Registered nodes (the proposer adds no follower whose registration is gone).
    const live = this.d.etcd.live();
    for (const id of this.d.etcd.ids) {
      if (live.has(id)) this.view.nodes.set(id, { nodeId: id, az: `az-${id}`, grpcAddress: id, httpAddress: id, pid: 0, startedMs: 0 });
      else this.view.nodes.delete(id);
    }
    const rec = this.d.etcd.record;
    const mine = this.view.shard(SIM_STREAM_ID, SIM_SHARD_ID);
    if (mine && Number(mine.modRevision) >= Number(rec.modRevision)) return;
    this.view.shards.set(SIM_STREAM_ID, new Map([[SIM_SHARD_ID, rec]]));
    void this.manager?.reconcile({ streamId: SIM_STREAM_ID, shardId: SIM_SHARD_ID });
  }

  private async boot(owner: string, reopened: boolean): Promise<void> {
    const w = this.d.world;
    const checked = await checkStore(this.index, this.data);
    if (checked.problem) throw new Error(`store corrupt at start: ${checked.problem}`);
    const store = await NodeStore.open(this.index, this.data, this.d.sync, undefined, () => w.nowMs);
    if (this.owner !== owner) return;
    const logger = simLogger(w, this.id, this.d.fail);
    const metrics = new NodeMetrics(this.id, () => []);
    const onFatal = (err: unknown): void => { if (this.owner === owner) this.d.fail(`${this.id} fatal: ${err instanceof Error ? err.message : String(err)}`); };
    const clock = (): number => w.nowMs;
    this.view = new ClusterView();
    this.view.shards.set(SIM_STREAM_ID, new Map([[SIM_SHARD_ID, this.d.etcd.record]]));
    const driver = new NodeDriver({
      selfId: this.id, store, proposer: new EtcdRecordProposer(this.etcdPort(owner), logger), monoClock: clock, clock,
      leaseUntilMs: () => this.leaseUntilMs(), logger, metrics, onFatal, schedule: (fn) => w.schedule(owner, fn),
      setTimer: (fn, ms) => w.at(ms, owner, `${this.id} group commit linger`, () => { w.log(`${this.id} group commit linger ended`); fn(); }), retentionMs: () => undefined,
    });
    driver.setPeers(this.d.peers(this));
    const manager = new ReplicaManager({
      selfId: this.id, store, view: this.view, driver, monoClock: clock, logger, onFatal,
      context: { selfId: this.id, limitsOn: false, clock, metrics, cacheBudget: new CacheBudget(CACHE_BYTES, this.d.cacheShareBytes), truncateBelowHw: !this.d.sync },
    });
    this.driver = driver;
    this.manager = manager;
    this.watch();
    await (reopened ? manager.startup() : manager.syncAll());
    if (this.owner === owner) w.log(`${this.id} started (${reopened ? 'reopened' : 'fresh'})`);
  }

  /** What the record proposer needs of a MetadataStore: this node's view, and commits that travel to etcd. */
  private etcdPort(owner: string): ConstructorParameters<typeof EtcdRecordProposer>[0] {
    const w = this.d.world;
    return {
      view: this.view, keys: this.d.etcd.keys,
      commit: (change: Change) => new Promise<boolean>((resolve, reject) => {
        w.at(w.rng.int(ETCD_DELAY_MS_MAX), owner, `etcd commit from ${this.id}`, () => {
          if (!this.d.connected(this.id, 'etcd')) { reject(new Error('etcd unreachable')); return; }
          resolve(this.d.etcd.commit(change, this.id));
        });
      }),
    };
  }

  private diskHook(instance: Instance): (done: () => void) => void {
    return (done) => {
      this.disk[instance].push(done);
      const w = this.d.world;
      // Writes of one instance complete in order (LevelDB applies them in order).
      w.at(w.rng.int(DISK_DELAY_MS_MAX + 1), this.owner, `disk ${this.id}/${instance}`, () => this.disk[instance].shift()?.());
    };
  }
}
