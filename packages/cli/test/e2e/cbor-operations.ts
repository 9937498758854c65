/**
 * Every operation of the api through the Java-style CBOR client, against a
 * real cluster: blobs go in and come back as byte strings, timestamps as
 * tag 1 + epoch milliseconds, errors as CBOR maps. Operations without a
 * script here (added later) still get a CBOR call that must be understood
 * (not UnknownOperationException) and answered in CBOR.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { OPERATIONS } from '@shoal/api';
import { type JavaCborClient, Timestamp, type CborAnswer, type Tagged } from './java-cbor-client';

const ACTIVE_WAIT_MS = 60_000;
const POLL_MS = 250;
const DELETE_ATTEMPTS_MAX = 5;
const CBOR = 'application/x-amz-cbor-1.1';
const DAY_MS = 24 * 3600 * 1000;

function ok(answer: CborAnswer, what: string): Record<string, unknown> {
  assert.equal(answer.contentType, CBOR, what);
  assert.equal(answer.status, 200, `${what}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A timestamp member as AWS writes it in CBOR: tag 1 around integer epoch milliseconds, close to now. */
function assertTimestamp(value: unknown, what: string): number {
  const t = value as Tagged;
  assert.equal(t.tag, 1, `${what} is tagged as a timestamp`);
  assert.ok(Number.isInteger(t.value), `${what} is an integer`);
  assert.ok(Math.abs((t.value as number) - Date.now()) < DAY_MS, `${what} = ${String(t.value)} is epoch milliseconds of today`);
  return t.value as number;
}

async function waitActive(client: JavaCborClient, stream: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ACTIVE_WAIT_MS;
  for (;;) {
    const answer = await client.call('DescribeStreamSummary', { StreamName: stream });
    const summary = answer.body['StreamDescriptionSummary'] as Record<string, unknown> | undefined;
    if (summary?.['StreamStatus'] === 'ACTIVE') return summary;
    if (Date.now() > deadline) throw new Error(`${stream} not ACTIVE: ${JSON.stringify(answer.body)}`);
    await sleep(POLL_MS);
  }
}

