/**
 * Reading a shard by polling: GetShardIterator, then GetRecords with each
 * NextShardIterator, at most one call per TAIL_CALL_INTERVAL_MIN_MS and one
 * per TAIL_IDLE_POLL_MS once at the tip. An expired iterator is replaced
 * after the last record read; throttling and retriable errors are waited
 * out (TAIL_SHARD_RETRIES_MAX in a row). The end of a closed shard is the
 * answer without NextShardIterator; its ChildShards (or, from a server that
 * does not send them, a new listing) say where the walk goes next.
 */
import { GetRecordsCommand, GetShardIteratorCommand, type GetRecordsCommandOutput, type KinesisClient } from '@aws-sdk/client-kinesis';
import { errorName, isRetriable } from '../aws-errors';
import {
  TAIL_CALL_INTERVAL_MIN_MS, TAIL_GET_RECORDS_LIMIT, TAIL_IDLE_POLL_MS, TAIL_RETRY_BACKOFF_MS, TAIL_SHARD_RETRIES_MAX, TAIL_THROTTLE_BACKOFF_MS,
} from '../cli-limits';
import { streamTarget } from '../kinesis-listing';
import type { ShardNode } from '../shard-lineage';
import type { ShardPosition } from '../start-position';
import { childNodes, pause, tailRecords, type ReadRequest, type RecordSink, type ShardOutcome, type ShardSource } from './shard-source';

type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly stopped: true };

export class PollingSource implements ShardSource {
  constructor(private readonly client: KinesisClient, private readonly stream: string,
    private readonly childrenOf: (shardId: string) => Promise<ShardNode[]>) {}

  /** A shard iterator at `position`. */
  async iterator(shardId: string, position: ShardPosition, signal?: AbortSignal): Promise<string> {
    const res = await this.client.send(new GetShardIteratorCommand({
      ...streamTarget(this.stream), ShardId: shardId, ShardIteratorType: position.type,
      ...(position.type === 'AT_TIMESTAMP' ? { Timestamp: new Date(position.timestampMs) } : {}),
      ...(position.type === 'AT_SEQUENCE_NUMBER' || position.type === 'AFTER_SEQUENCE_NUMBER' ? { StartingSequenceNumber: position.sequenceNumber } : {}),
    }), signal ? { abortSignal: signal } : {});
    if (res.ShardIterator === undefined) throw new Error(`GetShardIterator answered no iterator for ${shardId}`);
    return res.ShardIterator;
  }

  async read(request: ReadRequest, sink: RecordSink): Promise<ShardOutcome> {
    const { shardId } = request;
    let resume: ShardPosition = request.position;
    const first = await this.retrying(() => this.iterator(shardId, resume, sink.signal), sink.signal);
    if (!first.ok) return { kind: 'stopped' };
    let iterator = first.value;
    let lastCallMs = 0;
    let failures = 0;
    for (;;) {
      const wait = lastCallMs + TAIL_CALL_INTERVAL_MIN_MS - Date.now();
      if (wait > 0 && !(await pause(wait, sink.signal))) return { kind: 'stopped' };
      if (sink.signal.aborted) return { kind: 'stopped' };
      lastCallMs = Date.now();
      let page: GetRecordsCommandOutput;
      try {
        page = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: TAIL_GET_RECORDS_LIMIT }), { abortSignal: sink.signal });
        failures = 0;
      } catch (err) {
        if (sink.signal.aborted) return { kind: 'stopped' };
        if (++failures > TAIL_SHARD_RETRIES_MAX) throw err;
        const name = errorName(err);
        if (name === 'ExpiredIteratorException') {
          const fresh = await this.retrying(() => this.iterator(shardId, resume, sink.signal), sink.signal);
          if (!fresh.ok) return { kind: 'stopped' };
          iterator = fresh.value;
          continue;
        }
        if (name !== 'ProvisionedThroughputExceededException' && !isRetriable(err)) throw err;
        if (!(await pause(name === 'ProvisionedThroughputExceededException' ? TAIL_THROTTLE_BACKOFF_MS : TAIL_RETRY_BACKOFF_MS, sink.signal))) return { kind: 'stopped' };
        continue;
      }
      const records = tailRecords(shardId, page.Records);
      if (records.length > 0) {
        if (!(await sink.accept(records))) return { kind: 'stopped' };
        resume = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: records[records.length - 1]!.sequenceNumber };
      }
      if (page.NextShardIterator === undefined || page.NextShardIterator === null) {
        const children = page.ChildShards !== undefined ? childNodes(page.ChildShards) : await this.childrenOf(shardId);
        return { kind: 'ended', children };
      }
      iterator = page.NextShardIterator;
      // At the tip when the server says so; a server that does not say is taken to be there after an empty page.
      const atTip = page.MillisBehindLatest === 0 || (page.MillisBehindLatest === undefined && records.length === 0);
      if (atTip && request.stopWhenCaughtUp) return { kind: 'caught-up' };
      if (atTip && !(await pause(TAIL_IDLE_POLL_MS, sink.signal))) return { kind: 'stopped' };
    }
  }

  /** Runs `call`, waiting out retriable errors up to TAIL_SHARD_RETRIES_MAX times. */
  private async retrying<T>(call: () => Promise<T>, signal: AbortSignal): Promise<Attempt<T>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { ok: true, value: await call() };
      } catch (err) {
        if (signal.aborted) return { ok: false, stopped: true };
        if (attempt >= TAIL_SHARD_RETRIES_MAX || !isRetriable(err)) throw err;
        if (!(await pause(TAIL_RETRY_BACKOFF_MS, signal))) return { ok: false, stopped: true };
      }
    }
  }
}
