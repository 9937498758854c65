// The fan-out phase of scripts/bench (enhanced fan-out, shoal targets only):
// N consumers (default 5) subscribe with SubscribeToShard to every shard of
// the bench stream (from LATEST), then PutRecords run at half the put rate
// the put phase sustained, for a warm-up (records checked, not measured:
// each consumer's worker thread starts with cold code) and then the phase's
// duration. Each record carries a 32-bit id; the phase joins each event's
// records with the time their PutRecords call was acknowledged and prints
// the delivery latency (acknowledged -> event received, both on this
// process's clock; an event that arrives before its put's answer counts
// 0 ms) p50 and p99, and the delivered MB/s (record data of every
// consumer's events, 10^6 bytes). It checks that every consumer got every
// acknowledged record, the warm-up's included. Each consumer
// runs in a worker thread with its own client (HTTP/2 session or HTTP/1.1
// agent), as separate consumer applications would: the figures are the
// cluster's, not one client event loop's.
import http from 'node:http';
import http2 from 'node:http2';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  DescribeStreamConsumerCommand, DescribeStreamSummaryCommand, KinesisClient, ListShardsCommand, PutRecordsCommand, RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const CONSUMER_ACTIVE_WAIT_MS = 30_000;
const POLL_MS = 100;
/** After the last put, how long the consumers get to receive what is still on its way. */
export const DRAIN_WAIT_MS = 15_000;
/** Delivery latency samples kept (records beyond it still count, unsampled). */
const LATENCY_SAMPLES_MAX = 2_000_000;
/** Bytes of the id at the start of each record's data. */
const ID_BYTES = 4;
/** Base64 characters that hold the id (whole 3-byte groups). */
const ID_BASE64_CHARS = Math.ceil(ID_BYTES / 3) * 4;
const REQUEST_TIMEOUT_MS = 30_000;

/** The light client's date and Authorization headers: well formed, unsigned (the bench's cluster runs with `--auth none`). */
function lightAuthHeaders() {
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const scope = `${amzDate.slice(0, 8)}/us-east-1/kinesis/aws4_request`;
  return { 'x-amz-date': amzDate, authorization: `AWS4-HMAC-SHA256 Credential=AKIDBENCH/${scope}, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}` };
}

function subscriberClient(endpoint, protocol, sockets) {
  const options = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' }, maxAttempts: 1 };
  if (protocol === 'h1') {
    // One long-lived connection per subscription, apart from the put load's agent.
    options.requestHandler = new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: sockets }), connectionTimeout: REQUEST_TIMEOUT_MS });
  }
  return new KinesisClient(options);
}

async function activeConsumer(client, streamArn, name) {
  const reg = await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }));
  const arn = reg.Consumer.ConsumerARN;
  const deadline = Date.now() + CONSUMER_ACTIVE_WAIT_MS;
  for (;;) {
    const d = await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn }));
    if (d.ConsumerDescription?.ConsumerStatus === 'ACTIVE') return arn;
    if (Date.now() > deadline) throw new Error(`consumer ${name} not ACTIVE after ${CONSUMER_ACTIVE_WAIT_MS} ms`);
    await sleep(POLL_MS);
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * A number per record id (ids are dense from 0), in typed blocks: the
 * phase notes a million ids or more per consumer, and a Map or Set of them
 * cost this process (which shares the cores with the cluster) seconds of
 * CPU and large rehashes. NaN where nothing was set.
 */
class ByRecordId {
  static BLOCK_BITS = 16;
  #blocks = [];

  set(id, value) {
    const b = id >>> ByRecordId.BLOCK_BITS;
    const block = this.#blocks[b] ?? (this.#blocks[b] = new Float64Array(1 << ByRecordId.BLOCK_BITS).fill(NaN));
    block[id & ((1 << ByRecordId.BLOCK_BITS) - 1)] = value;
  }

  get(id) {
    const block = this.#blocks[id >>> ByRecordId.BLOCK_BITS];
    return block === undefined ? NaN : block[id & ((1 << ByRecordId.BLOCK_BITS) - 1)];
  }

  has(id) { return !Number.isNaN(this.get(id)); }
}

// ---------------------------------------------------------------- consumer worker

