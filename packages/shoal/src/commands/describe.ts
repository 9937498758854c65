/** `shoal describe STREAM`: settings, shards with lineage, consumers and tags. */
import { DescribeStreamSummaryCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import { errorName } from '../aws-errors';
import type { Command } from '../command-line';
import { listAllShards, listConsumers, listTags, streamTarget, type Available } from '../kinesis-listing';
import type { Output } from '../output';
import { streamText, streamView } from '../describe/stream-view';

type DescribeCommand = Extract<Command, { name: 'describe' }>;

/** The shards; unavailable while the stream is CREATING or DELETING (ListShards answers ResourceInUseException then). */
async function shardsOf(client: KinesisClient, stream: string): Promise<Available<Shard[]>> {
  try {
    return { ok: true, value: await listAllShards(client, stream) };
  } catch (err) {
    if (errorName(err) === 'ResourceInUseException') return { ok: false, reason: 'ResourceInUseException' };
    throw err;
  }
}

export async function describe(cmd: DescribeCommand, client: KinesisClient, out: Output): Promise<number> {
  const res = await client.send(new DescribeStreamSummaryCommand(streamTarget(cmd.stream)));
  const summary = res.StreamDescriptionSummary;
  if (summary === undefined) throw new Error(`DescribeStreamSummary answered no StreamDescriptionSummary for ${cmd.stream}`);
  const [shards, consumers, tags] = await Promise.all([
    shardsOf(client, cmd.stream),
    summary.StreamARN !== undefined ? listConsumers(client, summary.StreamARN) : Promise.resolve<Available<never[]>>({ ok: false, reason: 'no StreamARN' }),
    listTags(client, cmd.stream),
  ]);
  const view = streamView(summary, shards, consumers, tags);
  if (cmd.common.json) await out.json(view);
  else for (const line of streamText(view)) await out.line(line);
  return 0;
}
