/**
 * Helpers of the enhanced fan-out end-to-end tests: consumers through the
 * JS SDK v3, one SubscribeToShard read whole, a KCL-like reader that
 * resubscribes with the continuation until the shard ends, and a raw
 * event-stream client (HTTP/1.1 or HTTP/2) that keeps each message's
 * arrival time for framing and timing checks.
 */
import http from 'node:http';
import http2 from 'node:http2';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeStreamConsumerCommand, RegisterStreamConsumerCommand, SubscribeToShardCommand, type ChildShard, type KinesisClient, type StartingPosition,
} from '@aws-sdk/client-kinesis';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 as Sha256 } from '@shoal/wire';

const ACTIVE_WAIT_MS = 30_000;
const POLL_MS = 100;
/** Subscriptions a reader opens before giving up (sessions end, takeovers answer ResourceInUseException). */
const SUBSCRIBE_ATTEMPTS_MAX = 100;
/** Wait before subscribing again after a refusal (the takeover window is 5 s). */
const RESUBSCRIBE_WAIT_MS = 1_000;

export interface DeliveredRecord {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Buffer;
  /** Date.now() when its event arrived. */
  readonly receivedMs: number;
}

export interface ReceivedEvent {
  readonly records: readonly DeliveredRecord[];
  readonly continuation: string | undefined;
  readonly millisBehindLatest: number | undefined;
  readonly childShards: readonly ChildShard[] | undefined;
  readonly receivedMs: number;
}

/** Registers a consumer and waits until DescribeStreamConsumer says ACTIVE; its ARN. */
export async function activeConsumer(client: KinesisClient, streamArn: string, name: string): Promise<string> {
  const reg = await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }));
  const arn = reg.Consumer!.ConsumerARN!;
  const deadline = Date.now() + ACTIVE_WAIT_MS;
  for (;;) {
    const d = await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn }));
    if (d.ConsumerDescription?.ConsumerStatus === 'ACTIVE') return arn;
    if (Date.now() > deadline) throw new Error(`consumer ${name} not ACTIVE after ${ACTIVE_WAIT_MS} ms`);
    await sleep(POLL_MS);
  }
}

/**
 * One SubscribeToShard, read until the stream ends, `stop` says so (then the
 * call is aborted), or it fails; the events and how it ended.
 */
export async function subscribeOnce(client: KinesisClient, consumerArn: string, shardId: string, position: StartingPosition,
  stop: (events: readonly ReceivedEvent[]) => boolean = () => false): Promise<{ events: ReceivedEvent[]; error?: Error & { name: string } }> {
  const abort = new AbortController();
  const events: ReceivedEvent[] = [];
  try {
    const res = await client.send(new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: position }), { abortSignal: abort.signal });
    for await (const ev of res.EventStream!) {
      const e = ev.SubscribeToShardEvent;
      if (!e) continue;
      const receivedMs = Date.now();
      events.push({
        records: (e.Records ?? []).map((r) => ({ sequenceNumber: r.SequenceNumber!, partitionKey: r.PartitionKey!, data: Buffer.from(r.Data ?? new Uint8Array()), receivedMs })),
        continuation: e.ContinuationSequenceNumber, millisBehindLatest: e.MillisBehindLatest, childShards: e.ChildShards, receivedMs,
      });
      if (stop(events)) { abort.abort(); break; }
    }
    return { events };
  } catch (err) {
    if (abort.signal.aborted) return { events };
    return { events, error: err as Error & { name: string } };
  }
}

export interface ShardReadout {
  readonly records: DeliveredRecord[];
  readonly events: ReceivedEvent[];
  /** The children of the last event, if the shard ended. */
  readonly childShards?: readonly ChildShard[];
  /** Subscriptions it took (more than one: sessions ended and it resubscribed with the continuation). */
  readonly subscriptions: number;
}

/**
 * Reads a shard as the KCL does: subscribes, and whenever a subscription
 * ends resubscribes AFTER_SEQUENCE_NUMBER the last continuation, until
 * `enough` holds or the shard ends (ChildShards).
 */