/** Reads one shard for one consumer until `stop()`, resubscribing after the continuation; calls onRecords(records, receivedMs). */
function follow(client, consumerArn, shardId, stopped, onRecords, aborts) {
  let position = { Type: 'LATEST' };
  let first = true;
  let ready;
  const subscribed = new Promise((resolve) => { ready = resolve; });
  const loop = (async () => {
    while (!stopped()) {
      const abort = new AbortController();
      aborts.add(abort);
      try {
        const res = await client.send(new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: position }), { abortSignal: abort.signal });
        if (first) { first = false; ready(); }
        for await (const ev of res.EventStream) {
          const e = ev.SubscribeToShardEvent;
          if (!e) continue;
          if (e.Records.length > 0) onRecords(e.Records, Date.now());
          if (e.ContinuationSequenceNumber) position = { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: e.ContinuationSequenceNumber };
        }
      } catch (err) {
        if (!abort.signal.aborted) await sleep(err.name === 'ResourceInUseException' ? 1_000 : 200);
      } finally {
        aborts.delete(abort);
      }
    }
  })();
  return { subscribed, done: loop };
}

/**
 * A light consumer (`--fanout-clients light`): SubscribeToShard over node:http2 (one
 * session per subscription, as the SDK) or node:http, the event-stream framing
 * of @smithy/eventstream-codec and JSON.parse; of each record it decodes only the
 * id (the first 4 bytes of Data) and the length. It measures the cluster's
 * delivery without the SDK's per-record deserialization on the shared cores.
 */
function followLight(endpoint, protocol, consumerArn, shardId, stopped, onEvent, aborts) {
  let position = { Type: 'LATEST' };
  let first = true;
  let ready;
  const subscribed = new Promise((resolve) => { ready = resolve; });
  const codec = new EventStreamCodec((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8'), (s) => Buffer.from(s, 'utf8'));
  const url = new URL(endpoint);
  const subscribeOnce = () => new Promise((resolve, reject) => {
    const body = Buffer.from(JSON.stringify({ ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: position }));
    const headers = {
      'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.SubscribeToShard', ...lightAuthHeaders(),
    };
    let pending = Buffer.alloc(0);
    const onData = (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const total = pending.readUInt32BE(0);
        if (pending.length < total) break;
        const msg = codec.decode(pending.subarray(0, total));
        pending = pending.subarray(total);
        if (msg.headers[':message-type']?.value === 'exception') {
          reject(new Error(`SubscribeToShard event stream: ${msg.headers[':exception-type']?.value}`));
          return;
        }
        const type = msg.headers[':event-type']?.value;
        if (type === 'initial-response' && first) { first = false; ready(); }
        if (type !== 'SubscribeToShardEvent') continue;
        const at = Date.now();
        const e = JSON.parse(Buffer.from(msg.body.buffer, msg.body.byteOffset, msg.body.byteLength).toString('utf8'));
        if (e.Records.length > 0) {
          const out = new Float64Array(e.Records.length * 4);
          e.Records.forEach((r, i) => {
            out[i * 4] = Buffer.from(r.Data.slice(0, ID_BASE64_CHARS), 'base64').readUInt32BE(0);
            out[i * 4 + 1] = at;
            out[i * 4 + 2] = r.ApproximateArrivalTimestamp * 1000;
            out[i * 4 + 3] = Buffer.byteLength(r.Data, 'base64');
          });
          onEvent(out);
        }
        if (e.ContinuationSequenceNumber) position = { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: e.ContinuationSequenceNumber };
      }
    };
    const onStatus = (status, res) => {
      if (status === 200) return true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => reject(new Error(`SubscribeToShard answered ${status}: ${Buffer.concat(chunks).toString('utf8')}`)));
      return false;
    };
    if (protocol === 'h1') {
      const req = http.request({ host: url.hostname, port: Number(url.port), method: 'POST', path: '/', headers: { ...headers, 'content-length': body.length } }, (res) => {
        if (!onStatus(res.statusCode, res)) return;
        res.on('data', onData);
        res.on('end', resolve);
        res.on('error', reject);
      });
      req.on('error', reject);
      const handle = { abort: () => req.destroy() };
      aborts.add(handle);
      req.on('close', () => aborts.delete(handle));
      req.end(body);
      return;
    }
    const session = http2.connect(endpoint);
    session.on('error', reject);
    const handle = { abort: () => session.destroy() };
    aborts.add(handle);
    session.on('close', () => aborts.delete(handle));
    const req = session.request({ ':method': 'POST', ':path': '/', ...headers, 'content-length': body.length });
    req.on('response', (h) => {
      if (!onStatus(h[':status'], req)) return;
      req.on('data', onData);
      req.on('end', () => { session.close(); resolve(); });
    });
    req.on('close', () => session.close());
    req.on('error', reject);
    req.end(body);
  });
  const loop = (async () => {
    while (!stopped()) {
      try {
        await subscribeOnce();
      } catch (err) {
        // A refusal before the first subscription is the client's fault (the SDK's would say so): stop the phase.
        if (first && !stopped() && !String(err.message).includes('ResourceInUseException')) throw err;
        if (!stopped()) await sleep(200);
      }
    }
  })();
  return { subscribed, done: loop };
}

