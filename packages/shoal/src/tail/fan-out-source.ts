/**
 * Reading a shard through an enhanced fan-out consumer: the consumer is
 * looked up by name and registered when missing (RegisterStreamConsumer),
 * then each shard is read with SubscribeToShard from the start position;
 * a subscription that ends (Kinesis ends them after 5 minutes) is renewed
 * after its ContinuationSequenceNumber. An event with ChildShards is the
 * end of a closed shard. A server without fan-out answers the consumer or
 * subscription calls with UnknownOperationException: FanOutUnsupportedError
 * says so, and that `tail` without --consumer reads by polling.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeStreamConsumerCommand, RegisterStreamConsumerCommand, SubscribeToShardCommand,
  type KinesisClient, type StartingPosition, type SubscribeToShardEventStream,
} from '@aws-sdk/client-kinesis';
import { errorName, isRetriable, isUnknownOperation } from '../aws-errors';
import { CONSUMER_ACTIVE_WAIT_MS, CONSUMER_POLL_MS, SUBSCRIPTION_IN_USE_BACKOFF_MS, TAIL_RETRY_BACKOFF_MS, TAIL_SHARD_RETRIES_MAX } from '../cli-limits';
import type { ShardPosition } from '../start-position';
import { childNodes, pause, tailRecords, type ReadRequest, type RecordSink, type ShardOutcome, type ShardSource } from './shard-source';

export class FanOutUnsupportedError extends Error {
  constructor(operation: string, endpoint: string) {
    super(`the server at ${endpoint} does not support enhanced fan-out (${operation} answered UnknownOperationException); ` +
      'run tail without --consumer to read by polling (GetRecords)');
  }
}

/** The ARN of the named consumer of the stream, registering it if needed, once it is ACTIVE. */
export async function ensureConsumer(client: KinesisClient, streamArn: string, consumerName: string, endpoint: string): Promise<string> {
  const describe = async (): Promise<{ arn: string; status: string } | undefined> => {
    try {
      const res = await client.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: consumerName }));
      const d = res.ConsumerDescription;
      return d?.ConsumerARN !== undefined ? { arn: d.ConsumerARN, status: d.ConsumerStatus ?? 'ACTIVE' } : undefined;
    } catch (err) {
      if (isUnknownOperation(err)) throw new FanOutUnsupportedError('DescribeStreamConsumer', endpoint);
      if (errorName(err) === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  };
  let found = await describe();
  if (found === undefined) {
    try {
      await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: consumerName }));
    } catch (err) {
      if (isUnknownOperation(err)) throw new FanOutUnsupportedError('RegisterStreamConsumer', endpoint);
      if (errorName(err) !== 'ResourceInUseException') throw err; // registered by someone else meanwhile
    }
  }
  const deadline = Date.now() + CONSUMER_ACTIVE_WAIT_MS;
  for (;;) {
    found = await describe();
    if (found?.status === 'ACTIVE') return found.arn;
    if (found?.status === 'DELETING') throw new Error(`consumer ${consumerName} is being deleted; try again once it is gone, or use another name`);
    if (Date.now() > deadline) throw new Error(`consumer ${consumerName} is not ACTIVE after ${CONSUMER_ACTIVE_WAIT_MS / 1000} s (${found?.status ?? 'not found'})`);
    await sleep(CONSUMER_POLL_MS);
  }
}

function startingPosition(position: ShardPosition): StartingPosition {
  switch (position.type) {
    case 'TRIM_HORIZON':
    case 'LATEST':
      return { Type: position.type };
    case 'AT_TIMESTAMP':
      return { Type: 'AT_TIMESTAMP', Timestamp: new Date(position.timestampMs) };
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER':
      return { Type: position.type, SequenceNumber: position.sequenceNumber };
  }
}

/** An error event of the subscription as a thrown error with the event's name. */
function eventError(event: SubscribeToShardEventStream): Error {
  const name = Object.keys(event).find((k) => k !== 'SubscribeToShardEvent') ?? 'UnknownEvent';
  const body = (event as unknown as Record<string, { message?: string } | undefined>)[name];
  return Object.assign(new Error(body?.message ?? name), { name });
}

export class FanOutSource implements ShardSource {
  constructor(private readonly client: KinesisClient, private readonly consumerArn: string, private readonly endpoint: string) {}

  async read(request: ReadRequest, sink: RecordSink): Promise<ShardOutcome> {
    let position: ShardPosition = request.position;
    for (let failures = 0; ;) {
      if (sink.signal.aborted) return { kind: 'stopped' };
      const subscription = new AbortController();
      const stop = (): void => subscription.abort();
      sink.signal.addEventListener('abort', stop, { once: true });
      try {
        const res = await this.client.send(new SubscribeToShardCommand({
          ConsumerARN: this.consumerArn, ShardId: request.shardId, StartingPosition: startingPosition(position),
        }), { abortSignal: subscription.signal });
        for await (const event of res.EventStream ?? []) {
          if (event.SubscribeToShardEvent === undefined) throw eventError(event);
          failures = 0;
          const e = event.SubscribeToShardEvent;
          const records = tailRecords(request.shardId, e.Records);
          if (records.length > 0 && !(await sink.accept(records))) return { kind: 'stopped' };
          const last = records[records.length - 1];
          const after = e.ContinuationSequenceNumber ?? last?.sequenceNumber;
          if (after !== undefined) position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: after };
          if (e.ChildShards !== undefined && e.ChildShards.length > 0) return { kind: 'ended', children: childNodes(e.ChildShards) };
          if (request.stopWhenCaughtUp && e.MillisBehindLatest === 0) return { kind: 'caught-up' };
        }
        // The subscription ended (after 5 minutes on Kinesis): renew it where it stopped.
      } catch (err) {
        if (sink.signal.aborted) return { kind: 'stopped' };
        if (isUnknownOperation(err)) throw new FanOutUnsupportedError('SubscribeToShard', this.endpoint);
        const inUse = errorName(err) === 'ResourceInUseException';
        if (++failures > TAIL_SHARD_RETRIES_MAX || (!inUse && !isRetriable(err))) throw err;
        if (!(await pause(inUse ? SUBSCRIPTION_IN_USE_BACKOFF_MS : TAIL_RETRY_BACKOFF_MS, sink.signal))) return { kind: 'stopped' };
      } finally {
        sink.signal.removeEventListener('abort', stop);
        subscription.abort();
      }
    }
  }
}
