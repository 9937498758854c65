/** DescribeLimits and the quotas behind it, account settings (On-demand Advantage) and enhanced monitoring, over an in-memory view. */
import assert from 'node:assert/strict';
import { ACCOUNT, ClusterView, ScriptedStorage, addStream, fakeContext, jsonCaller, liveContext } from '../helpers/fake-context';

const HOUR_MS = 3_600_000;
const T0 = 1_800_000_000_000;

function setup(config: { shardLimit?: number; onDemandStreamLimit?: number } = {}) {
  const view = new ClusterView();
  addStream(view, 's', 3);
  const base = liveContext(view, new ScriptedStorage(), T0);
  const ctx = { ...base, config: { ...base.config, ...config } };
  return { view, ctx, call: jsonCaller(ctx) };
}

const quotaMessage = (current: number, limit: number, added: number) =>
  `This request would exceed the shard limit for the account ${ACCOUNT} in us-east-1. Current shard count for the account: ${current}. ` +
  `Limit: ${limit}. Number of additional shards that would have resulted from this request: ${added}. ` +
  'Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.';

describe('DescribeLimits and the account quotas', () => {
  it('reports AWS\'s defaults for the region, the open shards and the ON_DEMAND streams', async () => {
    const { call } = setup();
    assert.deepEqual((await call('DescribeLimits', {})).body, { ShardLimit: 20000, OpenShardCount: 3, OnDemandStreamCount: 0, OnDemandStreamCountLimit: 50 });
    const base = fakeContext(new ClusterView(), new ScriptedStorage());
    const other = jsonCaller(base, 'ap-south-2');
    assert.equal((await other('DescribeLimits', {})).body['ShardLimit'], 1000);
  });

  it('refuses CreateStream, UpdateShardCount and SplitShard beyond the quota with one message, counting streams being created', async () => {
    const { call, view } = setup({ shardLimit: 10 });
    assert.deepEqual((await call('CreateStream', { StreamName: 'big', ShardCount: 8 })).body, { __type: 'LimitExceededException', message: quotaMessage(3, 10, 8) });
    assert.equal((await call('CreateStream', { StreamName: 'six', ShardCount: 6 })).status, 200);
    assert.equal((await call('DescribeLimits', {})).body['OpenShardCount'], 9, 'a CREATING stream counts with the shards it will have');
    assert.deepEqual((await call('UpdateShardCount', { StreamName: 's', TargetShardCount: 5, ScalingType: 'UNIFORM_SCALING' })).body,
      { __type: 'LimitExceededException', message: quotaMessage(9, 10, 2) });
    assert.equal((await call('SplitShard', { StreamName: 's', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '12345' })).status, 200);
    view.setStream(`${ACCOUNT}/us-east-1/s`, { value: { ...view.stream({ accountId: ACCOUNT, region: 'us-east-1', streamName: 's' })!.value, status: 'ACTIVE', reshard: undefined }, modRevision: 'x' });
    // Pretend the split completed: 4 open shards in s, 6 planned in six = 10.
    view.shards.get('id-s')!.set('shardId-000000000003', { ...view.shards.get('id-s')!.get('shardId-000000000002')!, value: { ...view.shards.get('id-s')!.get('shardId-000000000002')!.value, shardId: 'shardId-000000000003', shardIndex: 3 } });
    assert.deepEqual((await call('SplitShard', { StreamName: 's', ShardToSplit: 'shardId-000000000001', NewStartingHashKey: '113427455640312821154458202477256070490' })).body,
      { __type: 'LimitExceededException', message: quotaMessage(10, 10, 1) });
  });

  it('takes an account\'s own limits from its settings record (etcd) over the api flags', async () => {
    const { call, view } = setup({ shardLimit: 10 });
    view.accountSettings.set(ACCOUNT, { value: { accountId: ACCOUNT, shardLimit: 4, onDemandStreamCountLimit: 1 }, modRevision: '1' });
    assert.deepEqual((await call('DescribeLimits', {})).body, { ShardLimit: 4, OpenShardCount: 3, OnDemandStreamCount: 0, OnDemandStreamCountLimit: 1 });
    assert.equal((await call('CreateStream', { StreamName: 'od1', StreamModeDetails: { StreamMode: 'ON_DEMAND' } })).status, 200);
    assert.deepEqual((await call('CreateStream', { StreamName: 'od2', StreamModeDetails: { StreamMode: 'ON_DEMAND' } })).body, {
      __type: 'LimitExceededException', message: `This request would exceed the limit of 1 streams in ON_DEMAND capacity mode for the account ${ACCOUNT} in us-east-1.`,
    });
    assert.equal(view.stream({ accountId: ACCOUNT, region: 'us-east-1', streamName: 'od2' }), undefined);
  });
});