/**
 * A consumer worker: subscribes to every shard from LATEST, posts 'ready'
 * once all are subscribed, then per event a Float64Array of
 * [id, receivedMs, arrivalMs, bytes] per record; stops on 'stop'.
 */
async function consumerWorker({ endpoint, protocol, client: clientKind, consumerArn, shardIds }) {
  const client = clientKind === 'light' ? undefined : subscriberClient(endpoint, protocol, shardIds.length + 1);
  const aborts = new Set();
  let stopping = false;
  parentPort.on('message', (m) => { if (m === 'stop') { stopping = true; for (const a of aborts) a.abort(); } });
  const post = (out) => parentPort.postMessage(out, [out.buffer]);
  const readers = shardIds.map((shardId) => (client === undefined
    ? followLight(endpoint, protocol, consumerArn, shardId, () => stopping, post, aborts)
    : follow(client, consumerArn, shardId, () => stopping, (records, at) => {
      const out = new Float64Array(records.length * 4);
      records.forEach((r, i) => {
        const d = r.Data;
        out[i * 4] = ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;
        out[i * 4 + 1] = at;
        out[i * 4 + 2] = r.ApproximateArrivalTimestamp.getTime();
        out[i * 4 + 3] = d.length;
      });
      post(out);
    }, aborts)));
  await Promise.all(readers.map((r) => r.subscribed));
  parentPort.postMessage('ready');
  await Promise.all(readers.map((r) => r.done));
  client?.destroy();
}

if (!isMainThread && workerData?.benchFanOutConsumer) await consumerWorker(workerData);

/**
 * Runs the phase against a bench stream that exists; `putMbPerSec` is what
 * the put phase sustained. Returns the figures (see fanOutLines).
 */
