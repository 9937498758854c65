/** `shoal streams`: the streams of the account and region. */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Command } from '../command-line';
import { listStreams } from '../kinesis-listing';
import type { Output } from '../output';

type StreamsCommand = Extract<Command, { name: 'streams' }>;

export async function streams(cmd: StreamsCommand, client: KinesisClient, out: Output, stderr: NodeJS.WritableStream): Promise<number> {
  const rows = (await listStreams(client)).map(({ name, summary }) => ({
    streamName: name,
    ...(summary?.StreamARN !== undefined ? { streamArn: summary.StreamARN } : {}),
    ...(summary?.StreamStatus !== undefined ? { status: summary.StreamStatus } : {}),
    ...(summary?.StreamModeDetails?.StreamMode !== undefined ? { mode: summary.StreamModeDetails.StreamMode } : {}),
    ...(summary?.StreamCreationTimestamp !== undefined ? { createdAt: summary.StreamCreationTimestamp.toISOString() } : {}),
  }));
  if (cmd.common.json) {
    for (const row of rows) await out.json(row);
    return 0;
  }
  if (rows.length === 0) {
    stderr.write(`no streams in ${await client.config.region()} at ${cmd.common.connection.endpoint}\n`);
    return 0;
  }
  const width = Math.max(...rows.map((r) => r.streamName.length), 'NAME'.length) + 2;
  await out.line(`${'NAME'.padEnd(width)}${'STATUS'.padEnd(10)}${'MODE'.padEnd(13)}CREATED`);
  for (const r of rows) await out.line(`${r.streamName.padEnd(width)}${(r.status ?? '').padEnd(10)}${(r.mode ?? '').padEnd(13)}${r.createdAt ?? ''}`);
  return 0;
}
