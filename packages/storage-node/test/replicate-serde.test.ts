import * as assert from 'node:assert/strict';
import { loadProto, type ReplicateMessage, type ReplicateMessage__Output } from '@shoal/wire';
import { decodeReplicateMessage, encodeReplicateMessage, withReplicateSerde } from '../src/replicate-serde';

// The generic (protobufjs) codec of the same message: the reference.
const generic = loadProto().shoal.v1.StorageNode.service.Replicate;
const genericEncode = (m: ReplicateMessage): Buffer => generic.requestSerialize(m);
const genericDecode = (b: Buffer): ReplicateMessage__Output => generic.requestDeserialize(b);

const MAX = Number.MAX_SAFE_INTEGER;

const SAMPLES: ReplicateMessage[] = [
  {},
  { from_node_id: 'a1', appends: [] },
  {
    from_node_id: 'nøde-☃',
    appends: [
      { shard: { stream_id: 's-1', shard_id: 'shardId-000000000000' }, epoch: 3, start_offset: 0, prev_epoch: 0, leader_hw: 0, batches: [] },
      {
        shard: { stream_id: 'ü', shard_id: '' }, epoch: MAX, start_offset: 2 ** 32 + 5, prev_epoch: 127, leader_hw: 128, send_seq: 300,
        batches: [Buffer.from('first batch'), Buffer.alloc(0), Buffer.alloc(70_000, 7)],
      },
      {
        epoch: 1, start_offset: 10, prev_epoch: 1, leader_hw: 9, batches: [Buffer.from([1, 2, 3])],
        truncate: true, truncate_epoch: 2, truncate_end_offset: 16_384, truncate_if_log_end: 2 ** 40, truncate_if_last_epoch: 1, leader_log_start: 4, send_seq: 1,
      },
    ],
  },
];

describe('replicate-serde', () => {
  it('writes bytes the generic protobuf codec reads back as the same message', () => {
    for (const m of SAMPLES) assert.deepEqual(genericDecode(encodeReplicateMessage(m)), genericDecode(genericEncode(m)));
  });

  it('reads the generic codec\'s bytes as the generic codec does', () => {
    for (const m of SAMPLES) {
      const bytes = genericEncode(m);
      assert.deepEqual(decodeReplicateMessage(bytes), genericDecode(bytes));
    }
  });

  it('round-trips, with batches as views into the received bytes (no copy)', () => {
    const m = SAMPLES[2]!;
    const bytes = encodeReplicateMessage(m);
    const back = decodeReplicateMessage(bytes);
    assert.deepEqual(back, genericDecode(bytes));
    const batch = back.appends[1]!.batches[2]!;
    assert.equal(batch.buffer, bytes.buffer);
    assert.equal(batch.length, 70_000);
  });

  it('skips unknown fields of every wire type, in messages and nested messages', () => {
    const base = encodeReplicateMessage(SAMPLES[2]!);
    // Unknown top-level fields: 15 varint, 16 LEN, 17 fixed64, 18 fixed32.
    // (Their tags are two-byte varints: 0x82 0x01 = 130 = 16 << 3 | 2, and so on.)
    const unknown = Buffer.from([15 << 3 | 0, 0xff, 0x01, 0x82, 0x01, 2, 0xaa, 0xbb, 0x89, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x95, 0x01, 1, 2, 3, 4]);
    // A ShardAppend with an unknown field 20 (LEN) before its shard ref and an unknown nested ShardRef field 3.
    const inner = Buffer.concat([Buffer.from([0xa2, 0x01, 1, 0x00]), Buffer.from([1 << 3 | 2, 8, 3 << 3 | 0, 1, 1 << 3 | 2, 1, 0x78, 2 << 3 | 2, 1, 0x79]), Buffer.from([2 << 3 | 0, 9])]);
    const append = Buffer.concat([Buffer.from([2 << 3 | 2, inner.length]), inner]);
    const bytes = Buffer.concat([unknown, base, append]);
    const expected = genericDecode(bytes);
    assert.deepEqual(decodeReplicateMessage(bytes), expected);
    assert.deepEqual(expected.appends[3]!.shard, { stream_id: 'x', shard_id: 'y' });
    assert.equal(expected.appends[3]!.epoch, 9);
  });

  it('rejects truncated input and integers beyond 2^53', () => {
    const bytes = encodeReplicateMessage(SAMPLES[2]!);
    for (const cut of [1, 5, bytes.length - 1]) assert.throws(() => decodeReplicateMessage(bytes.subarray(0, cut)), /protobuf: truncated/);
    // ShardAppend { epoch: 2^64 - 1 }
    const huge = Buffer.from([2 << 3 | 2, 11, 2 << 3 | 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    assert.throws(() => decodeReplicateMessage(huge), /2\^53/);
    assert.throws(() => encodeReplicateMessage({ appends: [{ epoch: 2 ** 60 }] }), /2\^53/);
    assert.throws(() => encodeReplicateMessage({ appends: [{ batches: ['not bytes'] }] }), /bytes/);
  });

  it('plugs into the service definition for Replicate only, requests and replies', () => {
    const service = loadProto().shoal.v1.StorageNode.service;
    const tuned = withReplicateSerde(service);
    assert.equal(tuned['Replicate']!.requestSerialize(SAMPLES[2]!).length, encodeReplicateMessage(SAMPLES[2]!).length);
    const reply = { from_node_id: 'b1', acks: [{ shard: { stream_id: 's', shard_id: 'x' }, epoch: 2, error: 'LOG_MISMATCH' as const, send_seq: 4 }] };
    assert.deepEqual(tuned['Replicate']!.responseSerialize(reply), service.Replicate.responseSerialize(reply));
    assert.notEqual(tuned['Replicate']!.responseDeserialize, service.Replicate.responseDeserialize);
    assert.equal(tuned['AppendShards'], service.AppendShards);
  });
});
