/**
 * `shoal put STREAM`: every line of a file or stdin becomes a record. A
 * reader splits the input into lines and hands them, bounded, to one sender
 * that groups them into PutRecords batches (500 records / 5 MiB, or what
 * has come after PUT_LINGER_MS of quiet input) and sends them one at a
 * time. Results: a summary (text) or one JSON object per record (--json);
 * progress on stderr. Exit status 1 when any line was not put.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, fstatSync, statSync } from 'node:fs';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { PUT_BATCH_BYTES_MAX, PUT_BATCH_RECORDS_MAX, PUT_LINGER_MS, PUT_QUEUE_BYTES_MAX, PUT_QUEUE_LINES_MAX, PUT_RECORD_BYTES_MAX } from '../cli-limits';
import type { Command } from '../command-line';
import type { Output } from '../output';
import { LineQueue } from '../put/line-queue';
import { LineSplitter, LineTooLongError } from '../put/line-splitter';
import { PutBatcher, entryFromLine, isProblem, type LineProblem, type PutEntry } from '../put/put-batcher';
import { ProgressReporter } from '../put/progress-reporter';
import { summaryLine, type ProgressSnapshot } from '../put/progress';
import type { PutAck, PutFailure } from '../put/put-results';
import { PutSender } from '../put/put-sender';

type PutCommand = Extract<Command, { name: 'put' }>;
type Item = PutEntry | LineProblem;

/** The input stream and its size when known (a file, or stdin redirected from one). */
function openInput(file: string | undefined): { input: NodeJS.ReadableStream; bytesTotal?: number } {
  if (file !== undefined && file !== '-') return { input: createReadStream(file), bytesTotal: statSync(file).size };
  const stat = fstatSync(0);
  return stat.isFile() ? { input: process.stdin, bytesTotal: stat.size } : { input: process.stdin };
}

class PutCounters {
  records = 0;
  bytes = 0;
  failed = 0;
  retried = 0;
  inputBytesDone = 0;
  private readonly startMs = Date.now();
  constructor(private readonly inputBytesTotal: number | undefined) {}
  snapshot(): ProgressSnapshot {
    return {
      records: this.records, bytes: this.bytes, failed: this.failed, retried: this.retried, elapsedMs: Date.now() - this.startMs,
      inputBytesDone: this.inputBytesDone, ...(this.inputBytesTotal !== undefined ? { inputBytesTotal: this.inputBytesTotal } : {}),
    };
  }
}

/** Reads lines into the queue; a failure of the input (or a line too long) fails the queue. */
async function readLines(cmd: PutCommand, input: NodeJS.ReadableStream, queue: LineQueue<Item>, counters: PutCounters): Promise<void> {
  const splitter = new LineSplitter(PUT_RECORD_BYTES_MAX);
  let lineNumber = 0;
  const offer = async (text: Buffer): Promise<void> => {
    lineNumber++;
    const item = entryFromLine(text, lineNumber, cmd.key, randomUUID, PUT_RECORD_BYTES_MAX);
    if (item !== undefined) await queue.push(item);
    else counters.inputBytesDone += text.length + 1; // an empty line, skipped
  };
  try {
    for await (const chunk of input) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk as Buffer;
      for (const line of splitter.push(bytes)) await offer(line);
    }
    const last = splitter.end();
    if (last !== undefined) await offer(last);
    queue.end();
  } catch (err) {
    queue.fail(err instanceof LineTooLongError ? new Error(`${err.message}: a record holds at most ${err.lineBytesMax} bytes`) : err as Error);
  }
}

export async function put(cmd: PutCommand, client: KinesisClient, out: Output, stderr: NodeJS.WriteStream): Promise<number> {
  const { input, bytesTotal } = openInput(cmd.file);
  const counters = new PutCounters(bytesTotal);
  const queue = new LineQueue<Item>(PUT_QUEUE_LINES_MAX, PUT_QUEUE_BYTES_MAX, (item) => (isProblem(item) ? 0 : item.bytes));
  const sender = new PutSender(client, cmd.stream);
  const batcher = new PutBatcher(PUT_BATCH_RECORDS_MAX, PUT_BATCH_BYTES_MAX);
  const progress = new ProgressReporter(cmd.progress, stderr, () => counters.snapshot());
  const json = cmd.common.json;
  const report = {
    acked: async (ack: PutAck): Promise<void> => {
      counters.records++;
      counters.bytes += ack.entry.bytes;
      counters.inputBytesDone += ack.entry.inputBytes;
      if (json) await out.json({ line: ack.entry.line, partitionKey: ack.entry.partitionKey, shardId: ack.shardId, sequenceNumber: ack.sequenceNumber });
    },
    failed: async (f: PutFailure): Promise<void> => {
      counters.failed++;
      counters.inputBytesDone += f.entry.inputBytes;
      if (json) await out.json({ line: f.entry.line, partitionKey: f.entry.partitionKey, errorCode: f.errorCode, errorMessage: f.errorMessage });
      else stderr.write(`line ${f.entry.line}: ${f.errorCode}: ${f.errorMessage}\n`);
    },
    retried: (count: number): void => { counters.retried += count; },
  };
  const problem = async (p: LineProblem): Promise<void> => {
    counters.failed++;
    counters.inputBytesDone += p.inputBytes;
    if (json) await out.json({ line: p.line, errorCode: 'InvalidLine', errorMessage: p.message });
    else stderr.write(`line ${p.line}: ${p.message}\n`);
  };

  const send = async (batch: PutEntry[]): Promise<void> => {
    await sender.send(batch, report);
    progress.update();
  };
  progress.start();
  const reading = readLines(cmd, input, queue, counters);
  try {
    for (;;) {
      const taken = await queue.take(batcher.pendingRecords > 0 ? PUT_LINGER_MS : undefined);
      if (taken.kind === 'item') {
        if (isProblem(taken.item)) await problem(taken.item);
        else for (const batch of batcher.add(taken.item)) await send(batch);
        continue;
      }
      const rest = batcher.flush();
      if (rest) await send(rest);
      if (taken.kind === 'end') break;
    }
  } finally {
    progress.finish();
  }
  await reading;
  const summary = summaryLine(counters.snapshot());
  if (json) stderr.write(summary + '\n');
  else await out.line(summary);
  return counters.failed > 0 ? 1 : 0;
}
