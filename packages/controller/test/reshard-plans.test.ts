import assert from 'node:assert/strict';
import { checkTiling, decodeSequenceNumber, evenHashKeyRanges, mergeStep, shardIdFromIndex } from '@shoal/core';
import { ClusterView, Keys, type NodeRecord, type ShardRecord, type StreamRecord } from '@shoal/metadata';
import { chooseRound } from '../src/autoscale';
import type { CommitPlan, PlanOutcome } from '../src/plans';
import { planReshardProgress, planRoundStart, planSettleUpdate, rangeOf } from '../src/reshard-plans';

const keys = new Keys('/t/');
const TIMEOUT_MS = 10_000;
const SETTINGS = { windowMs: 3_000, cooldownMs: 60_000 };

function node(nodeId: string): NodeRecord {
  return { nodeId, az: `az-${nodeId[0]}`, grpcAddress: '127.0.0.1:1', httpAddress: 'http://127.0.0.1:2', pid: 1, startedMs: 0 };
}

function baseStream(count: number): StreamRecord {
  return {
    accountId: '000000000000', region: 'us-east-1', streamName: 's', streamId: 'id-1', streamArn: 'arn', status: 'ACTIVE', mode: 'PROVISIONED', initialShardCount: count, retentionPeriodHours: 24,
    createdMs: 0, encryptionType: 'NONE', maxRecordSizeKiB: 1024, tags: {}, nextShardIndex: count,
  };
}

function evenShardRecords(count: number): ShardRecord[] {
  return evenHashKeyRanges(count).map((r, i) => ({
    streamId: 'id-1', streamName: 's', shardId: shardIdFromIndex(i), shardIndex: i, hashKeyStart: r.start.toString(), hashKeyEnd: r.end.toString(),
    startingSequenceNumber: '1', createdMs: 0, replicas: ['a1', 'b1', 'c1'], leader: 'a1', epoch: 1, isr: ['a1', 'b1', 'c1'],
  }));
}