/** Runs every operation over CBOR; returns the names it exercised. */
export async function exerciseEveryOperation(client: JavaCborClient, stream: string): Promise<Set<string>> {
  const done = new Set<string>();
  const call = async (op: string, input: Record<string, unknown>): Promise<Record<string, unknown>> => {
    done.add(op);
    return ok(await client.call(op, input), op);
  };
  assert.deepEqual(await call('CreateStream', { StreamName: stream, ShardCount: 2 }), {});
  const summary = await waitActive(client, stream);
  assertTimestamp(summary['StreamCreationTimestamp'], 'StreamCreationTimestamp');
  const arn = summary['StreamARN'] as string;
  done.add('DescribeStreamSummary');
  assert.ok((await call('ListStreams', {}))['StreamNames'] instanceof Array);

  const payload = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const put = await call('PutRecord', { StreamName: stream, PartitionKey: 'java', Data: payload });
  const batch = await call('PutRecords', { StreamARN: arn, Records: [0, 1, 2].map((i) => ({ PartitionKey: `java-${i}`, Data: Buffer.from([i, 0, 255]) })) });
  assert.equal(batch['FailedRecordCount'], 0);

  const described = (await call('DescribeStream', { StreamName: stream }))['StreamDescription'] as { Shards: unknown[] };
  assert.equal(described.Shards.length, 2);
  const listed = (await call('ListShards', { StreamName: stream, ShardFilter: { Type: 'AT_TIMESTAMP', Timestamp: new Timestamp(Date.now()) } }))['Shards'] as unknown[];
  assert.equal(listed.length, 2);
  const iterator = await call('GetShardIterator', {
    StreamName: stream, ShardId: put['ShardId'], ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Timestamp(Date.now() - 60_000),
  });
  const records = (await call('GetRecords', { ShardIterator: iterator['ShardIterator'], Limit: 100 }))['Records'] as Array<Record<string, unknown>>;
  const mine = records.find((r) => r['SequenceNumber'] === put['SequenceNumber']);
  assert.ok(mine, 'the record put over CBOR reads back over CBOR');
  assert.ok(Buffer.isBuffer(mine['Data']) && mine['Data'].equals(payload), 'Data is a byte string, byte for byte');
  assertTimestamp(mine['ApproximateArrivalTimestamp'], 'ApproximateArrivalTimestamp');

  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 'kinesis:PutRecord', Resource: arn }] });
  assert.deepEqual(await call('PutResourcePolicy', { ResourceARN: arn, Policy: policy }), {});
  assert.deepEqual(await call('GetResourcePolicy', { ResourceARN: arn }), { Policy: policy });
  assert.deepEqual(await call('DeleteResourcePolicy', { ResourceARN: arn }), {});

  await call('UpdateMaxRecordSize', { StreamARN: arn, MaxRecordSizeInKiB: 2048 });
  await waitActive(client, stream);
  const first = (listed[0] as { ShardId: string; HashKeyRange: { StartingHashKey: string; EndingHashKey: string } });
  const middle = ((BigInt(first.HashKeyRange.StartingHashKey) + BigInt(first.HashKeyRange.EndingHashKey)) / 2n).toString();
  await call('SplitShard', { StreamName: stream, ShardToSplit: first.ShardId, NewStartingHashKey: middle });
  await waitActive(client, stream);
  const open = ((await call('ListShards', { StreamName: stream, ShardFilter: { Type: 'AT_LATEST' } }))['Shards'] as Array<{ ShardId: string; HashKeyRange: { StartingHashKey: string } }>)
    .sort((a, b) => (BigInt(a.HashKeyRange.StartingHashKey) < BigInt(b.HashKeyRange.StartingHashKey) ? -1 : 1));
  await call('MergeShards', { StreamName: stream, ShardToMerge: open[0]!.ShardId, AdjacentShardToMerge: open[1]!.ShardId });
  await waitActive(client, stream);
  await call('UpdateShardCount', { StreamName: stream, TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' });
  await waitActive(client, stream);
  await call('UpdateStreamMode', { StreamARN: arn, StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
  await waitActive(client, stream);
  // Warm throughput needs the account's On-demand Advantage commitment (as AWS).
  await call('UpdateAccountSettings', { MinimumThroughputBillingCommitment: { Status: 'ENABLED' } });
  await call('UpdateStreamWarmThroughput', { StreamName: stream, WarmThroughputMiBps: 8 });
  await waitActive(client, stream);

  // Errors are CBOR maps with the same type and message as JSON.
  const missing = await client.call('DescribeStreamSummary', { StreamName: `${stream}-missing` });
  assert.equal(missing.status, 400);
  assert.equal(missing.contentType, CBOR);
  assert.equal(missing.body['__type'], 'ResourceNotFoundException');
  assert.match(String(missing.body['message']), new RegExp(`^Stream ${stream}-missing under account \\d{12} not found\\.$`));

  for (const name of OPERATIONS.keys()) {
    if (done.has(name) || name === 'DeleteStream') continue;
    const answer = await client.call(name, {});
    assert.equal(answer.contentType, CBOR, name);
    assert.notEqual(answer.body['__type'], 'UnknownOperationException', name);
    assert.notEqual(answer.body['__type'], 'SerializationException', name);
    done.add(name);
  }
  // The controller may still be applying the warm-throughput change (a guarded write DeleteStream can lose):
  // as a client would, wait for ACTIVE and retry on ResourceInUseException.
  for (let attempt = 1; ; attempt++) {
    await waitActive(client, stream);
    const deleted = await client.call('DeleteStream', { StreamName: stream });
    if (deleted.status === 200 || deleted.body['__type'] !== 'ResourceInUseException' || attempt === DELETE_ATTEMPTS_MAX) {
      assert.deepEqual(ok(deleted, 'DeleteStream'), {});
      break;
    }
    await sleep(POLL_MS);
  }
  done.add('DeleteStream');
  return done;
}