export async function readShardByFanOut(client: KinesisClient, consumerArn: string, shardId: string, start: StartingPosition,
  enough: (records: readonly DeliveredRecord[]) => boolean): Promise<ShardReadout> {
  const records: DeliveredRecord[] = [];
  const events: ReceivedEvent[] = [];
  let position = start;
  for (let n = 1; n <= SUBSCRIBE_ATTEMPTS_MAX; n++) {
    const got = await subscribeOnce(client, consumerArn, shardId, position, () => enough(records));
    for (const e of got.events) { events.push(e); records.push(...e.records); }
    const last = got.events[got.events.length - 1];
    if (last?.childShards && last.childShards.length > 0) return { records, events, childShards: last.childShards, subscriptions: n };
    if (enough(records)) return { records, events, subscriptions: n };
    const cont = [...got.events].reverse().find((e) => e.continuation !== undefined)?.continuation;
    if (cont !== undefined) position = { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: cont };
    if (got.error) {
      if (got.error.name !== 'ResourceInUseException') throw got.error;
      await sleep(RESUBSCRIBE_WAIT_MS);
    }
  }
  throw new Error(`shard ${shardId}: not done after ${SUBSCRIBE_ATTEMPTS_MAX} subscriptions (${records.length} records)`);
}

export interface RawMessage {
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: Record<string, unknown>;
  readonly receivedMs: number;
}

export interface RawSubscription {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly messages: RawMessage[];
  /** Resolves when the response ends (the server ended it, or close() was called). */
  readonly done: Promise<void>;
  close(): void;
}

const framing = new EventStreamCodec((b) => Buffer.from(b).toString('utf8'), (s) => Buffer.from(s, 'utf8'));

/** Splits a byte stream into event-stream messages (prelude: total length, u32 big-endian) and decodes each (CRCs checked). */
function messageReader(out: RawMessage[]): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= pending.readUInt32BE(0)) {
      const total = pending.readUInt32BE(0);
      const m = framing.decode(pending.subarray(0, total));
      pending = pending.subarray(total);
      const headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, String(v.value)]));
      out.push({ headers, payload: JSON.parse(Buffer.from(m.body).toString('utf8')) as Record<string, unknown>, receivedMs: Date.now() });
    }
  };
}

const RAW_CLIENT_KEY = { accessKeyId: 'AKIDRAWFANOUT', secretAccessKey: 'raw-fanout-secret' };
const SUBSCRIBE_HEADERS = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.SubscribeToShard' };

/** Signs a SubscribeToShard request as an SDK would (any key works while signatures are not verified). */
async function signedSubscribeHeaders(endpoint: string, payload: Buffer): Promise<Record<string, string>> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ credentials: RAW_CLIENT_KEY, region: 'us-east-1', service: 'kinesis', sha256: Sha256, applyChecksum: false });
  const req = { method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers: { host: url.host, ...SUBSCRIBE_HEADERS }, body: payload };
  const { host: _host, ...signed } = (await signer.sign(req)).headers as Record<string, string>;
  return signed;
}

/** SubscribeToShard with a hand-made, signed request over HTTP/1.1 or cleartext HTTP/2 (authentication is off). */
export async function rawSubscribe(endpoint: string, protocol: 'h1' | 'h2', body: Readonly<Record<string, unknown>>): Promise<RawSubscription> {
  const payload = Buffer.from(JSON.stringify(body));
  const headers = await signedSubscribeHeaders(endpoint, payload);
  const messages: RawMessage[] = [];
  const read = messageReader(messages);
  return new Promise((resolve, reject) => {
    if (protocol === 'h1') {
      const req = http.request(`${endpoint}/`, { method: 'POST', headers: { ...headers, 'content-length': payload.length } }, (res) => {
        const done = new Promise<void>((r) => { res.on('end', () => r()); res.on('close', () => r()); });
        res.on('data', (c: Buffer) => read(c));
        res.on('error', () => undefined);
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], messages, done, close: () => req.destroy() });
      });
      req.on('error', reject);
      req.end(payload);
      return;
    }
    const session = http2.connect(endpoint);
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': '/', ...headers, 'content-length': payload.length });
    stream.on('response', (headers) => {
      const done = new Promise<void>((r) => stream.on('close', () => { session.close(); r(); }));
      stream.on('data', (c: Buffer) => read(c));
      resolve({
        status: Number(headers[':status']), contentType: headers['content-type'] as string | undefined, messages, done,
        close: () => { stream.close(); session.close(); },
      });
    });
    stream.on('error', reject);
    stream.end(payload);
  });
}
