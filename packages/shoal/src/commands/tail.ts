/**
 * `shoal tail STREAM`: the records of every shard, parents before children,
 * by polling or (with --consumer) through an enhanced fan-out consumer.
 */
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { Command } from '../command-line';
import { listAllShards, streamTarget } from '../kinesis-listing';
import type { Output } from '../output';
import { ensureConsumer, FanOutSource } from '../tail/fan-out-source';
import { PollingSource } from '../tail/polling-source';
import { recordJson, recordText } from '../tail/record-format';
import type { ShardSource } from '../tail/shard-source';
import { runTail } from '../tail/tail-runner';

type TailCommand = Extract<Command, { name: 'tail' }>;

export async function tail(cmd: TailCommand, client: KinesisClient, out: Output): Promise<number> {
  const childrenOf = async (shardId: string): Promise<{ shardId: string; parentShardId?: string; adjacentParentShardId?: string }[]> =>
    (await listAllShards(client, cmd.stream))
      .filter((s) => s.ParentShardId === shardId || s.AdjacentParentShardId === shardId)
      .map((s) => ({ shardId: s.ShardId!, parentShardId: s.ParentShardId, adjacentParentShardId: s.AdjacentParentShardId }));
  const polling = new PollingSource(client, cmd.stream, childrenOf);
  let source: ShardSource = polling;
  if (cmd.consumer !== undefined) {
    const summary = await client.send(new DescribeStreamSummaryCommand(streamTarget(cmd.stream)));
    const streamArn = summary.StreamDescriptionSummary?.StreamARN;
    if (streamArn === undefined) throw new Error(`DescribeStreamSummary answered no StreamARN for ${cmd.stream}`);
    const consumerArn = await ensureConsumer(client, streamArn, cmd.consumer, cmd.common.connection.endpoint);
    source = new FanOutSource(client, consumerArn, cmd.common.connection.endpoint);
  }
  const emit = cmd.common.json
    ? (r: Parameters<typeof recordJson>[0]): Promise<void> => out.json(recordJson(r))
    : (r: Parameters<typeof recordText>[0]): Promise<void> => out.line(recordText(r));
  await runTail(client, source, polling, {
    stream: cmd.stream, from: cmd.from, follow: cmd.follow, ...(cmd.limit !== undefined ? { limit: cmd.limit } : {}),
  }, emit);
  return 0;
}
