/**
 * Retention: the two operations' checks and messages, and what readers see
 * as a shard's log start moves and records age past the retention horizon,
 * over fake storage and an injected clock (no waiting a day).
 */
import assert from 'node:assert/strict';
import type { ReadResponse__Output } from '@shoal/wire';
import { ACCOUNT, ClusterView, ScriptedStorage, addStream, jsonCaller, liveContext } from '../helpers/fake-context';

const HOUR_MS = 3_600_000;
const T0 = 1_800_000_000_000;

/** One shard's log as a storage node would serve it: records, a log start that trimming moves, reads from an offset. */
class FakeLog {
  readonly records: Array<{ offset: number; arrival_ms: number; partition_key: string; data: Buffer }> = [];
  logStart = 0;

  add(arrivalMs: number, data: string): void {
    this.records.push({ offset: this.records.length, arrival_ms: arrivalMs, partition_key: 'k', data: Buffer.from(data) });
  }

  read(from: number, max: number): ReadResponse__Output {
    const hw = this.records.length;
    if (from < this.logStart) return { error: 'OUT_OF_RANGE', error_message: '', records: [], high_watermark: hw, log_start_offset: this.logStart, last_arrival_ms: 0 };
    return { error: 'OK', error_message: '', records: this.records.slice(from, from + max), high_watermark: hw, log_start_offset: this.logStart, last_arrival_ms: 0 };
  }
}

function setup() {
  const view = new ClusterView();
  addStream(view, 's', 1);
  const log = new FakeLog();
  const storage = new ScriptedStorage(undefined, async (_n, req) => log.read(Number(req.from_offset), req.max_records ?? 10_000));
  const ctx = liveContext(view, storage, T0);
  const call = jsonCaller(ctx);
  const stream = () => view.stream({ accountId: ACCOUNT, region: 'us-east-1', streamName: 's' })!.value;
  const read = async (iterator: unknown, limit?: number) => (await call('GetRecords', { ShardIterator: iterator, ...(limit ? { Limit: limit } : {}) })).body;
  const iterator = async (type: string, seq?: string) => (await call('GetShardIterator', {
    StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: type, ...(seq ? { StartingSequenceNumber: seq } : {}),
  })).body['ShardIterator'];
  const data = (body: Record<string, unknown>) => (body['Records'] as Array<{ Data: string }>).map((r) => Buffer.from(r.Data, 'base64').toString());
  return { view, log, ctx, call, stream, read, iterator, data };
}

