import * as assert from 'node:assert/strict';
import { loadProto, type ReplicateReply, type ReplicateReply__Output } from '@shoal/wire';
import { decodeReplicateReply, encodeReplicateReply } from '../src/replicate-reply-serde';

// The generic (protobufjs) codec of the same message: the reference.
const generic = loadProto().shoal.v1.StorageNode.service.Replicate;
const genericEncode = (m: ReplicateReply): Buffer => generic.responseSerialize(m);
const genericDecode = (b: Buffer): ReplicateReply__Output => generic.responseDeserialize(b);

const MAX = Number.MAX_SAFE_INTEGER;
const ERRORS = [
  'OK', 'NOT_LEADER', 'STALE_EPOCH', 'SHARD_NOT_FOUND', 'SHARD_CLOSED', 'NOT_ENOUGH_REPLICAS', 'THROTTLED', 'TIMEOUT', 'INTERNAL', 'OUT_OF_RANGE',
  'LOG_MISMATCH', 'TOO_MANY_SUBSCRIPTIONS',
] as const;

const SAMPLES: ReplicateReply[] = [
  {},
  { from_node_id: 'b1', acks: [] },
  {
    from_node_id: 'nøde-☃',
    acks: [
      { shard: { stream_id: 's-1', shard_id: 'shardId-000000000000' }, epoch: 3, error: 'OK', log_end_offset: 16_384, last_epoch: 3, high_watermark: 16_000, send_seq: 77 },
      { shard: { stream_id: 'ü', shard_id: '' }, epoch: MAX, error: 'LOG_MISMATCH', log_end_offset: 2 ** 40, last_epoch: 127, high_watermark: 128, send_seq: MAX },
      { epoch: 1, error: 'SHARD_NOT_FOUND' },
      { shard: { stream_id: '', shard_id: '' } },
      // Every error code, by name and by number, each in its own ack.
      ...ERRORS.map((error, i) => ({ shard: { stream_id: 's', shard_id: `x${i}` }, error, send_seq: i })),
      ...ERRORS.map((_, i) => ({ shard: { stream_id: 's', shard_id: `n${i}` }, error: i as 0, epoch: i })),
    ],
  },
];

describe('replicate-reply-serde', () => {
  it('writes bytes the generic protobuf codec reads back as the same message', () => {
    for (const m of SAMPLES) assert.deepEqual(genericDecode(encodeReplicateReply(m)), genericDecode(genericEncode(m)));
  });

  it('reads the generic codec\'s bytes as the generic codec does, every error code included', () => {
    for (const m of SAMPLES) {
      const bytes = genericEncode(m);
      assert.deepEqual(decodeReplicateReply(bytes), genericDecode(bytes));
    }
    const back = decodeReplicateReply(encodeReplicateReply(SAMPLES[2]!));
    assert.deepEqual(back.acks.slice(4, 4 + ERRORS.length).map((a) => a.error), [...ERRORS]);
    assert.deepEqual(back.acks.slice(4 + ERRORS.length).map((a) => a.error), [...ERRORS]);
  });

  it('keeps an error number it does not know as that number, as the generic codec does', () => {
    // ShardAck { error: 42 } inside ReplicateReply.acks
    const bytes = Buffer.from([2 << 3 | 2, 2, 3 << 3 | 0, 42]);
    assert.deepEqual(decodeReplicateReply(bytes), genericDecode(bytes));
    assert.equal(decodeReplicateReply(bytes).acks[0]!.error, 42);
  });

  it('skips unknown fields of every wire type, in the reply, the ack and the shard ref', () => {
    const base = encodeReplicateReply(SAMPLES[2]!);
    // Unknown top-level fields: 15 varint, 16 LEN, 17 fixed64, 18 fixed32.
    const unknown = Buffer.from([15 << 3 | 0, 0xff, 0x01, 0x82, 0x01, 2, 0xaa, 0xbb, 0x89, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x95, 0x01, 1, 2, 3, 4]);
    // A ShardAck with an unknown field 20 (LEN) first, a shard ref with an unknown field 3, an unknown varint 9, then epoch 9.
    const inner = Buffer.from([0xa2, 0x01, 1, 0x00, 1 << 3 | 2, 8, 3 << 3 | 0, 1, 1 << 3 | 2, 1, 0x78, 2 << 3 | 2, 1, 0x79, 9 << 3 | 0, 5, 2 << 3 | 0, 9]);
    const ack = Buffer.concat([Buffer.from([2 << 3 | 2, inner.length]), inner]);
    const bytes = Buffer.concat([unknown, base, ack]);
    const expected = genericDecode(bytes);
    assert.deepEqual(decodeReplicateReply(bytes), expected);
    const last = expected.acks[expected.acks.length - 1]!;
    assert.deepEqual(last.shard, { stream_id: 'x', shard_id: 'y' });
    assert.equal(last.epoch, 9);
  });

  it('rejects truncated input, integers beyond 2^53 and error names it does not know', () => {
    const bytes = encodeReplicateReply(SAMPLES[2]!);
    for (const cut of [1, 5, bytes.length - 1]) assert.throws(() => decodeReplicateReply(bytes.subarray(0, cut)), /protobuf: truncated/);
    // ShardAck { epoch: 2^64 - 1 }
    const huge = Buffer.from([2 << 3 | 2, 11, 2 << 3 | 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    assert.throws(() => decodeReplicateReply(huge), /2\^53/);
    assert.throws(() => encodeReplicateReply({ acks: [{ high_watermark: 2 ** 60 }] }), /2\^53/);
    assert.throws(() => encodeReplicateReply({ acks: [{ error: 'NOPE' as 'OK' }] }), /unknown error code/);
  });
});