export async function fanOutPhase({ endpoint, protocol, client = 'sdk', putClient, streamName, putMbPerSec, warmupMs = 0, durationMs, consumers, recordBytes, recordsPerCall, concurrency, log }) {
  const summary = await putClient.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  const streamArn = summary.StreamDescriptionSummary.StreamARN;
  const shards = (await putClient.send(new ListShardsCommand({ StreamName: streamName }))).Shards.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined);
  const workers = [];
  try {
    const arns = [];
    for (let i = 0; i < consumers; i++) arns.push(await activeConsumer(putClient, streamArn, `bench-fanout-${i}`));
    const ackedMs = new ByRecordId(); // record id -> Date.now() when its PutRecords call was answered
    const received = Array.from({ length: consumers }, () => new ByRecordId()); // record id -> 1 once that consumer got it
    const latencies = [];
    const early = []; // receivedMs of records seen before their put's answer
    const fromArrival = []; // received - ApproximateArrivalTimestamp (the leader's append time)
    let deliveredBytes = 0;
    let lastDeliveryMs = 0;
    /** Ids below it were put during the warm-up: checked for delivery, not measured. */
    let firstMeasuredId = Infinity;
    const ready = arns.map((consumerArn, c) => new Promise((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: { benchFanOutConsumer: true, endpoint, protocol, client, consumerArn, shardIds: shards.map((s) => s.ShardId) },
      });
      workers.push(worker);
      worker.on('error', reject);
      worker.on('message', (m) => {
        if (m === 'ready') { resolve(); return; }
        for (let i = 0; i < m.length; i += 4) {
          const id = m[i];
          const at = m[i + 1];
          received[c].set(id, 1);
          if (id < firstMeasuredId) continue;
          deliveredBytes += m[i + 3];
          const acked = ackedMs.get(id);
          if (Number.isNaN(acked)) early.push(at);
          else if (latencies.length < LATENCY_SAMPLES_MAX) latencies.push(Math.max(0, at - acked));
          if (fromArrival.length < LATENCY_SAMPLES_MAX) fromArrival.push(Math.max(0, at - m[i + 2]));
          lastDeliveryMs = Math.max(lastDeliveryMs, at);
        }
      });
    }));
    await Promise.all(ready);
    const targetMbPerSec = putMbPerSec / 2;
    const callBytes = recordsPerCall * recordBytes;
    const intervalMs = (callBytes / (targetMbPerSec * 1e6)) * 1000;
    log(`fan-out: ${consumers} consumers${client === 'light' ? ' (light client)' : ''} x ${shards.length} shards subscribed; putting ${round(targetMbPerSec, 2)} MB/s (half of ${putMbPerSec}) ` +
      `for ${warmupMs / 1000} s of warm-up, then ${durationMs / 1000} s measured`);
    let nextId = 0;
    let putBytes = 0;
    let putErrors = 0;
    let inFlight = 0;
    const started = Date.now();
    let began = Infinity; // when the measured part started
    const calls = [];
    for (let n = 0; Date.now() - started < warmupMs + durationMs; n++) {
      const due = started + n * intervalMs;
      if (due > Date.now()) await sleep(due - Date.now());
      while (inFlight >= concurrency) await sleep(1);
      if (began === Infinity && Date.now() - started >= warmupMs) { began = Date.now(); firstMeasuredId = nextId; }
      const measured = began !== Infinity;
      const firstId = nextId;
      const entries = [];
      const bytes = Buffer.alloc(recordsPerCall * recordBytes, 0x62);
      for (let i = 0; i < recordsPerCall; i++) {
        const id = nextId++;
        const data = bytes.subarray(i * recordBytes, (i + 1) * recordBytes);
        data.writeUInt32BE(id, 0);
        entries.push({ Data: data, PartitionKey: `fo-${id}` });
      }
      inFlight++;
      calls.push(putClient.send(new PutRecordsCommand({ StreamName: streamName, Records: entries })).then((res) => {
        const at = Date.now();
        res.Records.forEach((r, i) => { if (r.SequenceNumber) { ackedMs.set(firstId + i, at); if (measured) putBytes += recordBytes; } });
        putErrors += res.FailedRecordCount ?? 0;
      }, () => { putErrors += recordsPerCall; }).finally(() => { inFlight--; }));
    }
    await Promise.all(calls);
    const putSec = (Date.now() - began) / 1000;
    const acked = [];
    for (let id = 0; id < nextId; id++) if (ackedMs.has(id)) acked.push(id);
    const missingOf = (got) => acked.reduce((n, id) => (got.has(id) ? n : n + 1), 0);
    const drainDeadline = Date.now() + DRAIN_WAIT_MS;
    while (Date.now() < drainDeadline && received.some((got) => acked.some((id) => !got.has(id)))) await sleep(200);
    const sorted = latencies.concat(early.map(() => 0)).sort((a, b) => a - b);
    const missing = received.reduce((sum, got) => sum + missingOf(got), 0);
    const deliverySec = Math.max(lastDeliveryMs - began, 1) / 1000;
    return {
      consumers, client, shards: shards.length, targetMbPerSec: round(targetMbPerSec, 2), putMbPerSec: round(putBytes / putSec / 1e6, 2), putErrors,
      records: acked.length, warmupRecords: acked.filter((id) => id < firstMeasuredId).length, delivered: acked.length * consumers - missing, missing, warmupMs,
      deliveredMbPerSec: round(deliveredBytes / deliverySec / 1e6, 2),
      p50Ms: round(percentile(sorted, 50), 1), p99Ms: round(percentile(sorted, 99), 1), maxMs: round(sorted[sorted.length - 1] ?? 0, 1),
      beforeAckShare: round(early.length / Math.max(sorted.length, 1), 3),
      ...(() => { const a = fromArrival.sort((x, y) => x - y); return { arrivalP50Ms: round(percentile(a, 50), 1), arrivalP99Ms: round(percentile(a, 99), 1) }; })(),
    };
  } finally {
    for (const w of workers) w.postMessage('stop');
    await Promise.all(workers.map((w) => new Promise((resolve) => {
      const timer = setTimeout(() => { void w.terminate().then(resolve); }, 5_000);
      w.once('exit', () => { clearTimeout(timer); resolve(); });
    })));
  }
}

/** The phase's lines for the bench table (targets that ran it). */
export function fanOutLines(results) {
  return results.flatMap((r) => (r.fanouts ?? []).map((f) => (
    `${r.target} fan-out: ${f.consumers} consumers${f.client === 'light' ? ' (light client)' : ''} x ${f.shards} shards at ${f.putMbPerSec} MB/s of puts (asked: ${f.targetMbPerSec}, half the put phase's; ` +
      `measured after ${f.warmupMs / 1000} s of warm-up): ` +
      `delivery latency (put acknowledged -> event received) p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms (max ${f.maxMs}; ${round(f.beforeAckShare * 100, 1)}% arrived before the put's answer, counted 0); ` +
      `from the leader's arrival time p50 ${f.arrivalP50Ms} ms, p99 ${f.arrivalP99Ms} ms; delivered ${f.deliveredMbPerSec} MB/s; ` +
      `${f.delivered} of ${f.records * f.consumers} deliveries (warm-up included)${f.missing > 0 ? `, ${f.missing} NOT DELIVERED within ${DRAIN_WAIT_MS / 1000} s of the last put` : ''}${f.putErrors > 0 ? `, ${f.putErrors} put errors` : ''}` +
      (f.cores ? `; cores used: api ${f.cores.api}, nodes ${f.cores.nodes}, bench client (producer and consumers) ${f.cores.client}` : ''))));
}