describe('retention', () => {
  it('increases and decreases within 24..8760 hours with Kinesis\' messages, refusing the wrong direction', async () => {
    const { call, stream } = setup();
    const msg = async (op: string, hours: number) => (await call(op, { StreamName: 's', RetentionPeriodHours: hours })).body['message'];
    assert.equal(await msg('IncreaseStreamRetentionPeriod', 23), 'Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.');
    assert.equal(await msg('IncreaseStreamRetentionPeriod', -1), 'Minimum allowed retention period is 24 hours. Requested retention period (-1 hours) is too short.');
    assert.equal(await msg('IncreaseStreamRetentionPeriod', 8761), 'Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.');
    assert.equal((await call('IncreaseStreamRetentionPeriod', { StreamName: 's', RetentionPeriodHours: 8760 })).status, 200);
    assert.equal(stream().retentionPeriodHours, 8760);
    assert.equal(await msg('IncreaseStreamRetentionPeriod', 100),
      'Requested retention period (100 hours) for stream s can not be shorter than existing retention period (8760 hours). Use DecreaseRetentionPeriod API.');
    assert.equal((await call('DecreaseStreamRetentionPeriod', { StreamName: 's', RetentionPeriodHours: 48 })).status, 200);
    assert.equal(await msg('DecreaseStreamRetentionPeriod', 49),
      'Requested retention period (49 hours) for stream s can not be longer than existing retention period (48 hours). Use IncreaseRetentionPeriod API.');
    assert.equal(await msg('DecreaseStreamRetentionPeriod', 23), 'Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.');
    assert.equal(stream().retentionPeriodHours, 48);
    assert.equal((await call('DescribeStreamSummary', { StreamName: 's' })).body['StreamDescriptionSummary'] !== undefined, true);
    assert.equal(((await call('DescribeStream', { StreamName: 's' })).body['StreamDescription'] as Record<string, unknown>)['RetentionPeriodHours'], 48);
    assert.equal(await msg('IncreaseStreamRetentionPeriod', undefined as unknown as number),
      "1 validation error detected: Value null at 'retentionPeriodHours' failed to satisfy constraint: Member must not be null");
  });

  it('reads TRIM_HORIZON from the log start once the storage nodes trimmed, and positions below it from there too', async () => {
    const { log, ctx, read, iterator, data } = setup();
    for (let i = 0; i < 5; i++) log.add(T0 + i * 1000, `r${i}`);
    ctx.setNow(T0 + 10_000);
    const first = await read(await iterator('TRIM_HORIZON'), 1);
    assert.deepEqual(data(first), ['r0']);
    const seq0 = (first['Records'] as Array<{ SequenceNumber: string }>)[0]!.SequenceNumber;
    log.logStart = 3;
    assert.deepEqual(data(await read(await iterator('TRIM_HORIZON'))), ['r3', 'r4']);
    assert.deepEqual(data(await read(await iterator('AT_SEQUENCE_NUMBER', seq0))), ['r3', 'r4']);
    assert.deepEqual(data(await read(await iterator('AFTER_SEQUENCE_NUMBER', seq0))), ['r3', 'r4']);
    // An iterator handed out before the trim moves up to the log start as well.
    assert.deepEqual(data(await read(first['NextShardIterator'])), ['r3', 'r4']);
    const page = await read(await iterator('TRIM_HORIZON'), 1);
    assert.equal(page['MillisBehindLatest'], 10_000 - 3_000, 'behind by the age of the last record returned');
    assert.equal((await read(page['NextShardIterator']))['MillisBehindLatest'], 0, 'at the tip');
  });

  it('never returns records older than the retention period, and an increase does not bring expired data back', async () => {
    const { log, ctx, call, stream, read, iterator, data } = setup();
    log.add(T0, 'old');
    log.add(T0 + 20 * HOUR_MS, 'newer');
    ctx.setNow(T0 + 25 * HOUR_MS);
    // 'old' is 25 hours old: past 24 hours of retention although no node trimmed it.
    const page = await read(await iterator('TRIM_HORIZON'));
    assert.deepEqual(data(page), ['newer']);
    assert.equal((await call('IncreaseStreamRetentionPeriod', { StreamName: 's', RetentionPeriodHours: 48 })).status, 200);
    assert.equal(stream().expiredBeforeMs, T0 + HOUR_MS);
    assert.deepEqual(data(await read(await iterator('TRIM_HORIZON'))), ['newer'], 'expired data stays expired');
    log.add(T0 + 25 * HOUR_MS, 'latest');
    assert.equal((await call('DecreaseStreamRetentionPeriod', { StreamName: 's', RetentionPeriodHours: 24 })).status, 200);
    ctx.setNow(T0 + 45 * HOUR_MS);
    assert.deepEqual(data(await read(await iterator('TRIM_HORIZON'))), ['latest'], 'a decrease hides older records at once');
  });

  it('moves a reader below the horizon through expired records with empty pages that say how old they are', async () => {
    const { log, ctx, read, iterator } = setup();
    for (let i = 0; i < 3; i++) log.add(T0 + i, `x${i}`);
    log.add(T0 + 30 * HOUR_MS, 'kept');
    ctx.setNow(T0 + 30 * HOUR_MS + 5);
    const page = await read(await iterator('TRIM_HORIZON'), 2);
    assert.deepEqual(page['Records'], []);
    assert.equal(page['MillisBehindLatest'], 30 * HOUR_MS + 5 - 1);
    const next = await read(page['NextShardIterator']);
    assert.deepEqual((next['Records'] as unknown[]).length, 1);
  });
});