/** A tiny etcd: applies plans to a view, bumping revisions (what the watch would show). */
class World {
  readonly view = new ClusterView();
  private rev = 10;
  constructor(stream: StreamRecord, shards: ShardRecord[]) {
    for (const id of ['a1', 'b1', 'c1']) this.view.nodes.set(id, node(id));
    this.view.setStream(`000000000000/us-east-1/${stream.streamName}`, { value: stream, modRevision: String(this.rev++) });
    const m = new Map(shards.map((s) => [s.shardId, { value: s, modRevision: String(this.rev++) }]));
    this.view.shards.set(stream.streamId, m);
  }
  get stream(): StreamRecord { return this.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' })!.value; }
  commit(outcome: PlanOutcome | undefined): CommitPlan {
    assert.ok(outcome && outcome.kind === 'commit', `expected a commit, got ${JSON.stringify(outcome)}`);
    const plan = outcome.plan;
    for (const p of plan.puts) {
      const value = JSON.parse(JSON.stringify(p.value)) as ShardRecord & StreamRecord;
      if (p.key.startsWith(keys.streams())) this.view.setStream('000000000000/us-east-1/s', { value, modRevision: String(this.rev++) });
      else this.view.shards.get('id-1')!.set(value.shardId, { value, modRevision: String(this.rev++) });
    }
    return plan;
  }
  /** What the parents' leaders do: seal each closing shard at its log end. */
  seal(logEnd: number): void {
    for (const [id, v] of this.view.shards.get('id-1')!) {
      if (v.value.closing === true && v.value.sealedLogEnd === undefined) this.view.shards.get('id-1')!.set(id, { value: { ...v.value, sealedLogEnd: logEnd }, modRevision: String(this.rev++) });
    }
  }
  open(): ShardRecord[] { return this.view.shardsOf('id-1').map((v) => v.value).filter((s) => s.endingSequenceNumber === undefined); }
}

describe('reshard rounds', () => {
  it('split: requested -> closing -> sealed -> done in three commits, children after the parent', () => {
    const w = new World(baseStream(2), evenShardRecords(2));
    const choice = chooseRound({ ...w.stream, targetShardCount: 4 }, w.open(), () => undefined, 0, 0, SETTINGS)!;
    w.commit(planRoundStart(keys, w.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' })!, choice.cause, choice.steps, 1_000));
    assert.equal(w.stream.reshard?.steps.length, 2);
    const closing = w.commit(planReshardProgress(w.view, keys, w.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' })!, 1_100, TIMEOUT_MS));
    assert.equal(closing.puts.length, 2);
    assert.equal(closing.roundState, 'closing');
    assert.equal(planReshardProgress(w.view, keys, w.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' })!, 1_200, TIMEOUT_MS), undefined, 'waits for the leaders');
    w.seal(5);
    assert.equal(w.commit(planReshardProgress(w.view, keys, w.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' })!, 1_300, TIMEOUT_MS)).roundState, 'done');
    assert.equal(w.stream.reshard, undefined);
    assert.equal(w.stream.nextShardIndex, 6);
    const open = w.open();
    assert.equal(open.length, 4);
    assert.equal(checkTiling(open.map(rangeOf)), undefined);
    const parent = w.view.shard('id-1', shardIdFromIndex(0))!.value;
    assert.equal(decodeSequenceNumber(parent.endingSequenceNumber!)!.offset, 4n);
    assert.equal(parent.closedMs, 1_300, "closedMs is the completion commit time (ListShards timestamp filters)");
    assert.deepEqual(open.filter((s) => s.parentShardId === parent.shardId).map((s) => s.shardIndex), [2, 3]);
    for (const child of open) {
      assert.ok(BigInt(child.startingSequenceNumber) > BigInt(parent.endingSequenceNumber!), 'child numbers exceed the parent\'s');
    }
  });

  it('leaves a stream UPDATING when a SplitShard round is done (the controller settles it after STREAM_UPDATING_MS)', () => {
    const w = new World({ ...baseStream(2), status: 'UPDATING' }, evenShardRecords(2));
    const ref = { accountId: '000000000000', region: 'us-east-1', streamName: 's' };
    const choice = chooseRound({ ...w.stream, targetShardCount: 4 }, w.open(), () => undefined, 0, 0, SETTINGS)!;
    w.commit(planRoundStart(keys, w.view.stream(ref)!, 'split', choice.steps.slice(0, 1), 1_000));
    w.commit(planReshardProgress(w.view, keys, w.view.stream(ref)!, 1_100, TIMEOUT_MS));
    w.seal(5);
    assert.equal(w.commit(planReshardProgress(w.view, keys, w.view.stream(ref)!, 1_200, TIMEOUT_MS)).roundState, 'done');
    assert.equal(w.open().length, 3, 'the children take writes at once');
    assert.equal(w.stream.status, 'UPDATING');
  });

  it('leaves an UPDATING stream UPDATING when its round is done or its target reached (the controller settles it after STREAM_UPDATING_MS)', () => {
    const w = new World({ ...baseStream(2), status: 'UPDATING', targetShardCount: 4 }, evenShardRecords(2));
    const ref = { accountId: '000000000000', region: 'us-east-1', streamName: 's' };
    const choice = chooseRound(w.stream, w.open(), () => undefined, 0, 0, SETTINGS)!;
    w.commit(planRoundStart(keys, w.view.stream(ref)!, choice.cause, choice.steps, 1_000));
    w.commit(planReshardProgress(w.view, keys, w.view.stream(ref)!, 1_100, TIMEOUT_MS));
    w.seal(5);
    assert.equal(w.commit(planReshardProgress(w.view, keys, w.view.stream(ref)!, 1_200, TIMEOUT_MS)).roundState, 'done');
    assert.equal(w.stream.status, 'UPDATING');
    const reached = chooseRound(w.stream, w.open(), () => undefined, 0, 0, SETTINGS)!;
    assert.equal(reached.steps.length, 0, 'the target is reached');
    w.commit(planRoundStart(keys, w.view.stream(ref)!, reached.cause, reached.steps, 1_300));
    assert.equal(w.open().length, 4);
    assert.equal(w.stream.targetShardCount, undefined);
    assert.equal(w.stream.status, 'UPDATING');
  });

  it('places children by the load after the round: the closing parents do not count', () => {
    // a1 leads both parents; b1 and c1 one shard each. Counting the parents, the child would go to b1
    // and leave a1 with none and b1 with two (a skew that rebalancing would undo with a handover).
    const records = evenShardRecords(4).map((r, i) => ({ ...r, leader: ['a1', 'a1', 'b1', 'c1'][i]! }));
    const w = new World(baseStream(4), records);
    const [lower, upper] = w.open().slice(0, 2).map(rangeOf);
    w.commit(planRoundStart(keys, w.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' })!, 'merge', [mergeStep(lower!, upper!)], 1_000));
    w.commit(planReshardProgress(w.view, keys, w.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' })!, 1_100, TIMEOUT_MS));
    w.seal(3);
    w.commit(planReshardProgress(w.view, keys, w.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' })!, 1_200, TIMEOUT_MS));
    const leaders = w.open().map((r) => r.leader).sort();
    assert.deepEqual(leaders, ['a1', 'b1', 'c1']);
  });

  it('rolls back a round whose parents do not seal in time: parents reopened, target dropped, ACTIVE', () => {
    const w = new World({ ...baseStream(2), status: 'UPDATING', targetShardCount: 4 }, evenShardRecords(2));
    const choice = chooseRound(w.stream, w.open(), () => undefined, 0, 0, SETTINGS)!;
    w.commit(planRoundStart(keys, w.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' })!, choice.cause, choice.steps, 1_000));
    w.commit(planReshardProgress(w.view, keys, w.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' })!, 1_100, TIMEOUT_MS));
    const plan = w.commit(planReshardProgress(w.view, keys, w.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' })!, 1_000 + TIMEOUT_MS + 1, TIMEOUT_MS));
    assert.match(plan.reason, /rolled back/);
    assert.equal(plan.roundState, 'rolled-back');
    assert.equal(w.stream.status, 'ACTIVE');
    assert.equal(w.stream.reshard, undefined);
    assert.equal(w.stream.targetShardCount, undefined);
    assert.ok(w.open().every((s) => s.closing === undefined && s.sealedLogEnd === undefined));
  });

  it('on-demand: splits a hot shard once its window is measured, merges cold pairs only after the cool-down and above the floor', () => {
    const w = new World({ ...baseStream(8), mode: 'ON_DEMAND' }, evenShardRecords(8));
    const hot = (s: ShardRecord): number => (s.shardIndex === 3 ? 0.9 : 0.01);
    assert.equal(chooseRound(w.stream, w.open(), hot, 0, 2_000, SETTINGS), undefined, 'window not measured yet');
    const split = chooseRound(w.stream, w.open(), hot, 0, 3_000, SETTINGS)!;
    assert.deepEqual(split.steps.map((s) => s.parents), [[shardIdFromIndex(3)]]);
    const cold = (): number => 0.01;
    assert.equal(chooseRound(w.stream, w.open(), cold, 0, 30_000, SETTINGS), undefined, 'cool-down');
    const merges = chooseRound(w.stream, w.open(), cold, 0, 70_000, SETTINGS)!;
    assert.equal(merges.steps.length, 4, 'merges 8 -> 4 (the on-demand floor)');
    const warm = chooseRound({ ...w.stream, warmThroughputMiBps: 8 }, w.open(), cold, 0, 70_000, SETTINGS);
    assert.equal(warm, undefined, 'never below the warm throughput');
  });
});

describe('settings updates', () => {
  it('makes an UPDATING stream with no round or target ACTIVE in one guarded commit (encryption changes)', () => {
    const stream = { ...baseStream(2), status: 'UPDATING' as const, encryptionType: 'KMS' as const, keyId: 'alias/a' };
    const outcome = planSettleUpdate(keys, { value: stream, modRevision: '42' });
    assert.equal(outcome.kind, 'commit');
    if (outcome.kind !== 'commit') return;
    assert.deepEqual(outcome.plan.compare, [{ key: '/t/streams/000000000000/us-east-1/s', modRevision: '42' }]);
    assert.deepEqual(outcome.plan.puts, [{ key: '/t/streams/000000000000/us-east-1/s', value: { ...stream, status: 'ACTIVE' } }]);
  });
});