describe('account settings (On-demand Advantage)', () => {
  it('enables a commitment of at least 24 hours; a disable before then ends it at the earliest allowed end', async () => {
    const { call, ctx } = setup();
    const commitment = async (op: string, status?: string) =>
      (await call(op, status ? { MinimumThroughputBillingCommitment: { Status: status } } : {})).body['MinimumThroughputBillingCommitment'];
    assert.deepEqual(await commitment('DescribeAccountSettings'), { Status: 'DISABLED' });
    assert.deepEqual(await commitment('UpdateAccountSettings', 'ENABLED'), { Status: 'ENABLED', StartedAt: T0 / 1000, EarliestAllowedEndAt: (T0 + 24 * HOUR_MS) / 1000 });
    ctx.setNow(T0 + HOUR_MS);
    assert.deepEqual(await commitment('UpdateAccountSettings', 'DISABLED'),
      { Status: 'ENABLED_UNTIL_EARLIEST_ALLOWED_END', StartedAt: T0 / 1000, EarliestAllowedEndAt: (T0 + 24 * HOUR_MS) / 1000 });
    assert.deepEqual(await commitment('UpdateAccountSettings', 'ENABLED'), { Status: 'ENABLED', StartedAt: T0 / 1000, EarliestAllowedEndAt: (T0 + 24 * HOUR_MS) / 1000 },
      'enabling again cancels the pending end');
    await commitment('UpdateAccountSettings', 'DISABLED');
    ctx.setNow(T0 + 25 * HOUR_MS);
    assert.deepEqual(await commitment('DescribeAccountSettings'), { Status: 'DISABLED', StartedAt: T0 / 1000, EndedAt: (T0 + 24 * HOUR_MS) / 1000 });
    assert.equal((await call('UpdateAccountSettings', { MinimumThroughputBillingCommitment: { Status: 'MAYBE' } })).body['__type'], 'ValidationException');
    assert.equal((await call('UpdateAccountSettings', {})).body['message'],
      "1 validation error detected: Value null at 'minimumThroughputBillingCommitment' failed to satisfy constraint: Member must not be null");
  });

  it('allows warm throughput only while the account has the commitment, and shows it only then', async () => {
    const { call, ctx, view } = setup();
    assert.equal((await call('CreateStream', { StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } })).status, 200);
    const created = view.stream({ accountId: ACCOUNT, region: 'us-east-1', streamName: 'od' })!;
    view.setStream(`${ACCOUNT}/us-east-1/od`, { value: { ...created.value, status: 'ACTIVE' }, modRevision: 'active' });
    const odArn = `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/od`;
    assert.equal((await call('UpdateStreamWarmThroughput', { StreamARN: odArn, WarmThroughputMiBps: 10 })).body['__type'], 'InvalidArgumentException');
    await call('UpdateAccountSettings', { MinimumThroughputBillingCommitment: { Status: 'ENABLED' } });
    const summary = async () => (await call('DescribeStreamSummary', { StreamName: 'od' })).body['StreamDescriptionSummary'] as Record<string, unknown>;
    assert.deepEqual((await summary())['WarmThroughput'], { TargetMiBps: 0, CurrentMiBps: 0 });
    ctx.setNow(T0 + 25 * HOUR_MS);
    await call('UpdateAccountSettings', { MinimumThroughputBillingCommitment: { Status: 'DISABLED' } });
    assert.equal((await summary())['WarmThroughput'], undefined);
  });
});

describe('enhanced monitoring', () => {
  it('enables names or ALL, answers the sets before and after, and DescribeStream shows the result', async () => {
    const { call } = setup();
    assert.deepEqual((await call('EnableEnhancedMonitoring', { StreamName: 's', ShardLevelMetrics: ['IncomingBytes', 'IteratorAgeMilliseconds'] })).body, {
      StreamName: 's', CurrentShardLevelMetrics: [], DesiredShardLevelMetrics: ['IncomingBytes', 'IteratorAgeMilliseconds'], StreamARN: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/s`,
    });
    const all = (await call('EnableEnhancedMonitoring', { StreamName: 's', ShardLevelMetrics: ['ALL'] })).body;
    assert.equal((all['DesiredShardLevelMetrics'] as string[]).length, 7);
    const off = (await call('DisableEnhancedMonitoring', { StreamName: 's', ShardLevelMetrics: ['IncomingBytes', 'OutgoingBytes'] })).body;
    assert.deepEqual(off['DesiredShardLevelMetrics'], ['IncomingRecords', 'OutgoingRecords', 'WriteProvisionedThroughputExceeded', 'ReadProvisionedThroughputExceeded', 'IteratorAgeMilliseconds']);
    const described = (await call('DescribeStream', { StreamName: 's' })).body['StreamDescription'] as Record<string, unknown>;
    assert.deepEqual(described['EnhancedMonitoring'], [{ ShardLevelMetrics: off['DesiredShardLevelMetrics'] }]);
    assert.equal((await call('EnableEnhancedMonitoring', { StreamName: 's', ShardLevelMetrics: ['Bogus'] })).body['message'],
      "1 validation error detected: Value '[Bogus]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: " +
      '[IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]]');
    assert.equal((await call('DisableEnhancedMonitoring', { StreamName: 's', ShardLevelMetrics: [] })).body['__type'], 'ValidationException');
  });
});
