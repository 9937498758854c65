/**
 * Encryption at rest in the api: what the storage nodes receive while a
 * stream is encrypted (never the record's bytes), what readers get back
 * (every record, sealed or not), the operations' checks, and the cases
 * where no key or the wrong key is at hand. Fake storage that keeps the
 * appended record bodies as a node would.
 */
import assert from 'node:assert/strict';
import { ENVELOPE_MAGIC, ENVELOPE_OVERHEAD_BYTES, RecordBatch, assembleRecordBatch, scanRecordBody } from '@shoal/core';
import type { StreamRecord } from '@shoal/metadata';
import type { ShardRecords, ReadResponse__Output } from '@shoal/wire';
import { parseMasterKey } from '../../src/encryption/master-key';
import { RecordCrypto } from '../../src/encryption/record-crypto';
import { ACCOUNT, ARRIVAL_MS, ClusterView, ScriptedStorage, addStream, compactOk, jsonCaller, liveContext } from '../helpers/fake-context';

const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/12345678-1234-1234-1234-123456789012`;

/** Stores appended bodies as batches (as a leader does) and serves reads from them. */
class StoredRecords {
  readonly bodies: Buffer[] = [];
  readonly overheads: number[] = [];
  private readonly records: Array<{ offset: number; arrival_ms: number; partition_key: string; data: Buffer }> = [];

  append(req: ShardRecords) {
    const body = req.records_body as Buffer;
    const count = req.record_count ?? 0;
    this.bodies.push(body);
    this.overheads.push(req.record_overhead_bytes ?? 0);
    const starts = scanRecordBody(body, count);
    if (typeof starts === 'string') throw new Error(starts);
    const batch = RecordBatch.parse(assembleRecordBatch(1, this.records.length, ARRIVAL_MS, [{ body, start: 0, end: body.length, count }]), true);
    if (typeof batch === 'string') throw new Error(batch);
    const first = this.records.length;
    for (const r of batch.records()) this.records.push({ offset: r.offset, arrival_ms: r.arrivalMs, partition_key: r.partitionKey, data: Buffer.from(r.data) });
    return compactOk(first, count);
  }

  read(from: number): ReadResponse__Output {
    return { error: 'OK', error_message: '', records: this.records.slice(from), high_watermark: this.records.length, log_start_offset: 0, last_arrival_ms: 0 };
  }
}

function setup(crypto?: RecordCrypto) {
  const view = new ClusterView();
  addStream(view, 's', 1);
  const stored = new StoredRecords();
  const storage = new ScriptedStorage(async (_n, req) => stored.append(req), async (_n, req) => stored.read(Number(req.from_offset)));
  const base = liveContext(view, storage, ARRIVAL_MS + 1000);
  const ctx = crypto ? { ...base, crypto } : base;
  const call = jsonCaller(ctx);
  const ref = { accountId: ACCOUNT, region: 'us-east-1', streamName: 's' };
  const stream = (): StreamRecord => view.stream(ref)!.value;
  /** What the controller does once a settings change is in: UPDATING -> ACTIVE. */
  const settle = () => view.setStream(`${ACCOUNT}/us-east-1/s`, { value: { ...stream(), status: 'ACTIVE' }, modRevision: 'settled' });
  const readAll = async () => {
    const it = await call('GetShardIterator', { StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' });
    return (await call('GetRecords', { ShardIterator: it.body['ShardIterator'] })).body['Records'] as Array<Record<string, unknown>>;
  };
  return { view, stored, call, stream, settle, readAll };
}

const put = (call: ReturnType<typeof jsonCaller>, key: string, text: string) =>
  call('PutRecord', { StreamName: 's', PartitionKey: key, Data: Buffer.from(text).toString('base64') });

describe('encryption at rest', () => {
  it('seals records written while encryption is on, so the nodes never get their bytes; every record reads back', async () => {
    const { stored, call, stream, settle, readAll } = setup();
    assert.deepEqual((await put(call, 'before-key', 'written before')).body['EncryptionType'], undefined);
    assert.deepEqual(await call('StartStreamEncryption', { StreamName: 's', EncryptionType: 'KMS', KeyId: KEY_ARN }), { status: 200, body: {} });
    assert.equal(stream().status, 'UPDATING');
    assert.equal(stream().keyId, KEY_ARN);
    assert.equal(stream().dataKeys?.length, 1);
    settle();
    const during = await put(call, 'secret-key', 'card 4111 1111 1111 1111');
    assert.equal(during.body['EncryptionType'], 'KMS');
    const batch = await call('PutRecords', { StreamName: 's', Records: [{ PartitionKey: 'p2', Data: Buffer.from('also secret').toString('base64') }] });
    assert.equal(batch.body['EncryptionType'], 'KMS');
    assert.equal((await call('StopStreamEncryption', { StreamName: 's', EncryptionType: 'KMS', KeyId: KEY_ARN })).status, 200);
    assert.equal(stream().encryptionType, 'NONE');
    settle();
    await put(call, 'after-key', 'written after');
    const sent = Buffer.concat(stored.bodies);
    for (const plain of ['written before', 'before-key', 'written after', 'after-key']) assert.notEqual(sent.indexOf(plain), -1, plain);
    for (const secret of ['card 4111', 'secret-key', 'also secret', 'p2']) assert.equal(sent.indexOf(secret), -1, secret);
    assert.deepEqual(stored.overheads, [0, ENVELOPE_OVERHEAD_BYTES, ENVELOPE_OVERHEAD_BYTES, 0]);
    const records = await readAll();
    assert.deepEqual(records.map((r) => [r['PartitionKey'], Buffer.from(r['Data'] as string, 'base64').toString(), r['EncryptionType']]), [
      ['before-key', 'written before', undefined], ['secret-key', 'card 4111 1111 1111 1111', 'KMS'], ['p2', 'also secret', 'KMS'], ['after-key', 'written after', undefined],
    ]);
    assert.equal(records[1]!['SequenceNumber'], during.body['SequenceNumber']);
  });

  it('returns user data that looks like an envelope as it was written', async () => {
    const { call, settle, readAll } = setup();
    await call('StartStreamEncryption', { StreamName: 's', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    settle();
    await call('StopStreamEncryption', { StreamName: 's', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    settle();
    const lookalike = Buffer.concat([ENVELOPE_MAGIC, Buffer.from([0, 0, 0, 1]), Buffer.alloc(40, 7)]);
    await call('PutRecord', { StreamName: 's', PartitionKey: 'k', Data: lookalike.toString('base64') });
    const [r] = await readAll();
    assert.deepEqual([Buffer.from(r!['Data'] as string, 'base64'), r!['PartitionKey'], r!['EncryptionType']], [lookalike, 'k', undefined]);
  });

  it('accepts a record of the stream\'s largest size (10 MiB) while encrypted: the limits apply to what the client sent', async () => {
    const { call, view, stream, settle, stored } = setup();
    view.setStream(`${ACCOUNT}/us-east-1/s`, { value: { ...stream(), maxRecordSizeKiB: 10240 }, modRevision: 'big' });
    await call('StartStreamEncryption', { StreamName: 's', EncryptionType: 'KMS', KeyId: '12345678-1234-1234-1234-123456789012' });
    settle();
    const data = Buffer.alloc(10 * 1024 * 1024 - 1, 1);
    const r = await call('PutRecord', { StreamName: 's', PartitionKey: 'k', Data: data.toString('base64') });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(stored.bodies[0]!.length, 14 + ENVELOPE_OVERHEAD_BYTES + 1 + data.length);
  });

  it('checks EncryptionType and KeyId, limits new keys to 25 a day, and needs a master key; refusals change nothing', async () => {
    const { call, stream, settle } = setup();
    const start = (body: Record<string, unknown>) => call('StartStreamEncryption', { StreamName: 's', EncryptionType: 'KMS', ...body });
    assert.deepEqual((await start({ KeyId: 'not-a-key' })).body, { __type: 'KMSNotFoundException', message: 'Invalid keyId not-a-key' });
    assert.equal((await start({ EncryptionType: 'NONE', KeyId: 'alias/x' })).body['__type'], 'InvalidArgumentException');
    assert.equal((await start({ EncryptionType: 'AES', KeyId: 'alias/x' })).body['__type'], 'ValidationException');
    assert.equal(stream().encryptionType, 'NONE');
    for (const keyId of ['alias/a', `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/b`, 'mrk-0123456789abcdef0123456789abcdef']) {
      assert.equal((await start({ KeyId: keyId })).status, 200, keyId);
      settle();
    }
    for (let i = 3; i < 25; i++) { assert.equal((await start({ KeyId: `alias/k${i}` })).status, 200); settle(); }
    assert.equal((await start({ KeyId: 'alias/k24' })).status, 200, 'the same key again is not a new one');
    settle();
    assert.equal((await start({ KeyId: 'alias/one-too-many' })).body['__type'], 'LimitExceededException');
    assert.equal(stream().keyId, 'alias/k24');
    assert.equal(stream().dataKeys?.length, 1, 'one data key per stream, whatever the KeyId');

    const noKey = setup(new RecordCrypto(undefined));
    assert.equal((await noKey.call('StartStreamEncryption', { StreamName: 's', EncryptionType: 'KMS', KeyId: 'alias/a' })).body['__type'], 'KMSAccessDeniedException');
    assert.equal(noKey.stream().encryptionType, 'NONE');
  });

  it('answers KMSAccessDeniedException to reads of sealed records under another master key', async () => {
    const { call, settle, view, stored } = setup();
    await call('StartStreamEncryption', { StreamName: 's', EncryptionType: 'KMS', KeyId: 'alias/a' });
    settle();
    await put(call, 'k', 'sealed');
    // Another api process of the same cluster, started with another master key.
    const storage = new ScriptedStorage(undefined, async (_n, req) => stored.read(Number(req.from_offset)));
    const other = jsonCaller({ ...liveContext(view, storage, ARRIVAL_MS + 1000), crypto: new RecordCrypto(parseMasterKey(Buffer.alloc(32, 9).toString('base64'), 'other')) });
    const it = await other('GetShardIterator', { StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' });
    const got = await other('GetRecords', { ShardIterator: it.body['ShardIterator'] });
    assert.equal(got.body['__type'], 'KMSAccessDeniedException');
    assert.match(String(got.body['message']), /was wrapped by master key [0-9a-f]{16}; this api has master key [0-9a-f]{16}/);
  });
});
